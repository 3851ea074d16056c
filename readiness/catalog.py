"""The 20 rules of the offline troubleshooter: identity, group and description, in report order."""

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


def rule(rule_id: str) -> RuleInfo:
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no readiness rule has the RuleId {rule_id!r}") from None
