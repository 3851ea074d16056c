"""The suite as a user runs it: pytest over emulated hosts, asserting on the troubleshooter JSON."""

from __future__ import annotations

import os

import pytest

from fixtures import seed_sample
from fixtures.scenario import shipped_for
from readiness.catalog import RULES
from tests.emulated import (
    display,
    documented_example,
    expected,
    fleet,
    host_url,
    reported,
    run_suite,
    scenario,
    write_hosts,
)

SHIPPED = [path.stem for path in shipped_for()]  # the scenarios of the default profile, which these runs use
DEFAULT_LOCATION = [name for name in SHIPPED if expected(name).location is None]
SEED_ORDER = list(RULES)


def by_host(data):
    return {entry["host"]: entry for entry in data["hosts"]}


def test_every_shipped_scenario_gives_its_expected_results_and_an_unreachable_host_fails(pytester):
    # Every scenario with no location of its own, and usgov-virginia checked without its location.
    names = [*DEFAULT_LOCATION, "usgov-virginia"]
    assert {"healthy", "seed-sample"} <= set(DEFAULT_LOCATION)
    with fleet(names) as served, \
            fleet(["healthy"], faults={"healthy": ["refuse"]}) as dead:
        lines = [host_url(h) for h in served.hosts] + [host_url(dead.hosts[0])]
        hosts_file = write_hosts(pytester.path / "fleet.txt", lines)
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file), "--connect-timeout", "1")
    assert result.ret == 1, result.stdout.str()[-3000:]
    assert data is not None
    reports = by_host(data)
    assert list(reports) == [display(h) for h in served.hosts] + [display(dead.hosts[0])]
    for host in served.hosts[:-1]:
        entry = reports[display(host)]
        assert entry["platform"] == "windows"
        assert reported(entry) == list(expected(host.name).results), host.name
    # Without its location, the US Gov host is tested against the public cloud's endpoints.
    usgov = served.hosts[-1]
    failed = [r["RuleId"] for r in reports[display(usgov)]["results"] if r["CheckResult"] == "Failed"]
    assert failed == ["AutomationAgentServiceConnectivityCheck1", "AutomationJobRuntimeDataServiceConnectivityCheck",
                      "LAOdsEndpointConnectivity", "LAOmsEndpointConnectivity"]
    unreachable = reports[display(dead.hosts[0])]["results"]
    assert [r["RuleId"] for r in unreachable] == SEED_ORDER
    for r in unreachable:
        assert r["CheckResult"] == "Failed"
        assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.HostUnreachable"
        assert "refused" in r["CheckResultMessage"]
        assert "\n" not in r["CheckResultMessage"]
    # Passwords were in the URLs: nowhere in the output or the report.
    assert "vagrant@" in result.stdout.str()
    assert ":vagrant@" not in result.stdout.str()
    assert ":vagrant@" not in str(data)


def test_seed_sample_prints_the_seed_documents_results(pytester):
    with fleet(["seed-sample"]) as served:
        host = served.hosts[0]
        result, data = run_suite(pytester, f"--hosts={host_url(host)}", "--connect-timeout", "1",
                                 "--readiness-format", "list")
    out = result.stdout.str()
    assert result.ret == 1
    results = data["hosts"][0]["results"]
    assert [r["RuleId"] for r in results] == SEED_ORDER
    # The troubleshooter's own output for this machine (fixtures/seed-sample-output.txt), field for field.
    assert [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"], r["CheckResultMessage"]) for r in results] == [
        (r.RuleId, r.CheckResult, r.CheckResultMessageId, r.CheckResultMessage) for r in seed_sample.results()]
    failed = {r["RuleId"] for r in results if r["CheckResult"] == "Failed"}
    assert failed == {r.RuleId for r in seed_sample.results() if r.CheckResult == "Failed"}
    assert [r["RuleId"] for r in results if r["CheckResult"] == "PassedWithWarning"] == [
        r.RuleId for r in seed_sample.results() if r.CheckResult == "PassedWithWarning"]
    # The list format prints each message id and message as the troubleshooter does.
    printed = [line for line in seed_sample.lines() if line.startswith(("CheckResultMessageId :", "CheckResultMessage :"))]
    assert len(printed) == 40 and all(line in out for line in printed), out[-3000:]
    checks = [r.CheckResult for r in seed_sample.results()]
    result.assert_outcomes(passed=checks.count("Passed"), failed=checks.count("Failed"),
                           xfailed=checks.count("PassedWithWarning"))
    assert len(checks) == 20 and checks.count("Failed") == 4


