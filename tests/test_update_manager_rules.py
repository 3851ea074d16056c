"""Every branch of every rule of the azure-vm and arc profiles, decided from facts built here.

Each case names its branch, the profiles it runs under, a change to a healthy host of the
profile, and the result it must give: every field of the troubleshooter's result (RuleId, the
catalog's identity, CheckResult, message id, message and arguments, ``null`` ones included),
and for the cases the reports must explain, a piece of the detail (the decision's route).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable

import pytest

from readiness import catalog, winhttp
from readiness.aum_endpoints import WIRESERVER, AumEndpoints
from readiness.outcomes import Decision, Inconclusive, Rule, Settings, evaluate
from readiness.plugin import _failed
from readiness.probe_pool import PROBE_ERROR
from readiness.update_manager import MICROSOFT_UPDATE, MU_REGISTRATION, PATCH_EXTENSION
from tests.facts_builder import AU_POLICY, CONNECTIONS, NDP_FULL, TLS_CLIENT, TLS_SERVER, WU_POLICY, HostDoc

AZURE, ARC = "azure-vm", "arc"
BOTH = (AZURE, ARC)
MODULES = {AZURE: "tests_readiness.test_azure_vm", ARC: "tests_readiness.test_arc"}
PASSED, WARNED, FAILED = "Passed", "PassedWithWarning", "Failed"

NETDL = "https://dotnet.microsoft.com/en-us/download/dotnet-framework"
OSREQ = "https://learn.microsoft.com/en-us/azure/update-manager/support-matrix?tabs=azurearc-os%2Cpublic%2Cthird-party-win"
TLSKB = "https://support.microsoft.com/help/4019276/update-to-add-support-for-tls-1-1-and-tls-1-2-in-windows"
TLSREG = "https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12"
WINDOWS_UPDATE_ID = "9482f4b4-e343-43b6-b170-9a65bc822c77"
PROXY = "proxy.contoso.local:8080"
AGENT_PROXY = "http://arcproxy.contoso.local:3128"
WSUS = "http://wsus.contoso.local:8530"
LOGIN = "login.microsoftonline.com"
DL = "dl.delivery.mp.microsoft.com"
SERVICES = ("RdAgent", "WindowsAzureGuestAgent", "himds", "GCArcService", "ExtensionService")
MU_DISABLED = "Microsoft Update is disabled. Please enable Microsoft Update to receive updates for Microsoft Products."
MU_BUT_DISABLED = ("Microsoft Update is registered with Windows Update but disabled. Please enable Microsoft Update "
                   "to receive updates for Microsoft Products.")
WU_DISABLED = ("Windows Update service (wuauserv) is disabled. Please set it to automatic or manual. You can run "
               "'sc config wuauserv start= demand' to set it to manual.")


def healthy(profile: str, cloud: str | None = None) -> HostDoc:
    """A host of ``profile`` on which every rule passes, with every fact the profile's probe input asks for."""
    doc = HostDoc().system_drive("C:").subkey(NDP_FULL, "1033", Release=533320).folder(PATCH_EXTENSION)
    doc.update_services((WINDOWS_UPDATE_ID, "Windows Update", False), (MICROSOFT_UPDATE, "Microsoft Update", True))
    doc.registry(MU_REGISTRATION, RegisteredWithAU=1)
    for name in SERVICES:
        doc.service(name)
    doc.arc_agent() if profile == ARC else doc.arc_agent(installed=False)
    endpoints = AumEndpoints.for_cloud(cloud)
    doc.tls(f"{endpoints.login}:443")
    for target in (*endpoints.targets(endpoints.arc_required), *endpoints.targets(endpoints.windows_update),
                   f"{WIRESERVER}:80", f"{WIRESERVER}:32526"):
        doc.tcp(target)
    return doc


def decide(profile: str, rule_id: str, doc: HostDoc, cloud: str | None = None) -> Decision:
    """The decision of the profile's rule test on ``doc``; a rule that cannot decide gives the
    plugin's ``<RuleId>.Failed.ProbeError``, as in a run."""
    rule = Rule(catalog.rule(rule_id, profile), Settings(cloud=cloud))
    test = getattr(importlib.import_module(MODULES[profile]), f"test_{rule_id}")
    try:
        return evaluate(test, facts=doc.facts(), rule=rule)
    except Inconclusive as exc:
        return _failed(rule, PROBE_ERROR, f"Could not check host-1: {exc}")


@dataclasses.dataclass(frozen=True)
class Case:
    rule_id: str
    branch: str
    change: Callable[[HostDoc], object]
    check: str
    message_id: str
    message: str
    args: list[str] | None = dataclasses.field(default_factory=list)
    profiles: tuple[str, ...] = BOTH
    cloud: str | None = None
    detail: str | None = None  # a piece of the decision's route


def same(doc: HostDoc) -> HostDoc:
    return doc


def probe_error(rule_id: str, branch: str, change: Callable[[HostDoc], object], fact: str,
                profiles: tuple[str, ...] = BOTH) -> Case:
    """The fact at ``fact`` could not be read: ProbeError, its message naming the fact."""
    return Case(rule_id, branch, change, FAILED, f"{rule_id}.Failed.ProbeError", f"Could not check host-1: {fact}",
                profiles=profiles)


def tls_registry(client: dict, server: dict) -> Callable[[HostDoc], object]:
    return lambda d: d.registry(TLS_CLIENT, **client).registry(TLS_SERVER, **server)


def service_cases(rule_id: str, name: str, profile: str) -> list[Case]:
    only = (profile,)
    return [
        Case(rule_id, "running", same, PASSED, f"{rule_id}.Passed", f"{name} is running.", profiles=only,
             detail="status Running"),
        Case(rule_id, "stopped", lambda d: d.service(name, "Stopped", 3), FAILED, f"{rule_id}.Failed",
             f"{name} is not running.", profiles=only, detail="status Stopped"),
        Case(rule_id, "start pending", lambda d: d.service(name, "StartPending", 2), FAILED, f"{rule_id}.Failed",
             f"{name} is not running.", profiles=only, detail="status StartPending"),
        Case(rule_id, "absent", lambda d: d.service(name, exists=False), FAILED, f"{rule_id}.Failed",
             f"{name} is not running.", profiles=only, detail="the service is not installed"),
        probe_error(rule_id, "unreadable", lambda d: d.unavailable("services", name), f"services.{name}", only),
        probe_error(rule_id, "not read by the probe", lambda d: d.doc["services"].pop(name), f"services.{name}", only),
    ]


