"""The readiness columns, host x rule matrix and remediation of the pytest-html report.

A pytest plugin (loaded with the readiness plugin): with pytest-html active, it adds its
hooks to pytest-html's report, which is ``reports/readiness.html`` unless ``--html`` says.

Every value that comes from a host (its name, messages, arguments, WSUS server names) is
escaped before it reaches the page, in our cells and in pytest-html's own test id column and
environment table, which pytest-html inserts as HTML.

>>> cell("host", "<b>web-01</b>")
'<td class="col-host">&lt;b&gt;web-01&lt;/b&gt;</td>'
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from readiness.catalog import RULES
from readiness.remediation import for_rule
from readiness.reports.gathering import COLLECTOR_KEY, HostReport, report_result
from readiness.results import FAILED, PASSED, WARNING, HostResult

NOT_APPLICABLE = "not applicable"
NOT_RUN = "not run"
NO_RESULT = "no result"

# The columns we add, after pytest-html's Result column: (data-column-type, header).
COLUMNS = (("host", "Host"), ("ruleid", "RuleId"), ("group", "Group"),
           ("checkresult", "CheckResult"), ("message", "Message"))

# Short labels of the matrix cells; the full CheckResult is in each cell's title.
_LABELS = {PASSED: "Passed", WARNING: "Warning", FAILED: "Failed", NOT_APPLICABLE: "n/a",
           NOT_RUN: "-", NO_RESULT: "Failed"}

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
"""


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


def remediation_html(found: HostResult) -> str:
    """The remediation block shown under a result that is not Passed."""
    result = found.result
    assert result is not None
    entry = for_rule(result.RuleId)
    kind = "warning" if result.CheckResult == WARNING else "failed"
    return (
        f'<div class="readiness-remediation {kind}">'
        f"<h3>{esc(result.RuleId)}: {esc(result.CheckResult)} on {esc(found.host)}</h3>"
        f"<p>{esc(result.CheckResultMessage)}</p>"
        f"<h4>What it checks</h4>{_prose(entry.what)}"
        f"<h4>Why it matters</h4>{_prose(entry.why)}"
        f"<h4>How to fix</h4>{_prose(entry.fix)}"
        f"<h4>How to verify</h4><pre>{esc(entry.verify)}</pre>"
        "</div>"
    )


def _matrix_cell(entry: HostReport, rule_id: str) -> tuple[str, str]:
    """``(state, title)`` of one matrix cell."""
    for result in entry.results:
        if result.RuleId == rule_id:
            return result.CheckResult, f"{rule_id}: {result.CheckResult}: {result.CheckResultMessage}"
    if rule_id in entry.not_applicable:
        return NOT_APPLICABLE, f"{rule_id}: {NOT_APPLICABLE}"
    if not entry.results and not entry.not_applicable:
        return NO_RESULT, f"{rule_id}: {FAILED}: the host was not checked"
    return NOT_RUN, f"{rule_id}: {NOT_RUN}"


def matrix_html(hosts: list[HostReport]) -> str:
    """One row per host, one cell per rule, coloured by CheckResult; an unchecked host is Failed."""
    head = "".join(
        f'<th class="rule" title="{esc(info.rule_id)}">{esc(info.name)}</th>' for info in RULES.values()
    )
    rows = []
    for entry in hosts:
        unchecked = not entry.results and not entry.not_applicable
        overall = FAILED if unchecked else (entry.worst or NOT_APPLICABLE)
        cells = []
        for rule_id in RULES:
            state, title = _matrix_cell(entry, rule_id)
            check = FAILED if state == NO_RESULT else state
            cells.append(
                f'<td class="cell-{css_class(state)}" data-rule-id="{esc(rule_id)}" '
                f'data-check-result="{esc(check)}" title="{esc(title)}">{esc(_LABELS.get(state, state))}</td>'
            )
        note = " (not checked)" if unchecked else ""
        rows.append(
            f'<tr data-host="{esc(entry.host)}"><td class="host">{esc(entry.host)} '
            f'<span class="readiness-check check-{css_class(overall)}">{esc(overall)}{note}</span></td>'
            + "".join(cells) + "</tr>"
        )
    legend = "".join(
        f'<span class="check-{css_class(c)}">{esc(_LABELS[c])} = {esc(c)}</span>'
        for c in (PASSED, WARNING, FAILED, NOT_APPLICABLE, NOT_RUN)
    )
    return (
        f"<style>{STYLE}</style>"
        '<h2>Readiness by host</h2>'
        f'<table class="readiness-matrix" id="readiness-matrix"><thead><tr><th class="host">Host</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="readiness-legend">{legend}</p>'
    )


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
        config.pluginmanager.register(HtmlReport(), "readiness-html")


class HtmlReport:
    """Plugin object: pytest-html hooks that add the readiness view to its report."""

    def __init__(self) -> None:
        self._explained: set[str] = set()

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "Update Management readiness"
        # pytest-html writes environment values into the page as HTML: escape what we cannot vouch for.
        environment = report.data.get("environment") or {}
        report.set_data("environment", {k: _escape_environment(v) for k, v in environment.items()})

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        ours = [f'<th class="sortable" data-column-type="{col}">{esc(name)}</th>' for col, name in COLUMNS]
        cells[1:1] = ours

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        # pytest-html puts the test id (which holds the host) into its cell unescaped.
        test_id = report.nodeid + ("" if report.when == "call" else f"::{report.when}")
        for i, existing in enumerate(cells):
            if existing.startswith('<td class="col-testId">'):
                cells[i] = f'<td class="col-testId">{esc(test_id)}</td>'
        found = report_result(report)
        if found is None:
            cells[1:1] = [cell(col, "") for col, _ in COLUMNS]
            return
        result = found.result
        check = result.CheckResult if result else NOT_APPLICABLE
        info = RULES.get(found.rule_id)
        cells[1:1] = [
            cell("host", found.host),
            cell("ruleid", found.rule_id),
            cell("group", info.group_name if info else (result.RuleGroupName if result else "")),
            cell("checkresult", check, f"readiness-check check-{css_class(check)}"),
            cell("message", result.CheckResultMessage if result else ""),
        ]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Attach the remediation to the first report of a test whose result is not Passed."""
        if report.nodeid in self._explained:
            return
        found = report_result(report)
        if found is None or found.result is None or found.result.CheckResult == PASSED:
            return
        if found.result.RuleId not in RULES:
            return
        self._explained.add(report.nodeid)
        extras = list(getattr(report, "extras", []) or [])
        if any(e.get("name") == "Remediation" for e in extras):
            return
        extras.append({"name": "Remediation", "format_type": "html", "content": remediation_html(found),
                       "mime_type": None, "extension": None})
        report.extras = extras  # type: ignore[attr-defined]  # pytest-html reads extras set on the report

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        collector = session.config.stash.get(COLLECTOR_KEY, None)
        if collector is not None:
            prefix.append(matrix_html(collector.hosts()))


__all__ = ["HtmlReport", "matrix_html", "remediation_html"]
