"""Rules are ordinary pytest test functions: pytest calls them with every fixture they ask for.

A user's rule (in a file of their own) may ask for pytest's fixtures (``tmp_path``) and their own
(from a conftest), in any order, beside ``facts`` (the host's :class:`readiness.facts.Facts`) and
``rule``; a fixture of theirs may itself read ``facts``.
"""

from __future__ import annotations

import json

from tests.emulated import fleet, host_url

CONFTEST = '''
import pytest


@pytest.fixture
def ticket():
    return "CHG-1234"


@pytest.fixture
def os_build(facts):
    """A user's fixture over the host's facts (None for a host that could not be checked)."""
    return None if facts is None else facts.os_version[2]
'''

RULES = '''
from pathlib import Path

from readiness.facts import Facts


def test_OperatingSystemCheck(tmp_path, facts, ticket, rule):
    if not isinstance(facts, Facts) or not isinstance(tmp_path, Path):
        rule.failed(f"facts is {type(facts).__name__}, tmp_path is {type(tmp_path).__name__}")
    (tmp_path / "ticket.txt").write_text(ticket, encoding="utf-8")
    rule.passed(f"{ticket}: {(tmp_path / 'ticket.txt').read_text(encoding='utf-8')} written in {tmp_path.name}")


def test_TlsVersionCheck(rule, os_build, facts):
    if os_build != facts.os_version[2]:
        rule.failed("the user's fixture saw other facts")
    rule.warned(f"build {os_build}")
'''


def test_a_rule_takes_pytests_fixtures_and_the_users_own(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_my_rules=RULES)
    report = pytester.path / "readiness.json"
    with fleet(["healthy"]) as served:
        result = pytester.runpytest_subprocess("test_my_rules.py", "-p", "no:cacheprovider",
                                               f"--hosts={host_url(served.hosts[0])}", "--connect-timeout", "1",
                                               f"--readiness-json={report}", timeout=120)
    out = result.stdout.str()
    result.assert_outcomes(passed=1, xfailed=1)
    got = {r["RuleId"]: r for r in json.loads(report.read_text(encoding="utf-8"))["hosts"][0]["results"]}
    passed = got["OperatingSystemCheck"]
    assert passed["CheckResultMessageId"] == "OperatingSystemCheck.Passed", passed
    assert passed["CheckResultMessage"].startswith("CHG-1234: CHG-1234 written in test_OperatingSystemCheck"), passed
    warned = got["TlsVersionCheck"]
    assert warned["CheckResultMessageId"] == "TlsVersionCheck.PassedWithWarning", warned
    assert warned["CheckResultMessage"].startswith("build ") and warned["CheckResultMessage"][6:].isdigit(), warned
    assert "SuiteError" not in out
