"""The terminal summary: problems per host, totals, the fleet table, and the troubleshooter's own list format."""

import re

from fixtures import seed_sample
from readiness.catalog import RULES
from readiness.lang import explain
from readiness.reports.fleet import FleetView
from readiness.reports.terminal_report import (
    AUTO_FLEET_FROM,
    fleet_lines,
    format_arguments,
    format_list,
    problem_lines,
    total_line,
)
from readiness.results import FAILED, PASSED, WARNING, Result
from tests.report_suite import EVIL_HOST, host_report, make_suite, result

NO_ENTRY_POINT = ("-p", "no:readiness.plugin")


def test_list_format_reproduces_the_seed_sample():
    sample = list(seed_sample.lines())
    results = list(seed_sample.results())
    assert [r.RuleId for r in results] == list(RULES)
    assert format_list(results).splitlines() == sample


def test_arguments_as_powershell_lists_them():
    assert format_arguments(result("WindowsManagementFrameworkInstalledCheck", PASSED, args=["5.1", "x"])) == "{5.1, x}"
    assert format_arguments(result("OperatingSystemCheck", PASSED)) == "{}"
    # the troubleshooter leaves these unset: nothing after the colon, as in the sample
    assert format_arguments(result("AlwaysAutoRebootCheck", PASSED)) == ""
    assert format_arguments(result("WSUSServerConfigured", WARNING, args=["http://wsus:8530"])) == "{http://wsus:8530}"
    line = format_list([result("AutomaticUpdateCheck", PASSED)]).splitlines()[-1]
    assert line == "CheckResultMessageArguments :"


def test_summary_lines_for_what_is_not_passed():
    entry = host_report("web-01", {"OperatingSystemCheck": PASSED, "TlsVersionCheck": FAILED,
                                   "ProxySettings": WARNING, "IMDSConnectivity": None},
                        messages={"TlsVersionCheck": "TLS 1.2 is not enabled"})
    entry.routes["ProxySettings"] = "proxy http://proxy:3128"
    lines = problem_lines(entry)
    assert lines == [
        (FAILED, "web-01  TlsVersionCheck  Failed  TLS 1.2 is not enabled"),
        (WARNING, ("web-01  ProxySettings  PassedWithWarning  ProxySettings is PassedWithWarning"
                  "  [route: proxy http://proxy:3128]")),
    ]
    assert total_line(entry) == ("web-01  Failed  4 rules: 1 Passed, 1 PassedWithWarning, 1 Failed, "
                                 "1 not applicable")


def test_host_without_result_is_failed():
    assert total_line(host_report("db-02", {})) == "db-02  Failed  no result: the host was not checked"


def test_summary_lines_in_japanese():
    """The CheckResult, counts and route in Japanese; the troubleshooter's message as it is, its explanation after it."""
    entry = host_report("web-01", {"OperatingSystemCheck": PASSED, "TlsVersionCheck": FAILED,
                                   "ProxySettings": WARNING, "IMDSConnectivity": None},
                        messages={"TlsVersionCheck": "TLS 1.2 is not enabled", "ProxySettings": "Proxy is set."})
    entry.routes["ProxySettings"] = "proxy http://proxy:3128"
    assert problem_lines(entry, "ja") == [
        (FAILED, "web-01  TlsVersionCheck  失敗  TLS 1.2 is not enabled"),
        (FAILED, "    説明: " + explain("TlsVersionCheck.Failed", "ja")),
        (WARNING, "web-01  ProxySettings  成功 (警告あり)  Proxy is set.  [経路: proxy http://proxy:3128]"),
        (WARNING, "    説明: " + explain("ProxySettings.PassedWithWarning", "ja")),
    ]
    assert total_line(entry, "ja") == "web-01  失敗  4 個のルール: 成功 1 件、成功 (警告あり) 1 件、失敗 1 件、対象外 1 件"
    assert total_line(host_report("db-02", {}), "ja") == "db-02  失敗  結果なし: このホストはチェックされていません"


def test_terminal_summary_in_a_real_run(pytester):
    make_suite(pytester)
    run = pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider")
    out = run.stdout.str()
    assert "readiness summary" in out
    assert "web-01  Passed  20 rules: 20 Passed" in out
    assert f"{EVIL_HOST}  TlsVersionCheck  Failed  TlsVersionCheck <i>said</i> so" in out
    assert f"{EVIL_HOST}  Failed  20 rules: 17 Passed, 1 PassedWithWarning, 1 Failed, 1 not applicable" in out
    assert "never-checked  Failed  no result: the host was not checked" in out
    # Passed results are not listed one by one
    assert "web-01  OperatingSystemCheck" not in out


