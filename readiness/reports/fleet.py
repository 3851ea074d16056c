"""A fleet at a glance: each host's state, the rules by how many hosts they fail, hosts needing attention first.

The model behind the HTML report's summary and the terminal's fleet table, built the same way from
a live run (the collector's :class:`~readiness.reports.gathering.HostReport` objects) and from a
troubleshooter JSON report (one run, or the merge of a sharded fleet's reports):

- a host is **not checked** when it has no result, or when every rule is Failed with the same
  message for a reason that belongs to the host, not to a rule (``HostUnreachable``, ``Timeout``,
  ...: the rules were not called); **not ready** when a rule is Failed (and no waiver covers it);
  **ready with warnings** when a rule is PassedWithWarning or a waived Failed; **ready** when every
  rule Passed; **not applicable** when no rule applies (a Linux host);
- rules are counted in the order of a rule catalog (:data:`readiness.catalog.RULES` unless another
  one is given): a catalog is any ordered mapping of RuleId to
  :class:`~readiness.catalog.RuleInfo`, so a report of another profile's rules groups by its own
  catalog; a RuleId no catalog names is still counted, after the catalog's, in the order met.

>>> from readiness.results import Result
>>> def r(rule_id, check, message="m", reason=""):
...     mid = f"{rule_id}.{check}" + (f".{reason}" if reason else "")
...     return Result(rule_id, "g", "n", "gn", "d", check, message, mid, [])
>>> view = FleetView.build([
...     HostReport("a", "windows", [r("TlsVersionCheck", "Failed"), r("ProxySettings", "Passed")]),
...     HostReport("b", "windows", [r("TlsVersionCheck", "Failed", "no route", "HostUnreachable"),
...                                 r("ProxySettings", "Failed", "no route", "HostUnreachable")]),
...     HostReport("c", "windows", [r("ProxySettings", "PassedWithWarning")])])
>>> [(h.host, h.state) for h in view.attention()]
[('b', 'not checked'), ('a', 'Failed'), ('c', 'PassedWithWarning')]
>>> [(c.rule_id, c.failed, c.warned) for c in view.rules_by_count()]
[('TlsVersionCheck', 1, 0), ('ProxySettings', 0, 1)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from readiness.capture import CAPTURE_ERROR
from readiness.catalog import DEFAULT_PROFILE, PROFILE_RULES, PROFILES, RULES, RuleInfo
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
from readiness.reports.gathering import HostReport
from readiness.results import FAILED, INFORMATION, PASSED, WARNING, Result

NOT_CHECKED = "not checked"
NOT_APPLICABLE = "not applicable"
# The states of a host, the one that needs attention most first.
STATES = (NOT_CHECKED, FAILED, WARNING, PASSED, NOT_APPLICABLE)
# Reasons that belong to the host, not to a rule: with one of these on every rule, the host was not checked.
HOST_REASONS = frozenset({HOST_UNREACHABLE, TIMEOUT, CONNECTION_LOST, TLS_ERROR, ACCESS_DENIED, WINRM_FAULT,
                          PROBE_ERROR, HOST_ERROR, CAPTURE_ERROR})


def reason(message_id: str) -> str | None:
    """The reason part of a message id (``TlsVersionCheck.Failed.HostUnreachable``), if any.

    >>> reason("TlsVersionCheck.Failed.HostUnreachable"), reason("TlsVersionCheck.Failed")
    ('HostUnreachable', None)
    """
    parts = message_id.split(".")
    return parts[2] if len(parts) > 2 else None


def host_failure(results: Sequence[Result]) -> Result | None:
    """The result that stands for all of a host's when the host was not checked, else None."""
    if not results:
        return None
    first = results[0]
    if first.CheckResult != FAILED or reason(first.CheckResultMessageId) not in HOST_REASONS:
        return None
    same = all(r.CheckResult == FAILED and r.CheckResultMessage == first.CheckResultMessage
               and reason(r.CheckResultMessageId) == reason(first.CheckResultMessageId) for r in results)
    return first if same else None


@dataclasses.dataclass
class HostView:
    """One host as the fleet summary shows it."""

    index: int  # position in the run's host order: the anchor of its row
    host: str
    state: str
    failed: list[Result]  # Failed results no waiver covers, in catalog order
    warned: list[Result]  # PassedWithWarning results, in catalog order
    waived: list[Result]  # Failed results a waiver covers
    passed: int
    not_applicable: int
    cause: Result | None  # a host not checked: the result that says why (None: no result at all)

    @property
    def rank(self) -> tuple[int, int, int]:
        """Hosts that need attention first: not checked, then most Failed rules, then most warnings."""
        return STATES.index(self.state), -len(self.failed), -len(self.warned) - len(self.waived)