def wire(port80: bool, port32526: bool) -> Callable[[HostDoc], object]:
    return lambda d: d.tcp(f"{WIRESERVER}:80", port80).tcp(f"{WIRESERVER}:32526", port32526, error="refused")


def wu_failing(*hosts: str) -> Callable[[HostDoc], object]:
    def change(d: HostDoc) -> None:
        for host in hosts:
            d.tcp(f"{host}:443", ok=False, error="timeout")
    return change


def wsus(server: object, use: object = 1) -> Callable[[HostDoc], object]:
    return lambda d: d.registry(WU_POLICY, WUServer=server).registry(AU_POLICY, UseWUServer=use)


def mu(registered: bool | None, registry: int | None) -> Callable[[HostDoc], object]:
    return lambda d: d.update_services((MICROSOFT_UPDATE, "Microsoft Update", registered)).registry(
        MU_REGISTRATION, RegisteredWithAU=registry)


DOTNET_OK, DOTNET_LOW = ".NET Framework version 4.0+ is found", f".NET Framework version 4.0 or higher is required: {NETDL}."
TLS_ENABLE = f"Enable TLS 1.2 on your operating system. Follow the instructions to enable it: {TLSREG}."
TLS_DISABLED = ("TLS 1.2 is available on the Operating System, but currently disabled. "
                f"Follow the instructions to re-enable: {TLSREG}.")
EXPLICIT = tls_registry({"DisabledByDefault": 0, "Enabled": 1}, {"DisabledByDefault": 0, "Enabled": 1})

