"""A bug in a rule is the suite's own error: Failed, named, with its traceback; never the host's fault."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.emulated import display, fleet, host_url

BUGGY_RULES = '''
def test_OperatingSystemCheck(facts, rule):
    versions = {}
    rule.passed("never reached", [versions["os"]])  # KeyError


def test_TlsVersionCheck(facts, rule):
    if facts.no_such_fact:  # AttributeError
        rule.passed("never reached")


def test_DotNetFrameworkInstalledCheck(facts, rule):
    pass  # no decision


def test_WUServiceRunningCheck(facts, rule):
    rule.passed("Windows Update service (wuauserv) is running.", ["Windows Update", "wuauserv"])
'''


def test_a_bug_in_a_rule_is_a_suite_error_with_its_traceback(pytester):
    pytester.makepyfile(test_buggy_rules=BUGGY_RULES)
    report, junit = pytester.path / "readiness.json", pytester.path / "junit.xml"
    with fleet(["healthy"]) as served:
        host = served.hosts[0]
        result = pytester.runpytest_subprocess("test_buggy_rules.py", "-p", "no:cacheprovider",
                                               f"--hosts={host_url(host)}", "--connect-timeout", "1",
                                               f"--readiness-json={report}", f"--junitxml={junit}", timeout=120)
    out = result.stdout.str()
    assert result.ret == 1, out[-3000:]
    result.assert_outcomes(passed=1, failed=3)
    results = {r["RuleId"]: r for r in json.loads(report.read_text(encoding="utf-8"))["hosts"][0]["results"]}
    assert results["WUServiceRunningCheck"]["CheckResultMessageId"] == "WUServiceRunningCheck.Passed"
    named = {"OperatingSystemCheck": "KeyError: 'os'",
             "TlsVersionCheck": "AttributeError:",
             "DotNetFrameworkInstalledCheck": "returned without a decision"}
    for rule_id, what in named.items():
        got = results[rule_id]
        assert got["CheckResult"] == "Failed", got
        assert got["CheckResultMessageId"] == f"{rule_id}.Failed.SuiteError", got
        message = got["CheckResultMessage"]
        assert what in message and "suite" in message and "\n" not in message, message
    # The traceback is in each test's detail: the line of the rule that raised, the exception.
    cases = {case.get("name").split("[")[0]: case for case in ET.parse(junit).iter("testcase")}
    key_error = cases["test_OperatingSystemCheck"].find("failure").text
    assert "Traceback" in key_error and 'versions["os"]' in key_error and "KeyError: 'os'" in key_error
    attribute_error = cases["test_TlsVersionCheck"].find("failure").text
    assert "facts.no_such_fact" in attribute_error and "AttributeError" in attribute_error
    # The host was fine: nothing blames it.
    assert "HostError" not in out and ".Failed.SuiteError" in out
    assert display(host) in out
