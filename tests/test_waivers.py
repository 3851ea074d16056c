"""Waivers (``--readiness-waivers``): the file's checks, then real runs over emulated hosts and every
report (pytest outcomes, troubleshooter JSON, JUnit XML, HTML in Chromium, terminal)."""

from __future__ import annotations

import datetime
import textwrap
import xml.etree.ElementTree as ET

import pytest

from readiness.waivers import WaiverError, load
from tests.chromium import Page
from tests.emulated import RULES_DIR, display, fleet, host_url, run_suite, write_hosts

UTC = datetime.UTC


def _file(tmp_path, text: str):
    path = tmp_path / "waivers.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


VALID = """
waivers:
  - hosts: ["web-*", "10.0.0.5"]
    rule: LinkedWorkspaceCheck
    justification: Moved to the new workspace in the March change window
    expires: 2027-03-31
    owner: platform-team
  - hosts: [db-01]
    rule: LinkedWorkspaceCheck.Failed.NoWorkspace
    justification: decommissioned next week
    expires: "2027-01-15"
    unreachable: true
"""


def test_a_valid_file(tmp_path):
    first, second = load(_file(tmp_path, VALID))
    assert (first.line, first.hosts, first.rule, first.owner, first.unreachable) == (
        2, ("web-*", "10.0.0.5"), "LinkedWorkspaceCheck", "platform-team", False)
    assert first.expires == datetime.date(2027, 3, 31)
    assert (second.line, second.rule, second.expires, second.unreachable) == (
        7, "LinkedWorkspaceCheck.Failed.NoWorkspace", datetime.date(2027, 1, 15), True)


def test_a_waiver_ends_at_the_end_of_its_day_utc(tmp_path):
    waiver = load(_file(tmp_path, VALID))[0]
    assert not waiver.expired(datetime.datetime(2027, 3, 31, 23, 59, 59, tzinfo=UTC))
    assert waiver.expired(datetime.datetime(2027, 4, 1, 0, 0, 0, tzinfo=UTC))
    # 23:30 on the 31st in New York is already the 1st in UTC.
    new_york = datetime.timezone(datetime.timedelta(hours=-4))
    assert waiver.expired(datetime.datetime(2027, 3, 31, 20, 30, tzinfo=new_york))


def test_matching_hosts_and_rules(tmp_path):
    by_rule, by_id = load(_file(tmp_path, VALID))
    assert by_rule.covers("WEB-07.contoso.local", "LinkedWorkspaceCheck", "LinkedWorkspaceCheck.Failed.NoWorkspace")
    assert by_rule.covers("10.0.0.5", "LinkedWorkspaceCheck", "LinkedWorkspaceCheck.Failed.Multiple")
    assert not by_rule.covers("10.0.0.50", "LinkedWorkspaceCheck", "LinkedWorkspaceCheck.Failed.NoWorkspace")
    assert not by_rule.covers("web-07", "TlsVersionCheck", "TlsVersionCheck.Failed")
    assert by_id.covers("db-01", "LinkedWorkspaceCheck", "LinkedWorkspaceCheck.Failed.NoWorkspace")
    assert not by_id.covers("db-01", "LinkedWorkspaceCheck", "LinkedWorkspaceCheck.Failed.Multiple")


