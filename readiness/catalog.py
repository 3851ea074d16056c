"""The rules of each profile: identity, group and description, in report order.

``update-management`` is the 20 rules of the Update Management offline troubleshooter (the
default profile); ``azure-vm`` and ``arc`` are the Azure Update Manager troubleshooters' rules
for an Azure VM and for an Arc-enabled server, strings verbatim (typos included: they are part
of each result), in the order the scripts print them.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class RuleInfo:
    """What the troubleshooter prints about a rule, whatever its outcome."""

    order: int
    rule_id: str
    group_id: str
    group_name: str
    name: str
    description: str

    @property
    def marker(self) -> str:
        """The pytest marker of the rule's group (``-m connectivity``)."""
        return MARKERS[self.group_id]


PREREQ = ("prerequisites", "Prerequisite Checks")
CONNECT = ("connectivity", "connectivity")
HEALTH = ("servicehealth", "VM Service Health Checks")
WU_HEALTH = ("servicehealth", "WU Service Health Check")
PERMS = ("permissions", "Access Permission Checks")
SETTINGS = ("machineSettings", "Machine Override Checks")

MARKERS = {
    "prerequisites": "prerequisites",
    "connectivity": "connectivity",
    "servicehealth": "servicehealth",
    "permissions": "permissions",
    "machineSettings": "machine_settings",
    "machinesettings": "machine_settings",
    "guestagentservices": "guest_agent_services",
    "arcagentservices": "arc_agent_services",
    "extensions": "extensions",
}

# An endpoint test's description names the endpoint; see readiness.endpoints.
ENDPOINT_DESCRIPTION = "Proxy and firewall configuration must allow Automation Hybrid Worker agent to communicate with {endpoint}"

_ROWS = [
    ("OperatingSystemCheck", PREREQ, "Operating System",
     "The Windows Operating system must be version 6.1.7600 (Windows Server 2008 R2) or higher"),
    ("DotNetFrameworkInstalledCheck", PREREQ, ".NET Framework 4.6.2+",
     ".NET Framework version 4.6.2 or higher is required"),
    ("WindowsManagementFrameworkInstalledCheck", PREREQ, "WMF 5.1",
     "Windows Management Framework version 4.0 or higher is required (version 5.1 or higher is preferable)"),
    ("AutomationAgentServiceConnectivityCheck1", CONNECT, "Registration endpoint", ENDPOINT_DESCRIPTION),
    ("AutomationJobRuntimeDataServiceConnectivityCheck", CONNECT, "Operations endpoint", ENDPOINT_DESCRIPTION),
    ("MonitoringAgentServiceRunningCheck", HEALTH, "Monitoring Agent service status",
     "HealthService must be running on the machine"),
    ("SystemHybridRunbookWorkerRunningCheck", HEALTH, "Hybrid runbook worker status",
     "Hybrid runbook worker must be in running state."),
    ("MonitoringAgentServiceEventsCheck", HEALTH, "Monitoring Agent service events",
     "Event Log must not have event 4502 logged in the past 24 hours"),
    ("LinkedWorkspaceCheck", HEALTH, "VM's Linked Workspace", "Get linked workspace info of the VM"),
    ("CryptoRsaMachineKeysFolderAccessCheck", PERMS, "Crypto RSA MachineKeys Folder Access",
     "SYSTEM account must have WRITE and MODIFY access to 'C:\\\\ProgramData\\\\Microsoft\\\\Crypto\\\\RSA\\\\MachineKeys'"),
    ("TlsVersionCheck", PREREQ, "TLS 1.2", "Client and Server connections must support TLS 1.2"),
    ("AlwaysAutoRebootCheck", SETTINGS, "AutoReboot",
     "Automatic reboot should not be enable as it forces a reboot irrespective of update configuration"),
    ("WSUSServerConfigured", SETTINGS, "isWSUSServerConfigured", "Increase awareness on WSUS configured on the server"),
    ("AutomaticUpdateCheck", SETTINGS, "AutoUpdate", "AutoUpdate should not be enabled on the machine"),
    ("HttpsConnection", CONNECT, "HTTPS connection", "Check if VM is able to make https requests."),
    ("ProxySettings", CONNECT, "Proxy settings", "Check if Proxy is enabled on the VM."),
    ("IMDSConnectivity", CONNECT, "IMDS endpoint connectivity",
     "Check if VM is able to reach IMDS server to get VM information."),
    ("WUServiceRunningCheck", WU_HEALTH, "WU service status", "WU must not be in the disabled state."),
    ("LAOdsEndpointConnectivity", CONNECT, "LA ODS endpoint",
     "Proxy and firewall configuration must allow to communicate with LA ODS endpoint"),
    ("LAOmsEndpointConnectivity", CONNECT, "LA OMS endpoint",
     "Proxy and firewall configuration must allow to communicate with LA OMS endpoint"),
]

RULES: dict[str, RuleInfo] = {
    rule_id: RuleInfo(order, rule_id, group[0], group[1], name, description)
    for order, (rule_id, group, name, description) in enumerate(_ROWS, start=1)
}


