"""How the probe reaches a host: the bootstrap command line and the input header.

The probe is one PowerShell script (``probe.ps1`` beside this file) sent on standard input,
never on the command line: cmd.exe refuses command lines over 8,191 characters. The command
line carries only a short bootstrap that reads standard input and runs it. See CONTRACT.md.

>>> text = render_input(ProbeInput(tcp=("a.example:443",), https="https://a.example"))
>>> parse_input(text).tcp
('a.example:443',)
>>> parse_input(text).events[1].xpath
"*[System[Provider[@Name='Health Service Modules'] and (EventID=4502) and TimeCreated[timediff(@SystemTime) <= 90000000]]]"
"""

from __future__ import annotations

import base64
import dataclasses
import re
from importlib import resources

from readiness.probe.gather import (
    ACL_FOLDERS,
    EVENT_QUERIES,
    REGISTRY_READS,
    SERVICES,
    EventQuery,
    RegistryRead,
    UrlTarget,
    input_for_profile,
)

__all__ = ["EventQuery", "ProbeInput", "RegistryRead", "UrlTarget", "asks_update_manager", "input_for_profile", "parse_input",
           "render_input"]

SCHEMA = "readiness-probe/2"
INPUT_SCHEMA = "readiness-probe-input/2"
INPUT_END = "# readiness-probe-input-end"

IMDS_URL = "http://169.254.169.254/metadata/instance?api-version=2018-02-01"
HTTPS_URL = "https://eus2-jobruntimedata-prod-su1.azure-automation.net"

# Checks the language mode first, as about_Language_Modes documents it
# ($ExecutionContext.SessionState.LanguageMode; reading a property works in every mode): under
# Constrained Language Mode (an AppLocker or WDAC policy) the probe's .NET calls are blocked, so
# the bootstrap prints a document that says so instead of running it. Otherwise it reads the
# whole of standard input (`$input | Out-String`, from Windows PowerShell 2.0 on) and runs it as
# one script block. chcp is left alone: the probe writes ASCII only.
BOOTSTRAP = (
    "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; "
    "$readinessMode = [string]$ExecutionContext.SessionState.LanguageMode; "
    "if ($readinessMode -ne 'FullLanguage') { "
    f"'{{\"schema\":\"{SCHEMA}\",\"language_mode\":\"' + $readinessMode + '\"}}' "
    "} else { "
    "$readinessProbe = $input | Out-String; "
    "& ([scriptblock]::Create($readinessProbe)) }"
)

POWERSHELL = "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand"


