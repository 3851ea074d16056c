"""Facts: the probe's output, validated against ``probe/schema.json`` and read through accessors.

A fact the probe could not gather carries ``"error"``; reading it raises :class:`FactUnavailable`
instead of returning a default, so a rule never passes on a missing fact.

>>> facts = parse_probe_output(b'{"schema": "readiness-probe/1"}')
Traceback (most recent call last):
...
readiness.facts.ProbeOutputError: probe output schema is 'readiness-probe/1', expected 'readiness-probe/2'
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import json
from datetime import datetime
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from readiness import winhttp
from readiness.acl import AccessEntry
from readiness.outcomes import Inconclusive
from readiness.probe import SCHEMA


class ProbeOutputError(ValueError):
    """The probe's output is not a valid ``readiness-probe/2`` document; the message names where."""


class LanguageModeRefused(ProbeOutputError):
    """The bootstrap found PowerShell outside FullLanguage and did not run the probe.

    >>> parse_facts({"schema": "readiness-probe/2", "language_mode": "ConstrainedLanguage"})
    Traceback (most recent call last):
    ...
    readiness.facts.LanguageModeRefused: PowerShell runs in Constrained Language Mode (ConstrainedLanguage), ...
    """

    def __init__(self, mode: str):
        self.mode = mode
        name = {"ConstrainedLanguage": "Constrained Language Mode", "RestrictedLanguage": "Restricted Language Mode",
                "NoLanguage": "No Language Mode"}.get(mode, "a language mode other than FullLanguage")
        super().__init__(
            f"PowerShell runs in {name} ({mode}), which an application control policy (AppLocker or "
            f"Windows Defender Application Control) enforces on scripts it does not trust; it blocks the "
            f".NET calls the read-only probe reads with, so the probe did not run and no rule can be "
            f"checked: allow the probe in the policy, or check this machine another way")


class FactUnavailable(Inconclusive):
    """A rule read a fact that the probe reported as not gathered: the rule cannot decide."""


# --- validation -----------------------------------------------------------------------------

