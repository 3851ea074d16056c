"""``--readiness-waivers FILE``: known exceptions that do not block a build, and are not forgotten.

The file, in YAML (any other key is an error)::

    waivers:
      - hosts: ["web-*", "10.0.0.5"]    # the host as given, without scheme, user and port; globs
        rule: LinkedWorkspaceCheck      # a RuleId, or a full message id (LinkedWorkspaceCheck.Failed.NoWorkspace)
        profile: update-management      # optional: only results of that profile's rules (RuleIds repeat
                                        # across profiles: TlsVersionCheck is in all three)
        justification: Moved to the new workspace in the March change window
        expires: 2027-03-31             # a date; the waiver ends at the end of that day, UTC
        owner: platform-team            # optional
        unreachable: false              # optional; true lets it cover a host that could not be checked

A ``Failed`` result that a waiver in force covers stays ``Failed`` in the troubleshooter JSON
(the host's truth) with the waiver attached (``Waiver``), is an xfail for pytest (so it does not
fail the run), carries the property ``waiver`` in JUnit XML and fills the Waiver column of the
HTML report. A waiver past its date is ignored and reported as expired; a waiver in force that
covered no result is reported as unused. A result of a host that could not be checked (its
message id ends in ``HostUnreachable``, ``AccessDenied``, ``ProbeError`` ... or ``SuiteError``)
is waived only by an entry that says ``unreachable: true``. A file that cannot be read, is not
valid YAML or holds a malformed entry is a usage error naming the file and the line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fnmatch
import re
from collections.abc import Generator, Sequence
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness import catalog
from readiness.printable import printable
from readiness.probe_pool import (
    ACCESS_DENIED,
    CONNECTION_LOST,
    HOST_ERROR,
    HOST_UNREACHABLE,
    PROBE_ERROR,
    TIMEOUT,
    TLS_ERROR,
    WINRM_FAULT,
)
from readiness.reports.gathering import report_result
from readiness.results import FAILED

OPTION = "readiness_waivers"
PROPERTY = "waiver"
# Reasons of a result the host's facts did not decide: the host could not be checked, or the rule broke.
UNCHECKED = frozenset({HOST_UNREACHABLE, TIMEOUT, CONNECTION_LOST, TLS_ERROR, ACCESS_DENIED, WINRM_FAULT,
                       PROBE_ERROR, HOST_ERROR, "SuiteError"})
KEYS = ("hosts", "rule", "profile", "justification", "expires", "owner", "unreachable")
REQUIRED = ("hosts", "rule", "justification", "expires")
# Reasons may have several parts: WireServerConnectivityCheck.Failed.Port80Failed.Port80FailedPort32526Failed.
_MESSAGE_ID = re.compile(r"^(?P<rule>[A-Za-z0-9]+)\.(?P<check>[A-Za-z]+)(?:\.(?P<reason>[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*))?$")


class WaiverError(Exception):
    """A waivers file that cannot be used; the message names the file and the line."""


@dataclasses.dataclass(frozen=True)
class Waiver:
    file: str
    line: int
    hosts: tuple[str, ...]
    rule: str  # a RuleId or a full message id
    justification: str
    expires: datetime.date
    owner: str | None = None
    unreachable: bool = False
    profile: str | None = None  # None: the RuleId in whichever profile checks the host

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def shown(self) -> str:
        """The rule as people read it: ``TlsVersionCheck`` or ``TlsVersionCheck (profile arc)``."""
        return self.rule + (f" (profile {self.profile})" if self.profile else "")

    @property
    def rule_id(self) -> str:
        return self.rule.split(".", 1)[0]

    def expired(self, now: datetime.datetime) -> bool:
        """Past the end of its ``expires`` day, UTC."""
        end = datetime.datetime.combine(self.expires + datetime.timedelta(days=1), datetime.time(),
                                        tzinfo=datetime.UTC)
        return now >= end

    def covers(self, hostname: str, rule_id: str, message_id: str, profile: str = catalog.DEFAULT_PROFILE) -> bool:
        """Whether this entry names the host and the Failed result (not whether it may waive it)."""
        if self.profile is not None and profile != self.profile:
            return False
        if "." in self.rule:
            if message_id != self.rule:
                return False
        elif rule_id != self.rule:
            return False
        name = hostname.lower()
        return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.hosts)

    def to_json(self) -> dict[str, Any]:
        found = {"file": self.file, "line": self.line, "hosts": list(self.hosts), "rule": self.rule,
                 "justification": self.justification, "expires": self.expires.isoformat(), "owner": self.owner,
                 "unreachable": self.unreachable}
        if self.profile is not None:
            found["profile"] = self.profile
        return found

    def describe(self) -> str:
        """One line for people (terminal, xfail reason, HTML): control characters escaped."""
        owner = f", owner {self.owner}" if self.owner else ""
        return printable(f"{self.justification} (waiver {self.where}{owner}, expires {self.expires.isoformat()})")


def unchecked(message_id: str) -> bool:
    """A result the host's facts did not decide (``<RuleId>.Failed.HostUnreachable`` ...)."""
    return message_id.rsplit(".", 1)[-1] in UNCHECKED


