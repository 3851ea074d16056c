"""What the probe prints on a machine in a given state: the emulator's side of CONTRACT.md.

The one place, besides ``probe.ps1`` itself, that knows the probe's output format. Given a
scenario (``fixtures.scenario.Scenario``), the probe's input and the time of the run, it
builds the JSON document of schema ``readiness-probe/1`` exactly as the real probe would.

>>> from datetime import datetime, timezone
>>> from fixtures.scenario import HOSTS, load_scenario
>>> doc = probe_output(load_scenario(HOSTS / "healthy.yaml"), ProbeInput(), datetime(2026, 11, 26, 12, tzinfo=timezone.utc))
>>> doc["schema"], doc["services"]["wuauserv"]
('readiness-probe/1', {'exists': True, 'status': 'Stopped', 'start': 3})
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from readiness import winhttp
from readiness.probe import SCHEMA, ProbeInput

if TYPE_CHECKING:
    from fixtures.scenario import Answers, Event, Scenario

# What the probe reads, spelled as it writes them.
CONNECTIONS_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
REGISTRY_KEYS: dict[str, tuple[str, ...]] = {
    "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full": ("Release",),
    "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate": ("WUServer",),
    "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU": (
        "AUOptions", "AlwaysAutoRebootAtScheduledTime", "AlwaysAutoRebootAtScheduledTimeMinutes"),
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client": (
        "Enabled", "DisabledByDefault"),
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server": (
        "Enabled", "DisabledByDefault"),
    CONNECTIONS_KEY: ("WinHttpSettings",),
}
SERVICES = ("HealthService", "wuauserv")
START = {"Automatic": 2, "Manual": 3, "Disabled": 4}
OPERATIONS_MANAGER = "Operations Manager"
SMA = "Microsoft-SMA/Operational"
MACHINE_KEYS = "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"



@dataclasses.dataclass(frozen=True)
class EventQuery:
    """One ``Get-WinEvent -FilterHashtable`` query of the probe: these ids, the newest N, only
    within the last ``hours`` (None: any time), only from ``provider`` (None: any)."""

    ids: tuple[int, ...]
    newest: int
    hours: float | None = None
    provider: str | None = None

    def matches(self, event: Event) -> bool:
        return (event.id in self.ids and (self.hours is None or event.hours_ago <= self.hours)
                and (self.provider is None or (event.source or "").casefold() == self.provider.casefold()))


# Which events the probe gathers, log by log, query after query.
EVENT_QUERIES: dict[str, tuple[EventQuery, ...]] = {
    OPERATIONS_MANAGER: (EventQuery((1210,), 1000), EventQuery((4502,), 50, 25.0, "Health Service Modules")),
    SMA: (EventQuery((15003, 15004), 50),),
}

# The probe cuts event messages and insertion strings to this many characters.
TEXT_LIMIT = 2000

# Elapsed time of a network test that got an answer. The emulator answers at once.
ANSWER_MS = 1

_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def iso(moment: datetime) -> str:
    """UTC, ISO 8601, whole seconds, ``Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    return now.astimezone(timezone.utc)


def os_version(version: str) -> str:
    """``[Environment]::OSVersion.Version.ToString()``: four parts, missing ones 0."""
    parts = version.split(".")
    return ".".join(parts + ["0"] * (4 - len(parts)))


def powershell(version: str) -> dict[str, str]:
    major = int(version.split(".")[0])
    return {"version": version, "edition": "Core" if major >= 6 else "Desktop"}


def _registry_value(value: Any) -> dict[str, Any]:
    data = value.value
    if value.kind == "Binary":
        data = base64.b64encode(data).decode("ascii")
    elif value.kind == "MultiString":
        data = list(data)
    return {"type": value.kind, "value": data}


