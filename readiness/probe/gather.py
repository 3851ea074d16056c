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
import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from readiness import catalog

if TYPE_CHECKING:
    from readiness.probe import ProbeInput

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
    # Also list the key's subkeys, each with the same value names (a key's own values are not
    # its subkeys': the .NET check of the Azure Update Manager scripts reads the subkeys).
    subkeys: bool = False


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
    "folders": "Get-ProbeFolder",
    "windows_update": "Get-ProbeWindowsUpdate",
    "arc_agent": "Get-ProbeArcAgent",
}


@dataclasses.dataclass(frozen=True)
class UrlTarget:
    """A TCP target the probe takes from a registry value that holds a URL (the WSUS server of
    ``WUServer``): the value is read on the host and its URL's ``host:port`` tested there, in the
    same round trip. See :func:`url_target` for how a URL becomes a target."""

    key: str
    name: str


# --- what the Azure Update Manager profiles read ---------------------------------------------

NDP_FULL = "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
WU_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"
WU_AU_POLICY = WU_POLICY + "\\AU"
MICROSOFT_UPDATE_ID = "7971f918-a847-4430-9279-4a52d1efe18d"
MU_SERVICE_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Services\\" + MICROSOFT_UPDATE_ID
PATCH_EXTENSION_FOLDER = "%SystemDrive%\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension"
AUM_AU_NAMES = ("UseWUServer", "NoAutoUpdate")
AZURE_VM_SERVICES = ("RdAgent", "WindowsAzureGuestAgent")
ARC_SERVICES = ("himds", "GCArcService", "ExtensionService")
WSUS_TARGET = UrlTarget(WU_POLICY, "WUServer")

# IMDS: the compute subtree only (the body is the compute object itself), at 2018-10-01, the
# first api-version whose compute object carries ``azEnvironment`` (Microsoft's IMDS reference
# lists each compute field with the version that added it; 2018-02-01, which the Update
# Management profile asks, predates it). Every later version answers the same members.
IMDS_COMPUTE_URL = "http://169.254.169.254/metadata/instance/compute?api-version=2018-10-01"
# The members of the compute object the probe reads (string members of the object itself).
IMDS_COMPUTE_MEMBERS = ("vmId", "azEnvironment", "location", "name", "subscriptionId", "resourceGroupName",
                        "osType")

PROFILES = (*catalog.PROFILES, "auto")  # every rule profile, and auto (what detection needs: all of it)