def test_location_selects_the_endpoints(pytester):
    # The shipped scenarios run with a location, and the example of fixtures/README.md.
    located = [scenario(name) for name in SHIPPED if expected(name).location is not None]
    assert located, "a shipped scenario is served for a location"
    for served_scenario in [*located, documented_example()]:
        location = served_scenario.expected.location
        with fleet([served_scenario]) as served:
            host = served.hosts[0]
            _result, data = run_suite(pytester, f"--hosts={host_url(host)}", "--connect-timeout", "1",
                                     f"--automation-account-location={location}")
        assert reported(data["hosts"][0]) == list(served_scenario.expected.results), served_scenario.name
        ops = next(r for r in data["hosts"][0]["results"]
                   if r["RuleId"] == "AutomationJobRuntimeDataServiceConnectivityCheck")
        assert ops["CheckResultMessageArguments"][0].endswith(".azure-automation.us") == location.startswith("usgov")


def test_hosts_file_given_with_a_space_from_another_directory(pytester, tmp_path):
    with fleet(["healthy"]) as served:
        hosts_file = write_hosts(tmp_path / "fleet.txt", [host_url(served.hosts[0])])
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file), "--connect-timeout", "1")
    assert result.ret == 0, result.stdout.str()[-2000:]
    result.assert_outcomes(passed=20)
    assert all(r["CheckResult"] == "Passed" for r in data["hosts"][0]["results"])


@pytest.mark.parametrize("marker, rules", [
    ("connectivity", {r for r, info in RULES.items() if info.group_id == "connectivity"}),
    ("prerequisites", {r for r, info in RULES.items() if info.group_id == "prerequisites"}),
])
def test_group_markers_and_rule_ids_select_tests(pytester, marker, rules):
    with fleet(["healthy"]) as served:
        url = host_url(served.hosts[0])
        _result, data = run_suite(pytester, f"--hosts={url}", "-m", marker, "--connect-timeout", "1")
        assert {r["RuleId"] for r in data["hosts"][0]["results"]} == rules
        _result, data = run_suite(pytester, f"--hosts={url}", "-k", "TlsVersionCheck", "--connect-timeout", "1")
        assert [r["RuleId"] for r in data["hosts"][0]["results"]] == ["TlsVersionCheck"]


@pytest.mark.parametrize("ini", ["pytest.ini", "none"])
def test_xdist_keeps_the_report_order_and_probes_each_host_once(pytester, ini):
    # Without pytest.ini (run from elsewhere, no --dist), -n alone still groups by host.
    config = [] if ini == "pytest.ini" else ["-c", os.devnull]
    with fleet(["healthy", "seed-sample", "warnings"]) as served:
        lines = [host_url(h) for h in served.hosts]
        _result, data = run_suite(pytester, "--hosts=" + ",".join(lines), "-n", "2", "--connect-timeout", "1", *config)
        requests = served.requests_per_host()
    assert [e["host"] for e in data["hosts"]] == [display(h) for h in served.hosts]
    for entry in data["hosts"]:
        assert [r["RuleId"] for r in entry["results"]] == SEED_ORDER
    # One probe per host: open shell, command, send, receive(s), delete, plus authentication.
    for host in served.hosts:
        assert requests[host.name] <= 8, requests
