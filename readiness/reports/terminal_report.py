"""The terminal summary of a readiness run: what is not Passed, per host; a fleet table; or the troubleshooter's list.

A pytest plugin (loaded with the readiness plugin): ``--readiness-format`` and the summary.

- ``summary``: every result that is not Passed, one line each, and a total line per host;
- ``fleet``: one table for a fleet: the hosts by state, the rules that did not pass by how many
  hosts (most Failed first), and the hosts not ready, one line each, not checked first (at most
  :data:`FLEET_HOST_LINES`; the JSON and HTML reports hold them all);
- ``auto`` (the default): ``summary`` for up to :data:`AUTO_FLEET_FROM` hosts, ``fleet`` beyond;
- ``list``: the troubleshooter's ``Name : Value`` list of every result; ``none``: nothing.

Every line is printed with its control characters escaped (:func:`readiness.printable.printable`):
host text never starts a line of its own in a CI log, nor sends an escape sequence.

>>> from readiness.results import Result
>>> r = Result("ProxySettings", "connectivity", "Proxy settings", "connectivity",
...            "Check if Proxy is enabled on the VM.", "Passed", "Proxy is not set.",
...            "ProxySettings.Passed", [])
>>> print(format_list([r]).splitlines()[-1])
CheckResultMessageArguments : {}
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from readiness.catalog import DEFAULT_PROFILE
from readiness.lang import DEFAULT_LANGUAGE, check_result_name, explain, ui
from readiness.printable import printable
from readiness.reports.fleet import NOT_CHECKED, STATES, FleetView, by_profile, reason
from readiness.reports.gathering import COLLECTOR_KEY, HostReport
from readiness.reports.language import report_language
from readiness.results import CHECK_RESULTS, FAILED, INFORMATION, PASSED, WARNING, Result

NOT_APPLICABLE = "not applicable"
FORMATS = ("auto", "summary", "fleet", "list", "none")
AUTO_FLEET_FROM = 20  # auto: the per-host lines up to this many hosts, the fleet table beyond
FLEET_HOST_LINES = 100  # the fleet table lists at most this many hosts not ready

# Results whose arguments the troubleshooter leaves unset (``$null``) rather than an empty list:
# PowerShell prints nothing after ``:`` for those and ``{}`` for an empty list. From the sample
# output; the warnings of rules 12 and 14 are built like their passes.
UNSET_ARGUMENTS = frozenset({
    "AutomationAgentServiceConnectivityCheck1.Failed.NoRegistrationFound",
    "AlwaysAutoRebootCheck.Passed",
    "AlwaysAutoRebootCheck.PassedWithWarning",
    "WSUSServerConfigured.Passed",
    "AutomaticUpdateCheck.Passed",
    "AutomaticUpdateCheck.PassedWithWarning",
    "LAOdsEndpointConnectivity.Failed",
    "LAOmsEndpointConnectivity.Failed",
})


def format_arguments(result: Result) -> str:
    """``{a, b}`` as PowerShell lists an array; ``{}`` when empty; nothing when the script sets none."""
    args = result.CheckResultMessageArguments
    if args is None or (not args and result.CheckResultMessageId in UNSET_ARGUMENTS):
        return ""
    return "{" + ", ".join(args) + "}"


def format_list(results: Iterable[Result]) -> str:
    """The troubleshooter's ``Name : Value`` list of each result, as in its sample output."""
    lines = []
    for result in results:
        for name, value in result.full().items():
            text = format_arguments(result) if name == "CheckResultMessageArguments" else str(value)
            lines.append(f"{name} : {printable(text)}" if text else f"{name} :")
    return "\n".join(lines) + ("\n" if lines else "")


def counts(entry: HostReport) -> dict[str, int]:
    """How many results of each CheckResult, and how many rules did not apply."""
    found = dict.fromkeys((*CHECK_RESULTS, INFORMATION), 0)
    for result in entry.results:
        found[result.CheckResult] = found.get(result.CheckResult, 0) + 1
    found[NOT_APPLICABLE] = len(entry.not_applicable)
    return found


