"""Every outcome branch of every rule, decided from facts built here (no host, no probe)."""

from __future__ import annotations

import importlib
import struct

import pytest

from fixtures import seed_sample as seed_sample_output
from readiness import catalog, winhttp
from readiness.facts import FactUnavailable
from readiness.outcomes import Decision, Inconclusive, Rule, Settings, evaluate
from tests.facts_builder import (
    AU_POLICY,
    CONNECTIONS,
    MACHINE_KEYS,
    NDP_FULL,
    OPS_LOG,
    SMA_LOG,
    TLS_CLIENT,
    TLS_SERVER,
    WS,
    WS2,
    WU_POLICY,
    HostDoc,
    event,
    seed_sample,
    updates_event,
    worker_event,
)

RULE_MODULES = ("prerequisites", "connectivity", "service_health", "permissions", "machine_settings")
RULE_TESTS = {
    name[len("test_"):]: getattr(module, name)
    for module in (importlib.import_module(f"tests_readiness.test_{m}") for m in RULE_MODULES)
    for name in dir(module) if name.startswith("test_")
}

PASSED, WARNED, FAILED = "Passed", "PassedWithWarning", "Failed"
OSREQ = "https://docs.microsoft.com/en-Us/azure/automation/update-management/operating-system-requirements"
NETDL = "https://www.microsoft.com/net/download/dotnet-framework-runtime"
WMFDL = "https://www.microsoft.com/download/details.aspx?id=54616"
TLSKB = "https://support.microsoft.com/help/4019276/update-to-add-support-for-tls-1-1-and-tls-1-2-in-windows"
TLSREG = "https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12"
OPS = "eus2-jobruntimedata-prod-su1.azure-automation.net"
HTTPS_URL = "https://eus2-jobruntimedata-prod-su1.azure-automation.net"
MACHINE_KEYS_SHOWN = "C:\\\\ProgramData\\\\Microsoft\\\\Crypto\\\\RSA\\\\MachineKeys"
PROXY = "proxy.contoso.local:8080"


def decide(rule_id: str, doc: HostDoc, location: str | None = None) -> Decision:
    rule = Rule(catalog.rule(rule_id), Settings(location=location))
    return evaluate(RULE_TESTS[rule_id], facts=doc.facts(), rule=rule)


def endpoint_description(endpoint: str) -> str:
    return catalog.ENDPOINT_DESCRIPTION.format(endpoint=endpoint)


def case(name, change, check_result, message_id, message, args=(), description=None, route=None, location=None):
    """One branch: a change to a healthy host and the result it must give."""
    return pytest.param(change, location, check_result, message_id, message, list(args), description, route, id=name)


def same(d: HostDoc) -> HostDoc:
    return d


