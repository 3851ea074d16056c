"""A Linux host reached over real SSH is "not applicable"; one whose sshd is down is Failed.

A real ``/usr/sbin/sshd`` listens on a random loopback address with a generated host key and
an authorized client key; the suite reaches it through testinfra's ``ssh://`` backend (the
system's ``ssh`` client) next to an emulated Windows host, in a pytest subprocess.
"""

from __future__ import annotations

import importlib.util
import subprocess

import pytest

from readiness.catalog import RULES
from tests.emulated import display, host_url, run_suite
from tests.sshd import Sshd, client_config, free_port, require_openssh

RULE_ORDER = list(RULES)
VERBOSE = ["-vv", "--tb=long", "--showlocals", "--log-level=DEBUG", "-rA"]


def _has_paramiko() -> bool:
    """paramiko in the interpreter that runs the suite (testinfra's optional dependency)."""
    return importlib.util.find_spec("paramiko") is not None


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    require_openssh()
    with Sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture(scope="module")
def windows(emulated_fleet):
    return emulated_fleet(["healthy"]).hosts[0]


def _entries(data) -> dict:
    return {e["host"]: e for e in data["hosts"]}


def _closed(sshd: Sshd, address: str) -> tuple[str, str]:
    """A host URL (and its display) on ``address``, where no sshd listens, with the live server's key."""
    port = free_port(address)
    config = client_config(sshd.dir / f"ssh_config-{address}", None)
    url = f"ssh://{sshd.user}@{address}:{port}?ssh_config={config}&ssh_identity_file={sshd.identity}"
    return url, f"ssh://{sshd.user}@{address}:{port}"


@pytest.mark.parametrize("scheme", ["ssh", "paramiko"])
def test_linux_host_over_ssh_is_not_applicable_next_to_a_passing_windows_host(pytester, sshd, windows, scheme):
    if scheme == "paramiko" and not _has_paramiko():
        pytest.skip("paramiko is not installed (testinfra's optional dependency for paramiko://)")
    result, data = run_suite(pytester, f"--hosts={sshd.url(scheme)},{host_url(windows)}", "--connect-timeout", "1",
                             "-rs", timeout=60)
    out = result.stdout.str()
    assert result.ret == 0, out[-3000:] + sshd.log()
    result.assert_outcomes(passed=len(RULES), skipped=len(RULES))
    entries = _entries(data)
    linux = entries[sshd.display(scheme)]
    assert linux["platform"] == "linux", linux
    assert linux["results"] == []
    assert linux["not_applicable"] == RULE_ORDER
    win = entries[display(windows)]
    assert win["platform"] == "windows" and win["not_applicable"] == []
    assert [r["RuleId"] for r in win["results"]] == RULE_ORDER
    assert {r["CheckResult"] for r in win["results"]} == {"Passed"}
    # Each skip says why, naming the rule and the host: the reason is the platform, not a failure.
    for rule_id in RULE_ORDER:
        assert f"not applicable: {rule_id} is a Windows rule and {sshd.display(scheme)} runs linux" in out
    # The suite really logged in: sshd accepted the generated key for this user.
    assert f"Accepted publickey for {sshd.user}" in sshd.log()


def test_ssh_host_whose_sshd_is_down_fails_every_rule_host_unreachable(pytester, sshd, loopback_address):
    url, shown = _closed(sshd, loopback_address)
    result, data = run_suite(pytester, f"--hosts={url}", "--connect-timeout", "1", timeout=60)
    out = result.stdout.str()
    assert result.ret == 1, out[-3000:]
    result.assert_outcomes(failed=len(RULES))
    (entry,) = data["hosts"]
    assert entry["host"] == shown and entry["not_applicable"] == []
    assert [r["RuleId"] for r in entry["results"]] == RULE_ORDER
    for r in entry["results"]:
        assert r["CheckResult"] == "Failed"
        assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.HostUnreachable"
        message = r["CheckResultMessage"]
        assert "\n" not in message and "\r" not in message, message
        assert message.startswith(f"Could not check {shown}: "), message
        assert "Connection refused" in message, message  # the cause, as ssh reported it
        assert "CommandResult" not in message and "object at 0x" not in message, message
    assert "skipped" not in out.splitlines()[-1]