def url_target(url: str) -> str | None:
    """The ``host:port`` a URL's TCP test goes to, as the probe derives it with ``System.Uri``:
    http and https only, the host lower-cased, the scheme's port when none is written; None for
    anything else (no scheme, another scheme, no host, a bad port).

    >>> url_target("http://WSUS.contoso.local:8530"), url_target("https://wsus.contoso.local/x")
    ('wsus.contoso.local:8530', 'wsus.contoso.local:443')
    >>> url_target("wsus.contoso.local:8530") is None, url_target("") is None
    (True, True)
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in ("http", "https") or not host:
        return None
    if port is None:
        port = 80 if scheme == "http" else 443
    if port < 1:
        return None
    try:
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"
    except ValueError:
        pass
    return f"{host}:{port}"


def _with_registry(reads: tuple[RegistryRead, ...], key: str, names: tuple[str, ...],
                   subkeys: bool = False) -> tuple[RegistryRead, ...]:
    """``reads`` with ``names`` added to ``key`` (appended as a new read if the key is not read)."""
    out, found = [], False
    for read in reads:
        if read.key.casefold() == key.casefold():
            found = True
            merged = read.names + tuple(n for n in names if n.casefold() not in {m.casefold() for m in read.names})
            out.append(RegistryRead(read.key, merged, read.subkeys or subkeys))
        else:
            out.append(read)
    if not found:
        out.append(RegistryRead(key, names, subkeys))
    return tuple(out)


def _union(first: tuple[str, ...], *more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + tuple(item for extra in more for item in extra)))


def _aum_network(base: ProbeInput, profile: str, cloud: str | None) -> dict[str, object]:
    from readiness.aum_endpoints import WIRESERVER, WIRESERVER_PORTS, AumEndpoints

    endpoints = AumEndpoints.for_cloud(cloud)
    hosts = (endpoints.login,) if profile == "azure-vm" else endpoints.arc_required
    tcp = endpoints.targets(hosts + endpoints.windows_update)
    if profile == "azure-vm":
        tcp += tuple(f"{WIRESERVER}:{port}" for port in WIRESERVER_PORTS)
    return {"tcp": tcp, "tls": (f"{endpoints.login}:443",), "https": f"https://{endpoints.login}"}


def input_for_profile(base: ProbeInput, profile: str, cloud: str | None = None) -> ProbeInput:
    """What the probe gathers for a host checked with ``profile`` (``cloud``: the Azure cloud of
    the endpoints, None for the public cloud, the scripts' own hosts).

    ``update-management`` is ``base`` itself, unchanged. ``azure-vm`` and ``arc`` add what their
    rules read: the ``Full`` key's subkeys, the Windows Update policy values the suite decides
    on, the Microsoft Update service registration, the agents' services, the patch extension's
    folder, the WUA service manager, the Connected Machine agent, the TCP targets of the
    scripts (each distinct ``host:port`` once, and the WSUS server of ``WUServer``), a TLS
    handshake with the login endpoint, and the IMDS compute object. Their network tests replace
    the Update Management ones (those endpoints mean nothing to Update Manager, and a blocked
    one would only make the host wait). ``auto`` gathers the union: what deciding the profile
    needs and what each profile's rules read, keeping ``base``'s network tests.

    >>> from readiness.probe import ProbeInput
    >>> input_for_profile(ProbeInput(), "update-management") == ProbeInput()
    True
    >>> vm = input_for_profile(ProbeInput(), "azure-vm")
    >>> vm.tcp[0], vm.tcp[-2:], vm.tls
    ('login.microsoftonline.com:443', ('168.63.129.16:80', '168.63.129.16:32526'), ('login.microsoftonline.com:443',))
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown readiness profile {profile!r}: expected one of {', '.join(PROFILES)}")
    if profile == "update-management":
        return base
    registry = _with_registry(base.registry, NDP_FULL, ("Release",), subkeys=True)
    registry = _with_registry(registry, WU_POLICY, ("WUServer",))
    registry = _with_registry(registry, WU_AU_POLICY, (
        "AUOptions", "AlwaysAutoRebootAtScheduledTime", "AlwaysAutoRebootAtScheduledTimeMinutes", *AUM_AU_NAMES))
    registry = _with_registry(registry, MU_SERVICE_KEY, ("RegisteredWithAU",))
    services = {"azure-vm": AZURE_VM_SERVICES, "arc": ARC_SERVICES, "auto": AZURE_VM_SERVICES + ARC_SERVICES}[profile]
    changes: dict[str, object] = {
        "registry": registry,
        "services": _union(base.services, services),
        "folders": _union(base.folders, (PATCH_EXTENSION_FOLDER,)) if profile != "arc" else base.folders,
        "windows_update": True,
        "arc_agent": profile != "azure-vm" or base.arc_agent,
        "imds": IMDS_COMPUTE_URL,
        "imds_compute": _union(base.imds_compute, IMDS_COMPUTE_MEMBERS),
        "tcp_from_registry": tuple(dict.fromkeys(base.tcp_from_registry + (WSUS_TARGET,))),
    }
    if profile == "auto":
        vm, arc = _aum_network(base, "azure-vm", cloud), _aum_network(base, "arc", cloud)
        changes.update(tcp=_union(base.tcp, vm["tcp"], arc["tcp"]), tls=_union(base.tls, vm["tls"]))  # type: ignore[arg-type]
    else:
        network = _aum_network(base, profile, cloud)
        changes.update(network, workspace_tcp=(), tls=_union(base.tls, network["tls"]))  # type: ignore[arg-type]
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