CASES = {
    "OperatingSystemCheck": [
        case("supported", same, PASSED, "OperatingSystemCheck.Passed", "Operating System version is supported"),
        case("2008 R2 RTM", lambda d: d.os("6.1.7600.0"), PASSED, "OperatingSystemCheck.Passed",
             "Operating System version is supported"),
        case("2008", lambda d: d.os("6.0.6002.0"), FAILED, "OperatingSystemCheck.Failed",
             f"Operating System version is not supported. Supported versions listed here: {OSREQ}", [OSREQ]),
    ],
    "DotNetFrameworkInstalledCheck": [
        case("4.8", same, PASSED, "DotNetFrameworkInstalledCheck.Passed", ".NET Framework version 4.6.2+ is found"),
        case("4.6.2 exactly", lambda d: d.registry(NDP_FULL, Release=394802), PASSED,
             "DotNetFrameworkInstalledCheck.Passed", ".NET Framework version 4.6.2+ is found"),
        case("4.6.1", lambda d: d.registry(NDP_FULL, Release=394271), FAILED, "DotNetFrameworkInstalledCheck.Failed",
             f".NET Framework version 4.6.2 or higher is required: {NETDL}", [NETDL]),
        case("no Release", lambda d: d.registry(NDP_FULL, Release=None), FAILED, "DotNetFrameworkInstalledCheck.Failed",
             f".NET Framework version 4.6.2 or higher is required: {NETDL}", [NETDL]),
        case("no v4 key", lambda d: d.no_registry_key(NDP_FULL), FAILED, "DotNetFrameworkInstalledCheck.Failed",
             f".NET Framework version 4.6.2 or higher is required: {NETDL}", [NETDL]),
        case("Release not a number", lambda d: d.registry(NDP_FULL, Release="four"), FAILED,
             "DotNetFrameworkInstalledCheck.Failed", f".NET Framework version 4.6.2 or higher is required: {NETDL}", [NETDL]),
    ],
    "WindowsManagementFrameworkInstalledCheck": [
        case("5.1", lambda d: d.powershell("5.1.22621.169"), PASSED, "WindowsManagementFrameworkInstalledCheck.Passed",
             "Detected Windows Management Framework version: 5.1.22621.169", ["5.1.22621.169"]),
        case("7.4", lambda d: d.powershell("7.4.6"), PASSED, "WindowsManagementFrameworkInstalledCheck.Passed",
             "Detected Windows Management Framework version: 7.4.6", ["7.4.6"]),
        case("5.0", lambda d: d.powershell("5.0.10586.117"), WARNED, "WindowsManagementFrameworkInstalledCheck.PassedWithWarning",
             "Detected Windows Management Framework version: 5.0.10586.117. Consider upgrading to version 5.1 or higher "
             f"for increased reliability: {WMFDL}", ["5.0.10586.117", WMFDL]),
        case("4.0", lambda d: d.powershell("4.0"), WARNED, "WindowsManagementFrameworkInstalledCheck.PassedWithWarning",
             "Detected Windows Management Framework version: 4.0. Consider upgrading to version 5.1 or higher "
             f"for increased reliability: {WMFDL}", ["4.0", WMFDL]),
        case("2.0", lambda d: d.powershell("2.0"), FAILED, "WindowsManagementFrameworkInstalledCheck.Failed",
             "Detected Windows Management Framework version: 2.0. Version 4.0 or higher is required "
             f"(version 5.1 or higher is preferable): {WMFDL}", ["2.0", WMFDL]),
    ],
    "AutomationAgentServiceConnectivityCheck1": [
        case("reachable", same, PASSED, "AutomationAgentServiceConnectivityCheck1.Passed",
             f"TCP Test for {WS}.agentsvc.azure-automation.net (port 443) succeeded", [f"{WS}.agentsvc.azure-automation.net"],
             endpoint_description(f"{WS}.agentsvc.azure-automation.net"), route="direct"),
        case("blocked", lambda d: d.endpoints(failing=(f"{WS}.agentsvc.azure-automation.net",)), FAILED,
             "AutomationAgentServiceConnectivityCheck1.Failed",
             f"TCP Test for {WS}.agentsvc.azure-automation.net (port 443) failed", [f"{WS}.agentsvc.azure-automation.net"],
             endpoint_description(f"{WS}.agentsvc.azure-automation.net"), route="direct"),
        case("China", lambda d: d.endpoints("chinaeast2"), PASSED, "AutomationAgentServiceConnectivityCheck1.Passed",
             f"TCP Test for {WS}.agentsvc.azure-automation.cn (port 443) succeeded", [f"{WS}.agentsvc.azure-automation.cn"],
             endpoint_description(f"{WS}.agentsvc.azure-automation.cn"), route="direct", location="chinaeast2"),
        case("one of two workspaces valid", lambda d: d.agent(WS2, WS).endpoints(), PASSED,
             "AutomationAgentServiceConnectivityCheck1.Passed",
             f"TCP Test for {WS}.agentsvc.azure-automation.net (port 443) succeeded", [f"{WS}.agentsvc.azure-automation.net"],
             endpoint_description(f"{WS}.agentsvc.azure-automation.net"), route="direct"),
        case("no agent", lambda d: d.agent(), FAILED, "AutomationAgentServiceConnectivityCheck1.Failed.NoRegistrationFound",
             "Unable to find Workspace registration information", [], ""),
        case("two valid workspaces", lambda d: d.agent(WS, WS2).events(OPS_LOG, updates_event(WS), updates_event(WS2)),
             FAILED, "AutomationAgentServiceConnectivityCheck1.Failed.NoRegistrationFound",
             "Unable to find Workspace registration information", [], ""),
    ],
    "AutomationJobRuntimeDataServiceConnectivityCheck": [
        case("reachable", same, PASSED, "AutomationJobRuntimeDataServiceConnectivityCheck.Passed",
             f"TCP Test for {OPS} (port 443) succeeded", [OPS], endpoint_description(OPS), route="direct"),
        case("blocked", lambda d: d.endpoints(failing=(OPS,)), FAILED, "AutomationJobRuntimeDataServiceConnectivityCheck.Failed",
             f"TCP Test for {OPS} (port 443) failed", [OPS], endpoint_description(OPS), route="direct"),
        case("japaneast", lambda d: d.endpoints("japaneast"), PASSED, "AutomationJobRuntimeDataServiceConnectivityCheck.Passed",
             "TCP Test for jpe-jobruntimedata-prod-su1.azure-automation.net (port 443) succeeded",
             ["jpe-jobruntimedata-prod-su1.azure-automation.net"],
             endpoint_description("jpe-jobruntimedata-prod-su1.azure-automation.net"), route="direct", location="japaneast"),
        case("usgovvirginia", lambda d: d.endpoints("usgovvirginia"), PASSED,
             "AutomationJobRuntimeDataServiceConnectivityCheck.Passed",
             "TCP Test for usge-jobruntimedata-prod-su1.azure-automation.us (port 443) succeeded",
             ["usge-jobruntimedata-prod-su1.azure-automation.us"],
             endpoint_description("usge-jobruntimedata-prod-su1.azure-automation.us"), route="direct", location="usgovvirginia"),
    ],
    "MonitoringAgentServiceRunningCheck": [
        case("running", same, PASSED, "MonitoringAgentServiceRunningCheck.Passed",
             "Microsoft Monitoring Agent service (HealthService) is running", ["Microsoft Monitoring Agent", "HealthService"]),
        case("stopped", lambda d: d.service("HealthService", "Stopped", 2), FAILED, "MonitoringAgentServiceRunningCheck.Failed",
             "Microsoft Monitoring Agent service (HealthService) is not running", ["Microsoft Monitoring Agent", "HealthService"]),
        case("starting", lambda d: d.service("HealthService", "StartPending", 2), FAILED,
             "MonitoringAgentServiceRunningCheck.Failed",
             "Microsoft Monitoring Agent service (HealthService) is not running", ["Microsoft Monitoring Agent", "HealthService"]),
        case("absent", lambda d: d.service("HealthService", exists=False), FAILED, "MonitoringAgentServiceRunningCheck.Failed",
             "Microsoft Monitoring Agent service (HealthService) is not running", ["Microsoft Monitoring Agent", "HealthService"]),
    ],
}

WORKER_STOPPED_MESSAGE = (
    "Hybrid runbook worker is in stopped state. Please restart Microsoft Monitoring Agent service (HealthService) "
    "and rerun the troubleshooter to ensure that hybrid runbook worker is in running state.")
