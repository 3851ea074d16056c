"""The HTML report: readiness columns, the host x rule matrix, remediation, escaping, and the page in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from readiness.catalog import RULES
from readiness.reports.html_report import matrix_html, remediation_html
from readiness.results import FAILED, PASSED, WARNING, HostResult
from tests.chromium import non_blank, shot
from tests.report_suite import EVIL_HOST, EVIL_WSUS, QUOTE_HOST, host_report, make_suite, result, showcase_plan

ROOT = Path(__file__).resolve().parents[1]
NO_ENTRY_POINT = ("-p", "no:readiness.plugin")


def run_report(pytester, plan=None, *args) -> Path:
    make_suite(pytester, plan)
    pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider", "--html", "reports/readiness.html",
                       "--self-contained-html", *args)
    path = pytester.path / "reports" / "readiness.html"
    assert path.exists()
    return path


# --- the parts, from results we build -------------------------------------------------------


def test_matrix_cells_follow_the_results():
    hosts = [host_report("web-01", {"OperatingSystemCheck": PASSED, "TlsVersionCheck": FAILED,
                                    "ProxySettings": WARNING, "IMDSConnectivity": None}),
             host_report("db-02", {})]
    page = matrix_html(hosts)
    cells = re.findall(r'data-rule-id="(\w+)" data-check-result="([^"]+)"', page)
    assert len(cells) == 2 * len(RULES)
    first = dict(cells[:len(RULES)])
    assert first["OperatingSystemCheck"] == "Passed" and first["TlsVersionCheck"] == "Failed"
    assert first["ProxySettings"] == "PassedWithWarning" and first["IMDSConnectivity"] == "not applicable"
    assert first["DotNetFrameworkInstalledCheck"] == "not run"
    # a host that could not be checked is Failed in every cell, and says so
    assert {c for _, c in cells[len(RULES):]} == {"Failed"}
    assert "db-02 <span class=\"readiness-check check-failed\">Failed (not checked)</span>" in page


@pytest.mark.parametrize("host", [EVIL_HOST, QUOTE_HOST])
def test_matrix_and_remediation_escape_what_comes_from_hosts(host):
    entry = host_report(host, {"WSUSServerConfigured": WARNING}, messages={"WSUSServerConfigured": EVIL_WSUS},
                        args={"WSUSServerConfigured": [EVIL_WSUS]})
    page = matrix_html([entry]) + remediation_html(HostResult("WSUSServerConfigured", host, "windows", entry.results[0]))
    for raw in (host, EVIL_WSUS, "<script>", "<img", "<b>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&quot;&gt;&lt;img" in page


def test_remediation_block_has_the_four_passages():
    found = HostResult("TlsVersionCheck", "web-01", "windows", result("TlsVersionCheck", FAILED, "TLS off"))
    block = remediation_html(found)
    for head in ("What it checks", "Why it matters", "How to fix", "How to verify"):
        assert f"<h4>{head}</h4>" in block
    assert "<pre>foreach ($side in" in block  # the indented fix is code
    assert "<code>DisabledByDefault</code>" in block


# --- a real run ----------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_report_columns_and_escaping(pytester, workers):
    text = run_report(pytester, None, *workers).read_text(encoding="utf-8")
    # pytest-html's own script is the only script; no host markup survives anywhere, in our
    # cells, in the test id column, or in the JSON blob pytest-html embeds.
    assert text.count("<script") == 1
    for raw in ("<script>alert(1)", "<img src=x", "onerror=\"window", "<b>wsus</b>", "<i>said</i>"):
        assert raw not in text
    for header in ("Host", "RuleId", "Group", "CheckResult", "Message"):
        assert f'data-column-type="{header.lower()}">{header}</th>' in text
    assert 'id="readiness-matrix"' in text and "Failed (not checked)" in text
    # the remediation once per rule that did not pass (every rule failed on one host), in the rule's
    # section, whichever process ran the test; none in the results table
    sections = re.findall(r'<section class="readiness-rule" id="rule-(\w+)"', text)
    assert sorted(sections) == sorted(RULES)
    assert text.count('<div class="readiness-remediation ') == len(RULES)
    assert "Remediation" not in text.split('data-jsonblob="', 1)[1]
    # passed and not applicable results are counted, not listed: web-01 passed every rule
    assert "test_rule[web-01-" not in text
    # pytest-html still counts every test in its filters: 20 + 17 Passed rules and test_not_a_rule
    assert re.search(r'<span class="passed">(\d+) Passed,', text).group(1) == "38"
    assert re.search(r'<span class="skipped">(\d+) Skipped,', text).group(1) == "1"
    assert re.search(r'<span class="failed">(\d+) Failed,', text).group(1) == "21"


def test_report_in_chromium(pytester, page):
    path = run_report(pytester)
    page.open(path)
    assert page.errors() == []
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("window.__pwned === undefined")
    assert page.evaluate("document.querySelectorAll('img[onerror], b, i').length") == 0
    # escaped exactly once: the page shows the host names as they are; the hosts that need attention
    # first (not checked, then most Failed rules); web-01, all Passed, counted and listed as ready
    hosts = page.evaluate("[...document.querySelectorAll('#readiness-matrix tbody tr')].map(r => r.dataset.host)")
    assert hosts == ["never-checked", QUOTE_HOST, EVIL_HOST]
    not_ready = page.evaluate("[...document.querySelectorAll('#readiness-not-ready tbody tr')]"
                              ".map(r => [r.dataset.host, r.dataset.state])")
    assert not_ready == [["never-checked", "not checked"], [QUOTE_HOST, FAILED], [EVIL_HOST, FAILED]]
    assert page.evaluate("[...document.querySelectorAll('#readiness-ready [data-host]')].map(s => s.dataset.host)"
                         ) == ["web-01"]
    states = page.evaluate("Object.fromEntries([...document.querySelectorAll('#readiness-fleet .state')]"
                           ".map(d => [d.dataset.state, Number(d.querySelector('.number').textContent)]))")
    assert states == {"not checked": 1, FAILED: 2, WARNING: 0, PASSED: 1}
    # rules by count: TlsVersionCheck failed on two hosts, first; each links to its section
    rules = page.evaluate("[...document.querySelectorAll('#readiness-rules tbody tr')].map(r => ["
                          "r.dataset.ruleId, Number(r.querySelector('.failed').textContent), "
                          "Number(r.querySelector('.warned').textContent)])")
    assert rules[0] == ["TlsVersionCheck", 2, 0] and len(rules) == len(RULES)
    assert ["WSUSServerConfigured", 1, 1] in rules
    links = page.evaluate("[...document.querySelectorAll('#readiness-fleet a[href^=\"#\"]')]"
                          ".map(a => !!document.getElementById(a.getAttribute('href').slice(1)))")
    assert links and all(links)
    # the results table: what did not pass, no remediation in its rows
    shown = page.evaluate("[...new Set([...document.querySelectorAll('#results-table td.col-host')]"
                          ".map(td => td.textContent))].sort()")
    assert shown == sorted(["", EVIL_HOST, QUOTE_HOST])
    checks = page.evaluate("[...document.querySelectorAll('#results-table td.col-checkresult')]"
                           ".map(td => td.textContent)")
    assert sorted(set(checks)) == ["", "Failed", "PassedWithWarning"]
    assert page.evaluate("document.querySelectorAll('#results-table .readiness-remediation').length") == 0
    # the WSUS rule's section: its hosts by message, the remediation once
    wsus = page.evaluate("[...document.querySelectorAll('#rule-WSUSServerConfigured li')].map(li => ["
                         "li.dataset.messageId, [...li.querySelectorAll('a[data-host]')].map(a => a.dataset.host)])")
    assert wsus == [["WSUSServerConfigured.PassedWithWarning", [EVIL_HOST]],
                    ["WSUSServerConfigured.Failed", [QUOTE_HOST]]]
    assert page.evaluate("document.querySelectorAll('#rule-WSUSServerConfigured .readiness-remediation').length") == 1


def test_screenshot(pytester, tmp_path):
    """The showcase report makes a screenshot with colour (docs/report.png comes from a real run:
    ``UPDATE_SCREENSHOT=1 pytest tests/test_reports_e2e.py``)."""
    path = run_report(pytester, showcase_plan())
    target = tmp_path / "report.png"
    shot(path, target, tmp_path / "profile", size="1400,2400")  # the matrix is below the fleet summary
    non_blank(target)