@dataclasses.dataclass
class RuleCount:
    """How many hosts a rule did not pass on, and which, by message."""

    rule_id: str
    info: RuleInfo | None
    failed: int = 0
    warned: int = 0
    waived: int = 0
    passed: int = 0
    # (message id, message) -> (a result that said it, the hosts that gave it), in the order met
    messages: dict[tuple[str, str], tuple[Result, list[HostView]]] = dataclasses.field(default_factory=dict)

    @property
    def not_passed(self) -> int:
        return self.failed + self.warned + self.waived


@dataclasses.dataclass
class FleetView:
    """The whole fleet: hosts (in the run's order) and rules (in catalog order)."""

    hosts: list[HostView]
    rules: list[RuleCount]
    catalog: Mapping[str, RuleInfo]
    profile: str = DEFAULT_PROFILE

    @classmethod
    def build(cls, reports: Iterable[HostReport], waived: Iterable[tuple[str, str]] = (),
              catalog: Mapping[str, RuleInfo] | None = None, profile: str = DEFAULT_PROFILE) -> FleetView:
        """The view of ``reports``; ``waived`` holds the (host, RuleId) of Failed results a waiver covers.

        ``reports`` are hosts of one ``profile``, whose catalog orders the rules unless ``catalog``
        is given (a RuleId names another rule in another profile: see :func:`by_profile`)."""
        if catalog is None:
            catalog = PROFILE_RULES.get(profile, RULES)
        covered = set(waived)
        counts: dict[str, RuleCount] = {rule_id: RuleCount(rule_id, info) for rule_id, info in catalog.items()}
        hosts = []
        for index, entry in enumerate(reports):
            order = sorted(entry.results, key=lambda r: _position(catalog, r.RuleId))
            cause = host_failure(order)
            view = HostView(index, entry.host, PASSED, [], [], [], 0, len(entry.not_applicable), cause)
            for result in order:
                count = counts.setdefault(result.RuleId, RuleCount(result.RuleId, catalog.get(result.RuleId)))
                if result.CheckResult in (PASSED, INFORMATION):  # Information asks for no action: a pass
                    view.passed += 1
                    count.passed += 1
                    continue
                if result.CheckResult == FAILED and (entry.host, result.RuleId) in covered:
                    view.waived.append(result)
                    count.waived += 1
                elif result.CheckResult == FAILED:
                    view.failed.append(result)
                    count.failed += 1
                else:
                    view.warned.append(result)
                    count.warned += 1
                key = (result.CheckResultMessageId, result.CheckResultMessage)
                _, seen = count.messages.setdefault(key, (result, []))
                seen.append(view)
            view.state = _state(view, entry)
            hosts.append(view)
        return cls(hosts, list(counts.values()), catalog, profile)

    def count(self, state: str) -> int:
        return sum(1 for h in self.hosts if h.state == state)

    def attention(self) -> list[HostView]:
        """The hosts that are not all Passed, the ones that need attention most first (stable)."""
        return sorted((h for h in self.hosts if h.state in (NOT_CHECKED, FAILED, WARNING)), key=lambda h: h.rank)

    def not_ready(self) -> list[HostView]:
        """Hosts not checked, then hosts with Failed rules (most first)."""
        return [h for h in self.attention() if h.state in (NOT_CHECKED, FAILED)]

    def rules_by_count(self) -> list[RuleCount]:
        """The rules that did not pass somewhere: most Failed hosts first, then most warnings, then catalog order.

        Hosts not checked are left out of the rule counts (their rules were never called): they are
        counted, with their reason, as hosts.
        """
        found = [r for r in self._checked_counts() if r.not_passed]
        return sorted(found, key=lambda r: (-r.failed, -r.warned - r.waived))

    def _checked_counts(self) -> list[RuleCount]:
        """The rule counts without the results of hosts that were not checked."""
        unchecked = {h.index for h in self.hosts if h.state == NOT_CHECKED}
        if not unchecked:
            return self.rules
        out = []
        for count in self.rules:
            kept = RuleCount(count.rule_id, count.info, passed=count.passed)
            for key, (example, seen) in count.messages.items():
                hosts = [h for h in seen if h.index not in unchecked]
                if not hosts:
                    continue
                kept.messages[key] = (example, hosts)
                for host in hosts:
                    result = next(r for r in (*host.failed, *host.warned, *host.waived) if r.RuleId == count.rule_id)
                    if result in host.waived:
                        kept.waived += 1
                    elif result.CheckResult == FAILED:
                        kept.failed += 1
                    else:
                        kept.warned += 1
            out.append(kept)
        return out

    def results(self) -> dict[str, int]:
        """How many results of each CheckResult over the whole fleet (waived ones among the Failed)."""
        totals = {PASSED: 0, WARNING: 0, FAILED: 0, NOT_APPLICABLE: 0}
        for host in self.hosts:
            totals[PASSED] += host.passed
            totals[WARNING] += len(host.warned)
            totals[FAILED] += len(host.failed) + len(host.waived)
            totals[NOT_APPLICABLE] += host.not_applicable
        return totals