CASES["SystemHybridRunbookWorkerRunningCheck"] = [
    case("started", same, PASSED, "SystemHybridRunbookWorkerRunningCheck.Passed", "Hybrid runbook worker is running."),
    case("started after a stop", lambda d: d.events(SMA_LOG, worker_event(15004, 5), worker_event(15003, 1)), PASSED,
         "SystemHybridRunbookWorkerRunningCheck.Passed", "Hybrid runbook worker is running."),
    case("names differ in case", lambda d: d.events(SMA_LOG, event(15003, "Microsoft-SMA", 1, None, ["", "GRP_X", "grp", "x"])),
         PASSED, "SystemHybridRunbookWorkerRunningCheck.Passed", "Hybrid runbook worker is running."),
    case("stopped", lambda d: d.events(SMA_LOG, worker_event(15003, 5), worker_event(15004, 1)), FAILED,
         "SystemHybridRunbookWorkerRunningCheck.Failed", WORKER_STOPPED_MESSAGE, ["Microsoft Monitoring Agent", "HealthService"]),
    case("only a user worker started", lambda d: d.events(SMA_LOG, worker_event(15004, 5), worker_event(15003, 1, system=False)),
         FAILED, "SystemHybridRunbookWorkerRunningCheck.Failed", WORKER_STOPPED_MESSAGE,
         ["Microsoft Monitoring Agent", "HealthService"]),
    case("no events", lambda d: d.events(SMA_LOG), FAILED, "SystemHybridRunbookWorkerRunningCheck.Failed",
         WORKER_STOPPED_MESSAGE, ["Microsoft Monitoring Agent", "HealthService"]),
    case("no log", lambda d: d.no_log(SMA_LOG), FAILED, "SystemHybridRunbookWorkerRunningCheck.Failed",
         WORKER_STOPPED_MESSAGE, ["Microsoft Monitoring Agent", "HealthService"]),
]

EVENTS_ARGS = ["Microsoft Monitoring Agent", "Operations Manager", "4502"]
EVENTS_PASSED = ("Microsoft Monitoring Agent service Event Log (Operations Manager) does not have event 4502 logged "
                 "in the last 24 hours.")
EVENTS_FOUND = ("Microsoft Monitoring Agent service Event Log (Operations Manager) has event 4502 logged in the last "
                "24 hours. Look at the results of other checks to troubleshoot the reasons.")


def with_4502(hours_ago: float, source: str = "Health Service Modules"):
    return lambda d: d.events(OPS_LOG, updates_event(), event(4502, source, hours_ago, "A module reported an exception"))


CASES["MonitoringAgentServiceEventsCheck"] = [
    case("no 4502", same, PASSED, "MonitoringAgentServiceEventsCheck.Passed", EVENTS_PASSED, EVENTS_ARGS),
    case("4502 yesterday", with_4502(30), PASSED, "MonitoringAgentServiceEventsCheck.Passed", EVENTS_PASSED, EVENTS_ARGS),
    case("4502 exactly 24 h ago", with_4502(24), PASSED, "MonitoringAgentServiceEventsCheck.Passed", EVENTS_PASSED, EVENTS_ARGS),
    case("4502 of another source", with_4502(1, "HealthService"), PASSED, "MonitoringAgentServiceEventsCheck.Passed",
         EVENTS_PASSED, EVENTS_ARGS),
    case("4502 an hour ago", with_4502(1), FAILED, "MonitoringAgentServiceEventsCheck.Failed.EventFound", EVENTS_FOUND, EVENTS_ARGS),
    case("4502 23.9 h ago", with_4502(23.9), FAILED, "MonitoringAgentServiceEventsCheck.Failed.EventFound", EVENTS_FOUND,
         EVENTS_ARGS),
    case("no log", lambda d: d.no_log(OPS_LOG), FAILED, "MonitoringAgentServiceEventsCheck.Failed.NoLog",
         "Microsoft Monitoring Agent service Event Log (Operations Manager) does not exist on the machine", EVENTS_ARGS),
]

LINKED = "Please make sure automation account is linked to same workspace."
CASES["LinkedWorkspaceCheck"] = [
    case("one workspace", same, PASSED, "LinkedWorkspaceCheck.Passed", f"VM is reporting to workspace {WS}. {LINKED}", [WS]),
    case("agent spells it in capitals", lambda d: d.agent(WS.upper()), PASSED, "LinkedWorkspaceCheck.Passed",
         f"VM is reporting to workspace {WS.upper()}. {LINKED}", [WS.upper()]),
    case("message DLL missing", lambda d: d.events(OPS_LOG, updates_event(message=False)), PASSED,
         "LinkedWorkspaceCheck.Passed", f"VM is reporting to workspace {WS}. {LINKED}", [WS]),
    case("two workspaces, one with updates", lambda d: d.agent(WS, WS2), WARNED, "LinkedWorkspaceCheck.PassedWithWarning",
         "Although VM is reporting to multiple workspaces, the updates solution is configured in only one workspace: "
         f"{WS}. {LINKED}", [WS]),
    case("two with updates", lambda d: d.agent(WS, WS2).events(OPS_LOG, updates_event(WS), updates_event(WS2)), FAILED,
         "LinkedWorkspaceCheck.Failed",
         "VM is reporting to multiple workspaces with updates solution configured. Please make sure that only one "
         "workspace has updates solution and automation account is linked to that workspace.", [""]),
    case("no agent", lambda d: d.agent(), FAILED, "LinkedWorkspaceCheck.Failed.NoWorkspace",
         "VM is not reporting to any workspace.", [""]),
    case("no Operations Manager log", lambda d: d.no_log(OPS_LOG), FAILED, "LinkedWorkspaceCheck.Failed.NoWorkspace",
         "VM is not reporting to any workspace.", [""]),
    case("updates in another workspace", lambda d: d.events(OPS_LOG, updates_event(WS2)), FAILED,
         "LinkedWorkspaceCheck.Failed.NoWorkspace", "VM is not reporting to any workspace.", [""]),
    case("no updates solution", lambda d: d.events(OPS_LOG, event(1210, "Service Connector", 1, f"AOI-{WS} changeTracking;")),
         FAILED, "LinkedWorkspaceCheck.Failed.NoWorkspace", "VM is not reporting to any workspace.", [""]),
    case("updates only in another event id", lambda d: d.events(OPS_LOG, event(1211, "Service Connector", 1, f"AOI-{WS} updates;")),
         FAILED, "LinkedWorkspaceCheck.Failed.NoWorkspace", "VM is not reporting to any workspace.", [""]),
]


