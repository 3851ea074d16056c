"""Gathers every rule's result from the test reports, on the controller, whatever the worker.

A rule test hands its :class:`~readiness.results.HostResult` to :func:`record`; the collector
puts it on the test's call and teardown reports as the attribute ``readiness_result`` (never
in ``user_properties``, which JUnit XML shows to people) and, under pytest-xdist, turns it into
plain data on the worker and back into a ``HostResult`` on the controller. The collector keeps
one result per test and hands report writers the results per host, in the order the hosts
were given and, per host, in the rule order of the host's profile (its troubleshooter's).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from typing import Any

import pytest

from readiness.catalog import DEFAULT_PROFILE
from readiness.profiles import rule_order
from readiness.results import FAILED, WARNING, HostResult, Result

# The TestReport attribute that carries a rule test's result.
REPORT_ATTRIBUTE = "readiness_result"
_RESULT_KEY = pytest.StashKey[HostResult]()


@dataclasses.dataclass
class HostReport:
    """One host's results, ready for a report."""

    host: str
    platform: str | None = None
    results: list[Result] = dataclasses.field(default_factory=list)
    routes: dict[str, str] = dataclasses.field(default_factory=dict)  # RuleId -> route
    not_applicable: list[str] = dataclasses.field(default_factory=list)  # RuleIds skipped
    profile: str = DEFAULT_PROFILE  # the readiness profile whose rules report the host
    profile_reason: str | None = None  # why ``auto`` chose it; None when the profile was given

    @property
    def worst(self) -> str | None:
        """Failed, PassedWithWarning or Passed: the worst CheckResult, None without results."""
        checks = {r.CheckResult for r in self.results}
        for level in (FAILED, WARNING):
            if level in checks:
                return level
        return "Passed" if checks else None


def record(item: pytest.Item, found: HostResult) -> None:
    """Hand a rule test's result to the collector: its reports from now on carry it."""
    item.stash[_RESULT_KEY] = found


def report_result(report: Any) -> HostResult | None:
    """The readiness result a test report carries, if it is a rule test's report."""
    found = getattr(report, REPORT_ATTRIBUTE, None)
    return found if isinstance(found, HostResult) else None


class ResultCollector:
    """Plugin object: ``pytest_runtest_logreport`` in, :meth:`hosts` out."""

    def __init__(self, hosts: list[str], profiles: dict[str, str] | None = None):
        self._order = list(hosts)
        # Host -> the profile asked for it: what a host without any result reports under.
        self._profiles = profiles if profiles is not None else {}
        self._by_test: dict[str, HostResult] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        found = item.stash.get(_RESULT_KEY, None)
        if found is not None:
            setattr(report, REPORT_ATTRIBUTE, found)
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_report_to_serializable(self, config: pytest.Config, report: Any) -> Generator[None, Any, Any]:
        """xdist, on a worker: the result as plain data, which execnet can carry."""
        data = yield
        found = report_result(report)
        if isinstance(data, dict) and found is not None:
            data[REPORT_ATTRIBUTE] = found.to_dict()
        return data

    @pytest.hookimpl(wrapper=True)
    def pytest_report_from_serializable(self, config: pytest.Config, data: Any) -> Generator[None, Any, Any]:
        """xdist, on the controller: the plain data back into a ``HostResult``."""
        report = yield
        carried = getattr(report, REPORT_ATTRIBUTE, None)
        if isinstance(carried, dict):
            setattr(report, REPORT_ATTRIBUTE, HostResult.from_dict(carried))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self._by_test:
            return
        found = report_result(report)
        if found is not None:
            self._by_test[report.nodeid] = found

    def hosts(self) -> list[HostReport]:
        reports: dict[str, HostReport] = {host: HostReport(host, profile=self._profiles.get(host, DEFAULT_PROFILE))
                                          for host in self._order}
        for found in self._by_test.values():
            entry = reports.setdefault(found.host, HostReport(found.host))
            entry.platform = found.platform
            entry.profile = found.profile
            entry.profile_reason = found.profile_reason
            if found.result is None:
                entry.not_applicable.append(found.rule_id)
                continue
            entry.results.append(found.result)
            if found.route:
                entry.routes[found.result.RuleId] = found.route
        for entry in reports.values():
            entry.results.sort(key=lambda r, profile=entry.profile: rule_order(profile, r.RuleId))  # type: ignore[misc]
            entry.not_applicable.sort(key=lambda rule_id, profile=entry.profile: rule_order(profile, rule_id))  # type: ignore[misc]
        return list(reports.values())


COLLECTOR_KEY = pytest.StashKey[ResultCollector]()
