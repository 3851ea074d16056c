"""The readiness view of the pytest-html report: the fleet summary first, then the results that did not pass.

A pytest plugin (loaded with the readiness plugin): with pytest-html active, it adds its
hooks to pytest-html's report, which is ``reports/readiness.html`` unless ``--html`` says. The
summary (:mod:`readiness.reports.fleet_html`) counts every result, says which hosts are not
ready and why, and gives each rule's remediation once; the results table keeps the rows that did
not pass, with the readiness columns (see :class:`HtmlReport`).

Every value that comes from a host (its name, messages, arguments, WSUS server names) is
escaped before it reaches the page, in our cells and in pytest-html's own test id column and
environment table, which pytest-html inserts as HTML.

>>> cell("host", "<b>web-01</b>")
'<td class="col-host">&lt;b&gt;web-01&lt;/b&gt;</td>'
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Generator, Mapping
from typing import Any

import pytest

from readiness.catalog import DEFAULT_PROFILE, PROFILE_RULES, RULES, RuleInfo
from readiness.lang import DEFAULT_LANGUAGE, LANGUAGE_NAMES, check_result_name, explain, group_name, rule_name, ui
from readiness.lang.ui import UI
from readiness.profiles import OTHER_PROFILE
from readiness.remediation import Remediation, for_rule
from readiness.reports.fleet import HOST_REASONS, reason
from readiness.reports.gathering import COLLECTOR_KEY, HostReport, report_result
from readiness.reports.language import report_language
from readiness.results import FAILED, INFORMATION, PASSED, WARNING, HostResult

NOT_APPLICABLE = "not applicable"
NOT_RUN = "not run"
NO_RESULT = "no result"

# The columns we add, after pytest-html's Result column: (data-column-type, header in English).
COLUMNS = tuple((column, ui(f"column.{column}")) for column in ("host", "ruleid", "group", "checkresult", "message"))
# In a language other than English, the explanation of the message follows the message.
EXPLANATION = "explanation"
# pytest-html's own columns: data-column-type (or the header itself, for its unsortable Links) -> UI key.
_HTML_COLUMNS = {"result": "table.result", "testId": "table.test", "duration": "table.duration", "Links": "table.links"}

# Short labels of the matrix cells (the catalog's ``label.<state>``); the full CheckResult is in each cell's title.
_LABELS = {state: ui(f"label.{state}") for state in (PASSED, WARNING, FAILED, NOT_APPLICABLE, NOT_RUN, NO_RESULT)}
_LABEL_KEYS = {f"label.{state}" for state in _LABELS}

STYLE = """
.readiness-check { font-weight: bold; white-space: nowrap; }
.check-passed { color: #1b7f2a; }
.check-passedwithwarning { color: #a15c00; }
.check-failed { color: #c62828; }
.check-notapplicable, .check-notrun { color: #777; }
table.readiness-matrix { border-collapse: collapse; margin: 8px 0 16px; font-size: 12px; }
table.readiness-matrix th, table.readiness-matrix td { border: 1px solid #ccc; padding: 3px 5px; text-align: center; }
table.readiness-matrix th.rule { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  font-weight: normal; padding: 6px 2px; }
table.readiness-matrix:lang(ja) th.rule { transform: none; }
table.readiness-matrix th.host, table.readiness-matrix td.host { text-align: left; white-space: nowrap; }
table.readiness-matrix td.cell-passed { background: #d8f0dc; color: #1b5e20; }
table.readiness-matrix td.cell-passedwithwarning { background: #ffe9b3; color: #7a4500; }
table.readiness-matrix td.cell-failed, table.readiness-matrix td.cell-noresult { background: #f8c9c9; color: #8e0000;
  font-weight: bold; }
table.readiness-matrix td.cell-notapplicable, table.readiness-matrix td.cell-notrun { background: #eee; color: #777; }
.readiness-legend span { margin-right: 12px; }
.readiness-remediation { border-left: 4px solid #c62828; padding: 4px 12px; margin: 6px 0; background: #fafafa; color: #222; max-width: 110ch; white-space: normal; overflow-wrap: anywhere; }
.readiness-remediation.warning { border-left-color: #e0a000; }
.readiness-remediation h3 { margin: 4px 0; font-size: 15px; }
.readiness-remediation h4 { margin: 8px 0 2px; font-size: 13px; }
.readiness-remediation p { margin: 2px 0 6px; }
.readiness-remediation pre { background: #f0f0f0; padding: 6px; white-space: pre-wrap; }
.readiness-explanation { color: #333; }
td.col-explanation { max-width: 60ch; }
"""


def display_name(rule_id: str, info: RuleInfo | None, lang: str = DEFAULT_LANGUAGE,
                 profile: str = DEFAULT_PROFILE) -> str:
    """A rule's name for people: the catalog's translation (the rule of ``profile``: a RuleId names
    another rule in another profile), else the rule's own name, else its RuleId."""
    if profile == DEFAULT_PROFILE and f"rule.{rule_id}" not in UI:
        return info.name if info is not None else rule_id
    try:
        return rule_name(rule_id, lang, profile)
    except KeyError:
        return info.name if info is not None else rule_id


def esc(value: Any) -> str:
    """Text as HTML: ``<``, ``>``, ``&`` and both quotes escaped."""
    return html.escape("" if value is None else str(value), quote=True)


def css_class(check: str) -> str:
    return re.sub(r"[^a-z]", "", check.lower())


def cell(column: str, text: Any, extra_class: str = "") -> str:
    """A table cell for one of our columns; its text escaped."""
    classes = f"col-{column}" + (f" {extra_class}" if extra_class else "")
    return f'<td class="{classes}">{esc(text)}</td>'


def _prose(text: str) -> str:
    """Remediation prose as HTML: paragraphs, indented blocks as code, `backticks` as code."""
    parts = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if all(line.startswith("    ") for line in lines if line):
            parts.append("<pre>" + esc("\n".join(line[4:] for line in lines)) + "</pre>")
        else:
            parts.append("<p>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(block)) + "</p>")
    return "".join(parts)


def remediation_html(found: HostResult, lang: str = DEFAULT_LANGUAGE) -> str:
    """The remediation block shown under a result that is not Passed.

    The troubleshooter's message is shown as it is, in every language; in a language other than
    English its explanation follows it.
    """
    result = found.result
    assert result is not None
    entry = for_rule(result.RuleId, lang, found.profile)
    kind = "warning" if result.CheckResult == WARNING else "failed"
    heading = ui("remediation.heading", lang, rule_id=result.RuleId,
                 check=check_result_name(result.CheckResult, lang), host=found.host)
    if lang == DEFAULT_LANGUAGE:
        said = f"<p>{esc(result.CheckResultMessage)}</p>"
    else:
        explanation = explain(result.CheckResultMessageId, lang, result.CheckResultMessage, profile=found.profile)
        said = (f"<h4>{esc(ui('remediation.message', lang))}</h4>"
                f'<p class="readiness-message" lang="en">{esc(result.CheckResultMessage)}</p>')
        if explanation:
            said += (f"<h4>{esc(ui('remediation.explanation', lang))}</h4>"
                     f'<p class="readiness-explanation">{esc(explanation)}</p>')
    return f'<div class="readiness-remediation {kind}"><h3>{esc(heading)}</h3>{said}{remediation_body(entry, lang)}</div>'


def remediation_body(entry: Remediation, lang: str = DEFAULT_LANGUAGE) -> str:
    """A rule's four passages under their headings: what it checks, why, how to fix, how to verify."""
    return (
        f"<h4>{esc(ui('remediation.what', lang))}</h4>{_prose(entry.what)}"
        f"<h4>{esc(ui('remediation.why', lang))}</h4>{_prose(entry.why)}"
        f"<h4>{esc(ui('remediation.fix', lang))}</h4>{_prose(entry.fix)}"
        f"<h4>{esc(ui('remediation.verify', lang))}</h4><pre>{esc(entry.verify)}</pre>"
    )


def _matrix_cell(entry: HostReport, rule_id: str, lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """``(state, title)`` of one matrix cell."""
    for result in entry.results:
        if result.RuleId == rule_id and result.CheckResult == PASSED:  # the message of a pass says nothing more
            return PASSED, ui("matrix.title_state", lang, rule_id=rule_id, check=check_result_name(PASSED, lang))
        if result.RuleId == rule_id:
            return result.CheckResult, ui("matrix.title", lang, rule_id=rule_id,
                                          check=check_result_name(result.CheckResult, lang),
                                          message=result.CheckResultMessage)
    if rule_id in entry.not_applicable:
        return NOT_APPLICABLE, ui("matrix.title_state", lang, rule_id=rule_id,
                                  check=check_result_name(NOT_APPLICABLE, lang))
    if not entry.results and not entry.not_applicable:
        return NO_RESULT, ui("matrix.title_unchecked", lang, rule_id=rule_id, check=check_result_name(FAILED, lang))
    return NOT_RUN, ui("matrix.title_state", lang, rule_id=rule_id, check=check_result_name(NOT_RUN, lang))


def page_head(lang: str = DEFAULT_LANGUAGE) -> str:
    """The readiness view's style, and in a language other than English the line that names it."""
    language = "" if lang == DEFAULT_LANGUAGE else (
        f'<p class="readiness-language">{esc(ui("report.language", lang))}: {esc(LANGUAGE_NAMES[lang])}</p>')
    return f"<style>{STYLE}</style>{language}"


def matrix_html(hosts: list[HostReport], lang: str = DEFAULT_LANGUAGE, anchors: list[str] | None = None,
                catalog: Mapping[str, RuleInfo] = RULES, alone: bool = True, profile: str = DEFAULT_PROFILE) -> str:
    """One row per host, one cell per rule, coloured by CheckResult; an unchecked host is Failed.

    The cells' ``data-check-result`` is the CheckResult itself in every language; ``anchors``, one
    per host, are the rows' ids (the fleet summary links to them). One column per rule of ``catalog``,
    in its order. ``alone``: the style and language line first (:func:`page_head`), for a matrix on its own.
    """
    head = "".join(
        f'<th class="rule" title="{esc(info.rule_id)}">{esc(display_name(info.rule_id, info, lang, profile))}</th>'
        for info in catalog.values()
    )
    rows = []
    for position, entry in enumerate(hosts):
        anchor = f' id="{esc(anchors[position])}"' if anchors else ""
        unchecked = not entry.results and not entry.not_applicable
        overall = FAILED if unchecked else (entry.worst or NOT_APPLICABLE)
        cells = []
        for rule_id in catalog:
            state, title = _matrix_cell(entry, rule_id, lang)
            check = FAILED if state == NO_RESULT else state
            label = ui(f"label.{state}", lang) if f"label.{state}" in _LABEL_KEYS else state
            cells.append(
                f'<td class="cell-{css_class(state)}" data-rule-id="{esc(rule_id)}" '
                f'data-check-result="{esc(check)}" title="{esc(title)}">{esc(label)}</td>'
            )
        note = ui("matrix.not_checked", lang) if unchecked else ""
        rows.append(
            f'<tr data-host="{esc(entry.host)}"{anchor}><td class="host">{esc(entry.host)} '
            f'<span class="readiness-check check-{css_class(overall)}">'
            f"{esc(check_result_name(overall, lang))}{esc(note)}</span></td>"
            + "".join(cells) + "</tr>"
        )
    legend = "".join(
        f'<span class="check-{css_class(c)}">'
        f'{esc(ui("legend.entry", lang, label=ui(f"label.{c}", lang), check=check_result_name(c, lang)))}</span>'
        for c in (PASSED, WARNING, FAILED, NOT_APPLICABLE, NOT_RUN)
    )
    lang_attribute = "" if lang == DEFAULT_LANGUAGE else f' lang="{esc(lang)}"'
    return (
        (page_head(lang) if alone else "")
        + f"<h2>{esc(ui('matrix.heading', lang))}</h2>"
        f'<table class="readiness-matrix" id="readiness-matrix"{lang_attribute}><thead><tr>'
        f'<th class="host">{esc(ui("matrix.host", lang))}</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="readiness-legend">{legend}</p>'
    )


# pytest-html's own page text that its template writes and no hook reaches: the class or id of its
# element -> UI key. A small script in the page puts the text in the report's language.
_PAGE_TEXT = {
    "#environment-header h2": "html.environment",
    ".summary__data h2": "html.summary",
    ".summary__data p.filter": "html.filter_hint",
    "#show_all_details": "html.show_all",
    "#hide_all_details": "html.hide_all",
}

_PAGE_SCRIPT = r"""(function () {
  var t = %s;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var empty = document.getElementById("template_results-table__body--empty");
  var cell = empty && empty.content.querySelector("td");
  if (cell) { cell.textContent = t.no_results; }
  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.lang = t.lang;
    Object.keys(t.text).forEach(function (selector) {
      var element = document.querySelector(selector);
      if (element) { element.textContent = t.text[selector]; }
    });
    var reload = document.querySelector(".summary__reload__button > div");
    if (reload) {
      reload.textContent = t.running;
      reload.appendChild(document.createElement("br"));
      reload.appendChild(document.createTextNode(t.reload));
    }
    var generated = document.querySelector("h1#title + p");
    var first = generated && generated.firstChild;
    var when = first && first.nodeType === 3 && /^Report generated on (.+) at (.+) by $/.exec(first.nodeValue);
    if (when) {
      var day = /^(\d\d)-([A-Z][a-z][a-z])-(\d{4})$/.exec(when[1]);
      var month = day && MONTHS.indexOf(day[2]) + 1;
      var date = month ? t.date.replace("{year}", day[3]).replace("{month}", String(month))
        .replace("{day}", String(Number(day[1]))) : when[1];
      first.nodeValue = t.generated.replace("{date}", date).replace("{time}", when[2]) + " ";
    }
    var count = document.querySelector(".summary__data p.run-count");
    var took = count && /^(\d+) tests? took (.+)\.$/.exec(count.textContent);
    if (took) {
      var ms = /^(\d+) ms$/.exec(took[2]);
      count.textContent = t.run_count.replace("{count}", took[1])
        .replace("{tests}", took[1] === "1" ? t.test : t.tests)
        .replace("{duration}", ms ? t.milliseconds.replace("{ms}", ms[1]) : took[2]);
    }
  });
})();"""


def page_script(lang: str) -> str:
    """The script that puts pytest-html's own template text in ``lang`` (none in English)."""
    if lang == DEFAULT_LANGUAGE:
        return ""
    texts = {
        "lang": lang,
        "text": {selector: ui(key, lang) for selector, key in _PAGE_TEXT.items()},
        **{name: ui(f"html.{name}", lang) for name in ("no_results", "running", "reload", "run_count", "tests", "test")},
        "generated": ui("html.generated", lang, date="{date}", time="{time}"),
        "date": ui("html.date", lang, year="{year}", month="{month}", day="{day}"),
        "milliseconds": ui("html.milliseconds", lang, ms="{ms}"),
    }
    # JSON in a script element: "<" escaped, so no text of the catalog can end the element.
    data = json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c")
    return f"<script>{_PAGE_SCRIPT % data}</script>"


def _escape_environment(value: Any) -> Any:
    if isinstance(value, dict):
        return {esc(k): esc(v) for k, v in value.items()}
    return esc(value)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The report takes pytest-html's options (``--html``, ``--self-contained-html``); a default path of its own."""
    parser.addini("readiness_html", "default HTML report of a readiness run (relative to the rootdir)",
                  default="reports/readiness.html")


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """``--html=<rootdir>/<readiness_html> --self-contained-html`` for a readiness run without ``--html``.

    pytest calls this hook of installed plugins with the arguments to parse (the ini's
    ``addopts`` included). Put first, these are defaults and never overrides: a ``--html``
    the user gives (on the command line or in ``addopts``) wins, and is then left as given
    (not made self-contained). Only for a readiness run (hosts given), so other suites this
    plugin is installed beside are untouched, and not when only collecting, which writes no
    report.
    """
    known = early_config.known_args_namespace
    if not (getattr(known, "hosts", None) or getattr(known, "hosts_file", None)):
        return
    html_default = early_config.getini("readiness_html")
    if (early_config.pluginmanager.hasplugin("html") and html_default and getattr(known, "htmlpath", None) is None
            and not getattr(known, "collectonly", False)):
        args[:0] = [f"--html={early_config.rootpath / html_default}", "--self-contained-html"]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """The readiness view, when pytest-html writes a report of a run that gathers results.

    Not on xdist workers: the controller writes the report and adds the remediation to the
    reports the workers send it.
    """
    if hasattr(config, "workerinput") or COLLECTOR_KEY not in config.stash:
        return
    if config.pluginmanager.has_plugin("html") and not config.pluginmanager.has_plugin("readiness-html"):
        config.pluginmanager.register(HtmlReport(report_language(config)), "readiness-html")


# The stash key under which a run that is not a live one (a JSON report rendered again) hands the
# report the (host, RuleId) of its waived results; a live run has them from the waivers plugin.
WAIVED_KEY = pytest.StashKey[list[tuple[str, str]]]()


class HtmlReport:
    """Plugin object: pytest-html hooks that add the readiness view to its report.

    pytest-html stays the engine; its hooks reshape what it lists. The fleet summary (its first
    screen, :mod:`readiness.reports.fleet_html`) counts every result and says what did not pass,
    rule by rule, with each rule's remediation once. The results table below lists only what did
    not pass: a Passed or not applicable rule test's row is dropped (``cells`` emptied, which
    pytest-html takes as "no row"), and counted back into pytest-html's own totals, so its filters
    and its "N tests took" still count every test; a host that was not checked keeps one row, the
    rows of its other rules (the same message) are dropped the same way.
    """

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang
        self._data: Any = None  # pytest-html's ReportData, from its title hook
        self._unchecked: set[tuple[str, str]] = set()  # (host, message) of a host-level failure already listed
        self._dropped: set[str] = set()  # node ids of the tests whose rows the summary stands for

    def _columns(self) -> list[tuple[str, str]]:
        columns = [(column, ui(f"column.{column}", self.lang)) for column, _ in COLUMNS]
        if self.lang != DEFAULT_LANGUAGE:
            columns.append((EXPLANATION, ui(f"column.{EXPLANATION}", self.lang)))
        return columns

    def pytest_html_report_title(self, report: Any) -> None:
        self._data = report
        report.title = ui("report.title", self.lang)
        if self.lang != DEFAULT_LANGUAGE:
            # pytest-html's result filters: labels only; the outcomes they filter on stay as they are.
            for outcome, entry in report.outcomes.items():
                entry["label"] = ui(f"filter.{outcome}", self.lang)
        # pytest-html writes environment values into the page as HTML: escape what we cannot vouch for.
        environment = report.data.get("environment") or {}
        report.set_data("environment", {k: _escape_environment(v) for k, v in environment.items()})

    def pytest_html_duration_format(self, duration: float) -> str | None:
        """A test's duration as pytest-html writes it, its unit in the report's language (English: pytest-html's own)."""
        if self.lang == DEFAULT_LANGUAGE or duration >= 1:
            return None  # pytest-html's: milliseconds, or HH:MM:SS, which needs no words
        return ui("html.milliseconds", self.lang, ms=round(duration * 1000))

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        if self.lang != DEFAULT_LANGUAGE:
            for i, existing in enumerate(cells):
                found = re.fullmatch(r"(<th[^>]*>)([^<]*)(</th>)", existing)
                if found is None:
                    continue
                kind = re.search(r'data-column-type="(\w+)"', found.group(1))
                key = _HTML_COLUMNS.get(kind.group(1) if kind else found.group(2))
                if key:
                    cells[i] = f"{found.group(1)}{esc(ui(key, self.lang))}{found.group(3)}"
        ours = [f'<th class="sortable" data-column-type="{col}">{esc(name)}</th>' for col, name in self._columns()]
        cells[1:1] = ours

    def _other_profile(self, report: Any) -> bool:
        """Whether this is a rule of a profile ``auto`` did not give the host: in no report, its row dropped."""
        if report.when != "call":
            return report.nodeid in self._dropped and not report.failed
        longrepr = getattr(report, "longrepr", None)
        said = longrepr[2] if report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        if str(said).removeprefix("Skipped: ").startswith(OTHER_PROFILE):
            self._dropped.add(report.nodeid)
            return True
        return False

    def _summarised(self, report: Any, found: HostResult) -> bool:
        """Whether the fleet summary stands for this row: Passed, not applicable, or a repeat of a host's failure.

        Decided on the call's report; a setup or teardown report follows its call's (pytest-html
        hands it the reports of a test in that order, and looks up the call's row for a teardown).
        """
        if report.when != "call":
            return report.nodeid in self._dropped and not report.failed
        result = found.result
        if result is None or result.CheckResult in (PASSED, INFORMATION):
            dropped = not report.failed
        elif result.CheckResult != FAILED or reason(result.CheckResultMessageId) not in HOST_REASONS:
            dropped = False
        else:  # a host that was not checked: its first row stands for the others, a waived one stays listed
            key = (found.host, result.CheckResultMessage)
            dropped = key in self._unchecked and not hasattr(report, "wasxfail")
            self._unchecked.add(key)
        if dropped:
            self._dropped.add(report.nodeid)
        return dropped

    @pytest.hookimpl(wrapper=True)
    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> Generator[None, Any, Any]:
        """Our columns of a row, around every other plugin's cells (the waivers'): a row the summary
        stands for is dropped whole once they are all in."""
        found = report_result(report)
        self._cells(report, found, cells)
        outcome = yield
        if found is None and self._other_profile(report):
            if report.when == "call" and self._data is not None:
                self._data.outcomes = "skipped"
            cells.clear()
        elif found is not None and self._summarised(report, found):
            if report.when == "call" and self._data is not None:
                # pytest-html counts a test when it adds its row: count the test whose row is dropped
                self._data.outcomes = "skipped" if report.skipped and not hasattr(report, "wasxfail") else (
                    "failed" if report.failed else "passed")
            cells.clear()
        return outcome

    def _cells(self, report: Any, found: HostResult | None, cells: list[str]) -> None:
        """Our columns of a row, and pytest-html's test id escaped."""
        # pytest-html puts the test id (which holds the host) into its cell unescaped.
        test_id = report.nodeid + ("" if report.when == "call" else f"::{report.when}")
        for i, existing in enumerate(cells):
            if existing.startswith('<td class="col-testId">'):
                cells[i] = f'<td class="col-testId">{esc(test_id)}</td>'
        if found is None:
            cells[1:1] = [cell(col, "") for col, _ in self._columns()]
            return
        result = found.result
        check = result.CheckResult if result else NOT_APPLICABLE
        info = PROFILE_RULES.get(found.profile, RULES).get(found.rule_id)
        group = info.group_name if info else (result.RuleGroupName if result else "")
        group_id = info.group_id if info else (result.RuleGroupId if result else "")
        ours = [
            cell("host", found.host),
            cell("ruleid", found.rule_id),
            cell("group", group_name(group_id, group, self.lang) if group else ""),
            cell("checkresult", check_result_name(check, self.lang), f"readiness-check check-{css_class(check)}"),
            cell("message", result.CheckResultMessage if result else ""),
        ]
        if self.lang != DEFAULT_LANGUAGE:
            explanation = (explain(result.CheckResultMessageId, self.lang, result.CheckResultMessage, profile=found.profile)
                           if result else None)
            ours.append(cell(EXPLANATION, explanation or ""))
        cells[1:1] = ours

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        """A warning's log is its line, not the traceback of where pytest's xfail was raised (the plugin's own code)."""
        if report.when == "call" and report.skipped and hasattr(report, "wasxfail") and data \
                and report_result(report) is not None and report.longreprtext:
            data[0] = esc(f"XFAIL: {report.wasxfail}") + "\n"

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        config = session.config
        collector = config.stash.get(COLLECTOR_KEY, None)
        if collector is None:
            return
        from readiness.reports.fleet_html import fleet_page

        waivers = config.pluginmanager.get_plugin("readiness-waivers")
        waived = list(getattr(waivers, "by_result", {}) or config.stash.get(WAIVED_KEY, []))
        prefix.append(page_script(self.lang) + fleet_page(collector.hosts(), waived, self.lang))


__all__ = ["WAIVED_KEY", "HtmlReport", "display_name", "matrix_html", "page_script", "remediation_html"]