def ace(sid: str, rights: int, kind: str = "Allow", inherit_only: bool = False) -> dict:
    return {"sid": sid, "rights": rights, "type": kind, "inherit_only": inherit_only}


HAVE = f"Have permissions to access {MACHINE_KEYS_SHOWN}"
MISSING = f"Missing permissions to access {MACHINE_KEYS_SHOWN}"
CASES["CryptoRsaMachineKeysFolderAccessCheck"] = [
    case("SYSTEM full control", same, PASSED, "CryptoRsaMachineKeysFolderAccessCheck.Passed", HAVE, [MACHINE_KEYS_SHOWN]),
    case("Administrators modify", lambda d: d.acl(ace("S-1-5-32-544", 0x301BF)), PASSED,
         "CryptoRsaMachineKeysFolderAccessCheck.Passed", HAVE, [MACHINE_KEYS_SHOWN]),
    case("GENERIC_ALL", lambda d: d.acl(ace("S-1-5-18", 0x10000000)), PASSED,
         "CryptoRsaMachineKeysFolderAccessCheck.Passed", HAVE, [MACHINE_KEYS_SHOWN]),
    case("Everyone write and read only", lambda d: d.acl(ace("S-1-1-0", 0x20089 | 0x116)), FAILED,
         "CryptoRsaMachineKeysFolderAccessCheck.Failed", MISSING, [MACHINE_KEYS_SHOWN]),
    case("another user's full control", lambda d: d.acl(ace("S-1-5-21-1-2-3-1001", 0x1F01FF)), FAILED,
         "CryptoRsaMachineKeysFolderAccessCheck.Failed", MISSING, [MACHINE_KEYS_SHOWN]),
    case("write denied to SYSTEM", lambda d: d.acl(ace("S-1-5-18", 0x1F01FF), ace("S-1-5-18", 0x2, "Deny")), FAILED,
         "CryptoRsaMachineKeysFolderAccessCheck.Failed", MISSING, [MACHINE_KEYS_SHOWN]),
    case("full control for files only", lambda d: d.acl(ace("S-1-5-18", 0x1F01FF, inherit_only=True)), FAILED,
         "CryptoRsaMachineKeysFolderAccessCheck.Failed", MISSING, [MACHINE_KEYS_SHOWN]),
    case("no entries", lambda d: d.acl(), FAILED, "CryptoRsaMachineKeysFolderAccessCheck.Failed", MISSING, [MACHINE_KEYS_SHOWN]),
    case("folder absent", lambda d: d.no_machine_keys_folder(), FAILED, "CryptoRsaMachineKeysFolderAccessCheck.Failed",
         MISSING, [MACHINE_KEYS_SHOWN]),
]


def tls(os_version: str, client: dict | None = None, server: dict | None = None):
    def change(d: HostDoc) -> HostDoc:
        d.os(os_version)
        if client is not None:
            d.registry(TLS_CLIENT, **client)
        if server is not None:
            d.registry(TLS_SERVER, **server)
        return d
    return change


ON = {"DisabledByDefault": 0}
NOT_EXPLICIT = f"TLS 1.2 is not enabled by default on the Operating System. Follow the instructions to enable it: {TLSREG}"
DISABLED = f"TLS 1.2 is supported by the Operating System, but currently disabled. Follow the instructions to re-enable: {TLSREG}"
CASES["TlsVersionCheck"] = [
    case("2008: OS check failed", tls("6.0.6002.0", ON, ON), FAILED, "TlsVersionCheck.Failed",
         f"TLS 1.2 is not enabled by default on the Operating System. Follow the instructions to enable it: {TLSKB}"),
    case("2008 R2 SP1 enabled", tls("6.1.7601.0", ON, ON), PASSED, "TlsVersionCheck.Passed",
         "TLS 1.2 is enabled on the Operating System."),
    case("2008 R2 SP1 client enabled off", tls("6.1.7601.0", {"DisabledByDefault": 0, "Enabled": 0}, ON), PASSED,
         "TlsVersionCheck.Passed", "TLS 1.2 is enabled on the Operating System."),
    case("2008 R2 SP1 no keys", tls("6.1.7601.0"), FAILED, "TlsVersionCheck.Failed.NotExplicitlyEnabled", NOT_EXPLICIT),
    case("2008 R2 SP1 server only", tls("6.1.7601.0", None, ON), FAILED, "TlsVersionCheck.Failed.NotExplicitlyEnabled",
         NOT_EXPLICIT),
    case("2008 R2 SP1 both Enabled 0", tls("6.1.7601.0", {"DisabledByDefault": 0, "Enabled": 0},
                                           {"DisabledByDefault": 0, "Enabled": 0}),
         FAILED, "TlsVersionCheck.Failed.NotExplicitlyEnabled", NOT_EXPLICIT),
    case("2012 default", tls("6.2.9200.0"), PASSED, "TlsVersionCheck.Passed.EnabledByDefault",
         "TLS 1.2 is enabled by default on the Operating System."),
    case("2022 explicitly on", tls("10.0.20348.0", {"Enabled": 1, "DisabledByDefault": 0}), PASSED,
         "TlsVersionCheck.Passed.EnabledByDefault", "TLS 1.2 is enabled by default on the Operating System."),
    case("client disabled by default", tls("10.0.20348.0", {"DisabledByDefault": 1}), FAILED,
         "TlsVersionCheck.Failed.ExplicitlyDisabled", DISABLED),
    case("server not enabled", tls("10.0.20348.0", None, {"Enabled": 0}), FAILED,
         "TlsVersionCheck.Failed.ExplicitlyDisabled", DISABLED),
    case("2008 R2 RTM", tls("6.1.7600.0"), FAILED, "TlsVersionCheck.Failed.NoDefaultSupport",
         "Your OS does not support TLS 1.2 by default."),
    case("2003: before 6.0.6001", tls("5.2.3790.0"), FAILED, "TlsVersionCheck.Failed.NoDefaultSupport",
         "Your OS does not support TLS 1.2 by default."),
]

