"""Valid probe documents for tests: a healthy host, the seed sample's host, and one change at a time.

>>> HostDoc().service("wuauserv", status="Stopped", start=4).facts().service("wuauserv").start
4
"""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from readiness import winhttp
from readiness.endpoints import Endpoints, target
from readiness.facts import Facts, parse_facts
from readiness.probe import HTTPS_URL, IMDS_URL, SCHEMA

WS = "0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60"
WS2 = "5c1d2e3f-0a1b-4c2d-8e3f-4a5b6c7d8e9f"
COLLECTED_AT = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)

NDP_FULL = "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
WU_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"
AU_POLICY = WU_POLICY + "\\AU"
TLS_CLIENT = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
TLS_SERVER = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server"
CONNECTIONS = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
REGISTRY_KEYS = (NDP_FULL, WU_POLICY, AU_POLICY, TLS_CLIENT, TLS_SERVER, CONNECTIONS)

MACHINE_KEYS = "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"
OPS_LOG = "Operations Manager"
SMA_LOG = "Microsoft-SMA/Operational"

SYSTEM_FULL_CONTROL = {"sid": "S-1-5-18", "rights": 0x1F01FF,
                       "type": "Allow", "inherit_only": False}


def _time(hours_ago: float) -> str:
    return (COLLECTED_AT - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def updates_event(ws: str = WS, hours_ago: float = 5, message: bool = True) -> dict[str, Any]:
    """An event 1210 saying the updates solution became active for ``ws``."""
    text = f'New configuration became active. Management group "AOI-{ws}", solutions: changeTracking;updates;'
    return event(1210, "Service Connector", hours_ago, text if message else None,
                 [f"AOI-{ws}", "changeTracking;updates;"])


def worker_event(event_id: int = 15003, hours_ago: float = 2, ws: str = WS, system: bool = True) -> dict[str, Any]:
    """A hybrid worker start (15003) or stop (15004) event; ``system`` False: a user worker's."""
    name = f"grp_{ws}" if system else "my-user-worker"
    return event(event_id, "Microsoft-SMA", hours_ago, None, ["", name, "grp", ws])


def event(event_id: int, source: str, hours_ago: float, message: str | None, properties: list[str] | None = None) -> dict[str, Any]:
    return {"id": event_id, "source": source, "time": _time(hours_ago), "message": message,
            "properties": list(properties or [])}


def _registry_entry(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        raise TypeError("registry values are int, str, list of str or bytes")
    if isinstance(value, int):
        return {"type": "DWord", "value": value}
    if isinstance(value, str):
        return {"type": "String", "value": value}
    if isinstance(value, bytes):
        return {"type": "Binary", "value": base64.b64encode(value).decode("ascii")}
    return {"type": "MultiString", "value": list(value)}


def _answer(outcome: int | str) -> dict[str, Any]:
    """An HTTP answer: a status code, or an error name (``timeout``, ``refused``, ...)."""
    if isinstance(outcome, int):
        return {"status": outcome, "error": None, "route": "direct", "elapsed_ms": 30}
    return {"status": None, "error": outcome, "route": "direct", "elapsed_ms": 5000}


class HostDoc:
    """A probe document, healthy unless told otherwise (every rule Passed, location default)."""

    def __init__(self) -> None:
        registry = {key: {"exists": False, "values": {}} for key in REGISTRY_KEYS}
        self.doc: dict[str, Any] = {
            "schema": SCHEMA,
            "collected_at": COLLECTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "os": {"version": "10.0.20348.0"},
            "powershell": {"version": "5.1.20348.1", "edition": "Desktop"},
            "registry": registry,
            "services": {
                "HealthService": {"exists": True, "status": "Running", "start": 2},
                "wuauserv": {"exists": True, "status": "Running", "start": 3},
            },
            "agent": {"installed": True, "workspaces": [WS]},
            "event_logs": {
                OPS_LOG: {"exists": True, "events": [updates_event()], "truncated": []},
                SMA_LOG: {"exists": True, "events": [worker_event()], "truncated": []},
            },
            "acl": {MACHINE_KEYS: {"exists": True, "entries": [dict(SYSTEM_FULL_CONTROL)]}},
            "network": {
                "winhttp_proxy": None,
                "tls12_offered": True,
                "tcp": [],
                "https": {"url": HTTPS_URL, "proxy": _answer(403), "direct": _answer(403)},
                "imds": {"url": IMDS_URL, "proxy": _answer(200), "direct": _answer(200)},
            },
            "errors": [],
        }
        self.registry(NDP_FULL, Release=533320)
        self.registry(CONNECTIONS, WinHttpSettings=winhttp.encode(None))
        self.endpoints()

    # one fact at a time; each returns self
    def os(self, version: str) -> HostDoc:
        self.doc["os"] = {"version": version}
        return self

    def powershell(self, version: str) -> HostDoc:
        self.doc["powershell"]["version"] = version
        return self

    def registry(self, key: str, **values: Any) -> HostDoc:
        """Set values under ``key`` (None removes one); the key then exists (and is read by the probe)."""
        entry = self.doc["registry"].setdefault(key, {"exists": False, "values": {}})
        entry["exists"] = True
        for name, value in values.items():
            if value is None:
                entry["values"].pop(name, None)
            else:
                entry["values"][name] = _registry_entry(value)
        return self

    def registry_raw(self, key: str, name: str, kind: str, value: Any) -> HostDoc:
        self.registry(key)
        self.doc["registry"][key]["values"][name] = {"type": kind, "value": value}
        return self

    def no_registry_key(self, key: str) -> HostDoc:
        self.doc["registry"][key] = {"exists": False, "values": {}}
        return self

    def service(self, name: str, status: str | None = "Running", start: int | None = 2, exists: bool = True) -> HostDoc:
        if not exists:
            status = start = None
        self.doc["services"][name] = {"exists": exists, "status": status, "start": start}
        return self

    def agent(self, *workspaces: str) -> HostDoc:
        """The workspaces the agent reports; none: the agent is not installed."""
        self.doc["agent"] = {"installed": bool(workspaces), "workspaces": list(workspaces)}
        return self

    def events(self, log: str, *events: dict[str, Any]) -> HostDoc:
        self.doc["event_logs"][log] = {"exists": True, "events": list(events), "truncated": []}
        return self

    def truncated(self, log: str, ids: tuple[int, ...], newest: int) -> HostDoc:
        """Report that the probe's query for ``ids`` found more than ``newest`` events."""
        self.doc["event_logs"][log]["truncated"].append({"ids": list(ids), "newest": newest})
        return self

    def no_log(self, log: str) -> HostDoc:
        self.doc["event_logs"][log] = {"exists": False, "events": [], "truncated": []}
        return self

    def probe_tls12(self, offered: bool) -> HostDoc:
        """Whether the probe's own process could offer TLS 1.2."""
        self.doc["network"]["tls12_offered"] = offered
        return self

    def acl(self, *entries: dict[str, Any]) -> HostDoc:
        self.doc["acl"][MACHINE_KEYS] = {"exists": True, "entries": list(entries)}
        return self

    def no_machine_keys_folder(self) -> HostDoc:
        self.doc["acl"][MACHINE_KEYS] = {"exists": False, "entries": []}
        return self

    def proxy(self, server: str | None, blob: bytes | None = None) -> HostDoc:
        """A WinHTTP proxy (None: direct access), in the registry blob and the probe's routing."""
        self.registry(CONNECTIONS, WinHttpSettings=blob if blob is not None else winhttp.encode(server))
        self.doc["network"]["winhttp_proxy"] = server
        return self

    def endpoints(self, location: str | None = None, failing: tuple[str, ...] = ()) -> HostDoc:
        """TCP results as the probe reports them for ``location``: every target open except
        those whose host is in ``failing`` (those time out)."""
        e = Endpoints.for_location(location)
        targets = [target(e.operations)]
        for ws in self.doc["agent"]["workspaces"]:
            targets += [target(e.registration_for(ws)), target(e.ods_for(ws)), target(e.oms_for(ws))]
        self.doc["network"]["tcp"] = [
            {"target": t, "ok": t.rsplit(":", 1)[0] not in failing, "route": "direct", "elapsed_ms": 20,
             "error": "timeout" if t.rsplit(":", 1)[0] in failing else None}
            for t in targets
        ]
        return self

    def https(self, proxy: int | str, direct: int | str) -> HostDoc:
        self.doc["network"]["https"].update(proxy=_answer(proxy), direct=_answer(direct))
        return self

    def imds(self, proxy: int | str, direct: int | str) -> HostDoc:
        self.doc["network"]["imds"].update(proxy=_answer(proxy), direct=_answer(direct))
        return self

    def routed_through_proxy(self, *tests: str) -> HostDoc:
        """Mark the ``proxy`` request of ``https``/``imds`` as sent through the proxy."""
        for name in tests:
            self.doc["network"][name]["proxy"]["route"] = "proxy"
        return self

    # facts that only the Azure Update Manager profiles' input asks for
    def system_drive(self, drive: str = "C:") -> HostDoc:
        self.doc["os"]["system_drive"] = drive
        return self

    def subkey(self, key: str, name: str, **values: Any) -> HostDoc:
        """A subkey ``name`` of ``key`` with ``values`` (the key is then listed with subkeys)."""
        entry = self.doc["registry"].setdefault(key, {"exists": False, "values": {}})
        entry["exists"] = True
        entry.setdefault("subkeys", {})[name] = {"values": {n: _registry_entry(v) for n, v in values.items()}}
        return self

    def no_subkeys(self, key: str) -> HostDoc:
        """List ``key``'s subkeys as none (the key keeps its values)."""
        self.doc["registry"].setdefault(key, {"exists": False, "values": {}})["subkeys"] = {}
        return self

    def folder(self, asked: str, exists: bool = True, path: str | None = None) -> HostDoc:
        drive = self.doc["os"].get("system_drive", "C:")
        found = path if path is not None else asked.replace("%SystemDrive%", drive)
        self.doc.setdefault("folders", {})[asked] = {"path": found, "exists": exists}
        return self

    def update_services(self, *services: tuple[str, str | None, bool | None]) -> HostDoc:
        """The WUA service manager's services, as (id, name, registered_with_au)."""
        self.doc["windows_update"] = {"services": [
            {"id": i, "name": n, "registered_with_au": r} for i, n, r in services]}
        return self

    def update_services_error(self, hresult: str | None, message: str = "Exception from HRESULT") -> HostDoc:
        text = f"{message}: {hresult}" if hresult else message
        self.doc["windows_update"] = {"error": text, "hresult": hresult}
        return self

    def arc_agent(self, installed: bool = True, **fields: Any) -> HostDoc:
        """The Connected Machine agent; ``fields`` override a healthy, connected one."""
        if not installed:
            self.doc["arc_agent"] = {"installed": False}
            return self
        agent = {"installed": True, "version": "1.45.02800.1", "status": "Connected", "cloud": "AzureCloud",
                 "location": "westeurope", "proxy_url": None, "last_heartbeat": _time(0.05), "config": {}}
        agent.update(fields)
        self.doc["arc_agent"] = agent
        return self

    def tls(self, target: str, ok: bool = True, error: str | None = None, route: str = "direct") -> HostDoc:
        """A TLS handshake test result (replacing one of the same target)."""
        tests = [t for t in self.doc["network"].setdefault("tls", []) if t["target"] != target]
        tests.append({"target": target, "ok": ok, "error": None if ok else (error or "timeout"),
                      "route": route, "elapsed_ms": 40})
        self.doc["network"]["tls"] = tests
        return self

    def tcp(self, target: str, ok: bool = True, error: str | None = None) -> HostDoc:
        """A TCP test result (replacing one of the same target)."""
        tests = [t for t in self.doc["network"]["tcp"] if t["target"] != target]
        tests.append({"target": target, "ok": ok, "error": None if ok else (error or "timeout"),
                      "route": "direct", "elapsed_ms": 20})
        self.doc["network"]["tcp"] = tests
        return self

    def imds_compute(self, compute: dict[str, Any] | None) -> HostDoc:
        self.doc["network"]["imds"]["compute"] = compute
        return self

    def unavailable(self, *path: str, message: str = "Access is denied.") -> HostDoc:
        """Report the fact at ``path`` as not gathered."""
        parent = self.doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = {"error": message}
        self.doc["errors"].append({"fact": ".".join(path), "message": message})
        return self

    def copy(self) -> HostDoc:
        other = HostDoc.__new__(HostDoc)
        other.doc = copy.deepcopy(self.doc)
        return other

    def facts(self) -> Facts:
        return parse_facts(self.doc)


def seed_sample() -> HostDoc:
    """The machine whose troubleshooter output fixtures/seed-sample-output.txt holds."""
    doc = HostDoc().os("10.0.22621.0").powershell("5.1.22621.169")
    # The agent reports a workspace, but no 1210 event names the updates solution.
    doc.events(OPS_LOG, event(1210, "Service Connector", 5, f'New configuration became active. Management group "AOI-{WS}", solutions: changeTracking;'))
    doc.imds("timeout", "timeout")
    return doc