def _fail(file: str, node: yaml.Node | None, message: str) -> WaiverError:
    line = node.start_mark.line + 1 if node is not None else 1
    return WaiverError(f"{file}:{line}: {message}")


def _text(file: str, node: yaml.Node, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
        raise _fail(file, node, f"'{key}' must be a non-empty text")
    return node.value.strip()


def _entry(file: str, loader: yaml.SafeLoader, node: yaml.Node) -> Waiver:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(file, node, "each waiver must be a mapping with the keys " + ", ".join(REQUIRED))
    values: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in KEYS:
            raise _fail(file, key_node, f"unknown key {key!r} in a waiver (known: {', '.join(KEYS)})")
        if key in values:
            raise _fail(file, key_node, f"'{key}' is given twice")
        values[key] = value_node
    missing = [k for k in REQUIRED if k not in values]
    if missing:
        raise _fail(file, node, f"the waiver lacks {', '.join(repr(k) for k in missing)}")
    hosts_node = values["hosts"]
    if not isinstance(hosts_node, yaml.SequenceNode) or not hosts_node.value:
        raise _fail(file, hosts_node, "'hosts' must be a non-empty list of host names or globs")
    hosts = []
    for item in hosts_node.value:
        host = _text(file, item, "hosts")
        if "://" in host or "@" in host or "/" in host:
            raise _fail(file, item, f"host {host!r}: give the host name or address only, without scheme, "
                                    f"user and port")
        hosts.append(host)
    rule = _text(file, values["rule"], "rule")
    match = _MESSAGE_ID.match(rule) if "." in rule else None
    rule_id = match.group("rule") if match else rule
    profile = _text(file, values["profile"], "profile") if "profile" in values else None
    if profile is not None and profile not in catalog.PROFILE_RULES:
        raise _fail(file, values["profile"], f"'profile' {profile!r} is not a readiness profile "
                                             f"(one of: {', '.join(catalog.PROFILES)})")
    known = [p for p in ([profile] if profile else catalog.PROFILES) if rule_id in catalog.PROFILE_RULES[p]]
    if not known:
        within = f" of the profile {profile}" if profile else ""
        raise _fail(file, values["rule"], f"'rule' {rule!r} is not a RuleId{within} nor a message id of one "
                                          f"(e.g. LinkedWorkspaceCheck or LinkedWorkspaceCheck.Failed.NoWorkspace)")
    # A Failed result's id says Failed, except the one the Azure VM troubleshooter builds by appending
    # (WireServerConnectivityCheck.Passed.Port32526Failed): its last part says Failed.
    if "." in rule and (match is None or (match.group("check") != FAILED and not rule.endswith("Failed"))):
        raise _fail(file, values["rule"], f"'rule' {rule!r}: only Failed results are waived "
                                          f"(<RuleId>.Failed or <RuleId>.Failed.<Reason>)")
    justification = _text(file, values["justification"], "justification")
    expires = loader.construct_object(values["expires"], deep=True)
    if isinstance(expires, str):
        with contextlib.suppress(ValueError):
            expires = datetime.date.fromisoformat(expires.strip())
    if not isinstance(expires, datetime.date) or isinstance(expires, datetime.datetime):
        raise _fail(file, values["expires"], "'expires' must be a date (YYYY-MM-DD)")
    owner = _text(file, values["owner"], "owner") if "owner" in values else None
    unreachable = False
    if "unreachable" in values:
        unreachable = loader.construct_object(values["unreachable"])
        if not isinstance(unreachable, bool):
            raise _fail(file, values["unreachable"], "'unreachable' must be true or false")
    return Waiver(file, node.start_mark.line + 1, tuple(hosts), rule, justification, expires, owner, unreachable,
                  profile)


def load(path: str | Path, name: str | None = None) -> list[Waiver]:
    """The waivers of a file, or a :class:`WaiverError` naming the file (``name``: as the user gave it)
    and the line."""
    file = name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WaiverError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WaiverError(f"{file}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None or not isinstance(root, yaml.MappingNode):
            raise _fail(file, root, "the file must be a mapping with the one key 'waivers'")
        waivers_node = None
        for key_node, value_node in root.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.value == "waivers"):
                raise _fail(file, key_node, f"unknown key {getattr(key_node, 'value', '?')!r} (the file holds "
                                            f"only 'waivers')")
            waivers_node = value_node
        if waivers_node is None or not isinstance(waivers_node, yaml.SequenceNode):
            raise _fail(file, waivers_node or root, "'waivers' must be a list of waivers")
        return [_entry(file, loader, node) for node in waivers_node.value]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise WaiverError(f"{file}{line}: not valid YAML: {problem}") from None
    finally:
        loader.dispose()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--readiness-waivers", default=None, metavar="FILE",
                    help="YAML file of waivers: Failed results they cover are xfail (still Failed in the JSON, "
                         "with the waiver); expired and unused waivers are reported")


