"""``--readiness-lang``: the reports people read in Japanese, what machines read the same in every language.

The Japanese HTML report (headings, matrix, legend, filters, columns, remediation, pytest-html's own
text) has no English left outside the troubleshooter's English messages, RuleIds, host names and
code; each result shows the troubleshooter's message unchanged and its Japanese explanation beside
it; Chromium renders it. A real emulated fleet run in ``en`` and in ``ja`` writes the same
troubleshooter JSON and the same JUnit XML, byte for byte once times are set aside.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from readiness import lang
from readiness.catalog import RULES
from tests.chromium import non_blank, shot
from tests.emulated import RULES_DIR, display, host_url, run_suite, write_hosts
from tests.report_suite import make_suite, showcase_plan
from tests.test_lang import JAPANESE, assert_japanese

ROOT = Path(__file__).resolve().parents[1]
NO_ENTRY_POINT = ("-p", "no:readiness.plugin")


def run_report(pytester, plan: dict, *args: str):
    make_suite(pytester, plan)
    result = pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider", "--html", "reports/readiness.html",
                                "--self-contained-html", *args)
    path = pytester.path / "reports" / "readiness.html"
    assert path.exists()
    return result, path


# --- the option ---------------------------------------------------------------------------------


def test_an_unknown_language_is_a_usage_error_naming_the_choices(pytester):
    make_suite(pytester)
    result = pytester.runpytest_subprocess(*NO_ENTRY_POINT, "--readiness-lang", "fr")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "argument --readiness-lang: invalid choice: 'fr' (choose from 'en', 'ja')" in result.stderr.str()


def test_the_option_is_in_the_help_of_the_readiness_suite(pytester):
    result = pytester.runpytest_subprocess(str(RULES_DIR), f"--rootdir={ROOT}", "--help")
    assert result.ret == 0
    assert "--readiness-lang={en,ja}" in result.stdout.str()


# --- the terminal summary ---------------------------------------------------------------------


def test_terminal_summary_in_japanese(pytester):
    plan = showcase_plan()
    result, _ = run_report(pytester, plan, "--readiness-lang", "ja")
    out = result.stdout.str()
    assert "readiness summary" not in out
    summary = out[out.index(" 準備状況の概要 "):]
    # the problem line keeps the troubleshooter's English message; its explanation follows
    rows = {(host, rule_id): (check, message) for host, rule_id, check, message, _ in plan["rows"]}
    message = rows[("legacy-04", "WUServiceRunningCheck")][1]
    line = f"legacy-04  WUServiceRunningCheck  失敗  {message}"
    lines = summary.splitlines()
    at = lines.index(line)
    assert lines[at + 1] == "    説明: " + lang.explain("WUServiceRunningCheck.Failed", "ja", message)
    assert "app-03  成功 (警告あり)  20 個のルール: 成功 17 件、成功 (警告あり) 3 件" in lines
    assert "web-01  成功  20 個のルール: 成功 20 件" in lines
    for text in lines[1:]:
        if text.startswith("    説明: "):
            assert_japanese(text, "explanation")


def test_the_list_format_stays_the_troubleshooters(pytester):
    """``--readiness-format list`` is the troubleshooter's own list: only its host heading is Japanese."""
    result, _ = run_report(pytester, showcase_plan(), "--readiness-lang", "ja", "--readiness-format", "list")
    english, _ = run_report(pytester, showcase_plan(), "--readiness-format", "list")

    def fields(out: str) -> list[str]:
        return [line for line in out.splitlines() if re.match(r"^[A-Za-z]+ :", line)]

    assert fields(result.stdout.str()) == fields(english.stdout.str()) and fields(english.stdout.str())
    assert " 準備状況: legacy-04 " in result.stdout.str()
    assert " readiness: legacy-04 " in english.stdout.str()


# --- the HTML report ----------------------------------------------------------------------------

# What may be English in the Japanese report: the troubleshooter's messages, RuleIds and test ids,
# host names, code, pytest-html's name and version, and data that is not the report's text
# (pytest-metadata's environment table, pytest-html's outcome of each test, which its filters read,
# and the tests' captured output).
NOT_THE_REPORTS_TEXT = ", ".join([
    "style", "script", "template", "pre", "code", "#environment", "h1#title + p a", "td.col-message",
    ".readiness-message", "td.col-ruleid", "td.col-testId", "td.col-host", "td.col-result", ".logwrapper",
])

PAGE_TEXT = f"""(() => {{
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll({NOT_THE_REPORTS_TEXT!r}).forEach(e => e.remove());
  copy.querySelectorAll('th, td, p, h1, h2, h3, h4, span, button, div, li').forEach(e => e.append(' '));
  return copy.textContent;
}})()"""


