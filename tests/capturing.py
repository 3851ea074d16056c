"""Capturing emulated hosts as an administrator would: the exported probe copied to the host and
run with ``powershell -File``, over real WinRM (pywinrm through the suite's own backend)."""

from __future__ import annotations

import time
from pathlib import Path

from readiness.capture import export_script
from readiness.connection import WinRMBackend, WinRMOptions
from readiness.hosts import parse_host
from tests.emulated import host_url

SCRIPT = "C:\\Users\\Public\\readiness-probe.ps1"
RUN = f"powershell.exe -NoProfile -ExecutionPolicy Bypass -File {SCRIPT}"


def run_export(served, host, script: str, *args: str) -> tuple[int, bytes, bytes]:
    """Copy ``script`` to the host and run it there: exit code, stdout, stderr."""
    served.files(host.name)[SCRIPT] = script.encode("ascii")
    backend = WinRMBackend(parse_host(host_url(host)), WinRMOptions())
    try:
        return backend.run_with_stdin(" ".join([RUN, *args]), None, time.monotonic() + 60)
    finally:
        backend.close()


def capture_to(served, host, path: Path, location: str | None = None, compact: bool = False) -> Path:
    """Export for ``location``, run on the host, keep what it printed in ``path``."""
    code, out, err = run_export(served, host, export_script(location, compact=compact))
    assert code == 0, err
    path.write_bytes(out)
    return path
