"""The first screen of the HTML report: how many hosts are ready, which are not and why, which rules fail most.

Written into pytest-html's summary (``pytest_html_results_summary``) from a
:class:`~readiness.reports.fleet.FleetView`, in a live run and when a JSON report is rendered
(:mod:`readiness.report_html`) alike:

1. the hosts by state (not checked, not ready, ready with warnings, ready, no rule applies) and
   the results by CheckResult;
2. the rules that did not pass, most Failed hosts first, each linking to its section;
3. the hosts not ready, not checked first, each with why (its Failed rules, or the reason it was
   not checked); hosts ready with warnings and hosts ready, folded;
4. the host x rule matrix of the hosts that are not all Passed, those needing attention first (of a
   large fleet, more than :data:`MATRIX_ALL_UP_TO` such hosts, only the hosts not ready);
5. a section per rule that did not pass: its hosts grouped by message, and its remediation, once.

Passed results are counted here, and not listed again in the results table below (see
:class:`readiness.reports.html_report.HtmlReport`).
"""

from __future__ import annotations

from collections.abc import Sequence

from readiness.catalog import DEFAULT_PROFILE
from readiness.lang import DEFAULT_LANGUAGE, check_result_name, explain, group_name, ui
from readiness.remediation import for_rule
from readiness.reports.fleet import (
    NOT_APPLICABLE,
    NOT_CHECKED,
    STATES,
    FleetView,
    HostView,
    RuleCount,
    by_profile,
    reason,
)
from readiness.reports.gathering import HostReport
from readiness.reports.html_report import css_class, display_name, esc, matrix_html, page_head, remediation_body
from readiness.results import FAILED, PASSED, WARNING

FLEET_STYLE = """
.readiness-fleet .states { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.readiness-fleet .state { border: 1px solid #ccc; border-radius: 4px; padding: 6px 12px; min-width: 9em; }
.readiness-fleet .state .number { display: block; font-size: 22px; font-weight: bold; }
.readiness-fleet .state.state-notchecked, .readiness-fleet .state.state-failed { border-color: #c62828; }
.readiness-fleet .state.state-passedwithwarning { border-color: #e0a000; }
.readiness-fleet .state.state-passed { border-color: #1b7f2a; }
.readiness-fleet table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
.readiness-fleet th, .readiness-fleet td { border: 1px solid #ccc; padding: 3px 6px; text-align: left;
  vertical-align: top; }
.readiness-fleet td.count { text-align: right; }
.readiness-fleet .hosts-list { max-width: 140ch; overflow-wrap: anywhere; }
.readiness-rule { border-top: 1px solid #ddd; margin-top: 10px; }
.readiness-rule ul { margin: 2px 0 8px; }
"""


# The matrix shows every host that is not all Passed up to this many; beyond, only the hosts not ready.
MATRIX_ALL_UP_TO = 250


def _prefix(profile: str) -> str:
    """What the ids of a profile's section start with: nothing for the default profile, whose
    page is the page of a run without profiles; the profile's name otherwise (a RuleId and a
    host's position repeat from one profile's section to the next)."""
    return "" if profile == DEFAULT_PROFILE else f"{profile}-"


def _host_link(host: HostView, anchored: set[int], attributes: str = "", profile: str = DEFAULT_PROFILE) -> str:
    """The host's name, linking to its matrix row when it has one."""
    if host.index in anchored:
        return f'<a href="#host-{_prefix(profile)}{host.index}"{attributes}>{esc(host.host)}</a>'
    return f"<span{attributes}>{esc(host.host)}</span>"


def _id(name: str, profile: str) -> str:
    """An element's id in the section of ``profile`` (as is for the default profile)."""
    return name if profile == DEFAULT_PROFILE else f"{name}-{profile}"


def _rule_link(rule_id: str, profile: str = DEFAULT_PROFILE) -> str:
    return f'<a href="#rule-{esc(_prefix(profile) + rule_id)}"><code>{esc(rule_id)}</code></a>'


def _state_cards(view: FleetView, lang: str) -> str:
    cards = []
    for state in STATES:
        count = view.count(state)
        if state == NOT_APPLICABLE and not count:
            continue
        cards.append(f'<div class="state state-{css_class(state)}" data-state="{esc(state)}"><span class="number">{count}</span>'
                     f'{esc(ui(f"state.{state}", lang))}</div>')
    totals = view.results()
    parts = ui("terminal.separator", lang).join(
        ui("terminal.count", lang, count=n, check=check_result_name(check, lang)) for check, n in totals.items() if n)
    return (f'<p class="readiness-hosts-count">{esc(ui("fleet.hosts", lang, count=len(view.hosts)))}</p>'
            f'<div class="states">{"".join(cards)}</div>'
            f'<p class="readiness-results-count">{esc(ui("fleet.results", lang, parts=parts))}</p>')