def test_japanese_report_has_no_english_outside_messages_ids_hosts_and_code(pytester, page):
    plan = showcase_plan()
    _, path = run_report(pytester, plan, "--readiness-lang", "ja")
    page.open(path)
    assert page.errors() == []
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert_japanese(page.evaluate("document.title"), "title")

    text = page.evaluate(PAGE_TEXT)
    for host in plan["hosts"]:
        text = text.replace(host, " ")
    text = re.sub(r"\bv\d+(?:\.\d+)+\b", " ", text)  # pytest-html's version, after its name
    assert_japanese(text, "the Japanese report")
    empty = page.evaluate("document.getElementById('template_results-table__body--empty').content.textContent")
    assert_japanese(empty, "no results")

    # pytest-html's own text, from the catalog
    assert page.evaluate("document.querySelector('.summary__data h2').textContent") == lang.ui("html.summary", "ja")
    assert page.evaluate("document.querySelector('#environment-header h2').textContent") == lang.ui(
        "html.environment", "ja")
    heads = page.evaluate("[...document.querySelectorAll('#results-table-head th')].map(th => th.textContent)")
    assert heads == [lang.ui(k, "ja") for k in ("table.result", "column.host", "column.ruleid", "column.group",
                                                "column.checkresult", "column.message", "column.explanation",
                                                "table.test", "table.duration", "table.links")]
    filters = page.evaluate("[...document.querySelectorAll('.filters span')].map(s => s.textContent)")
    assert [re.sub(r"^\d+ |,$", "", f) for f in filters] == [
        lang.ui(f"filter.{o}", "ja") for o in ("failed", "passed", "skipped", "xfailed", "xpassed", "error",
                                               "rerun", "retried")]
    # the filters still filter: pytest-html's outcomes are unchanged underneath
    page.evaluate("document.querySelector('input[data-test-result=\"passed\"]').click()")
    shown = page.evaluate("[...document.querySelectorAll('#results-table td.col-result')].map(td => td.textContent)")
    assert shown and "Passed" not in shown


def test_japanese_report_shows_the_message_unchanged_and_its_explanation_beside_it(pytester, page):
    plan = showcase_plan()
    _, path = run_report(pytester, plan, "--readiness-lang", "ja")
    page.open(path)
    rows = page.evaluate(
        "[...document.querySelectorAll('#results-table tbody.results-table-row')].filter(b => "
        "b.querySelector('td.col-ruleid').textContent).map(b => ["
        "b.querySelector('td.col-host').textContent, b.querySelector('td.col-ruleid').textContent, "
        "b.querySelector('td.col-checkresult').textContent, b.querySelector('td.col-message').textContent, "
        "b.querySelector('td.col-explanation').textContent])")
    want = {(host, rule_id): (check, message) for host, rule_id, check, message, _ in plan["rows"]}
    # the results table lists what did not pass; Passed results are counted in the summary
    assert len(rows) == sum(1 for check, _ in want.values() if check != "Passed")
    for host, rule_id, check, message, explanation in rows:
        check_en, message_en = want[(host, rule_id)]
        assert check_en != "Passed"
        assert check == lang.check_result_name(check_en, "ja")
        assert message == message_en  # the troubleshooter's English message, unchanged
        # (the stand-in suite's message ids are "<RuleId>.<CheckResult>", not all of them the rules' ids)
        known = lang.explain(f"{rule_id}.{check_en}", "ja", message_en)
        assert explanation == (known or "")
        if known:
            assert_japanese(explanation, f"{host} {rule_id}")
    # each rule that did not pass has its section: every message unchanged, its explanation beside it
    said = page.evaluate(
        "[...document.querySelectorAll('section.readiness-rule li[data-message-id]')].map(li => ["
        "li.closest('section').dataset.ruleId, li.querySelector('.readiness-message').textContent, "
        "(li.querySelector('.readiness-explanation') || {}).textContent || null, "
        "[...li.querySelectorAll('a[data-host]')].map(a => a.dataset.host)])")
    assert said
    for rule_id, message, explanation, hosts in said:
        assert {want[(host, rule_id)][1] for host in hosts} == {message}
        check_en = want[(hosts[0], rule_id)][0]
        assert explanation == lang.explain(f"{rule_id}.{check_en}", "ja", message)
    # the remediation is the rule's Japanese one, under Japanese headings, once per rule
    heads = page.evaluate("[...document.querySelector('.readiness-remediation').querySelectorAll('h4')]"
                          ".map(h => h.textContent)")
    assert heads == [lang.ui("detail.remediation", "ja")] + [lang.ui(f"remediation.{k}", "ja")
                                                             for k in ("what", "why", "fix", "verify")]
    assert page.evaluate("document.querySelectorAll('#rule-TlsVersionCheck .readiness-remediation').length") == 1
    # the matrix: Japanese labels and rule names, the CheckResult itself in its data
    cells = page.evaluate("[...document.querySelectorAll('#readiness-matrix tbody tr[data-host=\"sql-02\"] "
                          "td[data-rule-id]')].map(c => [c.dataset.ruleId, c.dataset.checkResult, c.textContent])")
    assert [c[:2] for c in cells] == [[r, want[("sql-02", r)][0]] for r in RULES]
    assert {c[2] for c in cells} == {"成功", "警告", "失敗"}
    names = page.evaluate("[...document.querySelectorAll('#readiness-matrix th.rule')].map(th => th.textContent)")
    assert names == [lang.rule_name(r, "ja") for r in RULES]


