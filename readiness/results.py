"""Troubleshooter result objects: the contract that reports and consumers key on.

>>> r = Result("OperatingSystemCheck", "prerequisites", "Operating System", "Prerequisite Checks",
...            "The Windows Operating system must be version 6.1.7600 (Windows Server 2008 R2) or higher",
...            "Passed", "Operating System version is supported", "OperatingSystemCheck.Passed", [])
>>> list(r.compact())
['RuleId', 'RuleGroupId', 'CheckResult', 'CheckResultMessageId', 'CheckResultMessageArguments']
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

PASSED = "Passed"
WARNING = "PassedWithWarning"
FAILED = "Failed"
CHECK_RESULTS = (PASSED, WARNING, FAILED)

# Name of the report property that carries one host's result (see ``result_from_report``).
RESULT_PROPERTY = "readiness_result"


@dataclasses.dataclass(frozen=True)
class Result:
    """One rule's result for one host, field for field as the troubleshooter prints it."""

    RuleId: str
    RuleGroupId: str
    RuleName: str
    RuleGroupName: str
    RuleDescription: str
    CheckResult: str
    CheckResultMessage: str
    CheckResultMessageId: str
    CheckResultMessageArguments: list[str]

    def full(self) -> dict[str, Any]:
        """The full result object, keys in the troubleshooter's order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def compact(self) -> dict[str, Any]:
        """The compact result object (``-returnCompactFormat``)."""
        return {
            "RuleId": self.RuleId,
            "RuleGroupId": self.RuleGroupId,
            "CheckResult": self.CheckResult,
            "CheckResultMessageId": self.CheckResultMessageId,
            "CheckResultMessageArguments": list(self.CheckResultMessageArguments),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Result":
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})


@dataclasses.dataclass(frozen=True)
class HostResult:
    """A result together with the host it is about and how the test reached it."""

    rule_id: str
    host: str  # display form, never with a password
    platform: str  # "windows", "linux", ...
    result: Result | None  # None when the rule does not apply to this host (skipped)
    route: str | None = None  # network tests: "direct" or "proxy <server>"

    def to_property(self) -> str:
        return json.dumps(
            {
                "rule_id": self.rule_id,
                "host": self.host,
                "platform": self.platform,
                "route": self.route,
                "result": self.result.full() if self.result else None,
            }
        )

    @classmethod
    def from_property(cls, text: str) -> "HostResult":
        data = json.loads(text)
        result = Result.from_dict(data["result"]) if data["result"] else None
        return cls(data["rule_id"], data["host"], data["platform"], result, data.get("route"))


def result_from_report(report: Any) -> HostResult | None:
    """The readiness result that a test report carries, if it is a rule's report.

    Rule tests record it in ``user_properties`` so that it travels from xdist workers to the
    controller with the report, and into JUnit XML.
    """
    for name, value in getattr(report, "user_properties", ()):
        if name == RESULT_PROPERTY:
            return HostResult.from_property(value)
    return None
