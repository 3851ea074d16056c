"""Troubleshooter result objects: the contract that reports and consumers key on.

>>> r = Result("OperatingSystemCheck", "prerequisites", "Operating System", "Prerequisite Checks",
...            "The Windows Operating system must be version 6.1.7600 (Windows Server 2008 R2) or higher",
...            "Passed", "Operating System version is supported", "OperatingSystemCheck.Passed", [])
>>> list(r.compact())
['RuleId', 'RuleGroupId', 'CheckResult', 'CheckResultMessageId', 'CheckResultMessageArguments']
"""

from __future__ import annotations

import dataclasses
from typing import Any

PASSED = "Passed"
WARNING = "PassedWithWarning"
FAILED = "Failed"
# Declared by the Azure Update Manager troubleshooters for facts only Azure knows (patch mode,
# assessment mode, maintenance configuration): a pass that asks for no action.
INFORMATION = "Information"
CHECK_RESULTS = (PASSED, WARNING, FAILED)


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
    # None where the troubleshooter passes a variable it never set (it prints null, not []).
    CheckResultMessageArguments: list[str] | None

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
            "CheckResultMessageArguments": (None if self.CheckResultMessageArguments is None
                                            else list(self.CheckResultMessageArguments)),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})


@dataclasses.dataclass(frozen=True)
class HostResult:
    """A result together with the host it is about and how the test reached it."""

    rule_id: str
    host: str  # display form, never with a password
    platform: str  # "windows", "linux", ...
    result: Result | None  # None when the rule does not apply to this host (skipped)
    route: str | None = None  # network tests: "direct" or "proxy <server>"
    profile: str = "update-management"  # the readiness profile whose rule this is (readiness.profiles)
    profile_reason: str | None = None  # why ``auto`` chose that profile for the host; None when not auto

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON and execnet carry it): how a result travels from an xdist worker."""
        return {
            "rule_id": self.rule_id,
            "host": self.host,
            "platform": self.platform,
            "route": self.route,
            "result": self.result.full() if self.result else None,
            "profile": self.profile,
            "profile_reason": self.profile_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostResult:
        result = Result.from_dict(data["result"]) if data["result"] else None
        return cls(data["rule_id"], data["host"], data["platform"], result, data.get("route"),
                   data.get("profile") or "update-management", data.get("profile_reason"))