REBOOT_SET = "Windows Update reboot registry keys are set. This can cause unexpected reboots when installing updates"
REBOOT_NOT_SET = "Windows Update reboot registry keys are not set to automatically reboot"
CASES["AlwaysAutoRebootCheck"] = [
    case("not set", same, PASSED, "AlwaysAutoRebootCheck.Passed", REBOOT_NOT_SET),
    case("set to 0", lambda d: d.registry(AU_POLICY, AlwaysAutoRebootAtScheduledTime=0,
                                          AlwaysAutoRebootAtScheduledTimeMinutes=0),
         PASSED, "AlwaysAutoRebootCheck.Passed", REBOOT_NOT_SET),
    case("at scheduled time", lambda d: d.registry(AU_POLICY, AlwaysAutoRebootAtScheduledTime=1), WARNED,
         "AlwaysAutoRebootCheck.PassedWithWarning", REBOOT_SET),
    case("after minutes", lambda d: d.registry(AU_POLICY, AlwaysAutoRebootAtScheduledTimeMinutes=15), WARNED,
         "AlwaysAutoRebootCheck.PassedWithWarning", REBOOT_SET),
]

CASES["WSUSServerConfigured"] = [
    case("Windows Update", same, PASSED, "WSUSServerConfigured.Passed",
         "Windows Updates are downloading from the default Windows Update location. Ensure the server has access to "
         "the Windows Update service"),
    case("WSUS", lambda d: d.registry(WU_POLICY, WUServer="http://wsus.contoso.local:8530"), WARNED,
         "WSUSServerConfigured.PassedWithWarning",
         "Windows Updates are downloading from a configured WSUS Server http://wsus.contoso.local:8530. Ensure the WSUS "
         "server is accessible and updates are being approved for installation", ["http://wsus.contoso.local:8530"]),
]

CASES["AutomaticUpdateCheck"] = [
    case("not set", same, PASSED, "AutomaticUpdateCheck.Passed",
         "Windows Update is not set to automatically install updates as they become available"),
    case("notify", lambda d: d.registry(AU_POLICY, AUOptions=2), PASSED, "AutomaticUpdateCheck.Passed",
         "Windows Update is not set to automatically install updates as they become available"),
    case("download and install", lambda d: d.registry(AU_POLICY, AUOptions=4), WARNED,
         "AutomaticUpdateCheck.PassedWithWarning",
         "Windows Update will automatically download and install new updates as they become available"),
]

HTTPS_OK = "VM is able to make https requests."
HTTPS_PROXY = "Please check if the proxy server is configured properly to allow https requests."
HTTPS_FAILED = f"VM is not able to make https requests. Please check your network connection. Unable to reach {HTTPS_URL}."
CASES["HttpsConnection"] = [
    case("403 through the settings", same, PASSED, "HttpsConnection.Passed", HTTPS_OK, route="direct"),
    case("200 through the proxy", lambda d: d.proxy(PROXY).https(200, "timeout").routed_through_proxy("https"), PASSED,
         "HttpsConnection.Passed", HTTPS_OK, route=f"proxy {PROXY}"),
    case("proxy refuses, direct 403", lambda d: d.proxy(PROXY).https(407, 403).routed_through_proxy("https"), WARNED,
         "HttpsConnection.PassedWithWarning", HTTPS_PROXY, route="direct"),
    case("proxy times out, direct 200", lambda d: d.https("timeout", 200), WARNED, "HttpsConnection.PassedWithWarning",
         HTTPS_PROXY, route="direct"),
    case("nothing answers", lambda d: d.https("timeout", "refused"), FAILED, "HttpsConnection.Failed", HTTPS_FAILED,
         [HTTPS_URL], route="direct"),
    case("server errors", lambda d: d.https(500, 502), FAILED, "HttpsConnection.Failed", HTTPS_FAILED, [HTTPS_URL],
         route="direct"),
    case("TLS fails", lambda d: d.https("tls", "tls"), FAILED, "HttpsConnection.Failed", HTTPS_FAILED, [HTTPS_URL],
         route="direct"),
]


def bad_blob(blob: bytes):
    return lambda d: d.proxy(None, blob=blob)