def test_ssh_host_that_refuses_the_key_fails_every_rule_never_skipped(pytester, sshd, tmp_path):
    """sshd up, but the key is not authorized: no platform is known, so nothing is "not applicable"."""
    stranger = tmp_path / "stranger_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True, timeout=30)
    result, data = run_suite(pytester, f"--hosts={sshd.url(identity=stranger)}", "--connect-timeout", "1", timeout=60)
    assert result.ret == 1, result.stdout.str()[-3000:]
    result.assert_outcomes(failed=len(RULES))
    (entry,) = data["hosts"]
    assert entry["not_applicable"] == [] and [r["RuleId"] for r in entry["results"]] == RULE_ORDER
    for r in entry["results"]:
        assert r["CheckResult"] == "Failed" and r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.AccessDenied", r
        assert "Permission denied" in r["CheckResultMessage"] and "\n" not in r["CheckResultMessage"], r
        assert "CommandResult" not in r["CheckResultMessage"], r


def test_the_private_key_appears_in_no_output_and_no_file(pytester, sshd, windows, loopback_address):
    """At its most verbose, with a live and a dead SSH host, the client key shows nowhere."""
    key = sshd.identity.read_text(encoding="ascii")
    body = [line for line in key.splitlines() if line and not line.startswith("-----")]
    forms = ["PRIVATE KEY", *body]
    assert body and all(len(line) >= 20 for line in body[:-1])
    closed, _ = _closed(sshd, loopback_address)
    junit = pytester.path / "junit.xml"
    result, data = run_suite(pytester, f"--hosts={sshd.url()},{closed},{host_url(windows)}",
                             "--connect-timeout", "1", f"--junitxml={junit}",
                             f"--readiness-json-dir={pytester.path / 'per-host'}", *VERBOSE, timeout=60)
    assert result.ret == 1 and data is not None, result.stdout.str()[-3000:]
    texts = [result.stdout.str(), result.stderr.str()]
    found = [f"output #{i}" for i, text in enumerate(texts) if any(f in text for f in forms)]
    files = [p for p in pytester.path.rglob("*") if p.is_file()]
    assert len(files) >= 4  # HTML, JSON, JUnit, per-host files
    found += [str(p) for p in files if any(f.encode() in p.read_bytes() for f in forms)]
    assert found == []


def test_ssh_client_config_trusts_only_the_server_host_key(sshd, tmp_path):
    """The pinned host key is what lets the suite in: another key for that address is refused."""
    ok = subprocess.run(["ssh", "-F", str(sshd.ssh_config), "-i", str(sshd.identity), "-p", str(sshd.port),
                         f"{sshd.user}@{sshd.address}", "uname -s"], capture_output=True, text=True, timeout=15)
    assert (ok.returncode, ok.stdout.strip()) == (0, "Linux"), ok.stderr
    known = sshd.dir / "known_hosts"
    pinned = known.read_text(encoding="ascii")
    other = tmp_path / "other_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True, timeout=30)
    try:
        host, _, _ = pinned.split()
        kind, blob = other.with_suffix(".pub").read_text(encoding="ascii").split()[:2]
        known.write_text(f"{host} {kind} {blob}\n", encoding="ascii")
        bad = subprocess.run(["ssh", "-F", str(sshd.ssh_config), "-i", str(sshd.identity), "-p", str(sshd.port),
                              f"{sshd.user}@{sshd.address}", "uname -s"], capture_output=True, text=True, timeout=15)
    finally:
        known.write_text(pinned, encoding="ascii")
    assert bad.returncode == 255 and "Linux" not in bad.stdout, (bad.returncode, bad.stdout, bad.stderr)

