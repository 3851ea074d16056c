"""Every package the suite installs is locked, with hashes, and this environment is the lock.

``requirements.in`` names the direct dependencies; ``requirements.txt`` is uv's universal lock of
them (``uv pip compile --universal --generate-hashes``): each package, transitive ones and the
build backend included, at one version, with the hashes pip checks on install, for Linux and
Windows alike (a package one platform needs carries its environment marker).
"""

from __future__ import annotations

import importlib.metadata
import re

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from tests.emulated import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
MARKER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[^\s\\;]+\s*;\s*(.+?)\s*(?:\\|$)")


def _pins(text: str) -> dict[str, str]:
    return {canonicalize_name(m.group(1)): m.group(2) for line in text.splitlines() if (m := PIN.match(line))}


def _entries(text: str) -> list[str]:
    """The lock's entries, each with its continuation lines joined."""
    return [e for e in re.sub(r"\\\n\s*", " ", text).splitlines() if e and not e.startswith(("#", " "))]


def test_the_lock_pins_every_package_with_hashes_and_holds_the_direct_ones_as_given():
    direct = _pins((ROOT / "requirements.in").read_text(encoding="utf-8"))
    lock_text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    lock = _pins(lock_text)
    entries = _entries(lock_text)
    assert entries and all(PIN.match(e) and "--hash=sha256:" in e for e in entries), \
        [e for e in entries if "--hash=sha256:" not in e]
    assert len(entries) == len(lock)
    assert {name: lock.get(name) for name in direct} == direct
    for name in ("urllib3", "certifi", "jinja2", "setuptools", "check-jsonschema", "ruff", "mypy"):
        assert name in lock, name
    assert "-e" not in lock_text.split()  # hash-checking mode refuses editable installs


def _markers(text: str) -> dict[str, Marker]:
    """The environment marker of each lock entry that has one."""
    return {canonicalize_name(PIN.match(line).group(1)): Marker(m.group(1))  # type: ignore[union-attr]
            for line in text.splitlines() if (m := MARKER.match(line))}


def test_the_lock_holds_what_windows_needs_behind_its_marker():
    # The Windows job (.github/workflows/windows.yml) installs this same lock: pytest needs colorama
    # there and pyspnego needs sspilib; on Linux pip skips both by their marker.
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    lock, markers = _pins(text), _markers(text)
    windows = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"}
    linux = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
    for name in ("colorama", "sspilib"):
        assert name in lock, name
        assert markers[name].evaluate(windows) and not markers[name].evaluate(linux), (name, str(markers[name]))
    assert "pytest" not in markers and "pywinrm" not in markers  # what both need has no marker
    # pyspnego's kerberos extra (python-gssapi and pykrb5 over MIT Kerberos on Linux; SSPI on Windows)
    # is built from source: it has a lock of its own, so the main one installs without a compiler.
    kerberos_text = (ROOT / "requirements-kerberos.txt").read_text(encoding="utf-8")
    kerberos, kerberos_markers = _pins(kerberos_text), _markers(kerberos_text)
    for name in ("gssapi", "krb5"):
        assert name not in lock and name in kerberos, name
        marker = kerberos_markers[name]
        assert marker.evaluate(linux) and not marker.evaluate(windows), (name, str(marker))
    # Pinned with hashes, and no version differs from the main lock's.
    blocks = [b for b in re.split(r"\n(?=\S)", kerberos_text) if "==" in b and not b.startswith("#")]
    assert len(blocks) == len(kerberos) and all("--hash=sha256:" in b for b in blocks), blocks
    assert all(lock.get(name, version) == version for name, version in kerberos.items())


def test_this_environment_is_the_lock():
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    markers = _markers(text)
    lock = {name: version for name, version in _pins(text).items()
            if name not in markers or markers[name].evaluate()}
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    assert {name: installed.get(name) for name in lock} == lock