def test_a_waiver_may_name_a_profile(tmp_path):
    """RuleIds repeat across profiles: ``profile`` narrows a waiver to one profile's rule."""
    arc, any_profile, wire = load(_file(tmp_path, """
        waivers:
          - hosts: [arc-*]
            rule: TlsVersionCheck
            profile: arc
            justification: TLS 1.2 enabled in the next change window
            expires: 2027-03-31
          - hosts: [arc-*]
            rule: HttpsConnectionCheck
            justification: firewall change pending
            expires: 2027-03-31
          - hosts: [vm-*]
            rule: WireServerConnectivityCheck.Passed.Port32526Failed
            justification: port 32526 opened next week
            expires: 2027-03-31
    """))
    assert (arc.profile, arc.shown, arc.to_json()["profile"]) == ("arc", "TlsVersionCheck (profile arc)", "arc")
    assert arc.covers("arc-01", "TlsVersionCheck", "TlsVersionCheck.Failed", "arc")
    assert not arc.covers("arc-01", "TlsVersionCheck", "TlsVersionCheck.Failed", "update-management")
    assert not arc.covers("arc-01", "TlsVersionCheck", "TlsVersionCheck.Failed")  # the default profile's
    assert any_profile.profile is None and "profile" not in any_profile.to_json()
    assert any_profile.covers("arc-01", "HttpsConnectionCheck", "HttpsConnectionCheck.Failed", "arc")
    assert any_profile.covers("arc-01", "HttpsConnectionCheck", "HttpsConnectionCheck.Failed", "azure-vm")
    # The Azure VM troubleshooter's id of a Failed result that says Passed.
    assert wire.covers("vm-01", "WireServerConnectivityCheck", "WireServerConnectivityCheck.Passed.Port32526Failed",
                       "azure-vm")


@pytest.mark.parametrize("entry, words", [
    ("    rule: TlsVersionCheck\n    profile: azure\n", ("'profile' 'azure' is not a readiness profile "
                                                       "(one of: update-management, azure-vm, arc)")),
    ("    rule: TlsVersionCheck\n    profile: auto\n", "'profile' 'auto' is not a readiness profile"),
    ("    rule: LinkedWorkspaceCheck\n    profile: arc\n", ("'rule' 'LinkedWorkspaceCheck' is not a RuleId of the "
                                                         "profile arc")),
    ("    rule: WireServerConnectivityCheck.Failed.Port80Failed.Port80FailedPort32526Failed\n    profile: arc\n",
     "is not a RuleId of the profile arc"),
])
def test_a_bad_profile_of_a_waiver_names_the_line(tmp_path, entry, words):
    text = "waivers:\n  - hosts: [web-01]\n" + entry + "    justification: why\n    expires: 2027-03-31\n"
    with pytest.raises(WaiverError) as raised:
        load(_file(tmp_path, text), "waivers.yaml")
    assert str(raised.value).startswith("waivers.yaml:"), raised.value
    assert words in str(raised.value)


ENTRY = """  - hosts: [web-01]
    rule: LinkedWorkspaceCheck
    justification: why
    expires: 2027-03-31
"""


@pytest.mark.parametrize("text, line, words", [
    ("waivers:\n" + ENTRY + "    color: blue\n", 6, "unknown key 'color'"),
    ("waivers:\n" + ENTRY + "  - hosts: [web-02]\n    rule: TlsVersionCheck\n    expires: 2027-01-01\n",
     6, "lacks 'justification'"),
    ("waivers:\n" + ENTRY.replace("LinkedWorkspaceCheck", "NoSuchCheck"), 3, "'rule' 'NoSuchCheck'"),
    ("waivers:\n" + ENTRY.replace("LinkedWorkspaceCheck", "LinkedWorkspaceCheck.Passed"), 3,
     "only Failed results are waived"),
    ("waivers:\n" + ENTRY.replace("2027-03-31", "next spring"), 5, "'expires' must be a date"),
    ("waivers:\n" + ENTRY.replace("2027-03-31", "2027-03-31T10:00:00"), 5, "'expires' must be a date"),
    ("waivers:\n" + ENTRY.replace("[web-01]", "web-01"), 2, "'hosts' must be a non-empty list"),
    ("waivers:\n" + ENTRY.replace("[web-01]", "[]"), 2, "'hosts' must be a non-empty list"),
    ("waivers:\n" + ENTRY.replace("[web-01]", '["winrm://admin@web-01:5986"]'), 2, "without scheme, user and port"),
    ("waivers:\n" + ENTRY + "    unreachable: sometimes\n", 6, "'unreachable' must be true or false"),
    ("waivers:\n" + ENTRY + "    owner: ''\n", 6, "'owner' must be a non-empty text"),
    ("waivers:\n" + ENTRY + "    rule: TlsVersionCheck\n", 6, "'rule' is given twice"),
    ("waivers:\n" + ENTRY + "exceptions: []\n", 6, "unknown key 'exceptions'"),
    ("waivers:\n" + ENTRY + "  - [web-01, TlsVersionCheck]\n", 6, "each waiver must be a mapping"),
    ("waivers: {}\n", 1, "'waivers' must be a list"),
    ("- just a list\n", 1, "the file must be a mapping"),
    ("", 1, "the file must be a mapping"),
    ("waivers:\n" + ENTRY + "  - hosts: [web-02\n    rule: x\n", 7, "not valid YAML"),
], ids=["unknown-key", "missing-key", "unknown-rule", "passed-id", "not-a-date", "a-datetime", "hosts-text",
        "hosts-empty", "host-url", "unreachable-text", "owner-empty", "twice", "top-key", "entry-list",
        "waivers-mapping", "root-list", "empty", "yaml"])