def registry(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The six keys, each with the values the rules read that the machine has."""
    out: dict[str, dict[str, Any]] = {}
    for key, names in REGISTRY_KEYS.items():
        values: dict[str, Any] = {}
        for name in names:
            found = scenario.registry.get(key, name)
            if found is not None:
                values[name] = _registry_value(found)
        exists = key in scenario.registry
        if key == CONNECTIONS_KEY and scenario.network.winhttp_proxy:
            blob = winhttp.encode(scenario.network.winhttp_proxy)
            values["WinHttpSettings"] = {"type": "Binary", "value": base64.b64encode(blob).decode("ascii")}
            exists = True
        out[key] = {"exists": exists, "values": values}
    return out


def services(scenario: Scenario) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in SERVICES:
        service = scenario.service(name)
        if service is None:
            out[name] = {"exists": False, "status": None, "start": None}
        else:
            out[name] = {"exists": True, "status": service.status,
                         "start": START[service.start_type] if service.start_type else None}
    return out


def agent(scenario: Scenario) -> dict[str, Any]:
    if scenario.agent_workspaces is None:
        return {"installed": False, "workspaces": []}
    return {"installed": True, "workspaces": list(scenario.agent_workspaces)}


def _text(value: str | None) -> str | None:
    return None if value is None else value[:TEXT_LIMIT]


def _event(event: Event, now: datetime) -> dict[str, Any]:
    return {"id": event.id, "source": event.source, "time": iso(now - timedelta(hours=event.hours_ago)),
            "message": _text(event.message), "properties": [_text(p) for p in event.properties]}


def gathered_events(log: str, events: tuple[Event, ...]) -> tuple[list[Event], list[EventQuery]]:
    """The events of ``log`` that the probe's queries return (query after query, each newest
    first, as ``Get-WinEvent -FilterHashtable ... -MaxEvents N`` returns them), and the
    queries that found more than their N."""
    newest_first = sorted(events, key=lambda e: e.hours_ago)  # stable: file order among equals
    out: list[Event] = []
    truncated: list[EventQuery] = []
    for query in EVENT_QUERIES[log]:
        found = [e for e in newest_first if query.matches(e)]
        if len(found) > query.newest:
            truncated.append(query)
        out += found[:query.newest]
    return out, truncated


def event_logs(scenario: Scenario, now: datetime) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for log in (OPERATIONS_MANAGER, SMA):
        if log not in scenario.event_logs:
            out[log] = {"exists": False, "events": [], "truncated": []}
        else:
            events, truncated = gathered_events(log, scenario.event_logs[log])
            out[log] = {"exists": True, "events": [_event(e, now) for e in events],
                        "truncated": [{"ids": list(q.ids), "newest": q.newest} for q in truncated]}
    return out


def acl(scenario: Scenario) -> dict[str, dict[str, Any]]:
    entries = scenario.acl.get(MACHINE_KEYS)
    if entries is None:
        return {MACHINE_KEYS: {"exists": False, "entries": []}}
    return {MACHINE_KEYS: {"exists": True, "entries": [
        {"identity": e.identity, "sid": e.sid, "rights": e.rights, "type": e.type,
         "inherit_only": e.inherit_only} for e in entries]}}


def tcp_targets(scenario: Scenario, probe_input: ProbeInput) -> list[str]:
    """Fixed targets, then each template expanded with each GUID workspace the agent reports."""
    if "agent" in scenario.probe_errors:  # the probe has no workspaces to expand
        return list(probe_input.tcp)
    workspaces = [w for w in scenario.agent_workspaces or () if _GUID.fullmatch(w)]
    expanded = [t.replace("{ws}", w) for t in probe_input.workspace_tcp for w in workspaces]
    return list(probe_input.tcp) + expanded


def _tcp(scenario: Scenario, target: str, timeout_ms: int) -> dict[str, Any]:
    state = scenario.network.tcp(target)
    if state == "open":
        return {"target": target, "ok": True, "error": None, "route": "direct", "elapsed_ms": ANSWER_MS}
    if state == "refused":
        return {"target": target, "ok": False, "error": "refused", "route": "direct", "elapsed_ms": ANSWER_MS}
    return {"target": target, "ok": False, "error": "timeout", "route": "direct", "elapsed_ms": timeout_ms}


def _request(answer: int | str, route: str, timeout_ms: int) -> dict[str, Any]:
    if answer == "ok":
        answer = 200
    if isinstance(answer, int):
        return {"status": answer, "error": None, "route": route, "elapsed_ms": ANSWER_MS}
    if answer == "unreachable":
        return {"status": None, "error": "timeout", "route": route, "elapsed_ms": timeout_ms}
    return {"status": None, "error": answer, "route": route, "elapsed_ms": ANSWER_MS}


def _get(url: str, answers: Answers, proxy: str | None, timeout_ms: int) -> dict[str, Any]:
    return {"url": url,
            "proxy": _request(answers.proxy, "proxy" if proxy else "direct", timeout_ms),
            "direct": _request(answers.direct, "direct", timeout_ms)}


def network(scenario: Scenario, probe_input: ProbeInput) -> dict[str, Any]:
    net, timeout = scenario.network, probe_input.timeout_ms
    return {
        "winhttp_proxy": net.winhttp_proxy,
        "tls12_offered": net.probe_tls12,
        "tcp": [_tcp(scenario, t, timeout) for t in tcp_targets(scenario, probe_input)],
        "https": _get(probe_input.https, net.https_answers(probe_input.https), net.winhttp_proxy, timeout),
        "imds": _get(probe_input.imds, net.imds, net.winhttp_proxy, timeout),
    }


def _apply_errors(doc: dict[str, Any], probe_errors: Any) -> None:
    """Each failed fact's object becomes ``{"error": ...}``; ``errors`` lists them in document order."""
    order = list(_fact_order(doc))
    for fact in sorted(probe_errors, key=lambda f: order.index(f) if f in order else len(order)):
        head, _, rest = fact.partition(".")
        if rest:
            doc[head][rest] = {"error": probe_errors[fact]}
        else:
            doc[head] = {"error": probe_errors[fact]}
        doc["errors"].append({"fact": fact, "message": probe_errors[fact]})


