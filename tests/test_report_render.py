"""``python -m readiness.report_html``: the HTML report of JSON reports (one run, or a sharded fleet's).

The page comes from the same engine as a live run's (pytest-html with the readiness hooks), so what
it shows is checked in Chromium; bad input is one line naming the file, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from readiness.catalog import RULES
from readiness.lang import ui
from readiness.reports.fleet import FleetView, host_reports
from readiness.reports.json_report import build_report
from readiness.results import FAILED, PASSED, WARNING, Result
from tests.report_suite import host_report

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, hosts: list, compact: bool = False) -> Path:
    path.write_text(json.dumps(build_report(hosts, None, compact)), encoding="utf-8")
    return path


def _render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "readiness.report_html", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def _one_host() -> list:
    checks = dict.fromkeys(RULES, PASSED) | {"TlsVersionCheck": FAILED, "IMDSConnectivity": WARNING}
    return [host_report("web-01", checks, messages={"TlsVersionCheck": "TLS 1.2 is disabled"})]


def test_one_host_is_clear_too(tmp_path, page):
    """1 host, 20 results: the summary says it is not ready and why, the table lists its 2 results that did not pass."""
    out = tmp_path / "one.html"
    done = _render(str(_write(tmp_path / "one.json", _one_host())), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{out}: 1 hosts, 1 Failed, 1 PassedWithWarning, 18 Passed\n"
    page.open(out)
    assert page.errors() == []
    assert page.evaluate("document.querySelector('#readiness-not-ready tbody tr').textContent") == (
        "web-01Not readyTlsVersionCheck")
    rows = page.evaluate("[...document.querySelectorAll('#results-table tbody.results-table-row')].map(b => ["
                         "b.querySelector('td.col-ruleid').textContent, b.querySelector('td.col-message').textContent])")
    assert sorted(rows) == [["IMDSConnectivity", "IMDSConnectivity is PassedWithWarning"],
                            ["TlsVersionCheck", "TLS 1.2 is disabled"]]
    assert page.evaluate("[...document.querySelectorAll('section.readiness-rule')].map(s => s.dataset.ruleId)") == [
        "TlsVersionCheck", "IMDSConnectivity"]
    # pytest-html counts the 20 tests the report holds
    assert page.evaluate("document.querySelector('.summary .run-count').textContent").startswith("20 tests took")


def test_a_rule_of_another_catalog_is_shown_after_the_catalogs_rules(tmp_path, page):
    """A report may hold a RuleId the catalog does not name (another profile's rules): counted, listed, sectioned."""
    hosts = _one_host()
    hosts[0].results.append(Result("ArcAgentCheck", "arc", "Arc agent", "Arc", "The Arc agent must run", FAILED,
                                   "The Arc agent is stopped", "ArcAgentCheck.Failed", []))
    view = FleetView.build(host_reports(build_report(hosts, None)))
    assert [c.rule_id for c in view.rules_by_count()] == ["TlsVersionCheck", "ArcAgentCheck", "IMDSConnectivity"]
    out = tmp_path / "arc.html"
    done = _render(str(_write(tmp_path / "arc.json", hosts)), "-o", str(out))
    assert done.returncode == 0, done.stderr
    page.open(out)
    assert page.errors() == []
    section = page.evaluate("document.getElementById('rule-ArcAgentCheck').textContent")
    assert "Arc agent" in section and "The Arc agent is stopped" in section
    assert page.evaluate("document.querySelectorAll('#rule-ArcAgentCheck .readiness-remediation').length") == 0
    assert "test_ArcAgentCheck[web-01]" in page.evaluate(
        "[...document.querySelectorAll('#results-table td.col-testId')].map(td => td.textContent).join(' ')")


def test_japanese_and_compact_reports(tmp_path):
    """``--lang ja`` writes the page in Japanese; a compact report (no messages) still renders, by message id."""
    out = tmp_path / "ja.html"
    done = _render(str(_write(tmp_path / "compact.json", _one_host(), compact=True)), "-o", str(out), "--lang", "ja")
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert ui("fleet.heading", "ja") in text and 'data-message-id="TlsVersionCheck.Failed"' in text


def test_bad_input_is_one_line_naming_the_file(tmp_path):
    first = _write(tmp_path / "a.json", _one_host())
    second = _write(tmp_path / "b.json", _one_host())
    done = _render(str(first), str(second), "-o", str(tmp_path / "x.html"))
    assert done.returncode == 1
    assert done.stderr == f"readiness.report_html: host 'web-01' is in both {first} and {second}\n"
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    done = _render(str(garbage), "-o", str(tmp_path / "x.html"))
    assert done.returncode == 1 and done.stderr.startswith(f"readiness.report_html: {garbage}: not JSON (line 1")
    done = _render(str(tmp_path / "missing.json"), "-o", str(tmp_path / "x.html"))
    assert done.stderr == f"readiness.report_html: {tmp_path / 'missing.json'}: no such file\n"
    assert not (tmp_path / "x.html").exists()
    done = _render(str(first))
    assert done.returncode == 2 and "-o/--output" in done.stderr


def _failed(rule_id: str, message: str, reason: str) -> Result:
    info = RULES[rule_id]
    return Result(rule_id, info.group_id, info.name, info.group_name, info.description, FAILED, message,
                  f"{rule_id}.Failed.{reason}", [])


def test_host_states():
    """Not checked only when every rule failed with one host-level message; a waived Failed leaves a host ready."""
    gone = host_report("gone", {})
    gone.results = [_failed(r, "Could not check gone: timed out", "Timeout") for r in RULES]
    partly = host_report("partly", dict.fromkeys(RULES, PASSED))
    partly.results[0] = _failed("OperatingSystemCheck", "Could not check partly: os: unreadable", "ProbeError")
    waived = host_report("waived", dict.fromkeys(RULES, PASSED) | {"LinkedWorkspaceCheck": FAILED})
    never = host_report("never", {})
    view = FleetView.build([gone, partly, waived, never], [("waived", "LinkedWorkspaceCheck")])
    assert [(h.host, h.state) for h in view.hosts] == [("gone", "not checked"), ("partly", FAILED),
                                                       ("waived", WARNING), ("never", "not checked")]
    assert view.hosts[0].cause is not None and view.hosts[3].cause is None
    # a host not checked is not counted against the rules it never ran
    counts = {c.rule_id: (c.failed, c.warned, c.waived) for c in view.rules_by_count()}
    assert counts == {"OperatingSystemCheck": (1, 0, 0), "LinkedWorkspaceCheck": (0, 0, 1)}
    assert [h.host for h in view.not_ready()] == ["gone", "never", "partly"]


def test_a_large_fleet_matrix_holds_the_hosts_not_ready_and_every_link_lands():
    import re

    from readiness.reports.fleet_html import MATRIX_ALL_UP_TO, fleet_html

    warned = [host_report(f"warn-{i:03d}", {"IMDSConnectivity": WARNING}) for i in range(MATRIX_ALL_UP_TO)]
    failing = [host_report(f"fail-{i}", {"TlsVersionCheck": FAILED}) for i in range(3)]
    fleet = warned + failing + [host_report("ok", {"TlsVersionCheck": PASSED})]
    page = fleet_html(FleetView.build(fleet), fleet)
    matrix = page[page.index('id="readiness-matrix"'):page.index("</table>", page.index('id="readiness-matrix"'))]
    assert re.findall(r'<tr data-host="([^"]+)"', matrix) == ["fail-0", "fail-1", "fail-2"]
    assert "251 more hosts, ready, are not in the matrix" in page
    ids = set(re.findall(r' id="([^"]+)"', page))
    targets = re.findall(r'href="#([^"]+)"', page)
    assert targets and set(targets) <= ids
    assert '<span data-host="warn-000">warn-000</span>' in page  # in its rule's section, not a dead link