CASES: list[Case] = [
    # 1. OSSupportedCheck (arc): the code's bound, 6.3.9600.
    Case("OSSupportedCheck", "2022", same, PASSED, "OSSupportedCheck.Passed", "Operating System version is supported.",
         profiles=(ARC,)),
    Case("OSSupportedCheck", "2012 R2 exactly", lambda d: d.os("6.3.9600.0"), PASSED, "OSSupportedCheck.Passed",
         "Operating System version is supported.", profiles=(ARC,)),
    Case("OSSupportedCheck", "2012", lambda d: d.os("6.2.9200.0"), FAILED, "OSSupportedCheck.Failed",
         f"Operating System version is not supported. Supported versions listed here: {OSREQ}.", [OSREQ], (ARC,)),
    Case("OSSupportedCheck", "2008 R2 SP1, the description's bound", lambda d: d.os("6.1.7601.0"), FAILED,
         "OSSupportedCheck.Failed", f"Operating System version is not supported. Supported versions listed here: {OSREQ}.",
         [OSREQ], (ARC,)),
    probe_error("OSSupportedCheck", "os unreadable", lambda d: d.unavailable("os"), "os", (ARC,)),

    # 2. DotNetFrameworkInstalledCheck: Full\Release, else the highest subkey Release; 378389.
    Case("DotNetFrameworkInstalledCheck", "Full Release 4.8", same, PASSED, "DotNetFrameworkInstalledCheck.Passed",
         DOTNET_OK, detail="Full\\Release 533320"),
    Case("DotNetFrameworkInstalledCheck", "Full Release 4.5 exactly", lambda d: d.registry(NDP_FULL, Release=378389),
         PASSED, "DotNetFrameworkInstalledCheck.Passed", DOTNET_OK),
    Case("DotNetFrameworkInstalledCheck", "Full Release as text", lambda d: d.registry(NDP_FULL, Release="528449"),
         PASSED, "DotNetFrameworkInstalledCheck.Passed", DOTNET_OK),
    Case("DotNetFrameworkInstalledCheck", "Full Release below 4.5 (a subkey's higher one is not read)",
         lambda d: d.registry(NDP_FULL, Release=378388), FAILED, "DotNetFrameworkInstalledCheck.Failed", DOTNET_LOW,
         [NETDL], detail="Full\\Release 378388"),
    Case("DotNetFrameworkInstalledCheck", "subkeys only, as the script reads",
         lambda d: d.registry(NDP_FULL, Release=None), PASSED, "DotNetFrameworkInstalledCheck.Passed", DOTNET_OK,
         detail="Full\\1033\\Release 533320"),
    Case("DotNetFrameworkInstalledCheck", "the highest subkey decides",
         lambda d: d.registry(NDP_FULL, Release=None).subkey(NDP_FULL, "1041", Release=378000)
         .subkey(NDP_FULL, "1031", Release=394802), PASSED, "DotNetFrameworkInstalledCheck.Passed", DOTNET_OK,
         detail="Full\\1033\\Release 533320"),
    Case("DotNetFrameworkInstalledCheck", "every subkey below 4.5",
         lambda d: d.registry(NDP_FULL, Release=None).subkey(NDP_FULL, "1033", Release=378388), FAILED,
         "DotNetFrameworkInstalledCheck.Failed", DOTNET_LOW, [NETDL]),
    Case("DotNetFrameworkInstalledCheck", "subkeys without Release",
         lambda d: d.registry(NDP_FULL, Release=None).subkey(NDP_FULL, "1033", Version="4.8.04084"), FAILED,
         "DotNetFrameworkInstalledCheck.Failed", DOTNET_LOW, [NETDL], detail="no Release under Full or its subkeys"),
    Case("DotNetFrameworkInstalledCheck", "no subkeys, no Release",
         lambda d: d.no_registry_key(NDP_FULL).registry(NDP_FULL).no_subkeys(NDP_FULL), FAILED,
         "DotNetFrameworkInstalledCheck.Failed", DOTNET_LOW, [NETDL]),
    Case("DotNetFrameworkInstalledCheck", "no v4 key", lambda d: d.no_registry_key(NDP_FULL), FAILED,
         "DotNetFrameworkInstalledCheck.Failed", DOTNET_LOW, [NETDL]),
    probe_error("DotNetFrameworkInstalledCheck", "no Release and subkeys not listed",
                lambda d: d.no_registry_key(NDP_FULL).registry(NDP_FULL, Version="4.8"), f"registry.{NDP_FULL}"),
    probe_error("DotNetFrameworkInstalledCheck", "key unreadable", lambda d: d.unavailable("registry", NDP_FULL),
                f"registry.{NDP_FULL}"),

    # 3. TlsVersionCheck: branches b-d from the OS and the registry; the TLSKB remedy on 6.0.x only.
    Case("TlsVersionCheck", "2008 SP2 (KB4019276)", lambda d: d.os("6.0.6002.0"), FAILED, "TlsVersionCheck.Failed",
         f"Enable TLS 1.2 on your operating system. Follow the instructions to enable it: {TLSKB}."),
    Case("TlsVersionCheck", "2008 RTM 6.0.6001", lambda d: d.os("6.0.6001.0"), FAILED, "TlsVersionCheck.Failed",
         f"Enable TLS 1.2 on your operating system. Follow the instructions to enable it: {TLSKB}."),
    Case("TlsVersionCheck", "Vista RTM 6.0.6000", lambda d: d.os("6.0.6000.0"), FAILED,
         "TlsVersionCheck.Failed.NoDefaultSupport", "Your OS does not support TLS 1.2."),
    Case("TlsVersionCheck", "2008 R2 RTM 6.1.7600", lambda d: d.os("6.1.7600.0"), FAILED,
         "TlsVersionCheck.Failed.NoDefaultSupport", "Your OS does not support TLS 1.2."),
    Case("TlsVersionCheck", "past 6.1.8400", lambda d: d.os("6.1.8400.1"), FAILED,
         "TlsVersionCheck.Failed.NoDefaultSupport", "Your OS does not support TLS 1.2."),
    Case("TlsVersionCheck", "2008 R2 SP1 explicitly enabled", lambda d: EXPLICIT(d.os("6.1.7601.0")), PASSED,
         "TlsVersionCheck.Passed", "TLS 1.2 is enabled on the Operating System"),
    Case("TlsVersionCheck", "2008 R2 SP1 one side Enabled 0",
         lambda d: tls_registry({"DisabledByDefault": 0, "Enabled": 0}, {"DisabledByDefault": 0})(d.os("6.1.7601.0")),
         PASSED, "TlsVersionCheck.Passed", "TLS 1.2 is enabled on the Operating System"),
    Case("TlsVersionCheck", "2008 R2 SP1 both sides Enabled 0",
         lambda d: tls_registry({"DisabledByDefault": 0, "Enabled": 0},
                                {"DisabledByDefault": 0, "Enabled": 0})(d.os("6.1.7601.0")),
         FAILED, "TlsVersionCheck.Failed.NotExplicitlyEnabled", TLS_ENABLE),
    Case("TlsVersionCheck", "2008 R2 SP1 nothing set", lambda d: d.os("6.1.7601.0"), FAILED,
         "TlsVersionCheck.Failed.NotExplicitlyEnabled", TLS_ENABLE),
    Case("TlsVersionCheck", "2008 R2 SP1 Server DisabledByDefault absent",
         lambda d: tls_registry({"DisabledByDefault": 0}, {"Enabled": 1})(d.os("6.1.7601.0")), FAILED,
         "TlsVersionCheck.Failed.NotExplicitlyEnabled", TLS_ENABLE),
    Case("TlsVersionCheck", "2012", lambda d: d.os("6.2.9200.0"), PASSED, "TlsVersionCheck.Passed.EnabledByDefault",
         "TLS 1.2 is enabled on the Operating System."),
    Case("TlsVersionCheck", "2022 explicitly enabled", EXPLICIT, PASSED, "TlsVersionCheck.Passed.EnabledByDefault",
         "TLS 1.2 is enabled on the Operating System."),
    Case("TlsVersionCheck", "Client DisabledByDefault 1", tls_registry({"DisabledByDefault": 1}, {}), FAILED,
         "TlsVersionCheck.Failed.ExplicitlyDisabled", TLS_DISABLED),
    Case("TlsVersionCheck", "Server Enabled 0", tls_registry({}, {"Enabled": 0}), FAILED,
         "TlsVersionCheck.Failed.ExplicitlyDisabled", TLS_DISABLED),
    Case("TlsVersionCheck", "Client Enabled '0' as text", tls_registry({"Enabled": "0"}, {}), FAILED,
         "TlsVersionCheck.Failed.ExplicitlyDisabled", TLS_DISABLED),
    # Not gated on the first rule: a failed .NET (azure-vm) or OS (arc) check leaves TLS to its own facts.
    Case("TlsVersionCheck", "a failed .NET check does not fail it", lambda d: d.no_registry_key(NDP_FULL), PASSED,
         "TlsVersionCheck.Passed.EnabledByDefault", "TLS 1.2 is enabled on the Operating System.", profiles=(AZURE,)),
    Case("TlsVersionCheck", "2008 R2 SP1 below the Arc OS bound still reaches branch b",
         lambda d: EXPLICIT(d.os("6.1.7601.0")), PASSED, "TlsVersionCheck.Passed",
         "TLS 1.2 is enabled on the Operating System", profiles=(ARC,)),
    probe_error("TlsVersionCheck", "Client key unreadable", lambda d: d.unavailable("registry", TLS_CLIENT),
                f"registry.{TLS_CLIENT}"),

    # 4. HttpsConnectionCheck: a real TLS handshake, through the proxy when one is set.
    Case("HttpsConnectionCheck", "handshake direct", same, PASSED, "HttpsConnectionCheck.Passed",
         "Machine is able to make https requests.", [LOGIN], detail="direct; TLS handshake completed"),
    Case("HttpsConnectionCheck", "handshake through the proxy",
         lambda d: d.proxy(PROXY).tls(f"{LOGIN}:443", route="proxy"), PASSED, "HttpsConnectionCheck.Passed",
         "Machine is able to make https requests.", [LOGIN], detail=f"proxy {PROXY}; TLS handshake completed"),
    Case("HttpsConnectionCheck", "handshake times out", lambda d: d.tls(f"{LOGIN}:443", ok=False, error="timeout"),
         FAILED, "HttpsConnectionCheck.Failed", "Machine is not able to make https requests.", [LOGIN],
         detail="TLS handshake failed: timeout"),
    Case("HttpsConnectionCheck", "TCP opens but the handshake fails (the script would pass)",
         lambda d: d.tcp(f"{LOGIN}:443").tls(f"{LOGIN}:443", ok=False, error="tls"), FAILED,
         "HttpsConnectionCheck.Failed", "Machine is not able to make https requests.", [LOGIN],
         detail="TLS handshake failed: tls"),
    Case("HttpsConnectionCheck", "the proxy refuses",
         lambda d: d.proxy(PROXY).tls(f"{LOGIN}:443", ok=False, error="proxy", route="proxy"), FAILED,
         "HttpsConnectionCheck.Failed", "Machine is not able to make https requests.", [LOGIN],
         detail=f"proxy {PROXY}; TLS handshake failed: proxy"),
    Case("HttpsConnectionCheck", "US Government", lambda d: healthy_into(d, "AzureUSGovernment"), PASSED,
         "HttpsConnectionCheck.Passed", "Machine is able to make https requests.", ["login.microsoftonline.us"],
         cloud="AzureUSGovernment"),
    Case("HttpsConnectionCheck", "China, unreachable",
         lambda d: healthy_into(d, "AzureChinaCloud").tls("login.chinacloudapi.cn:443", ok=False, error="dns"),
         FAILED, "HttpsConnectionCheck.Failed", "Machine is not able to make https requests.",
         ["login.chinacloudapi.cn"], cloud="AzureChinaCloud"),
    probe_error("HttpsConnectionCheck", "the probe could not offer TLS 1.2",
                lambda d: d.probe_tls12(False).tls(f"{LOGIN}:443", ok=False, error="tls"), f"network.tls[{LOGIN}:443]"),
    probe_error("HttpsConnectionCheck", "not probed", lambda d: d.doc["network"].pop("tls"),
                f"network.tls[{LOGIN}:443]"),

    # 5. ProxySettingsCheck: WinHttpSettings decoded; on arc the agent's proxy too.
    Case("ProxySettingsCheck", "direct access", same, PASSED, "ProxySettingsCheck.Passed", "Proxy is not set.",
         detail="WinHTTP direct access"),
    Case("ProxySettingsCheck", "WinHTTP proxy", lambda d: d.proxy(PROXY), WARNED, "ProxySettingsCheck.PassedWithWarning",
         "Proxy is set. Ensure all required endpoints are reachable.", profiles=(AZURE,), detail=f"WinHTTP proxy {PROXY}"),
    Case("ProxySettingsCheck", "WinHTTP proxy", lambda d: d.proxy(PROXY), WARNED, "ProxySettingsCheck.PassedWithWarning",
         "Proxy is set.", profiles=(ARC,), detail=f"WinHTTP proxy {PROXY}"),
    Case("ProxySettingsCheck", "no WinHttpSettings value", lambda d: d.registry(CONNECTIONS, WinHttpSettings=None),
         PASSED, "ProxySettingsCheck.Passed", "Proxy is not set."),
    Case("ProxySettingsCheck", "agent proxy only", lambda d: d.arc_agent(proxy_url=AGENT_PROXY), WARNED,
         "ProxySettingsCheck.PassedWithWarning", "Proxy is set.", profiles=(ARC,), detail=f"agent proxy {AGENT_PROXY}"),
    Case("ProxySettingsCheck", "an agent's proxy is not the VM's", lambda d: d.arc_agent(proxy_url=AGENT_PROXY),
         PASSED, "ProxySettingsCheck.Passed", "Proxy is not set.", profiles=(AZURE,)),
    Case("ProxySettingsCheck", "agent not installed", lambda d: d.arc_agent(installed=False), PASSED,
         "ProxySettingsCheck.Passed", "Proxy is not set.", profiles=(ARC,), detail="no agent proxy"),
    Case("ProxySettingsCheck", "WinHTTP proxy, agent not read", lambda d: d.proxy(PROXY).doc.pop("arc_agent"), WARNED,
         "ProxySettingsCheck.PassedWithWarning", "Proxy is set.", profiles=(ARC,)),
    Case("ProxySettingsCheck", "WinHttpSettings unreadable, agent proxy",
         lambda d: d.proxy(None, blob=b"\x18\x00\x00").arc_agent(proxy_url=AGENT_PROXY), WARNED,
         "ProxySettingsCheck.PassedWithWarning", "Proxy is set.", profiles=(ARC,),
         detail="WinHttpSettings unreadable: WinHttpSettings is 3 bytes, shorter than its header"),
    probe_error("ProxySettingsCheck", "WinHttpSettings unreadable", lambda d: d.proxy(None, blob=b"\x18\x00\x00"),
                "registry.WinHttpSettings: the WinHTTP proxy settings cannot be read"),
    probe_error("ProxySettingsCheck", "agent not read", lambda d: d.doc.pop("arc_agent"), "arc_agent", (ARC,)),

    # 6. The agents' services.
    *service_cases("RdAgentServiceCheck", "RdAgent", AZURE),
    *service_cases("WindowsAzureGuestAgentServiceCheck", "WindowsAzureGuestAgent", AZURE),
    *service_cases("HimdsServiceCheck", "himds", ARC),

    # 7. WireServerConnectivityCheck (azure-vm): the script's ids, CheckResult alone decides.
    Case("WireServerConnectivityCheck", "both open", same, PASSED, "WireServerConnectivityCheck.Passed",
         "Connection to port 80 succeeded.\nConnection to port 32526 succeeded.", profiles=(AZURE,),
         detail="port 443 (used by the VM extensions) is not tested"),
    Case("WireServerConnectivityCheck", "port 80 failed", wire(False, True), FAILED,
         "WireServerConnectivityCheck.Failed.Port80Failed",
         "Connection to port 80 failed.\nConnection to port 32526 succeeded.", profiles=(AZURE,),
         detail="port 80: timeout"),
    Case("WireServerConnectivityCheck", "port 32526 failed", wire(True, False), FAILED,
         "WireServerConnectivityCheck.Passed.Port32526Failed",
         "Connection to port 80 succeeded.\nConnection to port 32526 failed.", profiles=(AZURE,),
         detail="port 32526: refused"),
    Case("WireServerConnectivityCheck", "both failed", wire(False, False), FAILED,
         "WireServerConnectivityCheck.Failed.Port80Failed.Port80FailedPort32526Failed",
         "Connection to port 80 failed.\nConnection to port 32526 failed.", profiles=(AZURE,)),
    probe_error("WireServerConnectivityCheck", "not probed", lambda d: d.doc["network"].update(tcp=[]),
                f"network.tcp[{WIRESERVER}:80]", (AZURE,)),

    # 8. PatchExtensionCheck (azure-vm): %SystemDrive%, and "not yet pushed" explained.
    Case("PatchExtensionCheck", "present", same, PASSED, "PatchExtensionCheck.Passed",
         "Windows Patch extension is installed on the machine.", profiles=(AZURE,),
         detail="C:\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension"),
    Case("PatchExtensionCheck", "present on D:", lambda d: d.system_drive("D:").folder(PATCH_EXTENSION), PASSED,
         "PatchExtensionCheck.Passed", "Windows Patch extension is installed on the machine.", profiles=(AZURE,),
         detail="D:\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension"),
    Case("PatchExtensionCheck", "absent: not yet pushed", lambda d: d.folder(PATCH_EXTENSION, exists=False), FAILED,
         "PatchExtensionCheck.Failed", "Windows Patch extension is not installed on the machine.", profiles=(AZURE,),
         detail="(not yet pushed)"),
    probe_error("PatchExtensionCheck", "folder not looked for", lambda d: d.doc.pop("folders"), "folders", (AZURE,)),

    # 9. ArcRequiredEndpointsCheck (arc): the endpoint-list template over the cloud's hosts.
    Case("ArcRequiredEndpointsCheck", "all reachable", same, PASSED, "ArcRequiredEndpointsCheck.Passed",
         "All endpoints are reachable.", profiles=(ARC,), detail="TCP to port 443; direct"),
    Case("ArcRequiredEndpointsCheck", "one blocked", wu_failing("management.azure.com"), FAILED,
         "ArcRequiredEndpointsCheck.Failed", "Failed to reach the following endpoints: management.azure.com",
         ["management.azure.com"], (ARC,), detail="management.azure.com: timeout"),
    Case("ArcRequiredEndpointsCheck", "two blocked, in test order", wu_failing("gbl.his.arc.azure.com", LOGIN), FAILED,
         "ArcRequiredEndpointsCheck.Failed",
         f"Failed to reach the following endpoints: {LOGIN}, gbl.his.arc.azure.com", [LOGIN, "gbl.his.arc.azure.com"],
         (ARC,)),
    Case("ArcRequiredEndpointsCheck", "a name that does not resolve",
         lambda d: d.tcp("agentserviceapi.guestconfiguration.azure.com:443", ok=False, error="dns"), FAILED,
         "ArcRequiredEndpointsCheck.Failed",
         "Failed to reach the following endpoints: agentserviceapi.guestconfiguration.azure.com",
         ["agentserviceapi.guestconfiguration.azure.com"], (ARC,), detail="dns"),
    Case("ArcRequiredEndpointsCheck", "US Government, one blocked",
         lambda d: wu_failing("management.usgovcloudapi.net")(healthy_into(d, "AzureUSGovernment")), FAILED,
         "ArcRequiredEndpointsCheck.Failed", "Failed to reach the following endpoints: management.usgovcloudapi.net",
         ["management.usgovcloudapi.net"], (ARC,), cloud="AzureUSGovernment"),
    Case("ArcRequiredEndpointsCheck", "China", lambda d: healthy_into(d, "AzureChinaCloud"), PASSED,
         "ArcRequiredEndpointsCheck.Passed", "All endpoints are reachable.", profiles=(ARC,), cloud="AzureChinaCloud"),
    Case("ArcRequiredEndpointsCheck", "the run's cloud not probed", same, FAILED,
         "ArcRequiredEndpointsCheck.Failed.ProbeError", "Could not check host-1: network.tcp[login.microsoftonline.us:443]",
         profiles=(ARC,), cloud="AzureUSGovernment"),

    # 10. WSUSServerConfiguredCheck: in effect only with UseWUServer 1 and a server named.
    Case("WSUSServerConfiguredCheck", "not set", same, PASSED, "WSUSServerConfiguredCheck.Passed",
         "Windows Updates are downloading from the default Windows Update location.", None),
    Case("WSUSServerConfiguredCheck", "in effect", wsus(WSUS), WARNED, "WSUSServerConfiguredCheck.PassedWithWarning",
         f"Windows Updates are downloading from a configured WSUS Server {WSUS}.", [WSUS]),
    Case("WSUSServerConfiguredCheck", "UseWUServer as text", wsus(WSUS, "1"), WARNED,
         "WSUSServerConfiguredCheck.PassedWithWarning",
         f"Windows Updates are downloading from a configured WSUS Server {WSUS}.", [WSUS]),
    Case("WSUSServerConfiguredCheck", "a MultiString server", wsus(["http://a:8530", "x"]), WARNED,
         "WSUSServerConfiguredCheck.PassedWithWarning",
         "Windows Updates are downloading from a configured WSUS Server http://a:8530 x.", ["http://a:8530 x"]),
    Case("WSUSServerConfiguredCheck", "set without UseWUServer", wsus(WSUS, None), PASSED,
         "WSUSServerConfiguredCheck.Passed", "Windows Updates are downloading from the default Windows Update location.",
         None, detail="UseWUServer is not 1"),
    Case("WSUSServerConfiguredCheck", "set with UseWUServer 0", wsus(WSUS, 0), PASSED,
         "WSUSServerConfiguredCheck.Passed", "Windows Updates are downloading from the default Windows Update location.",
         None, detail="ignored by Windows Update"),
    Case("WSUSServerConfiguredCheck", "empty server", wsus(""), PASSED, "WSUSServerConfiguredCheck.Passed",
         "Windows Updates are downloading from the default Windows Update location.", None, detail="it is empty"),
    probe_error("WSUSServerConfiguredCheck", "policy unreadable", lambda d: d.unavailable("registry", WU_POLICY),
                f"registry.{WU_POLICY}"),

    # 11. WUEndpointConnectivityCheck: the WU hosts (duplicate kept), or the WSUS server in effect.
    Case("WUEndpointConnectivityCheck", "all reachable", same, PASSED, "WUEndpointConnectivityCheck.Passed",
         "All endpoints are reachable.", detail="TCP to port 443; direct; Microsoft lists some of these hosts for http"),
    Case("WUEndpointConnectivityCheck", "the repeated host, reported twice", wu_failing(DL), FAILED,
         "WUEndpointConnectivityCheck.Failed", f"Failed to reach the following endpoints: {DL}, {DL}", [DL, DL]),
    Case("WUEndpointConnectivityCheck", "two blocked, in test order", wu_failing("go.microsoft.com", "windowsupdate.microsoft.com"),
         FAILED, "WUEndpointConnectivityCheck.Failed",
         "Failed to reach the following endpoints: windowsupdate.microsoft.com, go.microsoft.com",
         ["windowsupdate.microsoft.com", "go.microsoft.com"]),
    Case("WUEndpointConnectivityCheck", "WUServer ignored: the WU hosts (the script gives nothing)", wsus(WSUS, 0),
         PASSED, "WUEndpointConnectivityCheck.Passed", "All endpoints are reachable."),
    Case("WUEndpointConnectivityCheck", "China keeps the public WU hosts",
         lambda d: wu_failing(DL)(healthy_into(d, "AzureChinaCloud")), FAILED, "WUEndpointConnectivityCheck.Failed",
         f"Failed to reach the following endpoints: {DL}, {DL}", [DL, DL], cloud="AzureChinaCloud"),
    Case("WUEndpointConnectivityCheck", "WSUS in effect, reachable",
         lambda d: wsus(WSUS)(d).tcp("wsus.contoso.local:8530"), PASSED, "WUEndpointConnectivityCheck.Passed",
         "All endpoints are reachable.", detail="TCP to port 8530; direct; WSUS in effect"),
    Case("WUEndpointConnectivityCheck", "WSUS in effect, refused",
         lambda d: wsus(WSUS)(d).tcp("wsus.contoso.local:8530", ok=False, error="refused"), FAILED,
         "WUEndpointConnectivityCheck.Failed", "Failed to reach the following endpoints: wsus.contoso.local",
         ["wsus.contoso.local"], detail="a result the troubleshooter does not give"),
    Case("WUEndpointConnectivityCheck", "WSUS host in capitals, as Windows reads the URL",
         lambda d: wsus("HTTP://WSUS.Contoso.Local:8530/")(d).tcp("wsus.contoso.local:8530"), PASSED,
         "WUEndpointConnectivityCheck.Passed", "All endpoints are reachable.", detail="TCP to port 8530"),
    Case("WUEndpointConnectivityCheck", "WSUS at an IPv6 address",
         lambda d: wsus("http://[::1]:8530")(d).tcp("[::1]:8530", ok=False, error="refused"), FAILED,
         "WUEndpointConnectivityCheck.Failed", "Failed to reach the following endpoints: [::1]", ["[::1]"]),
    Case("WUEndpointConnectivityCheck", "WSUS over https, default port",
         lambda d: wsus("https://wsus.contoso.local")(d).tcp("wsus.contoso.local:443"), PASSED,
         "WUEndpointConnectivityCheck.Passed", "All endpoints are reachable.", detail="TCP to port 443"),
    probe_error("WUEndpointConnectivityCheck", "WSUS in effect, not probed", wsus(WSUS),
                "network.tcp[wsus.contoso.local:8530]"),
    probe_error("WUEndpointConnectivityCheck", "a WU host not probed", lambda d: d.doc["network"].update(tcp=[]),
                "network.tcp[windowsupdate.microsoft.com:443]"),

    # 12. AlwaysAutoRebootCheck: args null.
    Case("AlwaysAutoRebootCheck", "not set", same, PASSED, "AlwaysAutoRebootCheck.Passed",
         "Windows Update reboot registry keys are not set to automatic reboot.", None),
    Case("AlwaysAutoRebootCheck", "at the scheduled time", lambda d: d.registry(AU_POLICY, AlwaysAutoRebootAtScheduledTime=1),
         WARNED, "AlwaysAutoRebootCheck.PassedWithWarning",
         "Windows Update reboot registry keys are set to automatic reboot and this can cause unexpected reboots on "
         "your machine when installing updates.", None),
    Case("AlwaysAutoRebootCheck", "minutes set",
         lambda d: d.registry(AU_POLICY, AlwaysAutoRebootAtScheduledTimeMinutes=15), WARNED,
         "AlwaysAutoRebootCheck.PassedWithWarning",
         "Windows Update reboot registry keys are set to automatic reboot and this can cause unexpected reboots on "
         "your machine when installing updates.", None),
    Case("AlwaysAutoRebootCheck", "both 0",
         lambda d: d.registry(AU_POLICY, AlwaysAutoRebootAtScheduledTime=0, AlwaysAutoRebootAtScheduledTimeMinutes=0),
         PASSED, "AlwaysAutoRebootCheck.Passed", "Windows Update reboot registry keys are not set to automatic reboot.",
         None),
    probe_error("AlwaysAutoRebootCheck", "policy unreadable", lambda d: d.unavailable("registry", AU_POLICY),
                f"registry.{AU_POLICY}"),

    # 13. AutomaticUpdateCheck: AUOptions 4 unless NoAutoUpdate 1; args null.
    Case("AutomaticUpdateCheck", "not set", same, PASSED, "AutomaticUpdateCheck.Passed",
         "Windows Update is not set to automatically install updates as they become available.", None),
    Case("AutomaticUpdateCheck", "AUOptions 4", lambda d: d.registry(AU_POLICY, AUOptions=4), WARNED,
         "AutomaticUpdateCheck.PassedWithWarning",
         "Windows Update will automatically download and install new updates as they become available.", None),
    Case("AutomaticUpdateCheck", "AUOptions 4, NoAutoUpdate 0", lambda d: d.registry(AU_POLICY, AUOptions=4, NoAutoUpdate=0),
         WARNED, "AutomaticUpdateCheck.PassedWithWarning",
         "Windows Update will automatically download and install new updates as they become available.", None),
    Case("AutomaticUpdateCheck", "AUOptions 4, NoAutoUpdate 1 (Update Manager's patch modes)",
         lambda d: d.registry(AU_POLICY, AUOptions=4, NoAutoUpdate=1), PASSED, "AutomaticUpdateCheck.Passed",
         "Windows Update is not set to automatically install updates as they become available.", None,
         detail="AUOptions 4 but NoAutoUpdate 1"),
    Case("AutomaticUpdateCheck", "AUOptions 3", lambda d: d.registry(AU_POLICY, AUOptions=3), PASSED,
         "AutomaticUpdateCheck.Passed",
         "Windows Update is not set to automatically install updates as they become available.", None),
    probe_error("AutomaticUpdateCheck", "policy unreadable", lambda d: d.unavailable("registry", AU_POLICY),
                f"registry.{AU_POLICY}"),

    # 14. WUServiceRunningCheck: Start 4 fails; an absent service is the suite's ServiceNotFound.
    Case("WUServiceRunningCheck", "manual, running", same, PASSED, "WUServiceRunningCheck.Passed",
         "Windows Update service (wuauserv) is running.", detail="start type Manual, status Running"),
    Case("WUServiceRunningCheck", "automatic, stopped (passes: only Disabled fails)",
         lambda d: d.service("wuauserv", "Stopped", 2), PASSED, "WUServiceRunningCheck.Passed",
         "Windows Update service (wuauserv) is running.", detail="start type Automatic, status Stopped"),
    Case("WUServiceRunningCheck", "disabled", lambda d: d.service("wuauserv", "Stopped", 4), FAILED,
         "WUServiceRunningCheck.Failed", WU_DISABLED),
    Case("WUServiceRunningCheck", "absent", lambda d: d.service("wuauserv", exists=False), FAILED,
         "WUServiceRunningCheck.Failed.ServiceNotFound", "Windows Update service (wuauserv) does not exist on the machine."),
    probe_error("WUServiceRunningCheck", "no Start value", lambda d: d.service("wuauserv", "Running", None),
                "services.wuauserv.start: the service has no Start value"),
    probe_error("WUServiceRunningCheck", "unreadable", lambda d: d.unavailable("services", "wuauserv"),
                "services.wuauserv"),

    # 15. MUEnableCheck: IsRegisteredWithAU of the service object, the registry value as fallback.
    Case("MUEnableCheck", "registered", same, PASSED, "MUEnableCheck.Passed",
         "Microsoft Update is registered with Windows Update and enabled.", detail="IsRegisteredWithAU True"),
    Case("MUEnableCheck", "id in capitals", lambda d: d.update_services((MICROSOFT_UPDATE.upper(), "Microsoft Update", True)),
         PASSED, "MUEnableCheck.Passed", "Microsoft Update is registered with Windows Update and enabled."),
    Case("MUEnableCheck", "registered, the registry disagrees", mu(True, 0), PASSED, "MUEnableCheck.Passed",
         "Microsoft Update is registered with Windows Update and enabled.", detail="they disagree"),
    Case("MUEnableCheck", "not registered with AU", mu(False, 0), WARNED,
         "MUEnableCheck.PassedWithWarning.MURegisteredButDisabled", MU_BUT_DISABLED, detail="IsRegisteredWithAU False"),
    Case("MUEnableCheck", "not registered, the registry disagrees", mu(False, 1), WARNED,
         "MUEnableCheck.PassedWithWarning.MURegisteredButDisabled", MU_BUT_DISABLED, detail="they disagree"),
    Case("MUEnableCheck", "object unreadable, registry 1", mu(None, 1), PASSED, "MUEnableCheck.Passed",
         "Microsoft Update is registered with Windows Update and enabled.", detail="IsRegisteredWithAU unreadable"),
    Case("MUEnableCheck", "object unreadable, registry absent", mu(None, None), WARNED,
         "MUEnableCheck.PassedWithWarning.MURegisteredButDisabled", MU_BUT_DISABLED, detail="registry RegisteredWithAU not 1"),
    Case("MUEnableCheck", "Microsoft Update not among the services",
         lambda d: d.update_services((WINDOWS_UPDATE_ID, "Windows Update", True)), WARNED,
         "MUEnableCheck.PassedWithWarning", MU_DISABLED),
    Case("MUEnableCheck", "no services at all", lambda d: d.update_services(), WARNED, "MUEnableCheck.PassedWithWarning",
         MU_DISABLED),
    probe_error("MUEnableCheck", "wuauserv disabled (0x80070422)", lambda d: d.update_services_error("0x80070422"),
                "windows_update: creating Microsoft.Update.ServiceManager or enumerating its services failed with "
                "0x80070422 (the Windows Update service is disabled: see WUServiceRunningCheck): "
                "Exception from HRESULT: 0x80070422"),
    probe_error("MUEnableCheck", "access denied (0x80070005)", lambda d: d.update_services_error("0x80070005"),
                "windows_update: creating Microsoft.Update.ServiceManager or enumerating its services failed with "
                "0x80070005 (access denied"),
    probe_error("MUEnableCheck", "failure without HRESULT", lambda d: d.update_services_error(None, "COM object not registered"),
                "windows_update: creating Microsoft.Update.ServiceManager or enumerating its services failed with "
                "no HRESULT: COM object not registered"),
    probe_error("MUEnableCheck", "object unreadable, registry key not read",
                lambda d: mu(None, None)(d).doc["registry"].pop(MU_REGISTRATION),
                "windows_update: neither IsRegisteredWithAU nor the registry value RegisteredWithAU could be read"),
    probe_error("MUEnableCheck", "not gathered", lambda d: d.doc.pop("windows_update"), "windows_update"),
]