def by_profile(reports: Sequence[HostReport]) -> list[tuple[str, list[HostReport]]]:
    """The hosts of each profile present, profiles in the catalog's order, hosts in the run's.

    A fleet summary is made per profile: the same RuleId is another rule in another profile
    (TlsVersionCheck of Update Management is not Update Manager's), so their counts never mix.
    """
    known = [p for p in PROFILES if any(r.profile == p for r in reports)]
    other = sorted({r.profile for r in reports} - set(known))
    return [(p, [r for r in reports if r.profile == p]) for p in (*known, *other)]


def _position(catalog: Mapping[str, RuleInfo], rule_id: str) -> int:
    info = catalog.get(rule_id)
    return info.order if info is not None else 10**6


def _state(view: HostView, entry: HostReport) -> str:
    if not entry.results and not entry.not_applicable:
        return NOT_CHECKED
    if view.cause is not None:
        return NOT_CHECKED
    if view.failed:
        return FAILED
    if view.warned or view.waived:
        return WARNING
    return PASSED if entry.results else NOT_APPLICABLE


def host_reports(document: Mapping[str, Any], catalog: Mapping[str, RuleInfo] | None = None) -> list[HostReport]:
    """The hosts of a troubleshooter JSON report (``--readiness-json``, or a merge) as the collector gives them.

    Compact results (``--readiness-json-compact``) get their rule's name, group and description
    from the catalog (the host's profile's unless ``catalog`` is given), and their message from
    nothing: the compact form has none. A report made before profiles is of the default profile.
    """
    out = []
    for host in document["hosts"]:
        profile = str(host.get("profile") or DEFAULT_PROFILE)
        entry = HostReport(str(host["host"]), host.get("platform"), profile=profile,
                           profile_reason=host.get("profile_reason"))
        rules = catalog if catalog is not None else PROFILE_RULES.get(profile, RULES)
        entry.results = [_result(data, rules) for data in host["results"]]
        entry.not_applicable = [str(r) for r in host.get("not_applicable") or []]
        entry.routes = {str(k): str(v) for k, v in (host.get("routes") or {}).items()}
        out.append(entry)
    return out


def waived_results(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(host, RuleId) of every result the JSON report marks waived."""
    return [(str(h["host"]), str(r.get("RuleId"))) for h in document["hosts"] for r in h["results"] if "Waiver" in r]


def _result(data: Mapping[str, Any], catalog: Mapping[str, RuleInfo]) -> Result:
    rule_id = str(data.get("RuleId"))
    info = catalog.get(rule_id)
    return Result(
        RuleId=rule_id,
        RuleGroupId=str(data.get("RuleGroupId") or (info.group_id if info else "")),
        RuleName=str(data.get("RuleName") or (info.name if info else rule_id)),
        RuleGroupName=str(data.get("RuleGroupName") or (info.group_name if info else "")),
        RuleDescription=str(data.get("RuleDescription") or (info.description if info else "")),
        CheckResult=str(data["CheckResult"]),
        CheckResultMessage=str(data.get("CheckResultMessage") or ""),
        CheckResultMessageId=str(data.get("CheckResultMessageId") or f"{rule_id}.{data['CheckResult']}"),
        # null where the troubleshooter prints null (a variable it never set), a list otherwise
        CheckResultMessageArguments=(None if "CheckResultMessageArguments" in data and data["CheckResultMessageArguments"] is None
                                     else [str(a) for a in data.get("CheckResultMessageArguments") or []]),
    )