# --- Azure Update Manager (profiles azure-vm and arc) ------------------------------------------

AUM_PREREQ = ("prerequisites", "Prerequisites Checks")
AUM_CONNECT = ("connectivity", "Connectivity Checks")
AUM_SETTINGS = ("machinesettings", "Machine Update Settings Checks")
AUM_WU_SETTINGS = ("machinesettings", "Machine Update Settings")
GUEST_AGENT = ("guestagentservices", "Azure Guest Agent Services Check")
ARC_AGENT = ("arcagentservices", "Azure Arc Agent Checks")
EXTENSIONS = ("extensions", "Extension Checks")

AGENT_SERVICES_DESCRIPTION = "Agent related services must be running to ensure proper working of the agent."

_AUM_SHARED_HEAD = [
    ("DotNetFrameworkInstalledCheck", AUM_PREREQ, "Dot Net Framework installation check",
     ".NET Framework version 4.0 or higher is required."),
    ("TlsVersionCheck", AUM_PREREQ, "TLS version check", "Client and Server connections must support TLS 1.2."),
    ("HttpsConnectionCheck", AUM_PREREQ, "Https connection check", ""),
]
_AUM_SHARED_TAIL = [
    ("WSUSServerConfiguredCheck", AUM_SETTINGS, "WSUS server configured check",
     "Increase awareness on WSUS configured on the server."),
    ("WUEndpointConnectivityCheck", AUM_CONNECT, "Windows update endpoints connectivity check",
     "Proxy and firewall configuration must allow the system to communicate with Windows Update endpoints."),
    ("AlwaysAutoRebootCheck", AUM_SETTINGS, "Automatic reboot check",
     "Automatic reboot should not be enabled as it forces a reboot irrespective of update configuration."),
    ("AutomaticUpdateCheck", AUM_SETTINGS, "Automatic update check",
     "Automatic Update should not be enabled on the machine."),
    ("WUServiceRunningCheck", AUM_WU_SETTINGS, "Windows Update service must be running",
     "Windows update service must not be in the disabled state."),
    ("MUEnableCheck", AUM_WU_SETTINGS, "Microsoft Update enabled check",
     "Microsoft Update must be running to receive updates for Microsoft Products."),
]
_AZURE_VM_ROWS = [
    *_AUM_SHARED_HEAD,
    ("ProxySettingsCheck", ("prerequisites", "prerequisite checks"), "Proxy settings check",
     "Check if Proxy is enabled on the VM."),
    ("RdAgentServiceCheck", GUEST_AGENT, "RdAgent service must be running", AGENT_SERVICES_DESCRIPTION),
    ("WindowsAzureGuestAgentServiceCheck", GUEST_AGENT, "Windows Azure guest agent service must be running",
     AGENT_SERVICES_DESCRIPTION),
    ("WireServerConnectivityCheck", AUM_CONNECT, "Wire Server connectivity check", "Wire Server must be reachable"),
    ("PatchExtensionCheck", EXTENSIONS, "Windows Patch extension check",
     "WindowsPatchExtension should be installed on the machine for Periodic Assessment."),
    *_AUM_SHARED_TAIL,
]
_ARC_ROWS = [
    ("OSSupportedCheck", AUM_PREREQ, "Operating system supported check",
     "The Windows Operating system must be version 6.1.7601 (Windows Server 2008 R2 SP1) or higher."),
    *_AUM_SHARED_HEAD,
    ("ProxySettingsCheck", AUM_PREREQ, "Proxy settings check", "Check if Proxy is enabled on the VM."),
    ("ArcRequiredEndpointsCheck", AUM_CONNECT, "AAzure arc required endpoints connectivity check",
     "Proxy and firewall configuration must allow the system to communicate with Azure arc required endpoints."),
    ("HimdsServiceCheck", ARC_AGENT, "Hybrid Instance Metadata service (himds) check",
     "Azure Arc Agent related services must be running to ensure proper working of the arc agent."),
    *_AUM_SHARED_TAIL,
]


def _catalog(rows: list[tuple[str, tuple[str, str], str, str]]) -> dict[str, RuleInfo]:
    return {rule_id: RuleInfo(order, rule_id, group[0], group[1], name, description)
            for order, (rule_id, group, name, description) in enumerate(rows, start=1)}


DEFAULT_PROFILE = "update-management"
PROFILE_RULES: dict[str, dict[str, RuleInfo]] = {
    DEFAULT_PROFILE: RULES,
    "azure-vm": _catalog(_AZURE_VM_ROWS),
    "arc": _catalog(_ARC_ROWS),
}
PROFILES = tuple(PROFILE_RULES)


def rule(rule_id: str, profile: str = DEFAULT_PROFILE) -> RuleInfo:
    try:
        rules = PROFILE_RULES[profile]
    except KeyError:
        raise KeyError(f"no readiness profile is named {profile!r}") from None
    try:
        return rules[rule_id]
    except KeyError:
        where = "" if profile == DEFAULT_PROFILE else f" in the profile {profile}"
        raise KeyError(f"no readiness rule has the RuleId {rule_id!r}{where}") from None
