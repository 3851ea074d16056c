"""Remediation texts: one per rule, complete, and readable from the command line."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from readiness import remediation
from readiness.catalog import RULES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_rule_has_all_four_passages(rule_id):
    entry = remediation.for_rule(rule_id)
    for passage in (entry.what, entry.why, entry.fix, entry.verify):
        assert passage.strip() and len(passage) > 40, (rule_id, passage)
    # The verification is PowerShell the user can paste: no prose markers of an unfinished text.
    assert "TODO" not in entry.text(rule_id)


def test_no_remediation_for_a_rule_outside_the_catalog():
    assert set(remediation._REMEDIATIONS) == set(RULES)
    with pytest.raises(KeyError, match="NoSuchCheck"):
        remediation.for_rule("NoSuchCheck")


def test_verify_commands_are_the_documented_ones():
    assert "Test-NetConnection" in remediation.for_rule("AutomationAgentServiceConnectivityCheck1").verify
    assert ".agentsvc.azure-automation.net" in remediation.for_rule("AutomationAgentServiceConnectivityCheck1").verify
    assert "15003" in remediation.for_rule("SystemHybridRunbookWorkerRunningCheck").verify
    assert "S-1-5-18" in remediation.for_rule("CryptoRsaMachineKeysFolderAccessCheck").verify
    assert "169.254.169.254" in remediation.for_rule("IMDSConnectivity").verify
    assert "HybridRunbookWorker" in remediation.for_rule("SystemHybridRunbookWorkerRunningCheck").fix


def test_text_has_the_four_sections_in_order():
    text = remediation.for_rule("TlsVersionCheck").text("TlsVersionCheck")
    heads = ["# TlsVersionCheck (TLS 1.2)", "## What it checks", "## Why it matters", "## How to fix",
             "## How to verify", "```powershell"]
    positions = [text.index(h) for h in heads]
    assert positions == sorted(positions)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "readiness.remediation", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_cli_prints_one_rule():
    done = _cli("WUServiceRunningCheck")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# WUServiceRunningCheck (WU service status)\n")
    assert "Set-Service -Name wuauserv" in done.stdout
    assert "# TlsVersionCheck" not in done.stdout


def test_cli_prints_all_rules_without_argument():
    done = _cli()
    assert done.returncode == 0, done.stderr
    heads = re.findall(r"^# (\w+) \(", done.stdout, flags=re.MULTILINE)
    assert heads == list(RULES)


def test_cli_unknown_rule_is_one_line_error():
    done = _cli("NoSuchCheck")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "'NoSuchCheck'" in done.stderr