def test_list_format_in_a_real_run(pytester):
    make_suite(pytester)
    run = pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider", "--readiness-format", "list")
    out = run.stdout.str()
    assert "readiness: web-01" in out
    assert out.count("RuleId : OperatingSystemCheck") == 3
    assert "CheckResultMessageArguments : {http://<b>wsus</b>\"'&:8530}" in out
    assert "readiness summary" not in out


# --- the fleet table ------------------------------------------------------------------------


def _fleet() -> list:
    """Four hosts: one not reached, one with two Failed rules, one with a warning, one ready."""
    gone = host_report("gone-04", {})
    gone.results = [Result(r, "g", "n", "gn", "d", FAILED, "Could not check gone-04: refused",
                           f"{r}.Failed.HostUnreachable", []) for r in RULES]
    return [host_report("web-01", dict.fromkeys(RULES, PASSED)),
            host_report("db-02", {"TlsVersionCheck": FAILED, "LinkedWorkspaceCheck": FAILED, "ProxySettings": PASSED}),
            host_report("app-03", {"IMDSConnectivity": WARNING, "TlsVersionCheck": PASSED}),
            gone]


def test_fleet_table_lines():
    lines = fleet_lines(FleetView.build(_fleet()))
    assert [line for _, line in lines] == [
        "Not checked 1, Not ready 1, Ready with warnings 1, Ready 1",
        "Results: 22 Passed, 1 PassedWithWarning, 22 Failed",
        "Rule                      Failed hosts  Hosts with a warning",
        "LinkedWorkspaceCheck                 1                     0",
        "TlsVersionCheck                      1                     0",
        "IMDSConnectivity                     0                     1",
        "Hosts not ready (2): not checked first, then most Failed rules",
        "gone-04  Not checked  HostUnreachable  Could not check gone-04: refused",
        "db-02  Not ready  LinkedWorkspaceCheck, TlsVersionCheck",
        "every result that is not Passed, host by host: `--readiness-format summary`",
    ]
    assert [level for level, _ in lines][3:6] == [FAILED, FAILED, WARNING]
    # at most `limit` hosts, and how many more
    short = [line for _, line in fleet_lines(FleetView.build(_fleet()), limit=1)]
    assert short[-3:] == ["gone-04  Not checked  HostUnreachable  Could not check gone-04: refused",
                          "... and 1 more hosts not ready, in the JSON and HTML reports",
                          "every result that is not Passed, host by host: `--readiness-format summary`"]


def test_fleet_table_in_japanese():
    lines = [line for _, line in fleet_lines(FleetView.build(_fleet()), "ja")]
    assert lines[0] == "未チェック 1 台、準備未完了 1 台、準備完了 (警告あり) 1 台、準備完了 1 台"
    assert lines[1] == "結果: 成功 22 件、成功 (警告あり) 1 件、失敗 22 件"
    assert "db-02  準備未完了  LinkedWorkspaceCheck, TlsVersionCheck" in lines
    assert lines[-1] == "ホストごとに成功以外のすべての結果を表示するには: `--readiness-format summary`"


def _big_plan(hosts: int) -> dict:
    rows = []
    names = [f"host-{i:02d}" for i in range(hosts)]
    for i, host in enumerate(names):
        for rule_id in RULES:
            check = FAILED if (i % 5 == 0 and rule_id == "TlsVersionCheck") else PASSED
            rows.append([host, rule_id, check, f"{rule_id} {check}", []])
    return {"hosts": names, "rows": rows}


def test_auto_is_the_fleet_table_beyond_a_few_hosts_and_summary_lists_every_result(pytester):
    hosts = AUTO_FLEET_FROM + 5
    make_suite(pytester, _big_plan(hosts))
    out = pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider").stdout.str()
    assert f" readiness summary: {hosts} hosts " in out
    assert re.search(r"^TlsVersionCheck +5 +0$", out, re.MULTILINE)
    assert "Hosts not ready (5): not checked first, then most Failed rules" in out
    assert "host-05  Not ready  TlsVersionCheck" in out
    assert "host-05  TlsVersionCheck  Failed" not in out  # no per-result lines
    assert "= FAILURES =" not in out  # nor a traceback per Failed result (the reports hold them)
    traced = pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider", "--tb=short").stdout.str()
    assert "= FAILURES =" in traced and f" readiness summary: {hosts} hosts " in traced
    # the per-result list stays one option away, for the same fleet
    full = pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider", "--readiness-format", "summary").stdout.str()
    assert "host-05  TlsVersionCheck  Failed  TlsVersionCheck Failed" in full
    assert "host-01  Passed  20 rules: 20 Passed" in full and "readiness summary:" not in full
    assert "= FAILURES =" in full  # pytest's section as always, where the per-result lines are
    # and the table for a few hosts
    small = pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider", "--readiness-format", "fleet",
                               "-k", "host-00 or host-01").stdout.str()
    assert f" readiness summary: {hosts} hosts " in small and "host-00  Not ready  TlsVersionCheck" in small
