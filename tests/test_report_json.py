"""The troubleshooter JSON: whole report, compact results, one file per host, shard merging."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from readiness.catalog import RULES
from readiness.reports.json_report import (
    SCHEMA,
    ReportError,
    build_report,
    host_file_name,
    merge_reports,
    write_host_files,
    write_report,
)
from readiness.results import FAILED, PASSED, WARNING
from tests.report_suite import EVIL_HOST, QUOTE_HOST, host_report, make_suite

ROOT = Path(__file__).resolve().parents[1]
NO_ENTRY_POINT = ("-p", "no:readiness.plugin")
FULL_KEYS = ["RuleId", "RuleGroupId", "RuleName", "RuleGroupName", "RuleDescription", "CheckResult",
             "CheckResultMessage", "CheckResultMessageId", "CheckResultMessageArguments"]
COMPACT_KEYS = ["RuleId", "RuleGroupId", "CheckResult", "CheckResultMessageId", "CheckResultMessageArguments"]


def two_hosts():
    return [
        host_report("web-01", {"OperatingSystemCheck": PASSED, "TlsVersionCheck": FAILED, "IMDSConnectivity": None}),
        host_report("web-02", {"OperatingSystemCheck": PASSED, "ProxySettings": WARNING}),
    ]


def test_report_shape_and_summary():
    report = build_report(two_hosts(), "japaneast")
    assert list(report) == ["schema", "generated_at", "automation_account_location", "hosts", "summary"]
    assert report["schema"] == SCHEMA and report["automation_account_location"] == "japaneast"
    assert [h["host"] for h in report["hosts"]] == ["web-01", "web-02"]
    first = report["hosts"][0]
    assert first["platform"] == "windows"
    assert [list(r) for r in first["results"]] == [FULL_KEYS, FULL_KEYS]
    assert [r["RuleId"] for r in first["results"]] == ["OperatingSystemCheck", "TlsVersionCheck"]
    assert first["not_applicable"] == ["IMDSConnectivity"]
    assert report["summary"] == {"hosts": 2, "Passed": 2, "PassedWithWarning": 1, "Failed": 1, "Information": 0,
                                 "not_applicable": 1, "hosts_not_ready": ["web-01"]}


def test_compact_results():
    report = build_report(two_hosts(), None, compact=True)
    assert all(list(r) == COMPACT_KEYS for h in report["hosts"] for r in h["results"])


def test_host_without_results_is_not_ready():
    report = build_report([host_report("db-01", {})], None)
    assert report["summary"]["hosts_not_ready"] == ["db-01"]


def test_one_file_per_host_holds_only_the_array(tmp_path):
    hosts = two_hosts()
    paths = write_host_files(tmp_path, hosts)
    assert [p.name for p in paths] == ["web-01.json", "web-02.json"]
    data = json.loads(paths[1].read_text(encoding="utf-8"))
    assert data == [r.full() for r in hosts[1].results]
    compact = json.loads(write_host_files(tmp_path / "c", hosts, compact=True)[0].read_text(encoding="utf-8"))
    assert compact == [r.compact() for r in hosts[0].results]


@pytest.mark.parametrize("host", [EVIL_HOST, QUOTE_HOST, "../../etc/passwd", "winrm://a@h:5986/wsman", ".", "", "CON"])
def test_host_file_names_are_safe(host, tmp_path):
    name = host_file_name(host)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.endswith(".json") and len(name) < 120
    (tmp_path / name).write_text("[]")
    assert (tmp_path / name).parent == tmp_path


def test_host_file_names_differ_where_hosts_differ():
    hosts = ["a:b", "a_b", "a/b", "A:B", EVIL_HOST, QUOTE_HOST]
    assert len({host_file_name(h).lower() for h in hosts}) == len(hosts)


def _write(tmp_path, name, hosts, location=None):
    path = tmp_path / name
    write_report(path, hosts, location)
    return path


def test_merge_concatenates_hosts_and_recomputes_the_summary(tmp_path):
    a = _write(tmp_path, "a.json", two_hosts())
    b = _write(tmp_path, "b.json", [host_report("db-01", {"OperatingSystemCheck": FAILED})])
    merged = merge_reports([a, b])
    assert [h["host"] for h in merged["hosts"]] == ["web-01", "web-02", "db-01"]
    assert merged["summary"] == {"hosts": 3, "Passed": 2, "PassedWithWarning": 1, "Failed": 2, "Information": 0,
                                 "not_applicable": 1, "hosts_not_ready": ["web-01", "db-01"]}


def test_merge_refuses_a_host_in_two_shards(tmp_path):
    a = _write(tmp_path, "a.json", two_hosts())
    b = _write(tmp_path, "b.json", [host_report("web-02", {})])
    with pytest.raises(ReportError, match=r"host 'web-02' is in both .*a\.json and .*b\.json"):
        merge_reports([a, b])


def test_merge_refuses_shards_of_different_locations(tmp_path):
    a = _write(tmp_path, "a.json", two_hosts()[:1], "japaneast")
    b = _write(tmp_path, "b.json", two_hosts()[1:], "westeurope")
    with pytest.raises(ReportError, match="different automation account locations"):
        merge_reports([a, b])


@pytest.mark.parametrize("content, message", [
    ("{not json", "not JSON"),
    ('{"schema": "other"}', "not a readiness report"),
    (json.dumps({"schema": SCHEMA, "hosts": [{"host": "x"}]}), "'hosts' must be"),
])
def test_merge_names_a_bad_file(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(ReportError, match=f"bad.json: .*{message}"):
        merge_reports([bad])


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "readiness.reports.json_report", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_merge_command(tmp_path):
    a = _write(tmp_path, "a.json", two_hosts()[:1])
    b = _write(tmp_path, "b.json", two_hosts()[1:])
    out = tmp_path / "all" / "merged.json"
    done = _cli("merge", out, a, b)
    assert done.returncode == 0, done.stderr
    assert [h["host"] for h in json.loads(out.read_text())["hosts"]] == ["web-01", "web-02"]


def test_merge_command_errors_in_one_line(tmp_path):
    done = _cli("merge", tmp_path / "out.json", tmp_path / "missing.json")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "missing.json: no such file" in done.stderr
    assert not (tmp_path / "out.json").exists()
    assert _cli("merge").returncode == 2


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_written_by_a_real_run(pytester, workers):
    plan = make_suite(pytester)
    run = pytester.runpytest_subprocess(*NO_ENTRY_POINT, "-p", "no:cacheprovider", *workers,
                                        "--readiness-json", "out/report.json", "--readiness-json-dir", "hosts",
                                        "--automation-account-location", "japaneast")
    run.assert_outcomes(passed=20 + 17 + 1, failed=1 + 20, xfailed=1, skipped=1)
    report = json.loads((pytester.path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["automation_account_location"] == "japaneast"
    assert [h["host"] for h in report["hosts"]] == plan["hosts"]
    by_host = {h["host"]: h for h in report["hosts"]}
    assert [r["RuleId"] for r in by_host[EVIL_HOST]["results"]] == [r for r in RULES if r != "IMDSConnectivity"]
    assert by_host[EVIL_HOST]["not_applicable"] == ["IMDSConnectivity"]
    assert by_host["never-checked"]["results"] == []
    assert report["summary"]["hosts_not_ready"] == [EVIL_HOST, QUOTE_HOST, "never-checked"]
    files = sorted(p.name for p in (pytester.path / "hosts").iterdir())
    assert files == sorted(host_file_name(h) for h in plan["hosts"])
    web = json.loads((pytester.path / "hosts" / "web-01.json").read_text(encoding="utf-8"))
    assert [r["CheckResult"] for r in web] == [PASSED] * 20 and list(web[0]) == FULL_KEYS


def test_unwritable_path_is_a_one_line_error(pytester):
    make_suite(pytester)
    (pytester.path / "blocker").write_text("a file, not a directory")
    run = pytester.runpytest_subprocess(*NO_ENTRY_POINT, "-p", "no:cacheprovider",
                                        "--readiness-json", "blocker/report.json")
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "readiness JSON: cannot write" in run.stdout.str()
    assert "Traceback" not in run.stdout.str() + run.stderr.str()


def test_default_path_from_the_ini(pytester):
    make_suite(pytester)  # the JSON report plugin registers its ini option (readiness_json) itself
    pytester.makeini("[pytest]\nreadiness_json = reports/from-ini.json\n")
    pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider")
    report = json.loads((pytester.path / "reports" / "from-ini.json").read_text(encoding="utf-8"))
    assert len(report["hosts"]) == 4
