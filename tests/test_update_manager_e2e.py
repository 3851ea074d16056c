"""The Azure Update Manager profiles end to end: pytest over emulated hosts, through WinRM, as a
user runs it, asserting on the troubleshooter JSON against each shipped scenario's expected block."""

from __future__ import annotations

import json

import pytest

from fixtures.scenario import shipped_for
from readiness.catalog import PROFILE_RULES
from tests.emulated import display, expected, fleet, host_url, reported, run_suite, scenario, write_hosts

AZURE_VM = [path.stem for path in shipped_for("azure-vm")]
ARC = [path.stem for path in shipped_for("arc")]
FULL_FIELDS = ["RuleId", "RuleGroupId", "RuleName", "RuleGroupName", "RuleDescription", "CheckResult",
               "CheckResultMessage", "CheckResultMessageId", "CheckResultMessageArguments"]


def by_host(data):
    return {entry["host"]: entry for entry in data["hosts"]}


def test_the_shipped_scenarios_cover_both_profiles():
    assert {"azure-vm-healthy"} <= set(AZURE_VM) and {"arc-healthy"} <= set(ARC)
    assert all(expected(name).profile == "azure-vm" for name in AZURE_VM)
    assert all(expected(name).profile == "arc" for name in ARC)


@pytest.mark.parametrize("profile, names", [("azure-vm", AZURE_VM), ("arc", ARC)])
def test_every_shipped_scenario_of_a_profile_gives_its_expected_results(pytester, profile, names):
    """Each host named with ``?profile=``: its results, in the script's order, are its scenario's."""
    with fleet(names) as served:
        lines = [host_url(h) + f"&profile={profile}" for h in served.hosts]
        hosts_file = write_hosts(pytester.path / "fleet.txt", lines)
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file),
                                 f"--readiness-json-dir={pytester.path / 'per-host'}")
    assert data is not None, result.stdout.str()[-3000:]
    reports = by_host(data)
    catalog = PROFILE_RULES[profile]
    for host in served.hosts:
        entry = reports[display(host)]
        assert entry["profile"] == profile
        assert reported(entry) == list(expected(host.name).results), host.name
        order = [catalog[r["RuleId"]].order for r in entry["results"]]
        assert order == sorted(order), host.name  # the script's order
        for r in entry["results"]:
            info = catalog[r["RuleId"]]
            assert list(r)[:9] == FULL_FIELDS
            assert (r["RuleGroupId"], r["RuleGroupName"], r["RuleName"], r["RuleDescription"]) == (
                info.group_id, info.group_name, info.name, info.description)
    # The per-host files are the troubleshooter's own arrays, field for field.
    files = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (pytester.path / "per-host").iterdir()}
    assert len(files) == len(served.hosts)
    assert all(isinstance(a, list) and all(list(r) == FULL_FIELDS for r in a) for a in files.values())
    worst = max(r["CheckResult"] == "Failed" for e in reports.values() for r in e["results"])
    assert result.ret == (1 if worst else 0), result.stdout.str()[-3000:]


def test_healthy_hosts_print_the_scripts_strings(pytester):
    """The healthy Azure VM and Arc server: every message and argument as the scripts print them,
    the three rules whose script leaves the arguments unset with null."""
    with fleet(["azure-vm-healthy", "arc-healthy"]) as served:
        vm, arc = served.hosts
        hosts_file = write_hosts(pytester.path / "fleet.txt", [
            host_url(vm) + "&profile=azure-vm", host_url(arc) + "&profile=arc"])
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file))
    assert result.ret == 0, result.stdout.str()[-3000:]
    reports = by_host(data)
    vm_results = {r["RuleId"]: r for r in reports[display(vm)]["results"]}
    arc_results = {r["RuleId"]: r for r in reports[display(arc)]["results"]}
    assert vm_results["WireServerConnectivityCheck"]["CheckResultMessage"] == (
        "Connection to port 80 succeeded.\nConnection to port 32526 succeeded.")
    assert vm_results["HttpsConnectionCheck"]["CheckResultMessageArguments"] == ["login.microsoftonline.com"]
    assert vm_results["HttpsConnectionCheck"]["RuleDescription"] == ""
    assert vm_results["ProxySettingsCheck"]["RuleGroupName"] == "prerequisite checks"
    assert arc_results["ProxySettingsCheck"]["RuleGroupName"] == "Prerequisites Checks"
    assert arc_results["ArcRequiredEndpointsCheck"]["RuleName"] == "AAzure arc required endpoints connectivity check"
    for results in (vm_results, arc_results):
        assert results["DotNetFrameworkInstalledCheck"]["CheckResultMessage"] == ".NET Framework version 4.0+ is found"
        assert results["WUEndpointConnectivityCheck"]["CheckResultMessage"] == "All endpoints are reachable."
        for rule_id in ("WSUSServerConfiguredCheck", "AlwaysAutoRebootCheck", "AutomaticUpdateCheck"):
            assert results[rule_id]["CheckResultMessageArguments"] is None, rule_id
        assert results["MUEnableCheck"]["CheckResultMessage"] == (
            "Microsoft Update is registered with Windows Update and enabled.")


def test_auto_gives_each_host_of_a_mixed_fleet_its_profile_and_its_exact_results(pytester):
    """``--readiness-profile auto`` over an Azure VM, an Arc-enabled server and an on-premises
    machine with the old agent: each host its profile, why, and its scenario's results."""
    names = ["azure-vm-healthy", "arc-healthy", "seed-sample"]
    with fleet(names) as served:
        hosts_file = write_hosts(pytester.path / "fleet.txt", [host_url(h) for h in served.hosts])
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file), "--readiness-profile", "auto",
                                 f"--junitxml={pytester.path / 'junit.xml'}")
    assert data is not None, result.stdout.str()[-3000:]
    assert result.ret == 1  # the seed sample's machine has Failed rules
    reports = by_host(data)
    assert list(reports) == [display(h) for h in served.hosts]
    for host, profile in zip(served.hosts, ["azure-vm", "arc", "update-management"], strict=True):
        entry = reports[display(host)]
        assert entry["profile"] == profile, (host.name, entry.get("profile_reason"))
        assert entry["profile_reason"], host.name
        assert reported(entry) == list(expected(host.name).results), host.name
    assert "guest agent" in reports[display(served.hosts[0])]["profile_reason"] or \
        "IMDS" in reports[display(served.hosts[0])]["profile_reason"]
    assert "Connected Machine agent" in reports[display(served.hosts[1])]["profile_reason"]
    junit = (pytester.path / "junit.xml").read_text(encoding="utf-8")
    assert '<property name="profile" value="arc"' in junit
    # The rules of the profiles a host did not get are not in any report.
    arc_ids = {r["RuleId"] for r in reports[display(served.hosts[1])]["results"]}
    assert "WireServerConnectivityCheck" not in arc_ids and "OperatingSystemCheck" not in arc_ids


def test_a_bad_profile_name_is_a_usage_error_naming_the_host(pytester):
    healthy = scenario("azure-vm-healthy")
    with fleet([healthy]) as served:
        line = host_url(served.hosts[0]) + "&profile=azure"
        result, data = run_suite(pytester, f"--hosts={line}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "profile 'azure' is not a readiness profile" in err and "Traceback" not in err
    assert data is None