CASES["ProxySettings"] = [
    case("direct access", same, PASSED, "ProxySettings.Passed", "Proxy is not set."),
    case("never set", lambda d: d.registry(CONNECTIONS, WinHttpSettings=None), PASSED, "ProxySettings.Passed",
         "Proxy is not set."),
    case("proxy", lambda d: d.proxy(PROXY), WARNED, "ProxySettings.PassedWithWarning", "Proxy is set."),
    case("proxy with bypass list", lambda d: d.proxy(PROXY, blob=winhttp.encode(PROXY, "<local>")), WARNED,
         "ProxySettings.PassedWithWarning", "Proxy is set."),
    # The first DWORD is a version that differs between writers: any is read.
    *[case(f"proxy in a blob of version 0x{version:x}",
           lambda d, version=version: d.proxy(PROXY, blob=struct.pack("<I", version) + winhttp.encode(PROXY)[4:]),
           WARNED, "ProxySettings.PassedWithWarning", "Proxy is set.") for version in (0x28, 0x3C, 0x46)],
    case("version 0x28, lengths that do not fit", bad_blob(struct.pack("<IIII", 0x28, 0, 3, 200) + b"proxy"), FAILED,
         "ProxySettings.Failed.UnreadableSettings",
         "The WinHTTP proxy settings (registry value WinHttpSettings) cannot be read: WinHttpSettings proxy server runs "
         "past the end of the value"),
    case("blob cut short", bad_blob(winhttp.encode(PROXY)[:20]), FAILED, "ProxySettings.Failed.UnreadableSettings",
         "The WinHTTP proxy settings (registry value WinHttpSettings) cannot be read: WinHttpSettings proxy server runs "
         "past the end of the value"),
    case("a string, not a blob", lambda d: d.registry(CONNECTIONS, WinHttpSettings="proxy:8080"), FAILED,
         "ProxySettings.Failed.UnreadableSettings",
         "The WinHTTP proxy settings (registry value WinHttpSettings) cannot be read: WinHttpSettings is a str value, "
         "not binary"),
]

CASES["IMDSConnectivity"] = [
    case("reachable", same, PASSED, "IMDSConnectivity.Passed", "VM is able to reach IMDS server", route="direct"),
    case("through the proxy", lambda d: d.proxy(PROXY).imds(200, 200).routed_through_proxy("imds"), PASSED,
         "IMDSConnectivity.Passed", "VM is able to reach IMDS server", route=f"proxy {PROXY}"),
    case("only bypassing the proxy", lambda d: d.proxy(PROXY).imds(403, 200).routed_through_proxy("imds"), FAILED,
         "IMDSConnectivity.Failed", "VM is likely behind a proxy and UM may not be able to query IMDS to get VM info.",
         route="direct"),
    case("not an Azure VM", lambda d: d.imds("timeout", "timeout"), WARNED, "IMDSConnectivity.PassedWithWarning",
         "VM is not able to reach IMDS server. Consider this as a Failure if this is an Azure VM.", route="direct"),
    case("answers 404 both ways", lambda d: d.imds(404, 404), WARNED, "IMDSConnectivity.PassedWithWarning",
         "VM is not able to reach IMDS server. Consider this as a Failure if this is an Azure VM.", route="direct"),
]

WU_ARGS = ["Windows Update", "wuauserv"]
WU_OK = "Windows Update service (wuauserv) is running."
CASES["WUServiceRunningCheck"] = [
    case("manual, running", same, PASSED, "WUServiceRunningCheck.Passed", WU_OK, WU_ARGS),
    case("manual, stopped", lambda d: d.service("wuauserv", "Stopped", 3), PASSED, "WUServiceRunningCheck.Passed", WU_OK, WU_ARGS),
    case("automatic", lambda d: d.service("wuauserv", "Running", 2), PASSED, "WUServiceRunningCheck.Passed", WU_OK, WU_ARGS),
    case("disabled", lambda d: d.service("wuauserv", "Stopped", 4), FAILED, "WUServiceRunningCheck.Failed",
         "Windows Update service (wuauserv) is disabled. Please set it to automatic or manual. You can run "
         "'sc config wuauserv start= demand' to set it to manual.", WU_ARGS),
    case("not installed", lambda d: d.service("wuauserv", exists=False), FAILED, "WUServiceRunningCheck.Failed.NotInstalled",
         "Windows Update service (wuauserv) is not installed on the machine.", WU_ARGS),
]


def log_analytics_cases(rule_id: str, kind: str) -> list:
    description = catalog.rule(rule_id).description
    endpoint = f"{WS}.{kind}.opinsights.azure.com"
    return [
        case("reachable", same, PASSED, f"{rule_id}.Passed", f"TCP Test for {endpoint} (port 443) succeeded", [endpoint],
             description, route="direct"),
        case("blocked", lambda d: d.endpoints(failing=(endpoint,)), FAILED, f"{rule_id}.Failed",
             f"TCP Test for {endpoint} (port 443) failed", [endpoint], description, route="direct"),
        case("US Gov Arizona uses azure.us", lambda d: d.endpoints("usgovarizona"), PASSED, f"{rule_id}.Passed",
             f"TCP Test for {WS}.{kind}.opinsights.azure.us (port 443) succeeded", [f"{WS}.{kind}.opinsights.azure.us"],
             description, route="direct", location="usgovarizona"),
        case("China", lambda d: d.endpoints("chinaeast2"), PASSED, f"{rule_id}.Passed",
             f"TCP Test for {WS}.{kind}.opinsights.azure.cn (port 443) succeeded", [f"{WS}.{kind}.opinsights.azure.cn"],
             description, route="direct", location="chinaeast2"),
        case("no workspace", lambda d: d.agent(), FAILED, f"{rule_id}.Failed",
             "Unable to find Workspace registration information", [], description),
        case("two workspaces", lambda d: d.agent(WS, WS2).events(OPS_LOG, updates_event(WS), updates_event(WS2)), FAILED,
             f"{rule_id}.Failed", "VM connected to multiple workspaces.", [], description),
    ]


