"""The terminal summary: problems per host, totals, and the troubleshooter's own list format."""

from fixtures import seed_sample
from readiness.catalog import RULES
from readiness.lang import explain
from readiness.reports.terminal_report import format_arguments, format_list, problem_lines, total_line
from readiness.results import FAILED, PASSED, WARNING
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
