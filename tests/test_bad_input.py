"""Bad input is one line naming the bad value, a usage exit code, and never a traceback.

Each case runs the suite (exit 4, pytest's usage error) or the emulator (exit 2) as a user would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulated import ROOT, RULES_DIR

HOST = "winrm://admin:pw@127.0.0.1:5985?no_ssl=true"


def _files(tmp: Path) -> dict[str, str]:
    """Files the cases name: {GOOD} a scenario, {EMPTY} a hosts file of comments only, {UNKNOWN_KEY}, {WRONG_TYPE} scenarios."""
    empty = tmp / "empty-hosts.txt"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    unknown = tmp / "unknown-key.yaml"
    unknown.write_text("name: odd\nuser: admin\npassword: pw\nfirewall_mood: grumpy\n", encoding="utf-8")
    wrong = tmp / "wrong-type.yaml"
    wrong.write_text("name: odd\nuser: admin\npassword: pw\nservices: 5\n", encoding="utf-8")
    good = tmp / "good.yaml"
    good.write_text("name: fine\nuser: admin\npassword: pw\n", encoding="utf-8")
    return {"GOOD": str(good), "EMPTY": str(empty), "UNKNOWN_KEY": str(unknown), "WRONG_TYPE": str(wrong),
            "MISSING": str(tmp / "no-such-hosts.txt"), "NO_CA": str(tmp / "no-such-ca.pem")}


# (id, arguments, exit code, what the error line must name). "suite" cases add --hosts=HOST
# unless they give their own hosts.
SUITE_CASES = [
    ("no-host", ["--hosts=winrm://admin@"], "'winrm://admin@'"),
    ("no-host-port-only", ["--hosts=winrm://admin@:5985"], "names no host"),
    ("bad-port", ["--hosts=winrm://admin:pw@127.0.0.1:99999"], "99999"),
    ("port-not-a-number", ["--hosts=winrm://admin:pw@127.0.0.1:http"], "'http'"),
    ("unknown-scheme", ["--hosts=ftp://admin@127.0.0.1"], "'ftp'"),
    ("unknown-host-option", [f"--hosts={HOST}&verify=maybe"], "'verify'"),
    ("empty-list", ["--hosts="], "--hosts is empty"),
    ("empty-entry", [f"--hosts={HOST},,winrm://admin:pw@127.0.0.2"], "empty entry"),
    ("missing-hosts-file", ["--hosts-file", "{MISSING}"], "no-such-hosts.txt"),
    ("empty-hosts-file", ["--hosts-file", "{EMPTY}"], "empty-hosts.txt"),
    ("unknown-location", [f"--hosts={HOST}", "--automation-account-location=marsnorth"], "'marsnorth'"),
    ("shard-k-over-n", [f"--hosts={HOST}", "--shard", "3/2"], "'3/2'"),
    ("shard-not-k-n", [f"--hosts={HOST}", "--shard", "half"], "'half'"),
    ("shard-zero", [f"--hosts={HOST}", "--shard", "0/4"], "'0/4'"),
    ("read-timeout-zero", [f"--hosts={HOST}", "--winrm-read-timeout", "0"], "'0'"),
    ("operation-timeout-negative", [f"--hosts={HOST}", "--winrm-operation-timeout", "-3"], "'-3'"),
    ("connect-timeout-zero", [f"--hosts={HOST}", "--connect-timeout", "0"], "'0'"),
    ("probe-timeout-negative", [f"--hosts={HOST}", "--probe-timeout", "-1"], "'-1'"),
    ("probe-timeout-not-a-number", [f"--hosts={HOST}", "--probe-timeout", "soon"], "'soon'"),
    ("bad-transport", [f"--hosts={HOST}", "--winrm-transport", "rot13"], "'rot13'"),
    ("bad-host-transport", [f"--hosts={HOST}&transport=rot13"], "'rot13'"),
    ("kerberos-for-an-address", [f"--hosts={HOST}", "--winrm-transport", "kerberos"], "kerberos_hostname_override=NAME"),
    ("kerberos-name-is-an-address", [f"--hosts={HOST}&kerberos_hostname_override=127.0.0.9"], "'127.0.0.9' is not a host name"),
    ("missing-ca-trust", [f"--hosts={HOST}", "--winrm-ca-trust", "{NO_CA}"], "no-such-ca.pem"),
    ("no-password", ["--hosts=winrm://admin@127.0.0.1"], "READINESS_WINRM_PASSWORD"),
    ("duplicate-host", [f"--hosts={HOST},{HOST}"], "given twice"),
]
EMULATOR_CASES = [
    ("scenario-unknown-key", ["--scenario", "{UNKNOWN_KEY}"], "firewall_mood"),
    ("scenario-wrong-type", ["--scenario", "{WRONG_TYPE}"], "services"),
    ("scenario-missing", ["--scenario", "{MISSING}"], "no-such-hosts.txt"),
    ("fleet-zero", ["--scenario", "{GOOD}", "--fleet", "0"], "--fleet"),
    ("unknown-fault", ["--scenario", "{GOOD}", "--fault", "fine=flaky"], "'flaky'"),
    ("negative-latency", ["--scenario", "{GOOD}", "--latency-ms", "-5"], "-5"),
    ("kerberos-name-without-keytab", ["--scenario", "{GOOD}", "--kerberos-name", "fine=win1.example.test"], "--keytab"),
    ("missing-keytab", ["--scenario", "{GOOD}", "--keytab", "{MISSING}", "--kerberos-name", "fine=win1.example.test"],
     "no-such-hosts.txt"),
    ("kerberos-name-malformed", ["--scenario", "{GOOD}", "--kerberos-name", "fine"], "'fine'"),
]


def _check(output: str, named: str, code: int, want: int) -> None:
    assert code == want, output[-2000:]
    assert "Traceback" not in output, output[-4000:]
    errors = [line for line in output.splitlines() if "error" in line.lower() and "usage:" not in line]
    assert len(errors) == 1, output[-2000:]
    assert named in errors[0], errors[0]
    assert "pw@" not in output, "a password was printed"


@pytest.mark.parametrize("args, named", [pytest.param(a, n, id=i) for i, a, n in SUITE_CASES])
def test_suite_rejects_bad_input(tmp_path, args, named):
    files = _files(tmp_path)
    argv = [a.format(**files) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider", *argv],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=_env())
    _check(result.stdout + result.stderr, named, result.returncode, 4)


@pytest.mark.parametrize("args, named", [pytest.param(a, n, id=i) for i, a, n in EMULATOR_CASES])
def test_emulator_rejects_bad_input(tmp_path, args, named):
    files = _files(tmp_path)
    argv = [a.format(**files) for a in args]
    result = subprocess.run([sys.executable, "-m", "fixtures.emulator", *argv], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    _check(result.stdout + result.stderr, named, result.returncode, 2)


def test_unknown_location_says_what_the_troubleshooter_would_fall_back_to(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider",
         f"--hosts={HOST}", "--automation-account-location=marsnorth"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=_env())
    assert result.returncode == 4
    assert "fall back to the default endpoints" in result.stderr
    assert "azure-automation.net" in result.stderr


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "READINESS_WINRM_PASSWORD"}
    env["PYTHONPATH"] = str(ROOT)
    return env
