"""Remediation texts: one per rule, complete, and readable from the command line."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from readiness import remediation
from readiness.catalog import PROFILE_RULES, PROFILES, RULES
from readiness.remediation_aum import REMEDIATIONS as AUM_REMEDIATIONS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("profile, rule_id", [(p, r) for p in PROFILES for r in PROFILE_RULES[p]])
def test_every_rule_has_all_four_passages(profile, rule_id):
    entry = remediation.for_rule(rule_id, profile=profile)
    for passage in (entry.what, entry.why, entry.fix, entry.verify):
        assert passage.strip() and len(passage) > 40, (rule_id, passage)
    # The verification is PowerShell the user can paste: no prose markers of an unfinished text.
    assert "TODO" not in entry.text(rule_id, profile=profile)
    assert entry.text(rule_id, profile=profile).startswith(f"# {rule_id} ({PROFILE_RULES[profile][rule_id].name})\n")


def test_no_remediation_for_a_rule_outside_the_catalog():
    assert set(remediation._REMEDIATIONS) == set(RULES)
    for profile in ("azure-vm", "arc"):
        assert set(AUM_REMEDIATIONS[profile]) == set(PROFILE_RULES[profile])
    with pytest.raises(KeyError, match="NoSuchCheck"):
        remediation.for_rule("NoSuchCheck")
    with pytest.raises(KeyError, match=r"WireServerConnectivityCheck.*arc"):
        remediation.for_rule("WireServerConnectivityCheck", profile="arc")
    with pytest.raises(KeyError, match="no readiness profile"):
        remediation.for_rule("TlsVersionCheck", profile="azure")


def test_a_rule_id_of_several_profiles_has_each_profiles_remediation():
    """TlsVersionCheck names another check in update-management; ProxySettingsCheck differs on arc."""
    um, arc = remediation.for_rule("TlsVersionCheck"), remediation.for_rule("TlsVersionCheck", profile="arc")
    assert um is not arc and "Update Manager" in arc.why and "Automation" in um.why
    assert remediation.for_rule("DotNetFrameworkInstalledCheck", profile="azure-vm") is \
        remediation.for_rule("DotNetFrameworkInstalledCheck", profile="arc")
    assert "378389" in remediation.for_rule("DotNetFrameworkInstalledCheck", profile="arc").verify
    assert "azcmagent config" in remediation.for_rule("ProxySettingsCheck", profile="arc").fix
    assert "azcmagent" not in remediation.for_rule("ProxySettingsCheck", profile="azure-vm").fix
    assert "not yet pushed" in remediation.for_rule("PatchExtensionCheck", profile="azure-vm").why
    assert "AddService2" in remediation.for_rule("MUEnableCheck", profile="azure-vm").fix


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


def test_cli_prints_a_profiles_rules():
    done = _cli("--profile", "arc")
    assert done.returncode == 0, done.stderr
    assert re.findall(r"^# (\w+) \(", done.stdout, flags=re.MULTILINE) == list(PROFILE_RULES["arc"])
    assert done.stdout.startswith("# OSSupportedCheck (Operating system supported check)\n")
    one = _cli("--profile=azure-vm", "TlsVersionCheck")
    assert one.returncode == 0 and one.stdout.startswith("# TlsVersionCheck (TLS version check)\n")


@pytest.mark.parametrize("args, needle", [
    (("--profile", "azure"), "unknown profile 'azure' (known: update-management, azure-vm, arc)"),
    (("--profile",), "--profile needs a profile"),
    (("--profile", "arc", "WireServerConnectivityCheck"), "unknown RuleId 'WireServerConnectivityCheck' in the profile arc"),
])
def test_cli_profile_errors_are_one_line(args, needle):
    done = _cli(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr, done.stderr


def test_cli_unknown_rule_is_one_line_error():
    done = _cli("NoSuchCheck")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "'NoSuchCheck'" in done.stderr