CASES["LAOdsEndpointConnectivity"] = log_analytics_cases("LAOdsEndpointConnectivity", "ods")
CASES["LAOmsEndpointConnectivity"] = log_analytics_cases("LAOmsEndpointConnectivity", "oms")


def test_every_rule_has_cases_and_a_test():
    assert set(CASES) == set(catalog.RULES) == set(RULE_TESTS)


@pytest.mark.parametrize("rule_id", list(catalog.RULES))
def test_every_rule_reaches_each_of_its_results(rule_id):
    """Each rule's cases between them reach every check result the reference lists for it."""
    results = {p.values[2] for p in CASES[rule_id]}
    assert PASSED in results or rule_id == "IMDSConnectivity"
    assert len(results) >= 2


@pytest.mark.parametrize(
    ("rule_id", "change", "location", "check_result", "message_id", "message", "args", "description", "route"),
    [pytest.param(rule_id, *p.values, id=f"{rule_id}-{p.id}") for rule_id, params in CASES.items() for p in params],
)
def test_rule_branch(rule_id, change, location, check_result, message_id, message, args, description, route):
    decision = decide(rule_id, change(HostDoc()), location)
    result = decision.result
    assert (result.CheckResult, result.CheckResultMessageId) == (check_result, message_id)
    assert result.CheckResultMessage == message
    assert result.CheckResultMessageArguments == args
    info = catalog.rule(rule_id)
    expected_description = info.description if description is None else description
    assert result.RuleDescription == expected_description
    assert (result.RuleId, result.RuleGroupId, result.RuleName, result.RuleGroupName) == (
        info.rule_id, info.group_id, info.name, info.group_name)
    assert decision.route == route


# A fact the probe could not gather: the rule that reads it raises FactUnavailable naming it,
# whatever the rest of the host looks like.
UNAVAILABLE = [
    ("OperatingSystemCheck", ("os",)),
    ("DotNetFrameworkInstalledCheck", ("registry", NDP_FULL)),
    ("WindowsManagementFrameworkInstalledCheck", ("powershell",)),
    ("AutomationAgentServiceConnectivityCheck1", ("agent",)),
    ("AutomationAgentServiceConnectivityCheck1", ("event_logs", OPS_LOG)),
    ("AutomationAgentServiceConnectivityCheck1", ("network",)),
    ("AutomationJobRuntimeDataServiceConnectivityCheck", ("network",)),
    ("MonitoringAgentServiceRunningCheck", ("services", "HealthService")),
    ("SystemHybridRunbookWorkerRunningCheck", ("event_logs", SMA_LOG)),
    ("MonitoringAgentServiceEventsCheck", ("event_logs", OPS_LOG)),
    ("LinkedWorkspaceCheck", ("agent",)),
    ("LinkedWorkspaceCheck", ("event_logs", OPS_LOG)),
    ("CryptoRsaMachineKeysFolderAccessCheck", ("acl", MACHINE_KEYS)),
    ("TlsVersionCheck", ("os",)),
    ("TlsVersionCheck", ("registry", TLS_CLIENT)),
    ("TlsVersionCheck", ("registry", TLS_SERVER)),
    ("AlwaysAutoRebootCheck", ("registry", AU_POLICY)),
    ("WSUSServerConfigured", ("registry", WU_POLICY)),
    ("AutomaticUpdateCheck", ("registry", AU_POLICY)),
    ("HttpsConnection", ("network", "https")),
    ("HttpsConnection", ("network",)),
    ("ProxySettings", ("registry", CONNECTIONS)),
    ("IMDSConnectivity", ("network", "imds")),
    ("WUServiceRunningCheck", ("services", "wuauserv")),
    ("LAOdsEndpointConnectivity", ("agent",)),
    ("LAOdsEndpointConnectivity", ("network",)),
    ("LAOmsEndpointConnectivity", ("event_logs", OPS_LOG)),
    ("LAOmsEndpointConnectivity", ("network",)),
]


@pytest.mark.parametrize(("rule_id", "path"), UNAVAILABLE, ids=[f"{r}-{'.'.join(p)}" for r, p in UNAVAILABLE])
def test_unavailable_fact_is_never_a_default(rule_id, path):
    doc = HostDoc().unavailable(*path, message="Access is denied.")
    with pytest.raises(FactUnavailable) as caught:
        decide(rule_id, doc)
    assert caught.value.path == ".".join(path)
    assert str(caught.value) == f"{'.'.join(path)}: Access is denied."


def test_endpoint_the_probe_did_not_test_is_unavailable():
    # The probe was sent the default endpoints; the run asks about japaneast's.
    with pytest.raises(FactUnavailable, match=r"network.tcp\[jpe-jobruntimedata-prod-su1.azure-automation.net:443\]"):
        decide("AutomationJobRuntimeDataServiceConnectivityCheck", HostDoc(), "japaneast")


def test_wu_service_without_start_value_is_unavailable():
    # An installed service whose start type cannot be read is not assumed enabled: the rule says
    # it cannot decide (rule.inconclusive), as a fact the probe did not gather would.
    with pytest.raises(Inconclusive, match=r"^services.wuauserv.start: "):
        decide("WUServiceRunningCheck", HostDoc().service("wuauserv", "Stopped", None))


def test_agent_not_installed_needs_no_event_log():
    # Without agent workspaces the answer is None whatever the log holds, so an unreadable
    # log does not turn a known answer into an error.
    doc = HostDoc().agent().unavailable("event_logs", OPS_LOG)
    assert decide("LinkedWorkspaceCheck", doc).result.CheckResultMessageId == "LinkedWorkspaceCheck.Failed.NoWorkspace"


