"""The rule bodies of the Azure Update Manager profiles (``azure-vm`` and ``arc``), each written once.

``tests_readiness/test_azure_vm.py`` and ``tests_readiness/test_arc.py`` hold one test function
per RuleId; each calls the body here that decides it. The RuleIds, message ids, messages and
arguments are those of Microsoft's two ``WindowsTroubleshooter.ps1`` scripts, byte for byte (the
``null`` arguments of three rules and the WireServer rule's odd ids included). What a rule reads
and how it decides is the suite's own where the scripts read the wrong thing (docs/update-manager-rules.md
says where and why): .NET from ``Full\\Release``, TLS 1.2 from the Windows version and the
registry alone, the proxy from the ``WinHttpSettings`` value instead of localized ``netsh`` text,
HTTPS as a real TLS handshake, WSUS only when Windows Update uses it, and so on.

The ``route`` of a decision is its detail in the reports: the route a network probe took, the
port it tested, and the facts behind a result whose message says less (a stopped service
against an absent one, a folder not yet pushed).

>>> Wsus("http://wsus.contoso.local:8530", True).target()
('wsus.contoso.local', 8530)
>>> Wsus("https://wsus.contoso.local", True).target(), Wsus("wsus01", True).target()
(('wsus.contoso.local', 443), None)
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from readiness.aum_endpoints import WIRESERVER, AumEndpoints
from readiness.facts import FactUnavailable, Service, WindowsUpdateUnavailable
from readiness.schannel import Tls12Settings
from readiness.winhttp import WinHttpSettingsError

if TYPE_CHECKING:
    from readiness.facts import Facts
    from readiness.outcomes import Rule

NETDL = "https://dotnet.microsoft.com/en-us/download/dotnet-framework"
OSREQ = "https://learn.microsoft.com/en-us/azure/update-manager/support-matrix?tabs=azurearc-os%2Cpublic%2Cthird-party-win"
TLSKB = "https://support.microsoft.com/help/4019276/update-to-add-support-for-tls-1-1-and-tls-1-2-in-windows"
TLSREG = "https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12"

NDP_FULL = "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
DOTNET_45_RELEASE = 378389  # .NET Framework 4.5, the scripts' threshold (their text says 4.0)
WU_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"
AU_POLICY = WU_POLICY + "\\AU"
AUTO_DOWNLOAD_AND_INSTALL = 4
WU_SERVICE = "wuauserv"
START_DISABLED = 4
START_TYPES = {0: "Boot", 1: "System", 2: "Automatic", 3: "Manual", 4: "Disabled"}  # the service's Start value
MICROSOFT_UPDATE = "7971f918-a847-4430-9279-4a52d1efe18d"
MU_REGISTRATION = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Services\\" + MICROSOFT_UPDATE
# As the probe is asked for it: the scripts hard-code C:, the suite expands %SystemDrive% on the host.
PATCH_EXTENSION = "%SystemDrive%\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension"

MIN_ARC_OS = (6, 3, 9600)  # Windows Server 2012 R2: the code's bound (the description says 6.1.7601)
# HRESULTs a failing WUA enumeration comes with, and what they mean for the rule.
HRESULT_MEANING = {
    "0x80070422": "the Windows Update service is disabled: see WUServiceRunningCheck",
    "0x80070005": "access denied: some Windows Update Agent calls are refused over a remote (network) logon",
}


def _detail(*parts: str | None) -> str:
    return "; ".join(p for p in parts if p)


def _number(value: Any) -> int | None:
    """A registry value as a number: DWord/QWord, or a String of decimal digits (``Release``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _registry_value(facts: Facts, key: str, name: str) -> Any:
    """A value of a key that only these profiles' probe input asks for; a key the probe did not
    read is a fact it could not give (``ProbeError``), never an absent value."""
    try:
        return facts.registry_value(key, name)
    except KeyError:
        raise FactUnavailable(f"registry.{key}", "the probe did not read this key") from None


def _service(facts: Facts, name: str) -> Service:
    try:
        return facts.service(name)
    except KeyError:
        raise FactUnavailable(f"services.{name}", "the probe did not read this service") from None


# --- prerequisites ------------------------------------------------------------------------------

def os_supported(facts: Facts, rule: Rule) -> NoReturn:
    """Windows 6.3.9600 (Server 2012 R2) or later, as the Arc script's code requires."""
    if facts.os_version >= MIN_ARC_OS:
        rule.passed("Operating System version is supported.")
    rule.failed(f"Operating System version is not supported. Supported versions listed here: {OSREQ}.", [OSREQ])


def dotnet_framework(facts: Facts, rule: Rule) -> NoReturn:
    """.NET Framework 4.5 or later: ``Full\\Release`` (Microsoft's documented value), else the
    highest ``Release`` of ``Full``'s language subkeys (the only place the scripts look)."""
    release = facts.registry_number(NDP_FULL, "Release")
    source = "Full\\Release"
    if release is None:
        subkeys = {name: _number(values.get("Release")) for name, values in facts.registry_subkeys(NDP_FULL).items()}
        numbered = {name: number for name, number in subkeys.items() if number is not None}
        if numbered:
            source = max(numbered, key=lambda name: numbered[name])
            release = numbered[source]
            source = f"Full\\{source}\\Release"
    found = f"{source} {release}" if release is not None else "no Release under Full or its subkeys"
    if release is not None and release >= DOTNET_45_RELEASE:
        rule.passed(".NET Framework version 4.0+ is found", route=found)
    rule.failed(f".NET Framework version 4.0 or higher is required: {NETDL}.", [NETDL], route=found)


def tls_version(facts: Facts, rule: Rule) -> NoReturn:
    """TLS 1.2 for SCHANNEL clients and servers, from the Windows version and the registry alone
    (the scripts also fail it whenever their first rule did not pass)."""
    os_version = facts.os_version
    if (6, 0, 6001) <= os_version < (6, 1):
        # Windows Server 2008 SP2: TLS 1.2 comes with an update (KB4019276), then the registry.
        rule.failed(f"Enable TLS 1.2 on your operating system. Follow the instructions to enable it: {TLSKB}.")
    if (6, 1, 7601) <= os_version <= (6, 1, 8400):
        if Tls12Settings.of(facts).switched_on:
            rule.passed("TLS 1.2 is enabled on the Operating System")
        rule.failed(f"Enable TLS 1.2 on your operating system. Follow the instructions to enable it: {TLSREG}.",
                    reason="NotExplicitlyEnabled")
    if os_version >= (6, 2, 9200):
        if Tls12Settings.of(facts).switched_off:
            rule.failed("TLS 1.2 is available on the Operating System, but currently disabled. "
                        f"Follow the instructions to re-enable: {TLSREG}.", reason="ExplicitlyDisabled")
        rule.passed("TLS 1.2 is enabled on the Operating System.", reason="EnabledByDefault")
    rule.failed("Your OS does not support TLS 1.2.", reason="NoDefaultSupport")


def https_connection(facts: Facts, rule: Rule) -> NoReturn:
    """A TLS handshake from the host with the Entra ID login host on 443, through the WinHTTP
    proxy when one is set (the scripts open a TCP connection and call it an HTTPS request)."""
    login = AumEndpoints.for_cloud(rule.settings.cloud).login
    handshake = facts.tls_handshake(f"{login}:443")
    if handshake.ok:
        rule.passed("Machine is able to make https requests.", [login],
                    route=_detail(handshake.route, "TLS handshake completed"))
    if handshake.error == "tls" and not facts.tls12_offered:
        # The probe's own runtime could not offer TLS 1.2: the failure says nothing of the machine.
        rule.inconclusive(f"network.tls[{login}:443]", "the probe's .NET runtime could not offer TLS 1.2: "
                          "the handshake is inconclusive")
    rule.failed("Machine is not able to make https requests.", [login],
                route=_detail(handshake.route, f"TLS handshake failed: {handshake.error}"))


def proxy_settings(facts: Facts, rule: Rule, *, arc: bool) -> NoReturn:
    """Whether a proxy is set: the WinHTTP proxy decoded from ``WinHttpSettings`` (not English
    ``netsh`` text) and, on an Arc server, the Connected Machine agent's own proxy too."""
    try:
        winhttp = facts.winhttp_proxy.proxy
        unreadable = None
    except WinHttpSettingsError as error:
        winhttp, unreadable = None, error
    agent = facts.arc_agent.proxy_url if arc and (winhttp is None) else None
    if winhttp is not None or agent is not None:
        found = _detail(f"WinHTTP proxy {winhttp}" if winhttp else None, f"agent proxy {agent}" if agent else None,
                        f"WinHttpSettings unreadable: {unreadable}" if unreadable else None)
        if arc:
            rule.warned("Proxy is set.", route=found)
        rule.warned("Proxy is set. Ensure all required endpoints are reachable.", route=found)
    if unreadable is not None:
        # Unreadable settings are not "no proxy".
        rule.inconclusive("registry.WinHttpSettings", f"the WinHTTP proxy settings cannot be read: {unreadable}")
    rule.passed("Proxy is not set.", route="WinHTTP direct access" + ("; no agent proxy" if arc else ""))


# --- agents and extensions ----------------------------------------------------------------------

def service_running(facts: Facts, rule: Rule, name: str) -> NoReturn:
    """The service ``name`` exists and is Running; the detail tells an absent service from a stopped one."""
    service = _service(facts, name)
    if service.running:
        rule.passed(f"{name} is running.", route=f"status {service.status}")
    found = f"status {service.status}" if service.exists else "the service is not installed"
    rule.failed(f"{name} is not running.", route=found)


def wire_server(facts: Facts, rule: Rule) -> NoReturn:
    """TCP connections to the WireServer's ports 80 and 32526. The ids are the script's, built by
    appending strings: one says Passed on a Failed result; only ``CheckResult`` tells the outcome."""
    port80, port32526 = facts.tcp(f"{WIRESERVER}:80"), facts.tcp(f"{WIRESERVER}:32526")
    found = _detail(port80.route, *(f"port {p}: {t.error}" for p, t in ((80, port80), (32526, port32526)) if not t.ok),
                    "port 443 (used by the VM extensions) is not tested")
    if port80.ok and port32526.ok:
        rule.passed("Connection to port 80 succeeded.\nConnection to port 32526 succeeded.", route=found)
    if port32526.ok:
        rule.failed("Connection to port 80 failed.\nConnection to port 32526 succeeded.",
                    reason="Port80Failed", route=found)
    if port80.ok:
        rule.failed("Connection to port 80 succeeded.\nConnection to port 32526 failed.",
                    message_id="WireServerConnectivityCheck.Passed.Port32526Failed", route=found)
    rule.failed("Connection to port 80 failed.\nConnection to port 32526 failed.",
                message_id="WireServerConnectivityCheck.Failed.Port80Failed.Port80FailedPort32526Failed", route=found)


def patch_extension(facts: Facts, rule: Rule) -> NoReturn:
    """The folder of the Windows Patch extension on ``%SystemDrive%`` (a file of that name does not count)."""
    folder = facts.folder(PATCH_EXTENSION)
    if folder.exists:
        rule.passed("Windows Patch extension is installed on the machine.", route=folder.path)
    rule.failed("Windows Patch extension is not installed on the machine.",
                route=f"{folder.path} not found: Update Manager pushes the extension at the machine's first "
                "assessment or update installation, so a VM it has not operated on yet has none (not yet pushed)")


# --- connectivity -------------------------------------------------------------------------------

def _endpoint_list(facts: Facts, rule: Rule, hosts: Sequence[str], port: int, note: str) -> NoReturn:
    """The scripts' endpoint-list template: each host tested in order (a repeated host is reported
    again, as the scripts print it; the probe tests each distinct host:port once)."""
    tests = [(host, facts.tcp(f"{host}:{port}")) for host in hosts]
    failed = [host for host, test in tests if not test.ok]
    routes = sorted({test.route for _, test in tests})
    errors = dict.fromkeys(f"{host}: {test.error}" for host, test in tests if not test.ok)
    found = _detail(f"TCP to port {port}", ", ".join(routes), note, *errors)
    if not failed:
        rule.passed("All endpoints are reachable.", route=found)
    rule.failed(f"Failed to reach the following endpoints: {', '.join(failed)}", failed, route=found)


def arc_required_endpoints(facts: Facts, rule: Rule) -> NoReturn:
    """The Arc agent's required endpoints of the run's cloud, by TCP to port 443."""
    _endpoint_list(facts, rule, AumEndpoints.for_cloud(rule.settings.cloud).arc_required, 443, "")


@dataclasses.dataclass(frozen=True)
class Wsus:
    """What the WSUS policy says: ``server`` the ``WUServer`` value as text (None: not set),
    ``in_effect`` whether Windows Update uses it (``UseWUServer`` 1 and a server named)."""

    server: str | None
    in_effect: bool

    @classmethod
    def of(cls, facts: Facts) -> Wsus:
        value = facts.registry_value(WU_POLICY, "WUServer")
        # As PowerShell interpolates it: a MultiString's strings joined by spaces.
        server = None if value is None else (" ".join(value) if isinstance(value, tuple) else str(value))
        in_effect = bool(server and server.strip()) and facts.registry_equals(AU_POLICY, "UseWUServer", 1)
        return cls(server, in_effect)

    def target(self) -> tuple[str, int] | None:
        """(host, port) of the ``WUServer`` URL as ``System.Uri`` reads it (the probe tests the same
        ``host:port``): the host lower-cased, the scheme's port when it names none; None when it is
        not an http(s) URL with a host and a port from 1 up."""
        try:
            url = urllib.parse.urlsplit((self.server or "").strip())
            port = url.port
        except ValueError:
            return None
        if url.scheme.lower() not in ("http", "https") or not url.hostname or (port is not None and port < 1):
            return None
        host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
        return host, port or (443 if url.scheme.lower() == "https" else 80)


def wsus_configured(facts: Facts, rule: Rule) -> NoReturn:
    """Whether updates come from a WSUS server: only when ``UseWUServer`` is 1 and ``WUServer``
    names one (Windows Update ignores ``WUServer`` otherwise, the script does not)."""
    wsus = Wsus.of(facts)
    if wsus.in_effect:
        rule.warned(f"Windows Updates are downloading from a configured WSUS Server {wsus.server}.", [wsus.server],
                    route="UseWUServer 1")
    ignored = None
    if wsus.server is not None:
        ignored = (f"WUServer {wsus.server!r} is set but ignored by Windows Update: "
                   + ("it is empty" if not wsus.server.strip() else "UseWUServer is not 1"))
    rule.passed("Windows Updates are downloading from the default Windows Update location.", None, route=ignored)


def wu_endpoints(facts: Facts, rule: Rule) -> NoReturn:
    """The Windows Update hosts by TCP to port 443, when the machine uses Windows Update; the
    WSUS server's host and port instead when WSUS is in effect (a result the scripts never give)."""
    wsus = Wsus.of(facts)
    if not wsus.in_effect:  # WSUSServerConfiguredCheck Passed
        _endpoint_list(facts, rule, AumEndpoints.for_cloud(rule.settings.cloud).windows_update, 443,
                       "Microsoft lists some of these hosts for http (port 80), which is not tested")
    target = wsus.target()
    if target is None:
        pytest.skip(f"not applicable: WSUSServerConfiguredCheck is PassedWithWarning and WUServer {wsus.server!r} "
                    "is not an http(s) URL naming a host, so there is no endpoint to test")
    host, port = target
    _endpoint_list(facts, rule, [host], port, f"WSUS in effect: the WUServer {wsus.server} instead of the Windows "
                   "Update hosts (a result the troubleshooter does not give)")


# --- machine update settings --------------------------------------------------------------------

def auto_reboot(facts: Facts, rule: Rule) -> NoReturn:
    """No policy that reboots at the scheduled time whatever the update configuration says."""
    if (facts.registry_equals(AU_POLICY, "AlwaysAutoRebootAtScheduledTime", 1)
            or facts.registry_is_set(AU_POLICY, "AlwaysAutoRebootAtScheduledTimeMinutes")):
        rule.warned("Windows Update reboot registry keys are set to automatic reboot and this can cause "
                    "unexpected reboots on your machine when installing updates.", None)
    rule.passed("Windows Update reboot registry keys are not set to automatic reboot.", None)


def automatic_update(facts: Facts, rule: Rule) -> NoReturn:
    """Automatic Updates download and install on their own: ``AUOptions`` 4, unless ``NoAutoUpdate``
    1 turns Automatic Updates off (as Update Manager's own patch modes set it)."""
    auto = facts.registry_equals(AU_POLICY, "AUOptions", AUTO_DOWNLOAD_AND_INSTALL)
    off = facts.registry_equals(AU_POLICY, "NoAutoUpdate", 1)
    if auto and not off:
        rule.warned("Windows Update will automatically download and install new updates as they become available.",
                    None)
    rule.passed("Windows Update is not set to automatically install updates as they become available.", None,
                route="AUOptions 4 but NoAutoUpdate 1: Automatic Updates is off" if auto else None)


def wu_service(facts: Facts, rule: Rule) -> NoReturn:
    """The Windows Update service exists and is not disabled (its ``Start`` value is not 4);
    "running" in the message is the script's word: a stopped, enabled service passes."""
    service = _service(facts, WU_SERVICE)
    if not service.exists:
        rule.failed("Windows Update service (wuauserv) does not exist on the machine.", reason="ServiceNotFound")
    if service.start is None:
        rule.inconclusive(f"services.{WU_SERVICE}.start", "the service has no Start value")
    if service.start == START_DISABLED:
        rule.failed("Windows Update service (wuauserv) is disabled. Please set it to automatic or manual. "
                    "You can run 'sc config wuauserv start= demand' to set it to manual.", route="start type Disabled")
    start = START_TYPES.get(service.start, f"Start {service.start}")
    rule.passed("Windows Update service (wuauserv) is running.", route=f"start type {start}, status {service.status}")


def _mu_registry(facts: Facts) -> bool | None:
    """``RegisteredWithAU`` = 1 under the Microsoft Update service's key; None when unreadable."""
    try:
        value = _registry_value(facts, MU_REGISTRATION, "RegisteredWithAU")
    except FactUnavailable:
        return None
    return _number(value) == 1


def microsoft_update(facts: Facts, rule: Rule) -> NoReturn:
    """Microsoft Update among the Windows Update Agent's services, and registered with Automatic
    Updates: ``IsRegisteredWithAU`` of the service object, else the registry value the script reads."""
    try:
        services = facts.windows_update_services
    except WindowsUpdateUnavailable as error:
        hresult = error.hresult or "no HRESULT"
        meaning = HRESULT_MEANING.get((error.hresult or "").lower())
        rule.inconclusive("windows_update", f"creating Microsoft.Update.ServiceManager or enumerating its services "
                          f"failed with {hresult}" + (f" ({meaning})" if meaning else "") + f": {error.message}")
    service = next((s for s in services if s.id.casefold() == MICROSOFT_UPDATE), None)
    if service is None:
        rule.warned("Microsoft Update is disabled. Please enable Microsoft Update to receive updates for Microsoft "
                    "Products.", route="Microsoft Update is not among the Windows Update Agent's services")
    registry = _mu_registry(facts)
    if service.registered_with_au is None and registry is None:
        rule.inconclusive("windows_update", "neither IsRegisteredWithAU nor the registry value RegisteredWithAU "
                          "could be read")
    registered = service.registered_with_au if service.registered_with_au is not None else bool(registry)
    if service.registered_with_au is None:
        found = f"registry RegisteredWithAU {'1' if registry else 'not 1'} (IsRegisteredWithAU unreadable)"
    elif registry is None or registry == registered:
        found = f"IsRegisteredWithAU {registered}"
    else:
        found = (f"IsRegisteredWithAU {registered}, but the registry value RegisteredWithAU "
                 f"{'is 1' if registry else 'is not 1'}: they disagree, the service object decides")
    if registered:
        rule.passed("Microsoft Update is registered with Windows Update and enabled.", route=found)
    rule.warned("Microsoft Update is registered with Windows Update but disabled. Please enable Microsoft Update to "
                "receive updates for Microsoft Products.", reason="MURegisteredButDisabled", route=found)
