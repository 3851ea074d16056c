"""What the probe gathers: decided here, in Python, and sent in the probe's input.

The probe script is a generic executor: it reads the registry values, services, event queries
and folders that its input names (CONTRACT.md, ``readiness-probe-input/2``). These defaults
are what the 20 rules read. Event queries are XPath, the query language of the Windows Event
Log service itself, so the probe does not depend on how ``Get-WinEvent -FilterHashtable``
turns a hashtable into a query (it converts ``StartTime`` through the current culture and
looks ``ProviderName`` up in the registered publishers; see CONTRACT.md).

>>> event_xpath((4502,), provider="Health Service Modules", within_ms=25 * 3600 * 1000)
"*[System[Provider[@Name='Health Service Modules'] and (EventID=4502) and TimeCreated[timediff(@SystemTime) <= 90000000]]]"
>>> event_xpath((15003, 15004))
'*[System[(EventID=15003 or EventID=15004)]]'
"""

from __future__ import annotations

import dataclasses

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
OPERATIONS_MANAGER = "Operations Manager"
SMA = "Microsoft-SMA/Operational"
MACHINE_KEYS = "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"
HEALTH_SERVICE_MODULES = "Health Service Modules"

# The 4502 check looks back 25 hours.
RECENT_4502_MS = 25 * 3600 * 1000


@dataclasses.dataclass(frozen=True)
class RegistryRead:
    """One key and the value names read from it (a missing value is simply not reported)."""

    key: str
    names: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class EventQuery:
    """One event query: the newest ``newest`` events of ``log`` that ``xpath`` selects.

    ``ids`` are the event ids the XPath selects; the output names a cut query by them.
    """

    log: str
    ids: tuple[int, ...]
    newest: int
    xpath: str


def _xpath_string(text: str) -> str:
    # XPath 1.0 string literals have no escapes: quote with the quote the text lacks.
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise ValueError(f"an event provider name cannot hold both quote characters: {text!r}")


def event_xpath(ids: tuple[int, ...], provider: str | None = None, within_ms: int | None = None) -> str:
    """The XPath event query for ``ids``, optionally from one provider and within the last
    ``within_ms`` milliseconds (``timediff`` is evaluated by the Event Log service, in UTC)."""
    if not ids or any(not isinstance(i, int) or isinstance(i, bool) or not 0 <= i <= 65535 for i in ids):
        raise ValueError(f"event ids must be 0..65535, got {ids!r}")
    parts = []
    if provider is not None:
        parts.append(f"Provider[@Name={_xpath_string(provider)}]")
    parts.append("(" + " or ".join(f"EventID={i}" for i in ids) + ")")
    if within_ms is not None:
        if not isinstance(within_ms, int) or within_ms <= 0:
            raise ValueError(f"within_ms must be a positive integer, got {within_ms!r}")
        parts.append(f"TimeCreated[timediff(@SystemTime) <= {within_ms}]")
    return "*[System[" + " and ".join(parts) + "]]"


REGISTRY_READS = tuple(RegistryRead(key, names) for key, names in REGISTRY_KEYS.items())
EVENT_QUERIES = (
    EventQuery(OPERATIONS_MANAGER, (1210,), 1000, event_xpath((1210,))),
    # From its provider only, so that 4502 events of other providers cannot push the agent's
    # out of the newest 50.
    EventQuery(OPERATIONS_MANAGER, (4502,), 50,
               event_xpath((4502,), provider=HEALTH_SERVICE_MODULES, within_ms=RECENT_4502_MS)),
    EventQuery(SMA, (15003, 15004), 50, event_xpath((15003, 15004))),
)
ACL_FOLDERS = (MACHINE_KEYS,)

# The probe script's function that gathers each kind of fact (CONTRACT.md). A host on which one
# of them cannot run reports that kind of fact as {"error": ...}.
GATHERERS = {
    "os": "Get-ProbeOs",
    "powershell": "Get-ProbePowerShell",
    "registry": "Get-ProbeRegistryKey",
    "services": "Get-ProbeService",
    "agent": "Get-ProbeAgent",
    "event_logs": "Get-ProbeEventLog",
    "acl": "Get-ProbeAcl",
    "network": "Get-ProbeNetwork",
}
