"""Steps of the Windows workflow (.github/workflows/windows.yml) that check what a real Windows gave.

The workflow runs the probe on a GitHub-hosted Windows runner the way the suite sends it over
WinRM (the bootstrap command line, the script on standard input from a file), then runs the
whole suite against the runner itself over WinRM on loopback. These subcommands prepare the
probe's input and judge the outputs; each ends with one line, and exit status 1 on a problem:

    python scripts/windows_runner.py write-stdin PATH
    python scripts/windows_runner.py command-line {powershell,pwsh}
    python scripts/windows_runner.py validate PATH
    python scripts/windows_runner.py assert-fresh-runner PATH --edition {Desktop,Core}
    python scripts/windows_runner.py check-report JSON [--junitxml PATH] [--html PATH]

Only the probe's public entry points are used (``readiness.probe.ProbeInput``, ``stdin_text``,
``command_line``) and ``readiness.facts.parse_probe_output``, the function the suite itself
turns a probe's standard output into facts with.

>>> pwsh_command_line("powershell.exe -NoProfile -EncodedCommand QQA=")
'pwsh.exe -NoProfile -EncodedCommand QQA='
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from readiness import probe
from readiness.catalog import RULES
from readiness.facts import Facts, FactUnavailable, ProbeOutputError, parse_probe_output

# The images GitHub documents for its hosted Windows runners (actions/runner-images,
# images/windows/Windows2022-Readme.md and Windows2025-Readme.md, "OS Version"):
# windows-2022 is Windows Server 2022, 10.0.20348; windows-2025 (windows-latest since
# actions/runner-images#12677) is Windows Server 2025, 10.0.26100. windows-2019 was removed
# on 2025-06-30 (actions/runner-images#12045).
RUNNER_IMAGES = {(10, 0, 20348): "Windows Server 2022", (10, 0, 26100): "Windows Server 2025"}

# .NET Framework 4.8's Release value, the smallest of its builds ("How to: Determine which
# .NET Framework versions are installed", learn.microsoft.com/dotnet/framework/migration-guide/
# how-to-determine-which-versions-are-installed: 4.8 is 528040 or greater).
NDP_FULL = "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
NET48_RELEASE = 528040

# The PowerShell each edition is on a hosted runner: Windows PowerShell 5.1 (edition Desktop,
# powershell.exe) and PowerShell 7 (edition Core, pwsh.exe).
EDITIONS = {"Desktop": (5, 1), "Core": (7,)}

# Reasons that say a host could not be checked (README, "What a result means"): the last part
# of a message id such as OperatingSystemCheck.Failed.HostUnreachable. A rule that fails on the
# facts themselves has another id; one of these means the probe or the connection did not work.
HOST_FAILURE_REASONS = (
    "HostUnreachable", "Timeout", "ConnectionLost", "TlsError", "AccessDenied", "WinRMFault",
    "ProbeError", "HostError",
    "CaptureError",  # a captured host whose capture is wrong for the run (readiness.capture)
)


class RunnerCheckError(Exception):
    """What a real Windows gave is not what it should be; the message is one line."""


# --- the probe's input and command line ---------------------------------------------------------

def write_stdin(path: Path) -> int:
    """Write the probe's standard input as the suite sends it: ASCII bytes, lines as written.

    The bytes go out unchanged (no newline translation on Windows), as pywinrm sends them.
    """
    data = probe.stdin_text(probe.ProbeInput()).encode("ascii")
    path.write_bytes(data)
    return len(data)


def pwsh_command_line(command: str) -> str:
    """The suite's command line with PowerShell 7 (``pwsh.exe``) in place of ``powershell.exe``."""
    exe = "powershell.exe "
    if not command.startswith(exe):
        raise RunnerCheckError(f"the probe's command line does not start with {exe.strip()}: {command[:40]!r}")
    return "pwsh.exe " + command[len(exe):]


def command_line(shell: str) -> str:
    """The command line that starts the probe under ``powershell`` (5.1) or ``pwsh`` (7)."""
    command = probe.command_line()
    return command if shell == "powershell" else pwsh_command_line(command)


# --- the probe's output ------------------------------------------------------------------------

def validate(path: Path) -> Facts:
    """The probe's standard output, validated as the suite validates it (schema.json, then facts).

    The contract also wants ASCII only, whatever the console code page; that is checked first.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RunnerCheckError(f"cannot read the probe output {path}: {error.strerror}") from None
    for offset, byte in enumerate(data):
        if byte > 0x7E or (byte < 0x20 and byte not in b"\r\n\t"):
            raise RunnerCheckError(f"{path}: byte {offset} is 0x{byte:02X}; the probe writes printable ASCII only")
    try:
        return parse_probe_output(data)
    except ProbeOutputError as error:
        raise RunnerCheckError(f"{path}: {error}") from None


def _version_text(parts: tuple[int, ...]) -> str:
    return ".".join(map(str, parts))


def fresh_runner_problems(facts: Facts, edition: str) -> list[str]:
    """What differs from a fresh GitHub-hosted Windows runner probed under ``edition``."""
    problems: list[str] = []
    try:
        build = facts.os_version[:3]
        if build not in RUNNER_IMAGES:
            known = ", ".join(f"{_version_text(v)} ({n})" for v, n in RUNNER_IMAGES.items())
            problems.append(f"OS version {_version_text(facts.os_version)} is none of the runner images: {known}")
        release = facts.registry_number(NDP_FULL, "Release")
        if release is None or release < NET48_RELEASE:
            problems.append(f".NET Framework Release is {release}, expected {NET48_RELEASE} (4.8) or more")
        if not facts.service("wuauserv").exists:
            problems.append("the wuauserv service is not present")
        powershell = facts.document()["powershell"]
        wanted = EDITIONS[edition]
        if powershell.get("edition") != edition:
            problems.append(f"PowerShell edition is {powershell.get('edition')}, expected {edition}")
        version = facts.powershell_version.parts
        if version[:len(wanted)] != wanted:
            problems.append(f"PowerShell version is {_version_text(version)}, expected {_version_text(wanted)}.x")
    except FactUnavailable as error:
        problems.append(f"the probe could not read {error.path}: {error.message}")
    for entry in facts.document().get("errors", ()):
        problems.append(f"the probe could not read {entry['fact']}: {entry['message']}")
    return problems


def assert_fresh_runner(facts: Facts, edition: str) -> str:
    """Raise :class:`RunnerCheckError` unless the facts are a fresh runner's; else describe it."""
    problems = fresh_runner_problems(facts, edition)
    if problems:
        raise RunnerCheckError("not a fresh runner: " + "; ".join(problems))
    return (f"{RUNNER_IMAGES[facts.os_version[:3]]} {_version_text(facts.os_version)}, "
            f".NET Framework Release {facts.registry_number(NDP_FULL, 'Release')}, "
            f"PowerShell {edition} {facts.powershell_version}, wuauserv present")