# The troubleshooter's output for the seed sample machine, rule by rule (RuleId, CheckResult,
# CheckResultMessageId, CheckResultMessage): fixtures/seed-sample-output.txt.
SEED = [(r.RuleId, r.CheckResult, r.CheckResultMessageId, r.CheckResultMessage) for r in seed_sample_output.results()]


def test_seed_sample_gives_the_seed_documents_results():
    doc = seed_sample()
    got = [
        (r.RuleId, r.CheckResult, r.CheckResultMessageId, r.CheckResultMessage)
        for r in (decide(rule_id, doc).result for rule_id in catalog.RULES)
    ]
    assert got == SEED


def test_rule_functions_are_in_the_references_order_within_each_file():
    for module_name in RULE_MODULES:
        module = importlib.import_module(f"tests_readiness.test_{module_name}")
        names = [n[len("test_"):] for n in vars(module) if n.startswith("test_")]
        assert names == sorted(names, key=lambda rule_id: catalog.rule(rule_id).order), module_name
        markers = {catalog.rule(n).marker for n in names}
        assert [m.name for m in [module.pytestmark]] == list(markers)


# The probe kept only the newest events of a query: a rule passes only if the missing ones
# could not change its result.
WORKSPACE_RULES = ("LinkedWorkspaceCheck", "AutomationAgentServiceConnectivityCheck1", "LAOdsEndpointConnectivity",
                   "LAOmsEndpointConnectivity")


@pytest.mark.parametrize("rule_id", WORKSPACE_RULES)
def test_truncated_1210_events_that_could_hide_a_second_workspace_are_unavailable(rule_id):
    # An older 1210 event may give WS2 the updates solution too: Multiple, not one valid workspace.
    doc = HostDoc().agent(WS, WS2).endpoints().truncated(OPS_LOG, (1210,), 1000)
    with pytest.raises(FactUnavailable) as caught:
        decide(rule_id, doc)
    assert caught.value.path == f"event_logs.{OPS_LOG}"
    assert caught.value.message.startswith("more than 1000 events with id 1210: ")


@pytest.mark.parametrize(("change", "message_id"), [
    (lambda d: d.truncated(OPS_LOG, (1210,), 1000), "LinkedWorkspaceCheck.Passed"),  # the agent's only workspace found
    (lambda d: d.agent(WS, WS2).events(OPS_LOG, updates_event(WS), updates_event(WS2)).truncated(OPS_LOG, (1210,), 1000),
     "LinkedWorkspaceCheck.Failed"),  # two found already: more events cannot undo Multiple
    (lambda d: d.agent().truncated(OPS_LOG, (1210,), 1000), "LinkedWorkspaceCheck.Failed.NoWorkspace"),  # no agent
    (lambda d: d.agent(WS, WS2).truncated(OPS_LOG, (4502,), 50), "LinkedWorkspaceCheck.PassedWithWarning"),
], ids=["one workspace found", "two found", "no agent", "only 4502 cut"])
def test_truncated_1210_events_that_cannot_change_the_outcome(change, message_id):
    assert decide("LinkedWorkspaceCheck", change(HostDoc())).result.CheckResultMessageId == message_id


def test_truncated_4502_query_without_a_recent_match_is_unavailable():
    doc = HostDoc().events(OPS_LOG, updates_event(), event(4502, "Health Service Modules", 24.5, "x")).truncated(
        OPS_LOG, (4502,), 50)
    with pytest.raises(FactUnavailable) as caught:
        decide("MonitoringAgentServiceEventsCheck", doc)
    assert str(caught.value).startswith(f"event_logs.{OPS_LOG}: more than 50 events with id 4502: ")


def test_truncated_4502_query_with_a_recent_match_fails():
    doc = with_4502(1)(HostDoc()).truncated(OPS_LOG, (4502,), 50)
    result = decide("MonitoringAgentServiceEventsCheck", doc).result
    assert result.CheckResultMessageId == "MonitoringAgentServiceEventsCheck.Failed.EventFound"


def test_truncated_1210_query_does_not_touch_the_4502_check():
    doc = HostDoc().truncated(OPS_LOG, (1210,), 1000)
    assert decide("MonitoringAgentServiceEventsCheck", doc).result.CheckResultMessageId == "MonitoringAgentServiceEventsCheck.Passed"


TLS12_NOT_OFFERED = ("network.https: the probe's .NET runtime could not offer TLS 1.2 (PowerShell 2.0 without the "
                     ".NET 3.5.1 TLS 1.2 update): the HTTPS test is inconclusive")


@pytest.mark.parametrize(("proxy", "direct"), [("tls", "tls"), ("timeout", "tls"), ("tls", "refused")])
def test_tls_failure_of_a_probe_that_could_not_offer_tls12_does_not_blame_the_vm(proxy, direct):
    with pytest.raises(Inconclusive) as caught:
        decide("HttpsConnection", HostDoc().probe_tls12(False).https(proxy, direct))
    assert str(caught.value) == TLS12_NOT_OFFERED


@pytest.mark.parametrize(("proxy", "direct", "message_id"), [
    (403, "tls", "HttpsConnection.Passed"),
    ("tls", 403, "HttpsConnection.PassedWithWarning"),
    ("timeout", "refused", "HttpsConnection.Failed"),
])
def test_probe_without_tls12_still_decides_what_tls_did_not_cause(proxy, direct, message_id):
    decision = decide("HttpsConnection", HostDoc().probe_tls12(False).https(proxy, direct))
    assert decision.result.CheckResultMessageId == message_id
