"""Which Log Analytics workspace has the updates solution: the troubleshooter's shared input.

W: the workspace ids the monitoring agent reports. E: the ids in events 1210 of the log
``Operations Manager`` that mention ``updates;`` (the 36 characters after ``AOI-``).
V = E ∩ W, compared case-insensitively and spelled as the agent spells them.

>>> determine(["0B7E7E3A-5D4E-4B2A-9A57-1F2C3D4E5F60"],
...           ['Management group "AOI-0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60", solutions: updates;'])
Workspaces(reason=None, valid='0B7E7E3A-5D4E-4B2A-9A57-1F2C3D4E5F60')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from readiness.facts import Facts

NONE = "None"  # no workspace with the updates solution (or no log to tell)
MULTIPLE = "Multiple"  # more than one: the troubleshooter cannot tell which
MULTIPLE_BUT_VALID = "MultipleButValid"  # the agent reports several, one has the updates solution

LOG = "Operations Manager"
EVENT_ID = 1210
SOLUTION_MARK = "updates;"
GROUP_MARK = "AOI-"
ID_LENGTH = 36


@dataclasses.dataclass(frozen=True)
class Workspaces:
    """The outcome: a reason (None when exactly one valid workspace, agent reporting one) and the id."""

    reason: str | None
    valid: str | None


def _event_text(message: str | None, properties: Iterable[str]) -> str:
    # Without the agent's message DLL Windows cannot format the message; the same text is
    # then only in the insertion strings.
    return message if message is not None else " ".join(properties)


def ids_in_events(texts: Iterable[str]) -> list[str]:
    """E: the workspace ids in the texts of 1210 events that name the updates solution."""
    found: list[str] = []
    for text in texts:
        if SOLUTION_MARK not in text or GROUP_MARK not in text:
            continue
        start = text.index(GROUP_MARK) + len(GROUP_MARK)
        candidate = text[start:start + ID_LENGTH]
        if len(candidate) == ID_LENGTH and candidate.casefold() not in (f.casefold() for f in found):
            found.append(candidate)
    return found


def valid_ids(agent_ids: Iterable[str], event_texts: Iterable[str]) -> list[str]:
    """V = E ∩ W, spelled as the agent spells them, each once."""
    events = {i.casefold() for i in ids_in_events(event_texts)}
    valid: list[str] = []
    for ws in agent_ids:
        if ws.casefold() in events and ws.casefold() not in (v.casefold() for v in valid):
            valid.append(ws)
    return valid


def settled(agent_ids: Iterable[str], valid: list[str]) -> bool:
    """Whether more events could not change the outcome: V already holds two ids (Multiple),
    or every id of W."""
    return len(valid) > 1 or len({a.casefold() for a in agent_ids}) == len(valid)


def determine(agent_ids: Iterable[str], event_texts: Iterable[str] | None) -> Workspaces:
    """Decide from W (``agent_ids``) and the texts of the 1210 events (None: the log does not exist)."""
    agent = list(agent_ids)
    if event_texts is None:
        return Workspaces(NONE, None)
    valid = valid_ids(agent, event_texts)
    if len(valid) > 1:
        return Workspaces(MULTIPLE, None)
    if not valid:
        return Workspaces(NONE, None)
    return Workspaces(MULTIPLE_BUT_VALID if len(agent) > 1 else None, valid[0])


def from_facts(facts: Facts) -> Workspaces:
    """The workspace determination for one host.

    Raises :class:`readiness.facts.FactUnavailable` when a fact it needs was not gathered.
    """
    agent = facts.agent_workspaces
    if not agent:  # nothing to intersect with: the answer does not depend on the events
        return Workspaces(NONE, None)
    log = facts.event_log(LOG)
    if not log.exists:
        return determine(agent, None)
    texts = [_event_text(e.message, e.properties) for e in log.events if e.id == EVENT_ID]
    if not settled(agent, valid_ids(agent, texts)):
        # The probe kept only the newest 1210 events; an older one may name another workspace
        # of the agent with the updates solution.
        log.require_all(EVENT_ID, "older ones, which the probe did not read, may name another of the agent's "
                                  "workspaces with the updates solution")
    return determine(agent, texts)
