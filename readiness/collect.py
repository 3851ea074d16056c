"""Gathers every rule's result from the test reports, on the controller, whatever the worker.

Rule tests put their :class:`~readiness.results.HostResult` in ``user_properties``; xdist
carries those back with each report. The collector keeps one result per test (a report of
each phase carries the same properties) and hands reports writers the results per host,
in the order the hosts were given and, per host, in the troubleshooter's rule order.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import pytest

from readiness.catalog import RULES
from readiness.results import FAILED, RESULT_PROPERTY, WARNING, HostResult, Result


@dataclasses.dataclass
class HostReport:
    """One host's results, ready for a report."""

    host: str
    platform: str | None = None
    results: list[Result] = dataclasses.field(default_factory=list)
    routes: dict[str, str] = dataclasses.field(default_factory=dict)  # RuleId -> route
    not_applicable: list[str] = dataclasses.field(default_factory=list)  # RuleIds skipped

    @property
    def worst(self) -> str | None:
        """Failed, PassedWithWarning or Passed: the worst CheckResult, None without results."""
        checks = {r.CheckResult for r in self.results}
        for level in (FAILED, WARNING):
            if level in checks:
                return level
        return "Passed" if checks else None


@functools.lru_cache(maxsize=1024)
def _parse(text: str) -> HostResult:
    return HostResult.from_property(text)


def report_result(report: Any) -> HostResult | None:
    """The readiness result a test report carries; parsed once for all the report writers.

    Each test's call and teardown reports carry the same property, and the collector and the
    HTML report both read it: on 20,000 tests that is 100,000 JSON parses without the cache.
    """
    for name, value in getattr(report, "user_properties", ()):
        if name == RESULT_PROPERTY:
            return _parse(value)
    return None


class ResultCollector:
    """Plugin object: ``pytest_runtest_logreport`` in, :meth:`hosts` out."""

    def __init__(self, hosts: list[str]):
        self._order = list(hosts)
        self._by_test: dict[str, HostResult] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self._by_test:
            return
        found = report_result(report)
        if found is not None:
            self._by_test[report.nodeid] = found

    def hosts(self) -> list[HostReport]:
        reports: dict[str, HostReport] = {host: HostReport(host) for host in self._order}
        for found in self._by_test.values():
            entry = reports.setdefault(found.host, HostReport(found.host))
            entry.platform = found.platform
            if found.result is None:
                entry.not_applicable.append(found.rule_id)
                continue
            entry.results.append(found.result)
            if found.route:
                entry.routes[found.result.RuleId] = found.route
        for entry in reports.values():
            entry.results.sort(key=lambda r: RULES[r.RuleId].order if r.RuleId in RULES else 10**6)
        return list(reports.values())


COLLECTOR_KEY = pytest.StashKey[ResultCollector]()
