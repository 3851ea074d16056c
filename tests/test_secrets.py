"""A password given to the suite appears in nothing it prints or writes, however verbose.

The fleet's hosts share a canary password, given in host URLs and in READINESS_WINRM_PASSWORD;
the suite runs with every output it has turned on, at its most verbose, and then every byte of
stdout, stderr and every file under the run's directory is searched for the canary (also in
the forms it takes on the wire: Basic's base64, URL quoting) and for authentication tokens: an
NTLM CHALLENGE and AUTHENTICATE pair in a log is enough to crack the password offline.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import logging
import os
import re
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from fixtures.emulator import Fleet
from readiness.connection import WinRMBackend
from readiness.hosts import parse_host
from tests.emulated import ROOT, RULES_DIR, display, fleet, leaks, scenario

VERBOSE = ["-vv", "--tb=long", "--log-level=DEBUG", "-rA"]


def _canary() -> str:
    return f"Canary-{secrets.token_hex(8)}"


def _forms(canary: str, user: str) -> list[str]:
    """The canary as it could leak: itself, URL-quoted, and in a Basic Authorization header."""
    basic = base64.b64encode(f"{user}:{canary}".encode()).decode()
    return [canary, urllib.parse.quote(canary, safe=""), basic]


# Tokens as they would appear: NTLM messages in base64 (``NTLMSSP\\0`` is ``TlRMTVNTUA``) or raw,
# and GSS-API/SPNEGO (Kerberos) tokens in base64 (``YII``: APPLICATION 0, long length; ``oYI``:
# NegTokenResp) after a header name, a colon, a space or a quote.
TOKENS = re.compile(rb"TlRMTVNTUA|NTLMSSP|(?:^|[\s:='\"])(?:YII|YIG|oYI|oYG|oIG)[A-Za-z0-9+/]{20,}")


def _tokens(root: Path, texts: list[str]) -> list[str]:
    """Every output and file under ``root`` that holds an authentication token, with the match."""
    found = [f"output #{i}: {m.group()!r}" for i, text in enumerate(texts)
             if (m := TOKENS.search(text.encode("utf-8", "replace")))]
    for path in root.rglob("*"):
        if path.is_file() and (m := TOKENS.search(path.read_bytes())):
            found.append(f"{path.relative_to(root)}: {m.group()!r}")
    return found


def _fleet(canary: str) -> contextlib.AbstractContextManager[Fleet]:
    """healthy and seed-sample with the canary as password, a host that refuses, one that is asked with it wrongly."""
    with_canary = [dataclasses.replace(scenario(n), password=canary) for n in ("healthy", "seed-sample")]
    refused = scenario("healthy").renamed("refused")
    wrong = scenario("healthy").renamed("other-password")  # its password is not the canary
    return fleet([*with_canary, refused, wrong], faults={"refused": ["refuse"]})


def _urls(served: Fleet, canary: str) -> tuple[list[str], list[str]]:
    """URLs with the canary in them, and URLs whose password comes from the environment."""
    healthy, seed, refused, wrong = served.hosts

    def url(host, query: str = "no_ssl=true", secret: str | None = canary) -> str:
        cred = f":{urllib.parse.quote(secret, safe='')}" if secret else ""
        return f"winrm://{host.user}{cred}@{host.address}:{host.http_port}?{query}"

    in_url = [url(healthy), url(healthy, "no_ssl=true&transport=basic"), url(refused), url(wrong)]
    from_env = [url(seed, secret=None)]
    return in_url, from_env


@pytest.mark.parametrize("extra", [["--showlocals"], ["--showlocals", "--full-trace", "-n", "2"],
                                   ["--showlocals", "--probe-process", "on"]],
                         ids=["showlocals", "xdist", "probe-process"])
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
    # captured log holds only what happened during that test, which a probe finished earlier is not),
    # and the probe process's, which it sends to pytest's process.
    debug_log = (out / "debug.log").read_text(encoding="utf-8", errors="replace")
    assert "DEBUG" in debug_log and "urllib3" in debug_log, "debug logging was on"
    forms = _forms(canary, served.hosts[0].user)
    assert leaks(tmp_path, outputs, forms) == []
    # NTLM authenticated the hosts while DEBUG was on: its tokens were logged, and withheld.
    assert "NTLM step output: <authentication token withheld>" in debug_log
    assert _tokens(tmp_path, outputs) == []
    # Hosts are shown without credentials: test ids, report entries.
    for host in served.hosts:
        assert f"[{display(host)}]" in first.stdout + basic.stdout


def test_reprs_of_a_host_and_its_connection_hold_no_password():
    canary = _canary()
    spec = parse_host(f"winrm://admin:{canary}@127.0.0.1:5985?no_ssl=true")
    backend = WinRMBackend(spec)
    for text in (repr(spec), str(spec), repr(backend), spec.display, repr([spec])):
        assert canary not in text, text


def test_tokens_are_withheld_from_child_loggers_at_every_level(caplog):
    """The records of the libraries' child loggers, as pytest's own capture handler gets them."""
    from readiness import redact

    redact.install()
    ntlm = base64.b64encode(b"NTLMSSP\x00\x03\x00\x00\x00" + secrets.token_bytes(64)).decode()
    spnego = base64.b64encode(b"\x60\x82\x01\x02\x06\x06\x2b\x06\x01\x05\x05\x02" + secrets.token_bytes(64)).decode()
    resp = base64.b64encode(b"\xa1\x82\x01\x02\x30\x81\xff" + secrets.token_bytes(64)).decode()
    with caplog.at_level(1):
        logging.getLogger("spnego._ntlm").debug("NTLM step output: %s", ntlm)
        logging.getLogger("winrm.vendor.requests_kerberos.kerberos_").error(f"Authorization: Negotiate {spnego}")  # noqa: G004 -- a preformatted message, on purpose
        logging.getLogger("requests_credssp.credssp").warning("server said %r", f"Negotiate {resp}")
        logging.getLogger("spnego").info("raw %r", b"NTLMSSP\x00\x02\x00\x00\x00" + b"\x11" * 8)
        logging.getLogger("urllib3.connectionpool").debug('http://127.0.0.1:5985 "POST /wsman HTTP/1.1" 200 727')
    assert _tokens(Path("/nonexistent"), [caplog.text]) == [], caplog.text
    assert caplog.text.count(redact.WITHHELD) == 4
    assert '"POST /wsman HTTP/1.1" 200 727' in caplog.text
