"""A password given to the suite appears in nothing it prints or writes, however verbose.

The fleet's hosts share a canary password, given in host URLs and in READINESS_WINRM_PASSWORD;
the suite runs with every output it has turned on, at its most verbose, and then every byte of
stdout, stderr and every file under the run's directory is searched for the canary (also in
the forms it takes on the wire: Basic's base64, URL quoting).
"""

from __future__ import annotations

import base64
import dataclasses
import os
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from fixtures.emulator import Fleet
from readiness.connection import WinRMBackend
from readiness.hosts import parse_host
from tests.emulated import RULES_DIR, ROOT, base_address, display, scenario

VERBOSE = ["-vv", "--tb=long", "--log-level=DEBUG", "-rA"]


def _canary() -> str:
    return f"Canary-{secrets.token_hex(8)}"


def _forms(canary: str, user: str) -> list[str]:
    """The canary as it could leak: itself, URL-quoted, and in a Basic Authorization header."""
    basic = base64.b64encode(f"{user}:{canary}".encode()).decode()
    return [canary, urllib.parse.quote(canary, safe=""), basic]


def _leaks(root: Path, texts: list[str], forms: list[str]) -> list[str]:
    found = [f"output #{i}" for i, text in enumerate(texts) if any(f in text for f in forms)]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(f.encode() in data for f in forms):
                found.append(str(path.relative_to(root)))
    return found


def _fleet(canary: str) -> Fleet:
    """healthy and seed-sample with the canary as password, a host that refuses, one that is asked with it wrongly."""
    with_canary = [dataclasses.replace(scenario(n), password=canary) for n in ("healthy", "seed-sample")]
    refused = scenario("healthy").renamed("refused")
    wrong = scenario("healthy").renamed("other-password")  # its password is not the canary
    return Fleet([*with_canary, refused, wrong], base_address=base_address(), faults={"refused": ["refuse"]})


def _urls(served: Fleet, canary: str) -> tuple[list[str], list[str]]:
    """URLs with the canary in them, and URLs whose password comes from the environment."""
    healthy, seed, refused, wrong = served.hosts

    def url(host, query: str = "no_ssl=true", secret: str | None = canary) -> str:
        cred = f":{urllib.parse.quote(secret, safe='')}" if secret else ""
        return f"winrm://{host.user}{cred}@{host.address}:{host.http_port}?{query}"

    in_url = [url(healthy), url(healthy, "no_ssl=true&transport=basic"), url(refused), url(wrong)]
    from_env = [url(seed, secret=None)]
    return in_url, from_env


@pytest.mark.parametrize("extra", [["--showlocals"], ["--showlocals", "--full-trace", "-n", "2"]],
                         ids=["showlocals", "xdist"])
def test_the_password_appears_in_no_output_and_no_file(tmp_path, extra):
    canary = _canary()
    out = tmp_path / "out"
    out.mkdir()
    with _fleet(canary) as served:
        in_url, from_env = _urls(served, canary)
        # The same host twice would be an error: the Basic one goes in a second run below.
        hosts = [in_url[0], *in_url[2:], *from_env]
        # The inner runs start clean of this run's own pytest and xdist variables.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTEST_XDIST"))}
        env.update({"READINESS_WINRM_PASSWORD": canary, "PYTHONPATH": str(ROOT)})
        common = [sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}",
                  "-o", f"cache_dir={out / 'cache'}", *VERBOSE, *extra,
                  "--winrm-read-timeout", "3", "--winrm-operation-timeout", "2", "--connect-timeout", "1",
                  f"--log-file={out / 'debug.log'}", "--log-file-level=DEBUG", "--log-file-mode=a",
                  f"--junitxml={out / 'junit.xml'}", f"--html={out / 'report.html'}",
                  f"--readiness-json={out / 'readiness.json'}", f"--readiness-json-dir={out / 'per-host'}",
                  "--readiness-format", "list"]
        first = subprocess.run([*common, "--hosts=" + ",".join(hosts)], cwd=out, env=env,
                               capture_output=True, text=True, timeout=120)
        basic = subprocess.run([*common, f"--hosts={in_url[1]}", "--allow-insecure-transport",
                                f"--junitxml={out / 'junit-basic.xml'}",
                                f"--readiness-json={out / 'basic.json'}"], cwd=out, env=env,
                               capture_output=True, text=True, timeout=120)
    outputs = [first.stdout, first.stderr, basic.stdout, basic.stderr]
    assert first.returncode == 1, first.stdout[-3000:] + first.stderr[-2000:]
    assert basic.returncode == 0, basic.stdout[-3000:] + basic.stderr[-2000:]
    assert "Traceback" not in first.stderr
    # The runs did what they should: every host reported, the wrong password and the refusal seen.
    per_host = sorted(p.name for p in (out / "per-host").iterdir())
    assert len(per_host) == 4, per_host
    assert "Failed.AccessDenied" in first.stdout and "Failed.HostUnreachable" in first.stdout
    # Debug logging was on: the log file holds every record, the probe threads' included (a test's
    # captured log holds only what happened during that test, which a probe finished earlier is not).
    debug_log = (out / "debug.log").read_text(encoding="utf-8", errors="replace")
    assert "DEBUG" in debug_log and "urllib3" in debug_log, "debug logging was on"
    forms = _forms(canary, served.hosts[0].user)
    assert _leaks(tmp_path, outputs, forms) == []
    # Hosts are shown without credentials: test ids, report entries.
    for host in served.hosts:
        assert f"[{display(host)}]" in first.stdout + basic.stdout


def test_reprs_of_a_host_and_its_connection_hold_no_password():
    canary = _canary()
    spec = parse_host(f"winrm://admin:{canary}@127.0.0.1:5985?no_ssl=true")
    backend = WinRMBackend(spec)
    for text in (repr(spec), str(spec), repr(backend), spec.display, repr([spec])):
        assert canary not in text, text