def healthy_into(doc: HostDoc, cloud: str) -> HostDoc:
    """Add the TCP and TLS results of ``cloud``'s hosts to a healthy host."""
    endpoints = AumEndpoints.for_cloud(cloud)
    doc.tls(f"{endpoints.login}:443")
    for target in endpoints.targets(endpoints.arc_required):
        doc.tcp(target)
    return doc


def params():
    for case in CASES:
        for profile in case.profiles:
            yield pytest.param(profile, case, id=f"{profile}-{case.rule_id}-{case.branch}")


@pytest.mark.parametrize("profile, case", list(params()))
def test_branch(profile, case):
    doc = healthy(profile)
    case.change(doc)
    decision = decide(profile, case.rule_id, doc, case.cloud)
    result, info = decision.result, catalog.rule(case.rule_id, profile)
    assert (result.RuleId, result.RuleGroupId, result.RuleName, result.RuleGroupName, result.RuleDescription) == (
        info.rule_id, info.group_id, info.name, info.group_name, info.description)
    assert result.CheckResult == case.check
    assert result.CheckResultMessageId == case.message_id
    if case.message_id.endswith(".ProbeError"):
        assert result.CheckResultMessage.startswith(case.message), result.CheckResultMessage
    else:
        assert result.CheckResultMessage == case.message
    assert result.CheckResultMessageArguments == case.args
    if case.detail is not None:
        assert decision.route is not None and case.detail in decision.route, decision.route


