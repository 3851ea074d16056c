"""Every report of a real run: JUnit XML, troubleshooter JSON, per-host files, terminal, HTML in Chromium.

One emulated fleet (healthy, seed-sample, warnings, hostile-strings, and a host that refuses
connections) goes through the real plugin in a pytest subprocess; each report is read back the
way its consumer reads it: a CI system parses the XML, a pipeline loads the JSON, a person
reads the terminal and opens the HTML page.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from readiness.catalog import RULES
from readiness.reports.json_report import host_file_name
from tests.chromium import non_blank, shot
from tests.emulated import ROOT, RULES_DIR, display, expected, host_url, run_suite, write_hosts

NAMES = ["healthy", "seed-sample", "warnings", "hostile-strings"]
RULE_ORDER = list(RULES)
FULL_FIELDS = ["RuleId", "RuleGroupId", "RuleName", "RuleGroupName", "RuleDescription", "CheckResult",
               "CheckResultMessage", "CheckResultMessageId", "CheckResultMessageArguments"]
COMPACT_FIELDS = ["RuleId", "RuleGroupId", "CheckResult", "CheckResultMessageId", "CheckResultMessageArguments"]
SECRET = ":vagrant@"


@pytest.fixture(scope="module")
def served(emulated_fleet):
    """The mixed fleet and an unreachable host, served for the whole module."""
    mixed, dead = emulated_fleet(NAMES), emulated_fleet(["healthy"], faults={"healthy": ["refuse"]})
    return mixed.hosts, dead.hosts[0]


def hosts_file(path: Path, hosts) -> Path:
    return write_hosts(path / "fleet.txt", [host_url(h) for h in hosts])


def expected_of(host, unreachable=False) -> list[tuple[str, str, str]]:
    if unreachable:
        return [(rule_id, "Failed", f"{rule_id}.Failed.HostUnreachable") for rule_id in RULE_ORDER]
    return list(expected(host.name).results)


def triples(results) -> list[tuple[str, str, str]]:
    return [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"]) for r in results]


def mixed_run(pytester, served, *args: str):
    """The whole fleet once; returns the run, its JSON and the host objects in fleet order."""
    live, dead = served
    fleet_file = hosts_file(pytester.path, [*live, dead])
    result, data = run_suite(pytester, "--hosts-file", str(fleet_file), "--connect-timeout", "1", *args)
    assert data is not None, result.stdout.str()[-3000:]
    return result, data, [*live, dead]


# --- JSON, per-host files, JUnit XML, terminal: one run ------------------------------------


def test_mixed_fleet_json_junit_host_files_and_terminal(pytester, served):
    junit = pytester.path / "junit.xml"
    per_host = pytester.path / "per-host"
    result, data, hosts = mixed_run(pytester, served, f"--junitxml={junit}", f"--readiness-json-dir={per_host}")
    dead = hosts[-1]
    out = result.stdout.str()
    assert result.ret == 1, out[-3000:]

    # The troubleshooter JSON: every host in fleet order, full objects, fields in order.
    assert [e["host"] for e in data["hosts"]] == [display(h) for h in hosts]
    for host, entry in zip(hosts, data["hosts"], strict=False):
        assert entry["platform"] == "windows" and entry["not_applicable"] == []
        assert triples(entry["results"]) == expected_of(host, host is dead), host.name
        for obj in entry["results"]:
            assert list(obj) == FULL_FIELDS
    assert data["summary"]["hosts_not_ready"] == [display(h) for h in hosts if h.name == "seed-sample" or h is dead]

    # Per-host files: exactly the array of the host's result objects, in the reference's rule order.
    files = sorted(per_host.iterdir())
    assert sorted(p.name for p in files) == sorted(host_file_name(display(h)) for h in hosts)
    for entry in data["hosts"]:
        array = json.loads((per_host / host_file_name(entry["host"])).read_text(encoding="utf-8"))
        assert isinstance(array, list) and array == entry["results"]
        assert [r["RuleId"] for r in array] == RULE_ORDER

    # JUnit XML: one testcase per host and rule, its properties those of the JSON.
    tree = ET.parse(junit)
    by_key = {(e["host"], r["RuleId"]): r for e in data["hosts"] for r in e["results"]}
    seen = set()
    for case in tree.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        key = (props["host"], props["RuleId"])
        want = by_key[key]
        assert props["CheckResult"] == want["CheckResult"], key
        assert props["CheckResultMessageId"] == want["CheckResultMessageId"], key
        assert SECRET not in props["host"] and "@" in props["host"]
        outcome = {child.tag for child in case} & {"failure", "skipped", "error"}
        expected_outcome = {"Passed": set(), "PassedWithWarning": {"skipped"}, "Failed": {"failure"}}
        assert outcome == expected_outcome[want["CheckResult"]], (key, outcome)
        if want["CheckResult"] == "PassedWithWarning":
            assert case.find("skipped").get("type") == "pytest.xfail"
        seen.add(key)
    assert seen == set(by_key)
    assert len(seen) == len(hosts) * len(RULES)
    suite = tree.find("testsuite") if tree.getroot().tag == "testsuites" else tree.getroot()
    failed = sum(1 for r in by_key.values() if r["CheckResult"] == "Failed")
    warned = sum(1 for r in by_key.values() if r["CheckResult"] == "PassedWithWarning")
    assert (int(suite.get("failures")), int(suite.get("skipped")), int(suite.get("errors"))) == (failed, warned, 0)
    # The unreachable host is Failed on every rule, never skipped.
    assert all(by_key[(display(dead), r)]["CheckResult"] == "Failed" for r in RULE_ORDER)

    # Terminal: per host, one line per rule that is not Passed, then the host's total line.
    summary = out[out.index("readiness summary"):]
    for host, entry in zip(hosts, data["hosts"], strict=False):
        lines = [line for line in summary.splitlines() if line.startswith(entry["host"] + "  ")]
        problems = [r for r in entry["results"] if r["CheckResult"] != "Passed"]
        assert len(lines) == len(problems) + 1, (host.name, lines)
        for line, r in zip(lines, problems, strict=False):
            assert line.startswith(f"{entry['host']}  {r['RuleId']}  {r['CheckResult']}  "), line
        worst = "Failed" if any(r["CheckResult"] == "Failed" for r in entry["results"]) else (
            "PassedWithWarning" if problems else "Passed")
        assert lines[-1].startswith(f"{entry['host']}  {worst}  20 rules: "), lines[-1]

    # Passwords were in the hosts file: nowhere in what the run wrote.
    for text in (out, junit.read_text(encoding="utf-8"), json.dumps(data),
                 *(p.read_text(encoding="utf-8") for p in files)):
        assert SECRET not in text


# JUnit XML shows properties to people (CI test views): the documented ones only.
# "profile_reason" too, for a host whose profile auto detected (tests/test_profiles.py).
JUNIT_PROPERTIES = {"host", "RuleId", "profile", "CheckResult", "CheckResultMessageId", "route"}


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_junit_has_the_documented_properties_and_results_reach_every_report(pytester, served, workers):
    junit = pytester.path / "junit.xml"
    result, data, hosts = mixed_run(pytester, served, f"--junitxml={junit}", *workers)
    assert result.ret == 1, result.stdout.str()[-3000:]
    text = junit.read_text(encoding="utf-8")
    assert "readiness_result" not in text and '"RuleGroupId"' not in text
    cases = list(ET.parse(junit).iter("testcase"))
    assert len(cases) == len(hosts) * len(RULES)
    routes = 0
    for case in cases:
        names = [p.get("name") for p in case.iter("property")]
        assert len(names) == len(set(names)) and set(names) <= JUNIT_PROPERTIES, names
        assert {"host", "RuleId", "profile", "CheckResult", "CheckResultMessageId"} <= set(names), names
        assert {p.get("name"): p.get("value") for p in case.iter("property")}["profile"] == "update-management"
        routes += "route" in names
    assert routes > 0  # the network rules say which route decided
    # The results travelled to the JSON, the terminal and the HTML report, from the workers too.
    dead = hosts[-1]
    for host, entry in zip(hosts, data["hosts"], strict=False):
        assert triples(entry["results"]) == expected_of(host, host is dead), host.name
    assert f"{display(dead)}  Failed  20 rules: 20 Failed" in result.stdout.str()
    page = (pytester.path / "readiness.html").read_text(encoding="utf-8")
    assert page.count('data-check-result="Failed"') >= len(RULES)


def test_compact_json_and_the_list_format(pytester, served):
    per_host = pytester.path / "per-host"
    result, data, hosts = mixed_run(pytester, served, "--readiness-json-compact",
                                    f"--readiness-json-dir={per_host}", "--readiness-format", "list")
    assert result.ret == 1
    for host, entry in zip(hosts, data["hosts"], strict=False):
        assert triples(entry["results"]) == expected_of(host, host is hosts[-1]), host.name
        for obj in entry["results"]:
            assert list(obj) == COMPACT_FIELDS
        array = json.loads((per_host / host_file_name(entry["host"])).read_text(encoding="utf-8"))
        assert array == entry["results"]
    # The list: the troubleshooter's ``Name : Value`` lines, every field of every result, per host.
    out = result.stdout.str()
    for entry in data["hosts"]:
        assert f"readiness: {entry['host']}" in out
    names = [line.split(" :", 1)[0] for line in out.splitlines()
             if line.split(" :", 1)[0] in FULL_FIELDS and " :" in line]
    assert names == FULL_FIELDS * (len(hosts) * len(RULES))
    seed = next(h for h in hosts if h.name == "seed-sample")
    block = out[out.index(f"readiness: {display(seed)}"):]
    for r in expected("seed-sample").results:
        assert f"CheckResultMessageId : {r.message_id}" in block, r
    assert "readiness summary" not in out


# --- exit policy, defaults from pytest.ini, a Linux host ------------------------------------


def test_warnings_only_exit_0_linux_host_not_applicable_and_default_report_paths(pytester, served):
    """Run from a directory holding the project's pytest.ini and nothing else: its report paths apply."""
    live, _ = served
    chosen = [h for h in live if h.name in ("healthy", "warnings")]
    (pytester.path / "pytest.ini").write_text((ROOT / "pytest.ini").read_text(encoding="utf-8"), encoding="utf-8")
    fleet_file = write_hosts(pytester.path / "fleet.txt", [host_url(h) for h in chosen] + ["local://"])
    # pytester adds --basetemp, so no ini is found from the arguments: name the copy.
    result = pytester.runpytest_subprocess(str(RULES_DIR), "-c", "pytest.ini", f"--rootdir={pytester.path}",
                                           "-p", "no:cacheprovider",
                                           "--hosts-file", str(fleet_file), "--connect-timeout", "1", timeout=240)
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert "configfile: pytest.ini" in result.stdout.str()
    html = pytester.path / "reports" / "readiness.html"
    report = pytester.path / "reports" / "readiness.json"
    assert html.is_file() and report.is_file()
    data = json.loads(report.read_text(encoding="utf-8"))
    entries = {e["host"]: e for e in data["hosts"]}
    local = entries.pop("local://")
    assert local["platform"] == "linux" and local["results"] == []
    assert local["not_applicable"] == RULE_ORDER
    assert [entries[display(h)]["platform"] for h in chosen] == ["windows", "windows"]
    warned = sum(1 for h in chosen for r in expected(h.name).results if r.check_result == "PassedWithWarning")
    result.assert_outcomes(passed=2 * len(RULES) - warned, xfailed=warned, skipped=len(RULES))
    assert "local://  not applicable  20 rules: 20 not applicable" in result.stdout.str()
    assert data["summary"]["hosts_not_ready"] == []
    page = html.read_text(encoding="utf-8")
    # the Linux host is listed among the hosts no rule applies to; its 20 skipped rules are counted, not listed
    assert '<details id="readiness-not-applicable">' in page and '<span data-host="local://">' in page