def test_a_malformed_file_names_the_line(tmp_path, text, line, words):
    path = _file(tmp_path, text)
    with pytest.raises(WaiverError) as raised:
        load(path, "waivers.yaml")
    message = str(raised.value)
    assert message.startswith(f"waivers.yaml:{line}: "), message
    assert words in message
    assert "\n" not in message


def test_a_missing_file(tmp_path):
    with pytest.raises(WaiverError, match=r"nope\.yaml: no such file"):
        load(tmp_path / "nope.yaml", "nope.yaml")


def test_a_malformed_file_is_a_usage_error_of_the_run(pytester):
    path = _file(pytester.path, "waivers:\n" + ENTRY + "    color: blue\n")
    result = pytester.runpytest_subprocess(str(RULES_DIR), "-p", "no:cacheprovider", "--collect-only",
                                           "--hosts=winrm://a:b@127.0.0.1:1?no_ssl=true",
                                           f"--readiness-waivers={path.name}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "--readiness-waivers waivers.yaml:6: unknown key 'color'" in err, err
    assert "Traceback" not in err + result.stdout.str()


# --- through the real plugin and every report ----------------------------------------------

RUN_WAIVERS = """
waivers:
  - hosts: ["{seed}"]
    rule: LinkedWorkspaceCheck
    justification: Moved to the new workspace in the March change window
    expires: 2099-03-31
    owner: platform-team
  - hosts: ["{seed_glob}"]
    rule: LAOdsEndpointConnectivity.Failed
    justification: ODS endpoint opened in the next firewall change
    expires: 2099-01-01
  - hosts: ["{seed}"]
    rule: LAOmsEndpointConnectivity
    justification: this one ran out
    expires: 2020-01-01
  - hosts: ["{dead}"]
    rule: TlsVersionCheck
    justification: does not cover a host that was not checked
    expires: 2099-01-01
  - hosts: ["{dead}"]
    rule: OperatingSystemCheck
    justification: the host is being rebuilt
    expires: 2099-01-01
    unreachable: true
  - hosts: ["nothing-here-*"]
    rule: HttpsConnection
    justification: matches no host
    expires: 2099-01-01
"""


def _junit_cases(path):
    cases = {}
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        cases[(props.get("host"), props.get("RuleId"))] = (case, props)
    found = root.find("testsuite").find("properties")
    suite_props = [(p.get("name"), p.get("value")) for p in (found if found is not None else [])]
    return cases, suite_props


@pytest.fixture
def page(tmp_path):
    opened = Page(tmp_path / "chromium-profile")
    yield opened
    opened.close()


def test_waivers_in_every_report(pytester, page):
    with fleet(["seed-sample"]) as served, fleet(["healthy"], faults={"healthy": ["refuse"]}) as dead:
        seed, gone = served.hosts[0], dead.hosts[0]
        waivers = _file(pytester.path, RUN_WAIVERS.format(seed=seed.address, dead=gone.address,
                                                          seed_glob=seed.address.rsplit(".", 1)[0] + ".*"))
        hosts_file = write_hosts(pytester.path / "fleet.txt", [host_url(seed), host_url(gone)])
        junit = pytester.path / "junit.xml"
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file), "--connect-timeout", "1",
                                 f"--readiness-waivers={waivers}", f"--junitxml={junit}", "-rx")
    out = result.stdout.str()
    assert result.ret == 1, out[-3000:]  # unwaived Failed results remain
    # pytest: seed-sample 15 passed, 1 warning and 2 waived as xfail, 2 failed; the dead host 19 failed, 1 waived.
    result.assert_outcomes(passed=15, failed=2 + 19, xfailed=1 + 2 + 1)
    # The troubleshooter JSON: still Failed, with the waiver attached.
    by_host = {h["host"]: h for h in data["hosts"]}
    seed_results = {r["RuleId"]: r for r in by_host[display(seed)]["results"]}
    for rule_id, line in (("LinkedWorkspaceCheck", 2), ("LAOdsEndpointConnectivity", 7)):
        assert seed_results[rule_id]["CheckResult"] == "Failed"
        assert seed_results[rule_id]["Waiver"]["line"] == line
    assert seed_results["LinkedWorkspaceCheck"]["Waiver"]["owner"] == "platform-team"
    assert "Waiver" not in seed_results["LAOmsEndpointConnectivity"]  # expired
    assert "Waiver" not in seed_results["AutomationAgentServiceConnectivityCheck1"]
    gone_results = {r["RuleId"]: r for r in by_host[display(gone)]["results"]}
    assert gone_results["OperatingSystemCheck"]["CheckResult"] == "Failed"
    assert gone_results["OperatingSystemCheck"]["CheckResultMessageId"] == "OperatingSystemCheck.Failed.HostUnreachable"
    assert gone_results["OperatingSystemCheck"]["Waiver"]["unreachable"] is True
    assert "Waiver" not in gone_results["TlsVersionCheck"]  # a host not checked needs unreachable: true
    assert sum("Waiver" in r for h in data["hosts"] for r in h["results"]) == data["summary"]["waived"] == 3
    assert data["summary"]["Failed"] == 4 + 20  # the truth is unchanged
    assert [w["line"] for w in data["waivers"]["expired"]] == [11]
    assert [w["line"] for w in data["waivers"]["unused"]] == [15, 24]
    assert [w["line"] for w in data["waivers"]["applied"]] == [2, 7, 19]
    # JUnit: the waived tests are xfail (skipped) with the property; the suite lists expired and unused.
    cases, suite_props = _junit_cases(junit)
    case, props = cases[(display(seed), "LinkedWorkspaceCheck")]
    assert props["waiver"].endswith("waivers.yaml:2")
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("type") == "pytest.xfail"
    assert "waived LinkedWorkspaceCheck.Failed.NoWorkspace" in skipped.get("message")
    case, props = cases[(display(gone), "TlsVersionCheck")]
    assert "waiver" not in props and case.find("failure") is not None
    assert [name for name, _ in suite_props] == ["waiver_expired", "waiver_unused", "waiver_unused"]
    # Terminal.
    assert f"waived: {display(seed)}  LinkedWorkspaceCheck  Failed, waived: Moved to the new workspace" in out
    assert "expired: " in out and "waiver of LAOmsEndpointConnectivity" in out and "expired on 2020-01-01" in out
    assert "unused: " in out and "waiver of HttpsConnection for nothing-here-* matched no Failed result" in out
    # HTML, as a browser shows it: the Waiver column and the list of waivers.
    page.open(pytester.path / "readiness.html")
    assert page.errors() == []
    headers = page.evaluate("[...document.querySelectorAll('#results-table thead th')].map(t => t.textContent)")
    assert "Waiver" in headers
    waived = page.evaluate(
        "[...document.querySelectorAll('#results-table tbody.results-table-row')]"
        ".filter(b => (b.querySelector('td.col-waiver') || {}).textContent)"
        ".map(b => [b.querySelector('td.col-ruleid').textContent, b.querySelector('td.col-waiver').textContent])")
    assert sorted(rule for rule, _ in waived) == ["LAOdsEndpointConnectivity", "LinkedWorkspaceCheck",
                                                  "OperatingSystemCheck"]
    assert all("expires" in text for _, text in waived)
    listed = page.evaluate("[...document.querySelectorAll('#readiness-waivers li')].map(li => li.className)")
    assert sorted(listed) == sorted(["waiver-waived"] * 3 + ["waiver-expired"] + ["waiver-unused"] * 2)