def test_every_rule_of_both_profiles_has_cases_for_every_check_it_can_give():
    for profile in BOTH:
        covered = {c.rule_id for c in CASES if profile in c.profiles}
        assert covered == set(catalog.PROFILE_RULES[profile]), profile
    ids = {c.message_id for c in CASES}
    for rule_id in {r for p in BOTH for r in catalog.PROFILE_RULES[p]}:
        assert f"{rule_id}.Failed.ProbeError" in ids, rule_id


@pytest.mark.parametrize("profile", BOTH)
def test_a_healthy_host_passes_every_rule(profile):
    doc = healthy(profile)
    for rule_id in catalog.PROFILE_RULES[profile]:
        assert decide(profile, rule_id, doc).result.CheckResult == PASSED, rule_id


@pytest.mark.parametrize("profile", BOTH)
@pytest.mark.parametrize("server", ["wsus01:8530", "ftp://wsus.contoso.local", "http://", "http://wsus:99999", "http://wsus:0"])
def test_wu_endpoints_not_applicable_when_wsus_names_no_host(profile, server):
    """WSUS in effect with a WUServer that is no http(s) URL: no endpoint to test, and the script
    prints nothing here either; the skip says so (reports leave "not applicable:" results out)."""
    doc = healthy(profile)
    wsus(server)(doc)
    rule = Rule(catalog.rule("WUEndpointConnectivityCheck", profile))
    test = importlib.import_module(MODULES[profile]).test_WUEndpointConnectivityCheck
    with pytest.raises(pytest.skip.Exception, match=r"^not applicable: WSUSServerConfiguredCheck is PassedWithWarning"):
        evaluate(test, facts=doc.facts(), rule=rule)
    assert decide(profile, "WSUSServerConfiguredCheck", doc).result.CheckResult == WARNED