@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("readiness.probe").joinpath("schema.json").read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "probe output"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(error: ValidationError) -> str:
    path = _path(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"{_path([*error.absolute_path, missing[0]])}: missing"
    if kind == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"{path}: expected {' or '.join(types)}, got {_short(error.instance)}"
    if kind == "enum":
        return f"{path}: expected one of {', '.join(map(str, error.validator_value))}, got {_short(error.instance)}"
    if kind == "const":
        return f"{path}: expected {error.validator_value!r}, got {_short(error.instance)}"
    if kind == "pattern":
        return f"{path}: {_short(error.instance)} is not in the expected form"
    if kind in ("minimum", "maximum"):
        return f"{path}: {_short(error.instance)} is out of range"
    return f"{path}: {error.message}"


def _time(value: str, path: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ProbeOutputError(f"{path}: {value!r} is not a valid time") from None


def parse_facts(document: Any) -> Facts:
    """Validate a decoded probe document and wrap it as :class:`Facts`."""
    if isinstance(document, dict) and document.get("schema") == SCHEMA and "language_mode" in document:
        mode = document["language_mode"]
        if set(document) != {"schema", "language_mode"} or not isinstance(mode, str) or mode == "FullLanguage":
            raise ProbeOutputError(f"language_mode: not a language-mode document: {_short(document)}")
        raise LanguageModeRefused(mode)
    if isinstance(document, dict) and "schema" in document and document["schema"] != SCHEMA:
        raise ProbeOutputError(f"probe output schema is {_short(document['schema'])}, expected {SCHEMA!r}")
    errors = list(_validator().iter_errors(document))
    if errors:
        first = best_match(errors)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise ProbeOutputError(_describe(first) + more)
    _time(document["collected_at"], "collected_at")
    for name, log in document["event_logs"].items():
        for index, event in enumerate(log.get("events", ())):
            _time(event["time"], f"event_logs.{name}.events[{index}].time")
    heartbeat = document.get("arc_agent", {}).get("last_heartbeat")
    if heartbeat:
        _time(heartbeat, "arc_agent.last_heartbeat")
    return Facts(document)


def parse_probe_output(stdout: bytes) -> Facts:
    """The probe's standard output (bytes) to validated facts."""
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProbeOutputError(f"probe output is not UTF-8 at byte {error.start}") from None
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise ProbeOutputError("probe output is empty")
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise ProbeOutputError(f"probe output is not JSON: {text[:60]!r}") from None
    return parse_facts(document)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --- typed views ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Version:
    """A version as the host printed it, and its numeric parts for comparison."""

    text: str
    parts: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> Version:
        return cls(text, tuple(int(p) for p in text.split("-", 1)[0].split(".")))

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class Service:
    name: str
    exists: bool
    status: str | None  # ServiceControllerStatus name
    start: int | None  # DWORD Start: 2 automatic, 3 manual, 4 disabled

    @property
    def running(self) -> bool:
        return self.exists and self.status == "Running"


@dataclasses.dataclass(frozen=True)
class Event:
    id: int
    source: str | None
    time: datetime
    message: str | None
    properties: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class TruncatedQuery:
    """A query of the probe that found more than its ``newest`` events of ``ids``: only the
    newest ``newest`` are in the document."""

    ids: tuple[int, ...]
    newest: int


@dataclasses.dataclass(frozen=True)
class EventLog:
    """A log's gathered events. ``truncated``: the queries that found more than they keep.

    >>> log = EventLog("Operations Manager", True, (), (TruncatedQuery((1210,), 1000),))
    >>> log.require_all(4502, "why")
    >>> log.require_all(1210, "older ones may name another workspace")
    Traceback (most recent call last):
    ...
    readiness.facts.FactUnavailable: event_logs.Operations Manager: more than 1000 events with id 1210: older ones may name another workspace
    """

    name: str
    exists: bool
    events: tuple[Event, ...]
    truncated: tuple[TruncatedQuery, ...] = ()

    def require_all(self, event_id: int, consequence: str) -> None:
        """Raise :class:`FactUnavailable` when the probe kept only the newest events with
        ``event_id`` (``consequence`` says what the missing ones could change)."""
        for query in self.truncated:
            if event_id in query.ids:
                raise FactUnavailable(f"event_logs.{self.name}",
                                      f"more than {query.newest} events with id {event_id}: {consequence}")


@dataclasses.dataclass(frozen=True)
class Acl:
    folder: str
    exists: bool
    entries: tuple[AccessEntry, ...]


@dataclasses.dataclass(frozen=True)
class TcpResult:
    target: str
    ok: bool
    error: str | None  # timeout, refused, dns, other: <text>
    route: str  # "direct" or "proxy <server>"


@dataclasses.dataclass(frozen=True)
class HttpAnswer:
    status: int | None  # HTTP status when an answer came
    error: str | None  # timeout, refused, dns, closed, tls, other: <text>
    route: str


@dataclasses.dataclass(frozen=True)
class HttpTest:
    url: str
    proxy: HttpAnswer  # through the machine's WinHTTP proxy settings
    direct: HttpAnswer  # bypassing them


@dataclasses.dataclass(frozen=True)
class TlsHandshake:
    """A TLS handshake from the host to ``host:port``, through the WinHTTP proxy when one is set."""

    target: str
    ok: bool
    error: str | None  # timeout, refused, dns, proxy, tls, other: <text>
    route: str  # "direct" or "proxy <server>"


@dataclasses.dataclass(frozen=True)
class Folder:
    """A folder the probe looked for: ``path`` as asked (``%SystemDrive%`` unexpanded) and as found."""

    asked: str
    path: str
    exists: bool  # a directory exists there (a file of that name does not count)


@dataclasses.dataclass(frozen=True)
class UpdateService:
    """One service of the Windows Update Agent's ``Microsoft.Update.ServiceManager``."""

    id: str
    name: str | None
    registered_with_au: bool | None  # IUpdateService.IsRegisteredWithAU; None where it could not be read


class WindowsUpdateUnavailable(FactUnavailable):
    """Creating the WUA service manager or enumerating its services failed on the host."""

    def __init__(self, message: str, hresult: str | None):
        super().__init__("windows_update", message)
        self.hresult = hresult


@dataclasses.dataclass(frozen=True)
class ArcAgent:
    """The Azure Connected Machine agent as the host reports it (``installed`` False: absent)."""

    installed: bool
    version: str | None = None
    status: str | None = None  # Connected, Disconnected, Expired
    cloud: str | None = None  # AzureCloud, AzureUSGovernment, AzureChinaCloud
    location: str | None = None
    proxy_url: str | None = None
    last_heartbeat: datetime | None = None
    config: dict[str, Any] = dataclasses.field(default_factory=dict)


def _powershell_true(value: Any) -> bool:
    """PowerShell's truthiness (``LanguagePrimitives.IsTrue``) for what the registry holds."""
    if value is None:
        return False
    if isinstance(value, (tuple, bytes)):
        return len(value) > 1 or (len(value) == 1 and _powershell_true(value[0]))
    if isinstance(value, str):
        return value != ""
    return value != 0


def _unpickle_facts(document: dict[str, Any]) -> Facts:
    facts = Facts.__new__(Facts)
    object.__setattr__(facts, "_doc", document)
    return facts


class Facts:
    """A read-only view of one host's validated probe output (made by :func:`parse_facts`)."""

    __slots__ = ("_doc",)
    _doc: dict[str, Any]

    def __init__(self, document: dict[str, Any]):
        object.__setattr__(self, "_doc", copy.deepcopy(document))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("facts are read-only")

    def document(self) -> dict[str, Any]:
        """A copy of the validated probe document (to save facts and replay them)."""
        return copy.deepcopy(self._doc)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its document (the probe process sends facts to pytest's): unpickled without
        # a second copy, and without __setattr__, which refuses every attribute.
        return (_unpickle_facts, (self._doc,))

    @staticmethod
    def _available(obj: dict[str, Any], path: str) -> dict[str, Any]:
        if "error" in obj:  # the schema allows "error" only on a fact that was not gathered
            raise FactUnavailable(path, obj["error"])
        return obj

    def _fact(self, *keys: str) -> dict[str, Any]:
        obj: Any = self._doc
        for key in keys:
            obj = obj[key]
        return self._available(obj, ".".join(keys))

    @staticmethod
    def _lookup(mapping: dict[str, Any], name: str, what: str) -> tuple[str, Any]:
        for key, value in mapping.items():
            if key.casefold() == name.casefold():
                return key, value
        raise KeyError(f"the probe does not gather {what} {name!r}")

    # host
    @property
    def collected_at(self) -> datetime:
        """When the probe ran, by the host's clock (aware, UTC)."""
        return datetime.fromisoformat(self._doc["collected_at"])

    @property
    def os_version(self) -> tuple[int, ...]:
        """``[Environment]::OSVersion.Version`` as numbers, e.g. ``(10, 0, 22621, 0)``."""
        return Version.parse(self._fact("os")["version"]).parts

    @property
    def powershell_version(self) -> Version:
        return Version.parse(self._fact("powershell")["version"])

    # registry
    def _registry_key(self, key: str) -> dict[str, Any]:
        name, obj = self._lookup(self._doc["registry"], key, "the registry key")
        return self._available(obj, f"registry.{name}")

    def registry_key_exists(self, key: str) -> bool:
        return self._registry_key(key)["exists"]

    @staticmethod
    def _decode(entry: dict[str, Any]) -> Any:
        if entry["type"] == "Binary":
            return base64.b64decode(entry["value"])
        if entry["type"] == "MultiString":
            return tuple(entry["value"])
        return entry["value"]

    def registry_value(self, key: str, name: str) -> Any:
        """The value (int, str, list of str, or bytes for Binary), or None when absent."""
        values = self._registry_key(key)["values"]
        try:
            _, entry = self._lookup(values, name, "the value")
        except KeyError:
            return None
        return self._decode(entry)

    def registry_subkeys(self, key: str) -> dict[str, dict[str, Any]]:
        """The subkeys of ``key`` (name to its values, decoded as :meth:`registry_value` does),
        in the order the host listed them; only the value names asked for the key are read.

        Raises :class:`FactUnavailable` when the probe was not asked to list them.
        """
        obj = self._registry_key(key)
        if "subkeys" not in obj:
            if not obj["exists"]:
                return {}
            raise FactUnavailable(f"registry.{key}", "the probe did not list the subkeys of this key")
        return {name: {value_name: self._decode(entry) for value_name, entry in sub["values"].items()}
                for name, sub in obj["subkeys"].items()}

    def registry_number(self, key: str, name: str) -> int | None:
        """A value as a number, to order it (``Release`` >= 394802).

        DWord and QWord values are numbers; a String holding a decimal integer counts as that
        integer (PowerShell would compare that string with the digits as text, so "9" would
        count as above 394802; a number is what the value means); anything else (absent, text,
        binary) is None. For equality as the troubleshooter tests it, see :meth:`registry_equals`.
        """
        value = self.registry_value(key, name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        return None

    def registry_equals(self, key: str, name: str, number: int) -> bool:
        """Whether a value equals ``number`` as the troubleshooter's ``checkRegValue`` decides it.

        That is PowerShell's ``if ($value -eq number)``: the left side's type decides the
        comparison. A DWord or QWord compares as a number; a String or ExpandString as text
        (``"4" -eq 4`` is true, ``"04" -eq 4`` is not: the number becomes the string "4", and
        PowerShell compares strings ignoring case); a MultiString or Binary value is an array,
        for which ``-eq`` keeps the elements that are equal, and the result is true when that
        kept array is (PowerShell's truthiness: :meth:`registry_is_set`). Absent is false.
        """
        value = self.registry_value(key, name)
        if value is None or isinstance(value, bool):
            return False
        if isinstance(value, int):
            return value == number
        if isinstance(value, str):
            return value.casefold() == str(number)
        if isinstance(value, tuple):
            return _powershell_true(tuple(v for v in value if v.casefold() == str(number)))
        if isinstance(value, bytes):
            return _powershell_true(tuple(b for b in value if b == number))
        return False

    def registry_is_set(self, key: str, name: str) -> bool:
        """Whether a value is true in PowerShell's ``if ($value)``, as the troubleshooter tests it.

        A number is true when it is not 0; a string when it is not empty (``"0"`` is true); an
        array (MultiString, Binary) when it has two elements or more, or one that is itself true
        (``System.Management.Automation.LanguagePrimitives.IsTrue``). Absent is false.
        """
        return _powershell_true(self.registry_value(key, name))

    def gathered(self, fact: str) -> bool:
        """Whether the probe's input asked for a top-level fact that not every run gathers
        (``folders``, ``windows_update``, ``arc_agent``): the document has it, data or error."""
        return fact in self._doc

    def _optional(self, fact: str) -> dict[str, Any]:
        if fact not in self._doc:
            raise FactUnavailable(fact, "the probe did not gather this fact")
        return self._available(self._doc[fact], fact)

    @property
    def system_drive(self) -> str:
        """``%SystemDrive%`` (``C:``), as the host reports it."""
        drive = self._fact("os").get("system_drive")
        if drive is None:
            raise FactUnavailable("os.system_drive", "the probe did not gather this fact")
        return str(drive)

    def folder(self, path: str) -> Folder:
        """The folder the probe looked for at ``path`` (spelled as in the probe's input)."""
        folders = self._optional("folders")
        try:
            key, obj = self._lookup(folders, path, "the folder")
        except KeyError:
            raise FactUnavailable(f"folders[{path}]", "the probe did not look for this folder") from None
        obj = self._available(obj, f"folders.{key}")
        return Folder(key, obj["path"], obj["exists"])

    @property
    def windows_update_services(self) -> tuple[UpdateService, ...]:
        """The services of the WUA ``Microsoft.Update.ServiceManager``, in the order it lists them.

        Raises :class:`WindowsUpdateUnavailable` (with the HRESULT when there was one) when
        creating the object or enumerating ``Services`` failed on the host.
        """
        if "windows_update" not in self._doc:
            raise FactUnavailable("windows_update", "the probe did not gather this fact")
        obj = self._doc["windows_update"]
        if "error" in obj:
            raise WindowsUpdateUnavailable(obj["error"], obj.get("hresult"))
        return tuple(UpdateService(s["id"], s["name"], s["registered_with_au"]) for s in obj["services"])

    @property
    def arc_agent(self) -> ArcAgent:
        """The Azure Connected Machine agent (``installed`` False when it is not installed)."""
        obj = self._optional("arc_agent")
        if not obj["installed"]:
            return ArcAgent(False)
        heartbeat = obj["last_heartbeat"]
        return ArcAgent(True, obj["version"], obj["status"], obj["cloud"], obj["location"], obj["proxy_url"],
                        datetime.fromisoformat(heartbeat) if heartbeat else None, dict(obj["config"]))

    # services, agent, events, ACL
    def service(self, name: str) -> Service:
        key, obj = self._lookup(self._doc["services"], name, "the service")
        obj = self._available(obj, f"services.{key}")
        return Service(key, obj["exists"], obj["status"], obj["start"])

    @property
    def agent_workspaces(self) -> tuple[str, ...]:
        """Workspace ids the monitoring agent reports (empty when it is not installed)."""
        return tuple(self._fact("agent")["workspaces"])

    def event_log(self, name: str) -> EventLog:
        key, obj = self._lookup(self._doc["event_logs"], name, "the event log")
        obj = self._available(obj, f"event_logs.{key}")
        events = tuple(
            Event(e["id"], e["source"], datetime.fromisoformat(e["time"]), e["message"], tuple(e["properties"]))
            for e in obj["events"]
        )
        truncated = tuple(TruncatedQuery(tuple(q["ids"]), q["newest"]) for q in obj["truncated"])
        return EventLog(key, obj["exists"], events, truncated)

    def acl(self, folder: str) -> Acl:
        key, obj = self._lookup(self._doc["acl"], folder, "the ACL of")
        obj = self._available(obj, f"acl.{key}")
        entries = tuple(AccessEntry(e["sid"], e["rights"], e["type"], e["inherit_only"]) for e in obj["entries"])
        return Acl(key, obj["exists"], entries)

    # network
    @property
    def winhttp_proxy(self) -> winhttp.WinHttpProxy:
        """The WinHTTP proxy decoded from the registry value ``WinHttpSettings``.

        Raises :class:`readiness.winhttp.WinHttpSettingsError` when the value is not a
        WinHTTP settings blob.
        """
        key = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
        value = self.registry_value(key, "WinHttpSettings")
        if value is not None and not isinstance(value, bytes):
            raise winhttp.WinHttpSettingsError(f"WinHttpSettings is a {type(value).__name__} value, not binary")
        return winhttp.decode(value)

    def _network(self) -> dict[str, Any]:
        return self._fact("network")

    def _route(self, route: str) -> str:
        server = self._network()["winhttp_proxy"]
        return f"proxy {server}" if route == "proxy" and server else route

    @property
    def tls12_offered(self) -> bool:
        """Whether the probe's own process could offer TLS 1.2 in its HTTPS requests (false on
        PowerShell 2.0 without the .NET 3.5.1 TLS 1.2 update: a ``tls`` error is then the probe's)."""
        return self._network()["tls12_offered"]

    def tcp(self, target: str) -> TcpResult:
        """The TCP test of ``host:port`` (compared case-insensitively)."""
        for entry in self._network()["tcp"]:
            if entry["target"].casefold() == target.casefold():
                return TcpResult(entry["target"], entry["ok"], entry["error"], self._route(entry["route"]))
        raise FactUnavailable(f"network.tcp[{target}]", "the probe did not test this target")

    def tls_handshake(self, target: str) -> TlsHandshake:
        """The TLS handshake test of ``host:port`` (compared case-insensitively)."""
        for entry in self._network().get("tls", ()):
            if entry["target"].casefold() == target.casefold():
                return TlsHandshake(entry["target"], entry["ok"], entry["error"], self._route(entry["route"]))
        raise FactUnavailable(f"network.tls[{target}]", "the probe did not test this target")

    @property
    def imds_compute(self) -> dict[str, Any] | None:
        """The ``compute`` object of the IMDS answer (``vmId``, ``azEnvironment``, ...), or None
        when IMDS did not answer with one."""
        obj = self._available(self._network()["imds"], "network.imds")
        compute = obj.get("compute")
        return dict(compute) if isinstance(compute, dict) else None

    def _http(self, name: str) -> HttpTest:
        obj = self._available(self._network()[name], f"network.{name}")
        answers = {
            way: HttpAnswer(obj[way]["status"], obj[way]["error"], self._route(obj[way]["route"]))
            for way in ("proxy", "direct")
        }
        return HttpTest(obj["url"], answers["proxy"], answers["direct"])

    @property
    def https(self) -> HttpTest:
        return self._http("https")

    @property
    def imds(self) -> HttpTest:
        return self._http("imds")

