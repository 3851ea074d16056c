"""Outcome helpers: how a rule test decides, and what its decision carries.

A rule test ends in exactly one decision. Each helper raises :class:`Decision`, which the
plugin turns into a pytest outcome (pass, xfail, fail) and a troubleshooter result; a rule
that cannot decide says so with :meth:`Rule.inconclusive`:

>>> from readiness.catalog import rule
>>> r = Rule(rule("AutomaticUpdateCheck"))
>>> try:
...     r.warned("Windows Update will automatically download and install new updates as they become available")
... except Decision as d:
...     d.result.CheckResultMessageId
'AutomaticUpdateCheck.PassedWithWarning'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from readiness.catalog import RuleInfo
from readiness.printable import printable
from readiness.results import FAILED, INFORMATION, PASSED, WARNING, Result


class Decision(Exception):
    """A rule's decision; raised by the outcome helpers, caught by the plugin."""

    def __init__(self, result: Result, route: str | None = None):
        super().__init__(result.CheckResultMessageId)
        self.result = result
        self.route = route


def outcome_line(result: Result) -> str:
    """The line pytest prints for a decision (fail, xfail): message id and message, controls escaped.

    >>> outcome_line(Result("R", "g", "n", "gn", "d", "Failed", "bad\\n::error::x", "R.Failed", []))
    'R.Failed: bad\\\\n::error::x'
    """
    return printable(f"{result.CheckResultMessageId}: {result.CheckResultMessage}")


class Inconclusive(LookupError):
    """A rule cannot decide: a fact it needs was not gathered, or says nothing of the host.

    Raised by :meth:`Rule.inconclusive` (and, as :class:`readiness.facts.FactUnavailable`, by
    the facts a rule reads); the plugin reports it as ``<RuleId>.Failed.ProbeError``, "Could not
    check <host>: <path>: <message>", which blames neither the host nor the suite.

    >>> str(Inconclusive("services.wuauserv.start", "the service has no Start value"))
    'services.wuauserv.start: the service has no Start value'
    """

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class NoDecision(RuntimeError):
    """The rule test returned without calling an outcome helper: a bug in the rule."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Options of the run that rules read."""

    location: str | None = None  # --automation-account-location
    cloud: str | None = None  # --azure-cloud


class Rule:
    """What a rule test gets as its ``rule`` fixture: identity, settings, outcome helpers."""

    def __init__(self, info: RuleInfo, settings: Settings | None = None):
        self.info = info
        self.settings = settings or Settings()

    def _decide(
        self,
        check_result: str,
        message: str,
        args: Sequence[Any] | None,
        reason: str | None,
        description: str | None,
        route: str | None,
        message_id: str | None = None,
    ) -> NoReturn:
        if message_id is None:
            message_id = f"{self.info.rule_id}.{check_result}" + (f".{reason}" if reason else "")
        elif reason is not None:
            raise ValueError("a decision takes a reason or a whole message id, not both")
        result = Result(
            RuleId=self.info.rule_id,
            RuleGroupId=self.info.group_id,
            RuleName=self.info.name,
            RuleGroupName=self.info.group_name,
            RuleDescription=self.info.description if description is None else description,
            CheckResult=check_result,
            CheckResultMessage=message,
            CheckResultMessageId=message_id,
            CheckResultMessageArguments=None if args is None else [str(a) for a in args],
        )
        raise Decision(result, route)

    def passed(self, message: str, args: Sequence[Any] | None = (), *, reason: str | None = None,
               description: str | None = None, route: str | None = None) -> NoReturn:
        self._decide(PASSED, message, args, reason, description, route)

    def warned(self, message: str, args: Sequence[Any] | None = (), *, reason: str | None = None,
               description: str | None = None, route: str | None = None) -> NoReturn:
        self._decide(WARNING, message, args, reason, description, route)

    def failed(self, message: str, args: Sequence[Any] | None = (), *, reason: str | None = None,
               description: str | None = None, route: str | None = None,
               message_id: str | None = None) -> NoReturn:
        """Failed. ``message_id`` replaces ``<RuleId>.Failed[.<reason>]`` whole, for a rule whose
        troubleshooter builds its ids another way (WireServerConnectivityCheck)."""
        self._decide(FAILED, message, args, reason, description, route, message_id)

    def informed(self, message: str, args: Sequence[Any] | None = (), *, reason: str | None = None,
                 description: str | None = None, route: str | None = None) -> NoReturn:
        """Information: a fact reported as it is, asking for no action (a pass in pytest)."""
        self._decide(INFORMATION, message, args, reason, description, route)

    def inconclusive(self, path: str, message: str) -> NoReturn:
        """No decision can be made: the fact at ``path`` (e.g. ``network.https``) does not say, and why.

        >>> from readiness.catalog import rule
        >>> try:
        ...     Rule(rule("HttpsConnection")).inconclusive("network.https", "TLS 1.2 not offered")
        ... except Inconclusive as why:
        ...     why.path
        'network.https'
        """
        raise Inconclusive(path, message)


def evaluate(test: Callable[..., Any], **fixtures: Any) -> Decision:
    """Run a rule test function with the given fixtures and return its decision.

    Used by the plugin and by the project's tests, which call rule tests with facts they build.
    """
    try:
        test(**fixtures)
    except Decision as decision:
        return decision
    raise NoDecision(f"{test.__name__} returned without a decision")