def test_wsus_in_effect_gives_one_more_result_than_the_script():
    """Under WSUS the script prints 13 results on an Azure VM (no WUEndpointConnectivityCheck); the
    suite gives WUEndpointConnectivityCheck too, for the WSUS server."""
    doc = wsus(WSUS)(healthy(AZURE)).tcp("wsus.contoso.local:8530")
    results = [decide(AZURE, rule_id, doc) for rule_id in catalog.PROFILE_RULES[AZURE]]
    assert len(results) == 14
    wu = next(d for d in results if d.result.RuleId == "WUEndpointConnectivityCheck")
    assert "WSUS in effect" in (wu.route or "")


@pytest.mark.parametrize("profile", BOTH)
def test_each_function_carries_its_groups_marker(profile):
    module = importlib.import_module(MODULES[profile])
    assert profile == module.PROFILE
    functions = {name[len("test_"):]: fn for name, fn in vars(module).items() if name.startswith("test_")}
    assert list(functions) == list(catalog.PROFILE_RULES[profile])
    for rule_id, fn in functions.items():
        marks = [m.name for m in getattr(fn, "pytestmark", [])]
        assert marks == [catalog.rule(rule_id, profile).marker], (rule_id, marks)


def test_the_bodies_are_shared_not_copied():
    """A RuleId in both profiles is decided by the same body (the modules only name it)."""
    import inspect

    azure, arc = (importlib.import_module(MODULES[p]) for p in BOTH)
    shared = set(catalog.PROFILE_RULES[AZURE]) & set(catalog.PROFILE_RULES[ARC])
    assert len(shared) == 10
    for rule_id in shared - {"ProxySettingsCheck"}:
        assert inspect.getsource(getattr(azure, f"test_{rule_id}")).split('"""')[-1] == \
            inspect.getsource(getattr(arc, f"test_{rule_id}")).split('"""')[-1], rule_id