def encode_command(script: str) -> str:
    """Base64 of UTF-16LE, as ``powershell -EncodedCommand`` expects."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def command_line() -> str:
    """The command line that starts the probe (the bootstrap, encoded)."""
    return f"{POWERSHELL} {encode_command(BOOTSTRAP)}"


EXTENSION_BEGIN = "# ==== update-manager: begin"
EXTENSION_END = "# ==== update-manager: end"


def script_text(update_manager: bool = True) -> str:
    """The probe script as it is sent: ``probe.ps1`` beside this module without its comment
    lines (they are for readers of the file; the script travels with every probe).

    ``update_manager`` False leaves out the regions that only gather what the Update Manager
    profiles read (between the ``# ==== update-manager`` marks): an input that asks none of
    those facts never calls them, and the Update Management probe stays as small as it was.
    """
    text = resources.files(__package__).joinpath("probe.ps1").read_text(encoding="ascii")
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith(EXTENSION_BEGIN):
            skipping = not update_manager
        elif line.startswith(EXTENSION_END):
            skipping = False
        elif not skipping and not line.lstrip().startswith("#"):
            kept.append(line)
    return "".join(kept)


def asks_update_manager(probe_input: ProbeInput) -> bool:
    """Whether ``probe_input`` asks a fact that only the Update Manager regions gather."""
    return bool(probe_input.folders or probe_input.windows_update or probe_input.arc_agent or probe_input.tls
                or probe_input.imds_compute or probe_input.tcp_from_registry)


@dataclasses.dataclass(frozen=True)
class ProbeInput:
    """What the probe gathers (defaults: what the 20 rules read) and tests on the network.

    The fields after ``acl`` are asked only by the Azure Update Manager profiles
    (:func:`readiness.probe.gather.input_for_profile`); left at their defaults they are not
    written in the header at all, so the Update Management input stays as it always was.
    """

    tcp: tuple[str, ...] = ()
    workspace_tcp: tuple[str, ...] = ()
    https: str = HTTPS_URL
    imds: str = IMDS_URL
    timeout_ms: int = 5000
    registry: tuple[RegistryRead, ...] = REGISTRY_READS
    services: tuple[str, ...] = SERVICES
    events: tuple[EventQuery, ...] = EVENT_QUERIES
    acl: tuple[str, ...] = ACL_FOLDERS
    folders: tuple[str, ...] = ()  # folders to test, %VAR% expanded on the host; asks os.system_drive
    windows_update: bool = False  # the WUA Microsoft.Update.ServiceManager services
    arc_agent: bool = False  # the Azure Connected Machine agent's state
    tls: tuple[str, ...] = ()  # host:port for a TLS handshake, through the WinHTTP proxy if set
    imds_compute: tuple[str, ...] = ()  # members of the IMDS compute object to read from the answer
    tcp_from_registry: tuple[UrlTarget, ...] = ()  # TCP targets from URL values of the registry


def _ps_literal(value: str) -> str:
    if not isinstance(value, str) or not value.isascii() or "\n" in value or "\r" in value:
        raise ValueError(f"probe input must be one line of ASCII: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def _ps_array(values: tuple) -> str:
    return "@(" + ", ".join(_ps_literal(v) if isinstance(v, str) else str(v) for v in values) + ")"


def _positive(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return value


def _hklm(key: str) -> str:
    if not key.upper().startswith("HKLM\\"):
        raise ValueError(f"the probe reads HKLM only: {key!r}")
    return _ps_literal(key)


def _registry_entry(read: RegistryRead) -> str:
    subkeys = "; subkeys = 1" if read.subkeys else ""
    return f"@{{ key = {_hklm(read.key)}; names = {_ps_array(read.names)}{subkeys} }}"


def _optional_lines(probe_input: ProbeInput) -> list[str]:
    """The header lines of the facts only some profiles ask (none at their defaults)."""
    lines = []
    if probe_input.folders:
        lines.append(f"$ProbeFolders = {_ps_array(probe_input.folders)}")
    if probe_input.windows_update:
        lines.append("$ProbeWindowsUpdate = 1")
    if probe_input.arc_agent:
        lines.append("$ProbeArcAgent = 1")
    if probe_input.tls:
        lines.append(f"$ProbeTls = {_ps_array(probe_input.tls)}")
    if probe_input.imds_compute:
        lines.append(f"$ProbeImdsCompute = {_ps_array(probe_input.imds_compute)}")
    if probe_input.tcp_from_registry:
        lines.append("$ProbeTcpFromRegistry = @(" + ", ".join(
            f"@{{ key = {_hklm(t.key)}; name = {_ps_literal(t.name)} }}" for t in probe_input.tcp_from_registry) + ")")
    return lines


def _event_entry(query: EventQuery) -> str:
    _positive(query.newest, f"newest of the {query.log!r} query")
    if not query.ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in query.ids):
        raise ValueError(f"ids of the {query.log!r} query must be integers, got {query.ids!r}")
    return (f"@{{ log = {_ps_literal(query.log)}; ids = {_ps_array(query.ids)}; newest = {query.newest}; "
            f"xpath = {_ps_literal(query.xpath)} }}")


def render_input(probe_input: ProbeInput) -> str:
    """The header of standard input: PowerShell 2.0 assignments the probe script reads.

    Entries are hashtables inside ``@(...)``, so an array of one is never flattened."""
    _positive(probe_input.timeout_ms, "timeout_ms")
    return "\n".join(
        [
            f"# {INPUT_SCHEMA}",
            "$ProbeRegistry = @(" + ", ".join(_registry_entry(r) for r in probe_input.registry) + ")",
            f"$ProbeServices = {_ps_array(probe_input.services)}",
            "$ProbeEvents = @(" + ", ".join(_event_entry(q) for q in probe_input.events) + ")",
            f"$ProbeAcl = {_ps_array(probe_input.acl)}",
            f"$ProbeTcp = {_ps_array(probe_input.tcp)}",
            f"$ProbeWorkspaceTcp = {_ps_array(probe_input.workspace_tcp)}",
            f"$ProbeHttps = {_ps_literal(probe_input.https)}",
            f"$ProbeImds = {_ps_literal(probe_input.imds)}",
            f"$ProbeTimeoutMs = {probe_input.timeout_ms}",
            *_optional_lines(probe_input),
            INPUT_END,
            "",
        ]
    )


def stdin_text(probe_input: ProbeInput) -> str:
    """All of standard input: the header, then the script."""
    return render_input(probe_input) + script_text(asks_update_manager(probe_input))


class NotAProbe(ValueError):
    """Standard input does not start with the probe's input header."""


_TOKEN = re.compile(r"\s*(?:(@\(|@\{|[(){};,=])|'((?:[^']|'')*)'|(\d+)|([A-Za-z_]\w*))")


def _tokens(text: str, name: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    at = 0
    while at < len(text.rstrip()):
        match = _TOKEN.match(text, at)
        if not match:
            raise NotAProbe(f"${name}: unexpected text {text[at:at + 30]!r}")
        punct, string, number, word = match.groups()
        if punct:
            out.append(("p", punct))
        elif string is not None:
            out.append(("s", string.replace("''", "'")))
        elif number:
            out.append(("n", int(number)))
        else:
            out.append(("w", word))
        at = match.end()
    return out


def _value(tokens: list[tuple[str, object]], name: str) -> object:
    """A PowerShell literal of the header's subset: '..', N, @(a, b), @{ k = v; ... }."""
    if not tokens:
        raise NotAProbe(f"${name}: a value is missing")
    kind, token = tokens.pop(0)
    if kind in ("s", "n"):
        return token
    if token == "@(":
        items: list[object] = []
        while tokens and tokens[0] != ("p", ")"):
            items.append(_value(tokens, name))
            if tokens and tokens[0] == ("p", ","):
                tokens.pop(0)
        if not tokens:
            raise NotAProbe(f"${name}: an array is not closed")
        tokens.pop(0)
        return items
    if token == "@{":
        entries: dict[str, object] = {}
        while tokens and tokens[0] != ("p", "}"):
            key_kind, key = tokens.pop(0)
            if key_kind != "w" or not tokens or tokens.pop(0) != ("p", "="):
                raise NotAProbe(f"${name}: a hashtable entry is not 'key = value'")
            entries[str(key)] = _value(tokens, name)
            if tokens and tokens[0] == ("p", ";"):
                tokens.pop(0)
        if not tokens:
            raise NotAProbe(f"${name}: a hashtable is not closed")
        tokens.pop(0)
        return entries
    raise NotAProbe(f"${name}: unexpected {token!r}")


def _literal(text: str, name: str) -> object:
    tokens = _tokens(text, name)
    value = _value(tokens, name)
    if tokens:
        raise NotAProbe(f"${name}: unexpected text after the value")
    return value


def _strings(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NotAProbe(f"${name} is not an array of string literals")
    return tuple(value)


def _entries(value: object, name: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict[str, object]]:
    if not isinstance(value, list) or not all(
            isinstance(v, dict) and set(keys) <= set(v) <= set(keys + optional) for v in value):
        raise NotAProbe(f"${name} is not an array of hashtables with keys {', '.join(keys)}")
    return value


def _flag(value: object, name: str) -> bool:
    if value not in (0, 1) or isinstance(value, bool):
        raise NotAProbe(f"${name} is not 0 or 1")
    return value == 1


def _number(value: object, name: str) -> int:
    if not isinstance(value, int) or value <= 0:
        raise NotAProbe(f"${name} is not a positive number")
    return value


_HEADER = ("ProbeRegistry", "ProbeServices", "ProbeEvents", "ProbeAcl", "ProbeTcp", "ProbeWorkspaceTcp",
           "ProbeHttps", "ProbeImds", "ProbeTimeoutMs")
_OPTIONAL = ("ProbeFolders", "ProbeWindowsUpdate", "ProbeArcAgent", "ProbeTls", "ProbeImdsCompute",
             "ProbeTcpFromRegistry")
_LINE = re.compile(r"^\$(" + "|".join(_HEADER + _OPTIONAL) + r") = (.*)$")


def parse_input(text: str) -> ProbeInput:
    """Read back the header that :func:`render_input` wrote (the emulator's side)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != f"# {INPUT_SCHEMA}":
        raise NotAProbe("standard input is not the readiness probe")
    raw: dict[str, object] = {}
    for line in lines[1:]:
        if line.strip() == INPUT_END:
            break
        match = _LINE.match(line.strip())
        if not match:
            raise NotAProbe(f"unexpected line in the probe input header: {line[:80]!r}")
        name, value = match.groups()
        if name in raw:
            raise NotAProbe(f"${name} is assigned twice in the probe input header")
        raw[name] = _literal(value, name)
    else:
        raise NotAProbe("the probe input header has no end line")
    missing = set(_HEADER) - raw.keys()
    if missing:
        raise NotAProbe(f"the probe input header lacks {', '.join(sorted(missing))}")
    for name in ("ProbeHttps", "ProbeImds"):
        if not isinstance(raw[name], str):
            raise NotAProbe(f"${name} is not a string literal")
    registry = tuple(RegistryRead(_strings([e["key"]], "ProbeRegistry")[0], _strings(e["names"], "ProbeRegistry"),
                                  _flag(e.get("subkeys", 0), "ProbeRegistry subkeys"))
                     for e in _entries(raw["ProbeRegistry"], "ProbeRegistry", ("key", "names"), ("subkeys",)))
    events = []
    for e in _entries(raw["ProbeEvents"], "ProbeEvents", ("log", "ids", "newest", "xpath")):
        ids = e["ids"]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
            raise NotAProbe("$ProbeEvents: ids is not an array of numbers")
        events.append(EventQuery(_strings([e["log"]], "ProbeEvents")[0], tuple(ids),
                                 _number(e["newest"], "ProbeEvents newest"), _strings([e["xpath"]], "ProbeEvents")[0]))
    return ProbeInput(
        tcp=_strings(raw["ProbeTcp"], "ProbeTcp"),
        workspace_tcp=_strings(raw["ProbeWorkspaceTcp"], "ProbeWorkspaceTcp"),
        https=raw["ProbeHttps"],  # type: ignore[arg-type]
        imds=raw["ProbeImds"],  # type: ignore[arg-type]
        timeout_ms=_number(raw["ProbeTimeoutMs"], "ProbeTimeoutMs"),
        registry=registry,
        services=_strings(raw["ProbeServices"], "ProbeServices"),
        events=tuple(events),
        acl=_strings(raw["ProbeAcl"], "ProbeAcl"),
        folders=_strings(raw.get("ProbeFolders", []), "ProbeFolders"),
        windows_update=_flag(raw.get("ProbeWindowsUpdate", 0), "ProbeWindowsUpdate"),
        arc_agent=_flag(raw.get("ProbeArcAgent", 0), "ProbeArcAgent"),
        tls=_strings(raw.get("ProbeTls", []), "ProbeTls"),
        imds_compute=_strings(raw.get("ProbeImdsCompute", []), "ProbeImdsCompute"),
        tcp_from_registry=tuple(
            UrlTarget(*_strings([e["key"], e["name"]], "ProbeTcpFromRegistry"))
            for e in _entries(raw.get("ProbeTcpFromRegistry", []), "ProbeTcpFromRegistry", ("key", "name"))),
    )