def total_line(entry: HostReport, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line: the host, its worst result and its counts; a host without any result is Failed."""
    if not entry.results and not entry.not_applicable:
        return printable(ui("terminal.unchecked", lang, host=entry.host, check=check_result_name(FAILED, lang)))
    found = counts(entry)
    worst = entry.worst or NOT_APPLICABLE
    parts = ui("terminal.separator", lang).join(
        ui("terminal.count", lang, count=n, check=check_result_name(name, lang)) for name, n in found.items() if n)
    return printable(ui("terminal.total", lang, host=entry.host, check=check_result_name(worst, lang),
                        count=len(entry.results) + len(entry.not_applicable), parts=parts))


def problem_lines(entry: HostReport, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """``(CheckResult, line)`` for every result that is not Passed; in a language other than English,
    the explanation of the troubleshooter's (unchanged, English) message follows on a line of its own."""
    lines = []
    for result in entry.results:
        if result.CheckResult in (PASSED, INFORMATION):  # Information asks for no action
            continue
        route = entry.routes.get(result.RuleId)
        suffix = ui("terminal.route", lang, route=route) if route else ""
        line = ui("terminal.problem", lang, host=entry.host, rule_id=result.RuleId,
                  check=check_result_name(result.CheckResult, lang), message=result.CheckResultMessage) + suffix
        lines.append((result.CheckResult, printable(line)))
        explanation = explain(result.CheckResultMessageId, lang, result.CheckResultMessage, profile=entry.profile)
        if explanation:
            lines.append((result.CheckResult, printable(ui("terminal.explanation", lang, explanation=explanation))))
    return lines


def profile_line(entry: HostReport, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """The host's profile, and why when ``auto`` chose it; None for a host of the default profile
    given as such (the output of a run without profiles is unchanged)."""
    if entry.profile_reason:
        return printable(ui("terminal.profile_auto", lang, host=entry.host, profile=entry.profile,
                            reason=entry.profile_reason))
    if entry.profile != DEFAULT_PROFILE:
        return printable(ui("terminal.profile", lang, host=entry.host, profile=entry.profile))
    return None


def list_heading(entry: HostReport, lang: str = DEFAULT_LANGUAGE) -> str:
    """The heading of a host's Name : Value list, with its profile when it is not the default one."""
    if entry.profile != DEFAULT_PROFILE or entry.profile_reason:
        return printable(ui("terminal.host_list_profile", lang, host=entry.host, profile=entry.profile))
    return printable(ui("terminal.host_list", lang, host=entry.host))


def fleet_lines(view: FleetView, lang: str = DEFAULT_LANGUAGE, limit: int = FLEET_HOST_LINES
                ) -> list[tuple[str | None, str]]:
    """``(colour level, line)`` of the fleet table: hosts by state, rules by count, hosts not ready."""
    separator = ui("terminal.separator", lang)
    lines: list[tuple[str | None, str]] = []
    states = separator.join(ui("terminal.state", lang, state=ui(f"state.{state}", lang), count=view.count(state))
                            for state in STATES if view.count(state) or state != "not applicable")
    lines.append((None, states))
    totals = view.results()
    lines.append((None, ui("fleet.results", lang, parts=separator.join(
        ui("terminal.count", lang, count=n, check=check_result_name(check, lang)) for check, n in totals.items() if n))))
    counts = view.rules_by_count()
    if counts:
        width = max(len(c.rule_id) for c in counts) + 2
        failed, warned = ui("rules.failed", lang), ui("rules.warned", lang)
        lines.append((None, f"{ui('rules.rule', lang):<{width}}{failed:>16}  {warned:>20}"))
        for count in counts:
            level = FAILED if count.failed else WARNING
            lines.append((level, f"{count.rule_id:<{width}}{count.failed:>16}  {count.warned:>20}"))
    else:
        lines.append((PASSED, ui("rules.none", lang)))
    not_ready = view.not_ready()
    lines.append((None, ui("hosts.heading", lang, count=len(not_ready))))
    for host in not_ready[:limit]:
        if host.state == NOT_CHECKED and host.cause is not None:
            why = f"{reason(host.cause.CheckResultMessageId)}  {host.cause.CheckResultMessage}"
        elif host.state == NOT_CHECKED:
            why = ui("hosts.no_result", lang)
        else:
            why = ", ".join(r.RuleId for r in host.failed)
        lines.append((FAILED, printable(f"{host.host}  {ui(f'state.{host.state}', lang)}  {why}")))
    if len(not_ready) > limit:
        lines.append((None, ui("terminal.more_hosts", lang, count=len(not_ready) - limit)))
    lines.append((None, ui("terminal.fleet_hint", lang)))
    return lines


def terminal_format(config: pytest.Config, hosts: int) -> str:
    """The format this run's summary is written in: the option's, ``auto`` resolved by the number of hosts."""
    fmt = config.getoption("readiness_format", "auto") or "auto"
    if fmt == "auto":
        return "summary" if hosts <= AUTO_FLEET_FROM else "fleet"
    return str(fmt)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--readiness-format", choices=FORMATS, default="auto",
                    help="terminal summary: 'auto' (default: 'summary' up to 20 hosts, 'fleet' beyond), "
                    "'summary' (what is not Passed, per host), 'fleet' (hosts by state, rules by count, "
                    "hosts not ready), 'list' (the troubleshooter's Name : Value list), 'none'")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """At fleet scale, pytest's own FAILURES section is left out unless ``--tb`` was given.

    It prints a traceback per Failed result (thousands: 4,000 at 1,000 hosts of a usual fleet),
    and pytest builds it in time that grows with failures x reports (for each failure it looks
    through every report for that test's teardown sections): minutes at 1,000 hosts, more than
    the whole run. Every failure's detail stays in the HTML report, JUnit XML and the JSON;
    ``--tb=short`` (or any style) brings the section back, ``--readiness-format summary`` the
    per-result lines. The reports' own detail is made when each test ends, so only the terminal
    changes.
    """
    config = session.config
    collector = config.stash.get(COLLECTOR_KEY, None)
    if collector is None or config.getoption("tbstyle", "auto") != "auto":
        return
    if terminal_format(config, len(collector.hosts())) == "fleet":
        config.option.tbstyle = "no"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The readiness summary at the end of the terminal output, for a run that gathered results."""
    collector = config.stash.get(COLLECTOR_KEY, None)
    if collector is None or config.getoption("readiness_format", "auto") == "none":
        return
    hosts = collector.hosts()
    if not hosts:
        return
    fmt = terminal_format(config, len(hosts))
    lang = report_language(config)
    if fmt == "list":
        for entry in hosts:
            terminalreporter.write_sep("-", list_heading(entry, lang))
            if entry.profile_reason:
                terminalreporter.write_line(profile_line(entry, lang) or "")
            terminalreporter.write(format_list(entry.results))
        return
    if fmt == "fleet":
        waivers = config.pluginmanager.get_plugin("readiness-waivers")
        waived = list(getattr(waivers, "by_result", {}) or {})
        terminalreporter.write_sep("=", ui("terminal.fleet_heading", lang, count=len(hosts)))
        groups = by_profile(hosts)
        for name, members in groups:  # one table per profile: a RuleId is another rule in another profile
            if len(groups) > 1:
                terminalreporter.write_sep("-", ui("fleet.profile_heading", lang, profile=name))
            view = FleetView.build(members, waived, profile=name)
            for level, line in fleet_lines(view, lang):
                terminalreporter.write_line(line, red=level == FAILED, yellow=level == WARNING, green=level == PASSED)
        return
    terminalreporter.write_sep("=", ui("terminal.heading", lang))
    for entry in hosts:
        profile = profile_line(entry, lang)
        if profile:
            terminalreporter.write_line(profile)
        for level, line in problem_lines(entry, lang):
            terminalreporter.write_line(line, red=level == FAILED, yellow=level == WARNING)
        worst = entry.worst if entry.results else (None if entry.not_applicable else FAILED)
        terminalreporter.write_line(total_line(entry, lang), bold=True,
                                    red=worst == FAILED, yellow=worst == WARNING, green=worst == PASSED)