def test_strict_warnings_fail_the_run_and_are_failures(pytester, served):
    live, _ = served
    warnings_host = next(h for h in live if h.name == "warnings")
    junit = pytester.path / "junit.xml"
    result, data = run_suite(pytester, f"--hosts={host_url(warnings_host)}", "--connect-timeout", "1",
                             "--strict-warnings", f"--junitxml={junit}")
    assert result.ret == 1
    checks = [r["CheckResult"] for r in data["hosts"][0]["results"]]
    assert set(checks) == {"Passed", "PassedWithWarning"}  # the results themselves are unchanged
    warned = checks.count("PassedWithWarning")
    result.assert_outcomes(passed=len(RULES) - warned, failed=warned)
    for case in ET.parse(junit).iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        tags = {child.tag for child in case} & {"failure", "skipped"}
        assert tags == ({"failure"} if props["CheckResult"] == "PassedWithWarning" else set()), props


# --- HTML: the real report in Chromium -------------------------------------------------------


def test_real_html_report_in_chromium(pytester, served, page, tmp_path):
    """``UPDATE_SCREENSHOT=1`` also writes docs/report.png from this run."""
    result, data, hosts = mixed_run(pytester, served)
    path = pytester.path / "readiness.html"
    assert result.ret == 1 and path.is_file()
    page.open(path)
    assert page.errors() == []
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("window.__pwned === undefined")
    # Host-supplied markup stays text: no element of it, and the strings shown as they are.
    assert page.evaluate("document.querySelectorAll('#results-table b, #results-table script, "
                         "#readiness-matrix b, #readiness-matrix script, .readiness-remediation b').length") == 0
    hostile = next(e for h, e in zip(hosts, data["hosts"], strict=False) if h.name == "hostile-strings")
    wsus = next(r for r in hostile["results"] if r["RuleId"] == "WSUSServerConfigured")
    assert "<script>" in wsus["CheckResultMessage"]
    messages = page.evaluate("[...document.querySelectorAll('#results-table td.col-message')].map(td => td.textContent)")
    assert wsus["CheckResultMessage"] in messages

    # The matrix: one row per host that is not all Passed, those needing attention first (a host that
    # could not be checked, then the most Failed rules, then the most warnings), the JSON's CheckResult
    # in every cell.
    def attention(entry: dict) -> tuple[int, int, int]:
        checks = [r["CheckResult"] for r in entry["results"]]
        unchecked = all(".Failed.HostUnreachable" in r["CheckResultMessageId"] for r in entry["results"])
        return (0 if unchecked else 1 if "Failed" in checks else 2), -checks.count("Failed"), -checks.count(
            "PassedWithWarning")

    needing = sorted((e for e in data["hosts"] if {r["CheckResult"] for r in e["results"]} != {"Passed"}),
                     key=attention)
    assert needing[0]["host"] == display(hosts[-1])  # the host that does not answer
    rows = page.evaluate(
        "[...document.querySelectorAll('#readiness-matrix tbody tr')].map(r => [r.dataset.host, "
        "[...r.querySelectorAll('td[data-rule-id]')].map(c => [c.dataset.ruleId, c.dataset.checkResult])])")
    assert [host for host, _ in rows] == [e["host"] for e in needing]
    for (host, cells), entry in zip(rows, needing, strict=True):
        assert cells == [[r["RuleId"], r["CheckResult"]] for r in entry["results"]], host

    # The results table lists what did not pass (the host that does not answer: one row), without
    # remediation; Passed results are counted in the summary.
    shown = page.evaluate(
        "[...document.querySelectorAll('#results-table tbody.results-table-row')].map(b => ["
        "b.querySelector('td.col-host').textContent, b.querySelector('td.col-ruleid').textContent, "
        "b.querySelector('td.col-checkresult').textContent, !!b.querySelector('.readiness-remediation')])")
    want = {(e["host"], r["RuleId"]): r["CheckResult"] for e in data["hosts"] if e["host"] != display(hosts[-1])
            for r in e["results"] if r["CheckResult"] != "Passed"}
    dead_rows = [(h, r) for h, r, _, _ in shown if h == display(hosts[-1])]
    assert len(dead_rows) == 1
    assert {(h, r): c for h, r, c, _ in shown if h != display(hosts[-1])} == want
    assert not any(has for _, _, _, has in shown)

    # The rules by count: Failed and warned hosts per rule as the JSON has them (the host that does not
    # answer apart: its rules were never called), each rule's section with its remediation once.
    counted = page.evaluate("Object.fromEntries([...document.querySelectorAll('#readiness-rules tbody tr')]"
                            ".map(r => [r.dataset.ruleId, [Number(r.querySelector('.failed').textContent), "
                            "Number(r.querySelector('.warned').textContent)]]))")
    tally: dict[str, list[int]] = {}
    for (_, rule_id), check in want.items():
        tally.setdefault(rule_id, [0, 0])[0 if check == "Failed" else 1] += 1
    assert counted == tally
    for rule_id in tally:
        assert page.evaluate(f"document.querySelectorAll('#rule-{rule_id} .readiness-remediation').length") == 1
    listed = page.evaluate("[...document.querySelectorAll('#rule-WSUSServerConfigured li')].map(li => ["
                           "li.dataset.messageId, li.querySelector('.readiness-message').textContent, "
                           "[...li.querySelectorAll('a[data-host]')].map(a => a.dataset.host)])")
    assert any(message_id == wsus["CheckResultMessageId"] and message == wsus["CheckResultMessage"]
               and hostile["host"] in named for message_id, message, named in listed)

    target = ROOT / "docs" / "report.png" if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "report.png"
    shot(path, target, tmp_path / "shot-profile", size="1400,2400")  # the matrix is below the fleet summary
    non_blank(target)