# --- the suite's reports -----------------------------------------------------------------------

def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunnerCheckError(f"the readiness report {path} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunnerCheckError(f"the readiness report {path} is not JSON: {error}") from None


def host_failures(report: Any) -> list[str]:
    """Every problem with a readiness report: no host, a host not Windows, a rule missing or
    reported twice, or a result whose message id carries a host failure reason."""
    if not isinstance(report, dict) or not isinstance(report.get("hosts"), list) or not report["hosts"]:
        return ["the report lists no host"]
    problems: list[str] = []
    for host in report["hosts"]:
        name = host.get("host", "?")
        if host.get("platform") != "windows":
            problems.append(f"{name}: platform is {host.get('platform')}, not windows")
        seen = [r.get("RuleId") for r in host.get("results", ())]
        missing = [rule_id for rule_id in RULES if rule_id not in seen]
        if missing:
            problems.append(f"{name}: no result for {', '.join(missing)}")
        doubled = sorted({rule_id for rule_id in seen if seen.count(rule_id) > 1})
        if doubled:
            problems.append(f"{name}: more than one result for {', '.join(doubled)}")
        for result in host.get("results", ()):
            parts = str(result.get("CheckResultMessageId", "")).split(".")
            if len(parts) == 3 and parts[1] == "Failed" and parts[2] in HOST_FAILURE_REASONS:
                problems.append(f"{name}: {result['CheckResultMessageId']}: {result.get('CheckResultMessage', '')}")
    return problems


def check_report(path: Path, junitxml: Path | None = None, html: Path | None = None) -> str:
    """Raise :class:`RunnerCheckError` unless the run's reports exist and no rule reports that
    its host could not be checked; else count the results."""
    report = _load_json(path)
    problems = host_failures(report)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RunnerCheckError(f"{path}: {problems[0]}{more}")
    if junitxml is not None:
        try:
            root = ET.parse(junitxml).getroot()
        except FileNotFoundError:
            raise RunnerCheckError(f"the JUnit report {junitxml} does not exist") from None
        except ET.ParseError as error:
            raise RunnerCheckError(f"the JUnit report {junitxml} is not XML: {error}") from None
        if next(root.iter("testcase"), None) is None:
            raise RunnerCheckError(f"the JUnit report {junitxml} has no testcase")
    if html is not None:
        if not html.is_file():
            raise RunnerCheckError(f"the HTML report {html} does not exist")
        if "<html" not in html.read_text(encoding="utf-8", errors="replace")[:4096].lower():
            raise RunnerCheckError(f"the HTML report {html} is not an HTML page")
    checks = [r["CheckResult"] for h in report["hosts"] for r in h["results"]]
    counts = ", ".join(f"{checks.count(level)} {level}" for level in ("Passed", "PassedWithWarning", "Failed"))
    return f"{len(report['hosts'])} host(s) checked, no host failure: {counts}"


# --- command line ------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="windows_runner", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("write-stdin", help="write the probe's standard input").add_argument("path", type=Path)
    sub.add_parser("command-line", help="print the probe's command line").add_argument(
        "shell", choices=("powershell", "pwsh"))
    sub.add_parser("validate", help="validate the probe's output").add_argument("path", type=Path)
    fresh = sub.add_parser("assert-fresh-runner", help="validate, then check a fresh runner's facts")
    fresh.add_argument("path", type=Path)
    fresh.add_argument("--edition", choices=sorted(EDITIONS), required=True)
    report = sub.add_parser("check-report", help="check the suite's reports for host failures")
    report.add_argument("path", type=Path)
    report.add_argument("--junitxml", type=Path)
    report.add_argument("--html", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "write-stdin":
            print(f"wrote {write_stdin(args.path)} bytes of probe input to {args.path}")
        elif args.command == "command-line":
            print(command_line(args.shell))
        elif args.command == "validate":
            facts = validate(args.path)
            print(f"{args.path}: valid {probe.SCHEMA}, PowerShell {facts.powershell_version}")
        elif args.command == "assert-fresh-runner":
            print(f"{args.path}: {assert_fresh_runner(validate(args.path), args.edition)}")
        else:
            print(check_report(args.path, args.junitxml, args.html))
    except RunnerCheckError as error:
        print(f"windows_runner: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