def _fact_order(doc: dict[str, Any]):
    for head in ("os", "powershell", "registry", "services", "agent", "event_logs", "acl", "network"):
        if head in ("registry", "services", "event_logs", "acl"):
            yield from (f"{head}.{key}" for key in doc[head])
        else:
            yield head


def probe_output(scenario: Scenario, probe_input: ProbeInput, now: datetime) -> dict[str, Any]:
    """The probe's JSON document (as Python data) for ``scenario`` at ``now``."""
    now = _utc(now)
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "collected_at": iso(now),
        "os": {"version": os_version(scenario.os_version)},
        "powershell": powershell(scenario.powershell_version),
        "registry": registry(scenario),
        "services": services(scenario),
        "agent": agent(scenario),
        "event_logs": event_logs(scenario, now),
        "acl": acl(scenario),
        "network": network(scenario, probe_input),
        "errors": [],
    }
    _apply_errors(doc, scenario.probe_errors)
    return doc


def probe_delay(scenario: Scenario, probe_input: ProbeInput) -> float:
    """Seconds the real probe needs: its network tests run concurrently, so the timeout once
    if any test waits for it, else nothing worth counting."""
    if "network" in scenario.probe_errors:
        return 0.0
    net = network(scenario, probe_input)
    tests = [*net["tcp"], net["https"]["proxy"], net["https"]["direct"], net["imds"]["proxy"], net["imds"]["direct"]]
    return probe_input.timeout_ms / 1000 if any(t["error"] == "timeout" for t in tests) else 0.0


def probe_stdout(scenario: Scenario, probe_input: ProbeInput, now: datetime) -> str:
    """The probe's standard output: one JSON document, ASCII only (``\\uXXXX`` escapes)."""
    return json.dumps(probe_output(scenario, probe_input, now), ensure_ascii=True) + "\r\n"
