"""The terminal summary of a readiness run: what is not Passed, per host, or the troubleshooter's list.

A pytest plugin (loaded with the readiness plugin): ``--readiness-format`` and the summary.

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
from readiness.reports.gathering import COLLECTOR_KEY, HostReport
from readiness.reports.language import report_language
from readiness.results import CHECK_RESULTS, FAILED, INFORMATION, PASSED, WARNING, Result

NOT_APPLICABLE = "not applicable"
FORMATS = ("summary", "list", "none")

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
        explanation = explain(result.CheckResultMessageId, lang, result.CheckResultMessage)
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


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--readiness-format", choices=FORMATS, default="summary",
                    help="terminal summary: 'summary' (what is not Passed, per host; default), "
                    "'list' (the troubleshooter's Name : Value list), 'none'")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The readiness summary at the end of the terminal output, for a run that gathered results."""
    collector = config.stash.get(COLLECTOR_KEY, None)
    fmt = config.getoption("readiness_format", "summary")
    if collector is None or fmt == "none":
        return
    hosts = collector.hosts()
    if not hosts:
        return
    lang = report_language(config)
    if fmt == "list":
        for entry in hosts:
            terminalreporter.write_sep("-", list_heading(entry, lang))
            if entry.profile_reason:
                terminalreporter.write_line(profile_line(entry, lang) or "")
            terminalreporter.write(format_list(entry.results))
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