def test_a_run_whose_every_failure_is_waived_passes(pytester):
    with fleet(["seed-sample"]) as served:
        seed = served.hosts[0]
        waivers = _file(pytester.path, f"""
            waivers:
              - hosts: ["{seed.address}"]
                rule: AutomationAgentServiceConnectivityCheck1
                justification: registered after deployment
                expires: 2099-12-31
              - hosts: ["{seed.address}"]
                rule: LinkedWorkspaceCheck
                justification: registered after deployment
                expires: 2099-12-31
              - hosts: ["{seed.address}"]
                rule: LAOdsEndpointConnectivity
                justification: registered after deployment
                expires: 2099-12-31
              - hosts: ["{seed.address}"]
                rule: LAOmsEndpointConnectivity
                justification: registered after deployment
                expires: 2099-12-31
            """)
        result, data = run_suite(pytester, f"--hosts={host_url(seed)}", "--connect-timeout", "1",
                                 f"--readiness-waivers={waivers}")
    assert result.ret == 0, result.stdout.str()[-3000:]
    result.assert_outcomes(passed=15, xfailed=5)
    assert [r["CheckResult"] for r in data["hosts"][0]["results"]].count("Failed") == 4
    assert data["summary"]["waived"] == 4 and data["waivers"]["unused"] == []