def _rules_table(view: FleetView, lang: str) -> str:
    counts = view.rules_by_count()
    if not counts:
        return f'<p id="{_id("readiness-rules", view.profile)}">{esc(ui("rules.none", lang))}</p>'
    waived = any(c.waived for c in counts)
    head = (f'<th>{esc(ui("rules.rule", lang))}</th><th>{esc(ui("column.group", lang))}</th>'
            f'<th>{esc(ui("rules.failed", lang))}</th><th>{esc(ui("rules.warned", lang))}</th>'
            + (f'<th>{esc(ui("rules.waived", lang))}</th>' if waived else ""))
    rows = []
    for count in counts:
        info = count.info
        name = display_name(count.rule_id, info, lang, view.profile)
        group = group_name(info.group_id, info.group_name, lang) if info is not None else ""
        rows.append(
            f'<tr data-rule-id="{esc(count.rule_id)}"><td>{_rule_link(count.rule_id, view.profile)} {esc(name)}</td>'
            f"<td>{esc(group)}</td>"
            f'<td class="count failed">{count.failed}</td><td class="count warned">{count.warned}</td>'
            + (f'<td class="count waived">{count.waived}</td>' if waived else "") + "</tr>")
    return (f'<table id="{_id("readiness-rules", view.profile)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _why(host: HostView, lang: str, profile: str = DEFAULT_PROFILE) -> str:
    if host.state == NOT_CHECKED:
        if host.cause is None:
            return esc(ui("hosts.no_result", lang))
        rules = len(host.failed) + len(host.waived)
        return (f'<code>{esc(reason(host.cause.CheckResultMessageId))}</code> '
                f'<span class="readiness-message" lang="en">{esc(host.cause.CheckResultMessage)}</span><br>'
                f'<small>{esc(ui("hosts.unchecked", lang, rules=rules))}</small>')
    return " ".join(_rule_link(r.RuleId, profile) for r in host.failed)


def _hosts_table(view: FleetView, lang: str, anchored: set[int]) -> str:
    hosts = view.not_ready()
    heading = f'<h3>{esc(ui("hosts.heading", lang, count=len(hosts)))}</h3>'
    if not hosts:
        return heading + f'<p id="{_id("readiness-not-ready", view.profile)}">{esc(ui("hosts.none", lang))}</p>'
    rows = "".join(
        f'<tr data-host="{esc(h.host)}" data-state="{esc(h.state)}"><td>{_host_link(h, anchored, profile=view.profile)}</td>'
        f'<td class="readiness-check check-{css_class(h.state)}">{esc(ui(f"state.{h.state}", lang))}</td>'
        f"<td>{_why(h, lang, view.profile)}</td></tr>"
        for h in hosts)
    return (heading + f'<table id="{_id("readiness-not-ready", view.profile)}"><thead><tr><th>{esc(ui("column.host", lang))}</th>'
            f'<th>{esc(ui("hosts.state", lang))}</th><th>{esc(ui("hosts.why", lang))}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _folded_hosts(view: FleetView, lang: str, anchored: set[int]) -> str:
    """Hosts ready with warnings (with their warned rules), hosts ready, and hosts no rule applies to: folded."""
    out = []
    warned = [h for h in view.attention() if h.state == WARNING]
    if warned:
        items = "".join(f'<li data-host="{esc(h.host)}">{_host_link(h, anchored, profile=view.profile)}: '
                        f'{" ".join(_rule_link(r.RuleId, view.profile) for r in (*h.warned, *h.waived))}</li>' for h in warned)
        out.append(f'<details id="{_id("readiness-warned", view.profile)}"><summary>{esc(ui("hosts.warnings", lang, count=len(warned)))}'
                   f"</summary><ul>{items}</ul></details>")
    for state, key, element in ((PASSED, "hosts.ready", "readiness-ready"),
                                (NOT_APPLICABLE, "hosts.not_applicable", "readiness-not-applicable")):
        hosts = [h for h in view.hosts if h.state == state]
        if hosts:
            names = ", ".join(f'<span data-host="{esc(h.host)}">{esc(h.host)}</span>' for h in hosts)
            out.append(f'<details id="{_id(element, view.profile)}"><summary>{esc(ui(key, lang, count=len(hosts)))}</summary>'
                       f'<p class="hosts-list">{names}</p></details>')
    return "".join(out)


def _rule_section(count: RuleCount, lang: str, anchored: set[int], profile: str = DEFAULT_PROFILE) -> str:
    """A rule that did not pass: counts, its hosts by message (with the explanation), the remediation once."""
    rule_id = count.rule_id
    name = display_name(rule_id, count.info, lang, profile)
    tallies = ui("terminal.separator", lang).join(
        ui("detail.count", lang, check=check_result_name(check, lang), count=n)
        for check, n in ((FAILED, count.failed), (WARNING, count.warned)) if n)
    if count.waived:
        tallies += (ui("terminal.separator", lang) if tallies else "") + ui(
            "detail.count", lang, check=ui("rules.waived", lang), count=count.waived)
    messages = []
    for (message_id, _), (example, hosts) in count.messages.items():
        said = f'<p class="readiness-message" lang="en">{esc(example.CheckResultMessage)}</p>'
        if lang != DEFAULT_LANGUAGE:
            explanation = explain(message_id, lang, example.CheckResultMessage, profile=profile)
            if explanation:
                said += f'<p class="readiness-explanation">{esc(explanation)}</p>'
        names = ", ".join(_host_link(h, anchored, f' data-host="{esc(h.host)}"', profile) for h in hosts)
        messages.append(
            f'<li data-message-id="{esc(message_id)}"><span class="readiness-check check-{css_class(example.CheckResult)}">'
            f"{esc(check_result_name(example.CheckResult, lang))}</span> <code>{esc(message_id)}</code>{said}"
            f'<div class="hosts-list">{esc(ui("detail.hosts", lang, count=len(hosts)))}: {names}</div></li>')
    remediation = ""
    if count.info is not None:
        try:
            entry = for_rule(rule_id, lang, profile)
        except KeyError:  # a rule of another catalog, without remediation here
            entry = None
        if entry is not None:
            kind = "failed" if count.failed else "warning"
            remediation = (f'<div class="readiness-remediation {kind}"><h4 class="readiness-remediation-name">'
                           f'{esc(ui("detail.remediation", lang))}</h4>{remediation_body(entry, lang)}</div>')
    return (f'<section class="readiness-rule" id="rule-{esc(_prefix(profile) + rule_id)}" data-rule-id="{esc(rule_id)}">'
            f"<h3><code>{esc(rule_id)}</code> {esc(name)}</h3><p>{esc(tallies)}</p>"
            f'<ul class="readiness-messages">{"".join(messages)}</ul>{remediation}</section>')


def fleet_html(view: FleetView, reports: Sequence[HostReport], lang: str = DEFAULT_LANGUAGE,
               sections: int = 1, first: bool = True) -> str:
    """The fleet summary; ``reports`` are the hosts ``view`` was built from, in the same order (for the matrix).

    ``sections``: how many profiles' summaries the page has; with more than one, each names its
    profile in its heading, and only the ``first`` carries the page's style."""
    profile = view.profile
    counts = view.rules_by_count()
    attention = view.attention()
    if len(attention) > MATRIX_ALL_UP_TO:  # a large fleet: the hosts not ready; those with warnings are listed above
        attention = view.not_ready()
    matrix_hosts = [reports[h.index] for h in attention]
    omitted = len(view.hosts) - len(attention)
    matrix = matrix_html(matrix_hosts, lang, [f"host-{_prefix(profile)}{h.index}" for h in attention], view.catalog,
                         alone=False, profile=profile) if matrix_hosts else ""
    if omitted:
        matrix += f'<p class="readiness-omitted">{esc(ui("matrix.omitted", lang, count=omitted))}</p>'
    lang_attribute = "" if lang == DEFAULT_LANGUAGE else f' lang="{esc(lang)}"'
    anchored = {h.index for h in attention}
    detail = "".join(_rule_section(count, lang, anchored, profile) for count in counts)
    heading = ui("fleet.heading", lang) if sections == 1 else ui("fleet.profile_heading", lang, profile=profile)
    return (
        (f"{page_head(lang)}<style>{FLEET_STYLE}</style>" if first else "")
        + f'<div class="readiness-fleet" id="{_id("readiness-fleet", profile)}" data-profile="{esc(profile)}"{lang_attribute}>'
        f'<h2>{esc(heading)}</h2>'
        f"{_state_cards(view, lang)}"
        f'<h3>{esc(ui("rules.heading", lang))}</h3>{_rules_table(view, lang)}'
        f"{_hosts_table(view, lang, anchored)}{_folded_hosts(view, lang, anchored)}</div>"
        f"{matrix}"
        + (f'<div class="readiness-fleet" id="{_id("readiness-detail", profile)}"{lang_attribute}>'
           f'<h2>{esc(ui("detail.heading", lang))}</h2>{detail}</div>' if detail else "")
        + (f'<p class="readiness-table-note">{esc(ui("table.note", lang))}</p>' if sections == 1 else "")
    )


def fleet_page(reports: Sequence[HostReport], waived: Sequence[tuple[str, str]], lang: str = DEFAULT_LANGUAGE) -> str:
    """The fleet summaries of a run: one per profile its hosts have, in the catalog's order of profiles."""
    groups = by_profile(reports) or [(DEFAULT_PROFILE, [])]
    parts = []
    for position, (profile, hosts) in enumerate(groups):
        view = FleetView.build(hosts, waived, profile=profile)
        parts.append(fleet_html(view, hosts, lang, sections=len(groups), first=position == 0))
    if len(groups) > 1:  # the note on the results table once, after the last summary
        parts.append(f'<p class="readiness-table-note">{esc(ui("table.note", lang))}</p>')
    return "".join(parts)