def test_english_report_is_unchanged_by_the_option(pytester):
    """``--readiness-lang en`` is the default: the same page, no script of ours, no explanation column."""
    _, path = run_report(pytester, showcase_plan(), "--readiness-lang", "en")
    given = path.read_text(encoding="utf-8")
    _, path = run_report(pytester, showcase_plan())
    default = path.read_text(encoding="utf-8")

    def steady(text: str) -> str:  # the time of the run and the tests' durations
        text = re.sub(r"Report generated on [^<]* by", "", text)
        text = re.sub(r"\d+ tests? took [^<]*\.", "", text)
        return re.sub(r"&#34;duration&#34;: &#34;[^&]*&#34;|\d+ ms|\d\d:\d\d:\d\d", "", text)

    assert steady(given) == steady(default)
    assert default.count("<script") == 1 and not JAPANESE.search(default)
    assert 'class="col-explanation"' not in html.unescape(default) and 'data-column-type="explanation"' not in default


def test_japanese_report_screenshot(pytester, tmp_path):
    """Chromium renders the Japanese report (a CJK font installed: fonts-noto-cjk)."""
    _, path = run_report(pytester, showcase_plan(), "--readiness-lang", "ja")
    target = tmp_path / "report-ja.png"
    shot(path, target, tmp_path / "profile", size="1400,2400")  # the matrix is below the fleet summary
    non_blank(target)


# --- machine-read output: the same in every language -----------------------------------------


def _steady_json(text: str) -> str:
    return re.sub(r'"generated_at": "[^"]*"', '"generated_at": ""', text)


def _steady_junit(text: str) -> str:
    return re.sub(r'\b(time|timestamp)="[^"]*"', r'\1=""', text)


def test_machine_read_output_is_the_same_in_every_language(pytester, emulated_fleet, tmp_path):
    """The same emulated fleet in ``en`` and ``ja``: troubleshooter JSON, per-host files and JUnit XML
    byte for byte the same once the time of the run is set aside. ``UPDATE_SCREENSHOT=1`` also
    writes docs/report-ja.png from the Japanese run."""
    live = emulated_fleet(["healthy", "seed-sample", "warnings"]).hosts
    dead = emulated_fleet(["healthy"], faults={"healthy": ["refuse"]}).hosts[0]
    fleet_file = write_hosts(pytester.path / "fleet.txt", [host_url(h) for h in [*live, dead]])
    written = {}
    for code in ("en", "ja"):
        junit, per_host = pytester.path / f"junit-{code}.xml", pytester.path / f"per-host-{code}"
        result, data = run_suite(pytester, "--hosts-file", str(fleet_file), "--connect-timeout", "1",
                                 f"--junitxml={junit}", f"--readiness-json-dir={per_host}", "--readiness-lang", code)
        assert result.ret == 1 and data is not None, result.stdout.str()[-3000:]
        written[code] = {
            "json": _steady_json((pytester.path / "readiness.json").read_text(encoding="utf-8")),
            "junit": _steady_junit(junit.read_text(encoding="utf-8")),
            **{p.name: p.read_text(encoding="utf-8") for p in sorted(per_host.iterdir())},
            "out": result.stdout.str(),
        }
        (pytester.path / f"readiness-{code}.html").write_bytes((pytester.path / "readiness.html").read_bytes())
    en, ja = written.pop("en"), written.pop("ja")
    assert en.pop("out") != ja.pop("out")  # people's text did change
    assert set(en) == set(ja) and len(en) == 2 + len(live) + 1
    for name in en:
        assert en[name] == ja[name], name
    assert not JAPANESE.search(en["json"] + en["junit"])
    assert en["junit"].count("<testcase ") == (len(live) + 1) * len(RULES)
    assert f'"host": "{display(dead)}"' in en["json"]

    page = pytester.path / "readiness-ja.html"
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert "ホスト別の準備状況" in text
    # every result of a real run has its explanation: the rules give only message ids the catalog knows
    explanations = re.findall(r'<td class=\\?"col-explanation\\?">([^<]*)</td>', text)  # in pytest-html's JSON
    # one row per result that did not pass, and one for the host that could not be checked
    listed = sum(1 for h in data["hosts"] if h["host"] != display(dead) for r in h["results"]
                 if r["CheckResult"] != "Passed") + 1
    assert len(explanations) == listed and all(explanations)
    target = ROOT / "docs" / "report-ja.png" if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "report-ja.png"
    shot(page, target, tmp_path / "shot-profile", size="1200,2400")  # the matrix is below the fleet summary
    non_blank(target)