def test_merging_shard_reports_keeps_the_waiver_account():
    from readiness.waivers import merge_json

    def waiver(line, **extra):
        return {"file": "w.yaml", "line": line, "rule": "LinkedWorkspaceCheck", **extra}

    shard_1 = {"waivers": {"file": "w.yaml", "applied": [waiver(2, results=["a LinkedWorkspaceCheck"])],
                           "expired": [waiver(9)], "unused": [waiver(5), waiver(7)]}}
    shard_2 = {"waivers": {"file": "w.yaml", "applied": [waiver(5, results=["b LinkedWorkspaceCheck"])],
                           "expired": [waiver(9)], "unused": [waiver(2), waiver(7)]}}
    merged = {"hosts": [{"host": "a", "results": [{"RuleId": "LinkedWorkspaceCheck", "Waiver": waiver(2)}]},
                        {"host": "b", "results": [{"RuleId": "LinkedWorkspaceCheck", "Waiver": waiver(5)}]}],
              "summary": {}}
    merge_json([shard_1, shard_2], merged)
    assert [w["line"] for w in merged["waivers"]["applied"]] == [2, 5]
    assert [w["line"] for w in merged["waivers"]["expired"]] == [9]
    assert [w["line"] for w in merged["waivers"]["unused"]] == [7]  # 2 and 5 were applied in a shard
    assert merged["summary"]["waived"] == 2


def test_a_justification_prints_on_one_line(tmp_path):
    path = _file(tmp_path, """
        waivers:
          - hosts: [web-01]
            rule: LinkedWorkspaceCheck
            justification: "moved\\n::warning title=x::all hosts passed\\x1b[2J"
            expires: 2099-01-01
        """)
    line = load(path)[0].describe()
    assert "\n" not in line and "\x1b" not in line
    assert "moved\\n::warning" in line and "\\x1b[2J" in line