@dataclasses.dataclass(eq=False)  # a plugin object: hashed by identity
class Waivers:
    """The run's waivers, and what became of them (the controller's copy keeps the account)."""

    file: str
    entries: list[Waiver]
    now: datetime.datetime
    applied: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # where -> ["host RuleId"]
    by_result: dict[tuple[str, str], Waiver] = dataclasses.field(default_factory=dict)  # (host, RuleId)

    @property
    def in_force(self) -> list[Waiver]:
        return [w for w in self.entries if not w.expired(self.now)]

    @property
    def expired(self) -> list[Waiver]:
        return [w for w in self.entries if w.expired(self.now)]

    @property
    def unused(self) -> list[Waiver]:
        return [w for w in self.in_force if w.where not in self.applied]

    def find(self, hostname: str, rule_id: str, message_id: str,
             profile: str = catalog.DEFAULT_PROFILE) -> Waiver | None:
        """The first waiver in force that may waive this Failed result (of a rule of ``profile``)."""
        is_unchecked = unchecked(message_id)
        for waiver in self.in_force:
            if waiver.covers(hostname, rule_id, message_id, profile) and (waiver.unreachable or not is_unchecked):
                return waiver
        return None

    def by_where(self, where: str) -> Waiver | None:
        return next((w for w in self.entries if w.where == where), None)

    # Reports.
    @pytest.hookimpl(tryfirst=True, wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        """On the process that ran the rule: a covered Failed result becomes an xfail."""
        report = yield
        if call.when != "call" or not report.failed:
            return report
        found = report_result(report)
        spec = getattr(item, "funcargs", {}).get("readiness_host")
        if found is None or found.result is None or found.result.CheckResult != FAILED or spec is None:
            return report
        waiver = self.find(spec.hostname, found.rule_id, found.result.CheckResultMessageId, found.profile)
        if waiver is None:
            return report
        # As pytest's own xfail marks a report (_pytest/skipping.py): skipped, with wasxfail.
        report.outcome = "skipped"
        report.wasxfail = f"waived {found.result.CheckResultMessageId}: {waiver.describe()}"
        item.user_properties.append((PROPERTY, waiver.where))
        report.user_properties = list(report.user_properties) + [(PROPERTY, waiver.where)]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        props = dict(report.user_properties)
        where, host, rule_id = props.get(PROPERTY), props.get("host"), props.get("RuleId")
        waiver = self.by_where(where) if isinstance(where, str) else None
        if waiver is not None and isinstance(host, str) and isinstance(rule_id, str):
            self.applied.setdefault(waiver.where, []).append(f"{host} {rule_id}")
            self.by_result[(host, rule_id)] = waiver

    def pytest_readiness_json_report(self, config: pytest.Config, report: dict[str, Any]) -> None:
        waived = 0
        for entry in report.get("hosts", []):
            for result in entry.get("results", []):
                waiver = self.by_result.get((entry.get("host"), result.get("RuleId")))
                if waiver is not None:
                    result["Waiver"] = {k: v for k, v in waiver.to_json().items() if k != "hosts"}
                    waived += 1
        report["waivers"] = {
            "file": self.file,
            "applied": [dict(w.to_json(), results=self.applied[w.where]) for w in self.entries
                        if w.where in self.applied],
            "expired": [w.to_json() for w in self.expired],
            "unused": [w.to_json() for w in self.unused],
        }
        report.setdefault("summary", {})["waived"] = waived

    @pytest.hookimpl(tryfirst=True)  # before junitxml writes its file
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """JUnit: the expired and unused waivers as properties of the test suite."""
        try:
            from _pytest.junitxml import xml_key
        except ImportError:  # pragma: no cover - pytest moved it
            return
        xml = session.config.stash.get(xml_key, None)
        if xml is None:
            return
        for waiver in self.expired:
            xml.add_global_property("waiver_expired", f"{waiver.where} {waiver.shown} expired {waiver.expires}")
        for waiver in self.unused:
            xml.add_global_property("waiver_unused", f"{waiver.where} {waiver.shown} matched no Failed result")

    def lines(self) -> list[tuple[str, str]]:
        """(kind, line) for the terminal and the HTML report."""
        out = []
        for (host, rule_id), waiver in self.by_result.items():
            out.append(("waived", f"{host}  {rule_id}  Failed, waived: {waiver.describe()}"))
        for waiver in self.expired:
            out.append(("expired", printable(f"{waiver.where}: waiver of {waiver.shown} for {', '.join(waiver.hosts)} "
                                             f"expired on {waiver.expires.isoformat()}: ignored")))
        for waiver in self.unused:
            out.append(("unused", printable(f"{waiver.where}: waiver of {waiver.shown} for {', '.join(waiver.hosts)} "
                                            f"matched no Failed result")))
        return out

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.write_sep("-", f"readiness waivers: {self.file}")
        lines = self.lines()
        if not lines:
            terminalreporter.write_line("no waiver applied, none expired, none unused")
        for kind, line in lines:
            terminalreporter.write_line(f"{kind}: {line}", yellow=kind != "waived", bold=kind == "expired")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.append('<th class="sortable" data-column-type="waiver">Waiver</th>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        where = dict(getattr(report, "user_properties", ())).get(PROPERTY)
        waiver = self.by_where(where) if isinstance(where, str) else None
        cells.append(f'<td class="col-waiver">{escape(waiver.describe()) if waiver else ""}</td>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        items = "".join(f'<li class="waiver-{kind}">{escape(kind)}: {escape(line)}</li>' for kind, line in self.lines())
        prefix.append(f'<h2>Waivers ({escape(self.file)})</h2><ul id="readiness-waivers">{items}</ul>')


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption(OPTION, None)
    if not path:
        return
    file = str(Path(config.invocation_params.dir, path)) if not Path(path).is_absolute() else path
    try:
        entries = load(file, path)
    except WaiverError as exc:
        raise pytest.UsageError(f"--readiness-waivers {exc}") from None
    if config.getoption("collectonly"):
        return  # checked, and nothing to waive: no test runs
    config.pluginmanager.register(Waivers(path, entries, _now()), "readiness-waivers")


__all__: Sequence[str] = ("Waiver", "WaiverError", "Waivers", "load", "unchecked")


def merge_json(reports: Sequence[dict[str, Any]], merged: dict[str, Any]) -> None:
    """``python -m readiness.reports.json_report merge``: the shards' waiver accounts as one.

    A waiver applied in any shard is applied; one is unused only if no shard applied it.
    """
    parts = [r["waivers"] for r in reports if isinstance(r.get("waivers"), dict)]
    if not parts:
        return
    key = lambda w: (w.get("file"), w.get("line"))  # noqa: E731
    applied: dict[Any, dict[str, Any]] = {}
    expired: dict[Any, dict[str, Any]] = {}
    unused: dict[Any, dict[str, Any]] = {}
    for part in parts:
        for waiver in part.get("applied") or []:
            entry = applied.setdefault(key(waiver), dict(waiver, results=[]))
            entry["results"] += list(waiver.get("results") or [])
        for waiver in part.get("expired") or []:
            expired.setdefault(key(waiver), waiver)
        for waiver in part.get("unused") or []:
            unused.setdefault(key(waiver), waiver)
    merged["waivers"] = {
        "file": parts[0].get("file"),
        "applied": list(applied.values()),
        "expired": list(expired.values()),
        "unused": [w for k, w in unused.items() if k not in applied],
    }
    merged["summary"]["waived"] = sum("Waiver" in r for h in merged["hosts"] for r in h["results"])
