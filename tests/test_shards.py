"""Sharding a fleet: ``--shard 1/2`` and ``--shard 2/2`` cover every host exactly once, and the
merged shard reports equal the report of one unsharded run (timestamps aside)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fixtures.emulator import Fleet, free_base_address
from readiness.hosts import collect_hosts, select_shard
from tests.emulated import ROOT, RULES_DIR, host_url, scenario, write_hosts

# Six hosts with different outcomes (Passed, warnings, Failed), all for the default endpoints.
SCENARIOS = ["healthy", "seed-sample", "warnings", "proxy", "old-os", "tls-disabled"]


def _run(pytester, hosts_file, name: str, *args: str):
    report = pytester.path / f"{name}.json"
    result = pytester.runpytest_subprocess(
        str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider", "--hosts-file", str(hosts_file),
        f"--html={pytester.path / (name + '.html')}", f"--readiness-json={report}", "--readiness-format=none",
        *args, timeout=240)
    assert report.exists(), result.stdout.str()[-3000:]
    return result, json.loads(report.read_text(encoding="utf-8"))


def _split_fleet() -> Fleet:
    """A served fleet whose hosts fall into both shards (a random address block may put all in one)."""
    for _ in range(20):
        served = Fleet([scenario(n) for n in SCENARIOS], base_address=free_base_address(count=len(SCENARIOS)))
        served.start()
        specs = collect_hosts(",".join(host_url(h) for h in served.hosts), [])
        if select_shard(specs, "1/2") and select_shard(specs, "2/2"):
            return served
        served.stop()
    raise AssertionError("no address block split the six hosts over two shards in 20 tries")


def _without_times(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "generated_at"}


@pytest.fixture
def split_fleet():
    served = _split_fleet()
    try:
        yield served
    finally:
        served.stop()


def test_two_shards_cover_every_host_once_and_merge_to_the_unsharded_report(pytester, split_fleet):
    hosts_file = write_hosts(pytester.path / "fleet.txt", [host_url(h) for h in split_fleet.hosts])
    whole_run, whole = _run(pytester, hosts_file, "whole")
    first_run, first = _run(pytester, hosts_file, "shard-1", "--shard", "1/2")
    second_run, second = _run(pytester, hosts_file, "shard-2", "--shard", "2/2")
    assert whole_run.ret == first_run.ret | second_run.ret == 1  # old-os and tls-disabled fail

    first_hosts = [h["host"] for h in first["hosts"]]
    second_hosts = [h["host"] for h in second["hosts"]]
    assert first_hosts and second_hosts
    assert not set(first_hosts) & set(second_hosts)
    assert sorted(first_hosts + second_hosts) == sorted(h["host"] for h in whole["hosts"])
    assert len(whole["hosts"]) == len(SCENARIOS)
    for report in (first, second):
        assert all(len(h["results"]) == 20 for h in report["hosts"])

    merged_path = pytester.path / "merged.json"
    merge = subprocess.run([sys.executable, "-m", "readiness.reports.json_report", "merge", str(merged_path),
                            str(pytester.path / "shard-1.json"), str(pytester.path / "shard-2.json")],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert merge.returncode == 0, merge.stderr
    merged = json.loads(merged_path.read_text(encoding="utf-8"))

    # The merge lists shard 1's hosts, then shard 2's; the unsharded run, the hosts file's order.
    order = {h["host"]: i for i, h in enumerate(whole["hosts"])}
    assert [h["host"] for h in merged["hosts"]] == first_hosts + second_hosts
    merged["hosts"].sort(key=lambda h: order[h["host"]])
    merged["summary"]["hosts_not_ready"].sort(key=order.__getitem__)
    assert _without_times(merged) == _without_times(whole)


def _page_numbers(page, path) -> dict:
    """What a fleet page shows, as a person reads it: hosts by state, the hosts not ready, the rules by count."""
    page.open(path)
    assert page.errors() == []
    return {
        "states": page.evaluate("Object.fromEntries([...document.querySelectorAll('#readiness-fleet .state')]"
                                ".map(d => [d.dataset.state, Number(d.querySelector('.number').textContent)]))"),
        "not_ready": sorted(page.evaluate("[...document.querySelectorAll('#readiness-not-ready tbody tr')]"
                                          ".map(r => r.dataset.host)")),
        "rules": page.evaluate("Object.fromEntries([...document.querySelectorAll('#readiness-rules tbody tr')]"
                               ".map(r => [r.dataset.ruleId, [Number(r.querySelector('.failed').textContent), "
                               "Number(r.querySelector('.warned').textContent)]]))"),
        "matrix": sorted(page.evaluate("[...document.querySelectorAll('#readiness-matrix tbody tr')]"
                                       ".map(r => r.dataset.host)")),
        "rows": sorted(page.evaluate("[...document.querySelectorAll('#results-table tbody.results-table-row')]"
                                     ".map(b => b.querySelector('td.col-host').textContent + ' ' + "
                                     "b.querySelector('td.col-ruleid').textContent + ' ' + "
                                     "b.querySelector('td.col-checkresult').textContent)")),
        "logs": sorted(page.evaluate("[...document.querySelectorAll('#results-table tbody.results-table-row .log')]"
                                     ".map(l => l.textContent)")),
        "sections": sorted(page.evaluate("[...document.querySelectorAll('section.readiness-rule')]"
                                         ".map(s => s.dataset.ruleId)")),
    }


def test_the_shards_reports_render_as_one_page_that_shows_what_the_unsharded_run_shows(pytester, split_fleet, page):
    """A CI matrix of shards publishes one page: ``python -m readiness.report_html`` over the shards'
    JSON reports merges them and renders the page a live run of the whole fleet writes; Chromium
    shows the same hosts, rules and results on both."""
    hosts_file = write_hosts(pytester.path / "fleet.txt", [host_url(h) for h in split_fleet.hosts])
    _, whole = _run(pytester, hosts_file, "whole")
    _run(pytester, hosts_file, "shard-1", "--shard", "1/2")
    _run(pytester, hosts_file, "shard-2", "--shard", "2/2")
    merged_page = pytester.path / "published" / "readiness.html"
    merged_json = pytester.path / "published" / "readiness.json"
    render = subprocess.run([sys.executable, "-m", "readiness.report_html", str(pytester.path / "shard-1.json"),
                             str(pytester.path / "shard-2.json"), "-o", str(merged_page),
                             "--merged-json", str(merged_json)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert render.returncode == 0, render.stderr
    assert render.stdout.startswith(f"{merged_page}: {len(SCENARIOS)} hosts, ")
    merged = json.loads(merged_json.read_text(encoding="utf-8"))
    assert sorted(h["host"] for h in merged["hosts"]) == sorted(h["host"] for h in whole["hosts"])

    shown = _page_numbers(page, merged_page)
    live = _page_numbers(page, pytester.path / "whole.html")
    assert shown == live
    # and what it shows is the fleet's: seed-sample, proxy, old-os and tls-disabled are not ready
    assert shown["not_ready"] == sorted(whole["summary"]["hosts_not_ready"]) and len(shown["not_ready"]) == 4
    assert sum(shown["states"].values()) == len(SCENARIOS)
    assert shown["rules"]["TlsVersionCheck"][0] == 2
    listed = {(h["host"], r["RuleId"], r["CheckResult"]) for h in whole["hosts"] for r in h["results"]
              if r["CheckResult"] != "Passed"}
    assert shown["rows"] == sorted(" ".join(t) for t in listed)
    # each row's log is its result's line: a warning's, not the traceback of where the xfail was raised
    assert any(log.startswith("XFAIL: ProxySettings.PassedWithWarning: ") for log in shown["logs"])
    assert not any("Traceback" in log or "def pytest_pyfunc_call" in log for log in shown["logs"])
    # the environment says where the page comes from
    page.open(merged_page)
    sources = page.evaluate("[...document.querySelectorAll('#environment tr')].map(r => r.textContent)")
    assert any("shard-1.json" in s and "shard-2.json" in s for s in sources)