def test_winhttp_blob_of_a_reset_proxy_is_direct_access():
    """``netsh winhttp reset proxy`` leaves a blob with no proxy flag: Passed, not a warning."""
    doc = healthy(ARC).proxy(None, blob=winhttp.encode(None))
    assert decide(ARC, "ProxySettingsCheck", doc).result.CheckResultMessageId == "ProxySettingsCheck.Passed"


def test_the_cases_reach_every_outcome_of_every_body():
    """Every outcome call in readiness/update_manager.py (each branch's end) runs in some case above."""
    import contextlib
    import inspect
    import re
    import sys

    from readiness import update_manager

    source = inspect.getsource(update_manager).splitlines()
    outcomes = {number for number, text in enumerate(source, start=1)
                if re.search(r"\b(rule\.(passed|warned|failed|inconclusive)|pytest\.skip)\(", text)}
    path = update_manager.__file__
    reached: set[int] = set()

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != path:
            return None
        if event == "line":
            reached.add(frame.f_lineno)
        return tracer

    runs = []  # facts are built (and validated) before tracing: only the rules run traced
    for param in params():
        profile, case = param.values
        doc = healthy(profile)
        case.change(doc)
        test = getattr(importlib.import_module(MODULES[profile]), f"test_{case.rule_id}")
        runs.append((test, doc.facts(), Rule(catalog.rule(case.rule_id, profile), Settings(cloud=case.cloud))))
    runs.append((importlib.import_module(MODULES[ARC]).test_WUEndpointConnectivityCheck,
                 wsus("wsus01:8530")(healthy(ARC)).facts(), Rule(catalog.rule("WUEndpointConnectivityCheck", ARC))))
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        for test, facts, rule in runs:
            with contextlib.suppress(Decision, Inconclusive, pytest.skip.Exception):
                test(facts=facts, rule=rule)
    finally:
        sys.settrace(previous)
    assert len(outcomes) > 40
    assert outcomes <= reached, sorted(outcomes - reached)
