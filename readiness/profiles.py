"""Readiness profiles: which troubleshooter's rules a host is checked against, and how ``auto`` decides.

A profile is a rule set of :data:`readiness.catalog.PROFILE_RULES`: ``update-management`` (the
Update Management troubleshooter, the default), ``azure-vm`` and ``arc`` (the Azure Update
Manager troubleshooters). ``auto`` is not a rule set: it picks one of the three per host, from
what the host's probe shows (:func:`detect`), and says why.

>>> check_profile("arc", "--readiness-profile")
'arc'
>>> check_profile("azure", "host 'winrm://admin@127.0.0.5': option profile")
Traceback (most recent call last):
...
ValueError: host 'winrm://admin@127.0.0.5': option profile: unknown profile 'azure' (use one of: update-management, azure-vm, arc, auto)
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from readiness import catalog
from readiness.aum_endpoints import CLOUDS  # noqa: F401  (--azure-cloud's choices, as the endpoints know them)

if TYPE_CHECKING:
    from readiness.facts import Facts
    from readiness.probe import ProbeInput

AUTO = "auto"
DEFAULT = catalog.DEFAULT_PROFILE
CHOICES = (*catalog.PROFILES, AUTO)

GUEST_AGENT_SERVICES = ("WindowsAzureGuestAgent", "RdAgent")
ARC_SERVICE = "himds"


# The skip reason of a rule of another profile than the one ``auto`` chose for its host: the
# reports leave such a rule out entirely (it is not the host's, not even "not applicable").
OTHER_PROFILE = "other profile:"


def check_profile(name: str, where: str) -> str:
    """``name`` if it is a profile (or ``auto``); else a ValueError that names ``where`` it was given."""
    if name not in CHOICES:
        raise ValueError(f"{where}: unknown profile {name!r} (use one of: {', '.join(CHOICES)})")
    return name


def rule_order(profile: str, rule_id: str) -> int:
    """Where a RuleId stands in a profile's report; unknown ids after every known one."""
    info = catalog.PROFILE_RULES.get(profile, {}).get(rule_id)
    return info.order if info is not None else 10**6


@dataclasses.dataclass(frozen=True)
class Detection:
    """The profile ``auto`` chose for a host, and the reason, in one sentence the reports show."""

    profile: str
    reason: str


def _service(facts: Facts, name: str) -> bool | None:
    """Whether a service exists; None when the probe did not ask (or could not read it)."""
    from readiness.facts import FactUnavailable

    try:
        return facts.service(name).exists
    except (KeyError, FactUnavailable):
        return None


def _arc_agent(facts: Facts) -> bool | None:
    from readiness.facts import FactUnavailable

    try:
        return facts.arc_agent.installed
    except FactUnavailable:
        return None


def _imds_compute(facts: Facts) -> dict[str, Any] | bool | None:
    """IMDS's compute object; None when IMDS gave none; False when the probe did not ask."""
    from readiness.facts import FactUnavailable

    try:
        return facts.imds_compute
    except (KeyError, FactUnavailable):
        return False


def detect(facts: Facts) -> Detection:
    """The profile of a host from its facts: Azure VM, Arc-enabled server, or neither.

    Evidence of an Azure VM: the IMDS answer has a ``compute`` object (only Azure serves it at
    169.254.169.254), or a service of the Azure VM guest agent (``WindowsAzureGuestAgent``,
    ``RdAgent``) exists. Evidence of Arc: the Connected Machine agent is installed, or its
    ``himds`` service exists. One kind alone decides. Both: an IMDS answer wins (``azure-vm``),
    because Microsoft's Arc prerequisites say not to install the Connected Machine agent on an
    Azure VM except to simulate an on-premises machine for testing, and Update Manager manages
    an Azure VM as an Azure resource, through its guest agent; without an IMDS answer
    the guest agent is a leftover (an image or a machine moved out of Azure) and the Connected
    Machine agent decides (``arc``). Neither: ``update-management``.
    """
    compute = _imds_compute(facts)
    services = {name: _service(facts, name) for name in (*GUEST_AGENT_SERVICES, ARC_SERVICE)}
    agent = _arc_agent(facts)
    guest = [name for name in GUEST_AGENT_SERVICES if services[name]]
    arc = [what for what, present in (("the Connected Machine agent is installed", agent),
                                      (f"the {ARC_SERVICE} service exists", services[ARC_SERVICE])) if present]
    azure = ([f"IMDS answers with compute metadata (vmId {compute.get('vmId') or '?'})"]
             if isinstance(compute, dict) else [])
    azure += [f"the {name} service exists" for name in guest]
    if azure and arc:
        if isinstance(compute, dict):
            return Detection("azure-vm", _join(azure) + "; " + _join(arc)
                             + ": an Azure VM (Microsoft supports the Connected Machine agent on an Azure VM "
                               "only for testing; Update Manager manages the VM through its guest agent)")
        return Detection("arc", _join(arc) + "; " + _join(azure)
                         + " but IMDS gives no compute metadata: not an Azure VM (a guest agent left from an "
                           "Azure image), an Arc-enabled server")
    if azure:
        return Detection("azure-vm", _join(azure) + ": an Azure VM")
    if arc:
        return Detection("arc", _join(arc) + ": an Arc-enabled server")
    unread = [what for what, known in (("IMDS", compute is not False), ("the Connected Machine agent", agent is not None),
                                       *((f"the {n} service", services[n] is not None)
                                         for n in (*GUEST_AGENT_SERVICES, ARC_SERVICE)))
              if not known]
    reason = ("neither the Azure VM guest agent nor IMDS compute metadata nor the Connected Machine agent "
              "was found: the Update Management rules")
    if unread:
        reason += f" (not gathered: {', '.join(unread)})"
    return Detection(DEFAULT, reason)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def undecided(why: str) -> Detection:
    """An ``auto`` host whose facts say nothing (not reached, not Windows): the default profile's rules."""
    return Detection(DEFAULT, f"{why}: the profile could not be detected, the {DEFAULT} rules report it")


def input_for_profile(base: ProbeInput, profile: str, cloud: str | None = None) -> ProbeInput:
    """What the probe of a host of ``profile`` gathers (``auto``: what detection and every profile need)."""
    from readiness.probe import gather

    return gather.input_for_profile(base, profile, cloud)
