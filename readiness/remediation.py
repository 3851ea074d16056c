"""What each rule checks, why it matters, how to fix it and how to verify the fix.

One :class:`Remediation` per RuleId, in the shape of a linter's rule documentation. Reports
show it next to every result that is not Passed; ``python -m readiness.remediation [RuleId]``
prints it for reading offline, ``--lang ja`` in Japanese (:mod:`readiness.lang`).

>>> for_rule("WUServiceRunningCheck").verify.splitlines()[0]
'Get-Service -Name wuauserv | Select-Object Name, Status, StartType'
>>> for_rule("WUServiceRunningCheck", "ja").text("WUServiceRunningCheck", "ja").splitlines()[0]
'# WUServiceRunningCheck (Windows Update サービスの状態)'
"""

from __future__ import annotations

import dataclasses
import sys

from readiness.catalog import DEFAULT_PROFILE, PROFILE_RULES, PROFILES, RULES, rule
from readiness.lang import DEFAULT_LANGUAGE, LANGUAGES, UnknownLanguage, check_language, rule_name, ui


@dataclasses.dataclass(frozen=True)
class Remediation:
    """The four passages of a rule's documentation; ``verify`` is PowerShell to run on the host."""

    what: str
    why: str
    fix: str
    verify: str

    def text(self, rule_id: str, lang: str = DEFAULT_LANGUAGE, profile: str = DEFAULT_PROFILE) -> str:
        """Plain text (Markdown) of the whole entry, headed by the rule (of ``profile``), its headings in ``lang``."""
        info = rule(rule_id, profile)
        return (
            f"# {info.rule_id} ({rule_name(rule_id, lang, profile)})\n\n"
            f"## {ui('remediation.what', lang)}\n\n{self.what}\n\n"
            f"## {ui('remediation.why', lang)}\n\n{self.why}\n\n"
            f"## {ui('remediation.fix', lang)}\n\n{self.fix}\n\n"
            f"## {ui('remediation.verify', lang)}\n\n```powershell\n{self.verify}\n```\n"
        )


def _endpoint_verify(expression: str) -> str:
    return (
        f"$endpoint = {expression}\n"
        "(Test-NetConnection -ComputerName $endpoint -Port 443 -WarningAction SilentlyContinue).TcpTestSucceeded\n"
        "# True when the connection is allowed; rerun the readiness suite afterwards."
    )


_WORKSPACE_ID = "$workspaceId = '<workspace id>'  # see LinkedWorkspaceCheck\n"

_NET_PLANNING = (
    "Allow outbound TCP 443 from the machine, through every firewall and proxy on the way, to "
    "the Azure Automation and Log Analytics endpoints of the account's cloud (`*.azure-automation.net`, "
    "`*.ods.opinsights.azure.com`, `*.oms.opinsights.azure.com` in Azure public cloud; `.us` and `.cn` "
    "equivalents in US Government and China clouds). When the machine goes out through a proxy, "
    "the proxy must allow these names as well, and the Log Analytics agent must be told about the "
    "proxy (agent Control Panel applet, Proxy Settings tab)."
)

_REMEDIATIONS: dict[str, Remediation] = {
    "OperatingSystemCheck": Remediation(
        what="The Windows version of the machine (`[Environment]::OSVersion.Version`) is 6.1.7600 "
        "(Windows Server 2008 R2) or later.",
        why="The Hybrid Runbook Worker and the Log Analytics agent are built and supported only for "
        "these versions. On an older system the agent cannot register, assess or install updates, and "
        "TLS 1.2 (TlsVersionCheck) is not available either.",
        fix="Upgrade the machine to a Windows version that the Update Management operating system "
        "requirements list as supported, or take the machine out of Update Management.",
        verify="[Environment]::OSVersion.Version\n"
        "[Environment]::OSVersion.Version -ge [Version]'6.1.7600'  # True when supported",
    ),
    "DotNetFrameworkInstalledCheck": Remediation(
        what="The DWORD `Release` under `HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full` "
        "is 394802 or higher, which means .NET Framework 4.6.2 or a later 4.x release is installed.",
        why="The Hybrid Runbook Worker is .NET code that targets .NET Framework 4.6.2. With an older "
        "runtime (or none of the 4.x line) the worker cannot start, so the machine never becomes ready.",
        fix="Install .NET Framework 4.6.2 or later (4.8 is the usual choice) from the .NET Framework "
        "runtime download page or through your update source, then restart the machine.",
        verify="$full = 'HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full'\n"
        "(Get-ItemProperty -Path $full -Name Release -ErrorAction SilentlyContinue).Release -ge 394802"
        "  # True when 4.6.2+",
    ),
    "WindowsManagementFrameworkInstalledCheck": Remediation(
        what="The version of Windows PowerShell, which Windows Management Framework (WMF) ships: 5.1 "
        "or later passes, 4.0 up to 5.0 passes with a warning, anything older fails.",
        why="Update Management runs its assessment and installation as PowerShell runbooks on the "
        "machine. They are written for Windows PowerShell 5.1; on 4.0 some of them are unreliable, "
        "and below 4.0 they do not run at all.",
        fix="Install Windows Management Framework 5.1 for the machine's Windows version from the WMF 5.1 "
        "download page (it needs .NET Framework 4.5 or later), then restart the machine.",
        verify="$PSVersionTable.PSVersion  # Major.Minor should be 5.1 or higher\n"
        "powershell.exe -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'",
    ),
    "AutomationAgentServiceConnectivityCheck1": Remediation(
        what="First, the workspace that the agent reports to and that has the Updates solution "
        "(see LinkedWorkspaceCheck). Then, a TCP connection to port 443 of the registration "
        "endpoint `<workspace id>.agentsvc.azure-automation.net` (`.us` or `.cn` in those clouds).",
        why="The Hybrid Runbook Worker registers with Azure Automation and keeps its registration "
        "alive through this endpoint. Without it the machine shows as Not configured or Disconnected.",
        fix="When the message is `Unable to find Workspace registration information` "
        "(`NoRegistrationFound`), connect the agent to exactly one workspace that has the Updates "
        "solution, and fix LinkedWorkspaceCheck first. When the TCP test fails: " + _NET_PLANNING,
        verify=_WORKSPACE_ID + _endpoint_verify("$workspaceId + '.agentsvc.azure-automation.net'"),
    ),
    "AutomationJobRuntimeDataServiceConnectivityCheck": Remediation(
        what="A TCP connection to port 443 of the Job Runtime Data Service (the operations endpoint) "
        "of the Automation account's region, `<region moniker>-jobruntimedata-prod-su1.azure-automation.net` "
        "(chosen by `--automation-account-location`).",
        why="The worker fetches the update runbooks it must run, and sends back their output, through "
        "this endpoint. If it is blocked, deployments to the machine never start or never finish.",
        fix=_NET_PLANNING,
        verify="$moniker = 'eus2'  # the region moniker of the Automation account: jpe, we, scus, ...\n"
        + _endpoint_verify("$moniker + '-jobruntimedata-prod-su1.azure-automation.net'"),
    ),
    "MonitoringAgentServiceRunningCheck": Remediation(
        what="The Microsoft Monitoring Agent (Log Analytics agent) service, `HealthService`, is "
        "installed and running.",
        why="The Hybrid Runbook Worker runs inside the agent's service. When the service is stopped or "
        "missing, nothing of Update Management works on the machine.",
        fix="Start the service and make it start automatically: `Set-Service -Name HealthService "
        "-StartupType Automatic; Start-Service -Name HealthService`. If it stops again, read the "
        "`Operations Manager` event log for the reason. If the service does not exist, install the Log "
        "Analytics agent for Windows and connect it to the workspace.",
        verify="Get-Service -Name HealthService | Select-Object Name, Status\n"
        "# Status should be Running",
    ),
    "SystemHybridRunbookWorkerRunningCheck": Remediation(
        what="The newest start (15003) or stop (15004) event of the system Hybrid Runbook Worker in "
        "the `Microsoft-SMA/Operational` event log. A start event passes; a stop event, or no "
        "event at all, fails.",
        why="Update Management sends its runbooks to the system Hybrid Runbook Worker. A machine "
        "whose worker is stopped is shown as Disconnected and gets no update deployments.",
        fix="Force the worker to register again, then restart the agent:\n\n"
        "    Remove-Item -Path 'HKLM:\\SOFTWARE\\Microsoft\\HybridRunbookWorker' -Recurse -Force\n"
        "    Restart-Service -Name HealthService\n\n"
        "This also removes any user Hybrid Runbook Worker from the machine: register those again "
        "afterwards. If the worker still does not start, open a support request.",
        verify="Get-WinEvent -LogName 'Microsoft-SMA/Operational' -MaxEvents 50 |\n"
        "    Where-Object { $_.Id -in 15003, 15004 } | Select-Object -First 1 TimeCreated, Id\n"
        "# Id 15003 (worker started) is the healthy answer",
    ),
    "MonitoringAgentServiceEventsCheck": Remediation(
        what="The `Operations Manager` event log exists and holds no event 4502 from source "
        "`Health Service Modules` logged in the last 24 hours.",
        why="The agent logs 4502 when one of its modules fails, most often because it cannot reach "
        "or authenticate to the workspace (blocked endpoint, proxy, certificate in the MachineKeys "
        "folder, clock skew). A missing log means the agent is not installed.",
        fix="Read the message of the newest 4502 event: it names the module and the error. Fix the "
        "cause, which the other failing checks usually point at (connectivity, proxy, "
        "CryptoRsaMachineKeysFolderAccessCheck), then restart `HealthService`. When the log does not "
        "exist (`NoLog`), install the Log Analytics agent for Windows.",
        verify="Get-WinEvent -FilterHashtable @{ LogName = 'Operations Manager'; Id = 4502;\n"
        "    StartTime = (Get-Date).AddDays(-1) } -ErrorAction SilentlyContinue |\n"
        "    Select-Object -First 5 TimeCreated, ProviderName, Message\n"
        "# No output means no 4502 event in the last 24 hours",
    ),
    "LinkedWorkspaceCheck": Remediation(
        what="The workspaces the agent reports to (`AgentConfigManager.MgmtSvcCfg`), matched with "
        "the workspaces that deliver the Updates solution to the machine (event 1210 in the "
        "`Operations Manager` log). Exactly one match passes; one match among several workspaces "
        "warns; none, or several, fails.",
        why="Update Management works through the workspace that is linked to the Automation account. "
        "A machine that reports to no such workspace, or to several of them, is not managed, or "
        "managed from the wrong place.",
        fix="Connect the agent to the workspace that is linked to the Automation account and has the "
        "Updates solution (agent Control Panel applet, Azure Log Analytics tab), and remove other "
        "workspaces with the Updates solution. Check the network requirements if the agent cannot "
        "connect.",
        verify="(New-Object -ComObject 'AgentConfigManager.MgmtSvcCfg').GetCloudWorkspaces() |\n"
        "    Select-Object workspaceId, ConnectionStatus\n"
        "# In the workspace (Log Analytics), the machine should send heartbeats:\n"
        "#   Heartbeat | where Computer =~ \"<computer name>\" | take 1",
    ),
    "CryptoRsaMachineKeysFolderAccessCheck": Remediation(
        what="The effective rights of the SYSTEM account (S-1-5-18) on "
        "`C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys` include Write and Modify, with "
        "Deny entries taken into account.",
        why="The agent, running as SYSTEM, keeps the private key of its workspace certificate in "
        "this folder. Without write access it cannot create or renew the key and cannot "
        "authenticate to the workspace.",
        fix="Grant SYSTEM Modify (or Full control) on the folder and remove any Deny entry that "
        "names SYSTEM:\n\n"
        "    icacls 'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys' /grant '*S-1-5-18:(OI)(CI)M'\n\n"
        "Then restart `HealthService`.",
        verify="$folder = 'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys'\n"
        "(Get-Acl -Path $folder).GetAccessRules($true, $true, [Security.Principal.SecurityIdentifier]) |\n"
        "    Where-Object { $_.IdentityReference.Value -eq 'S-1-5-18' } |\n"
        "    Select-Object AccessControlType, FileSystemRights\n"
        "# Expect Allow with Modify or FullControl, and no Deny",
    ),
    "TlsVersionCheck": Remediation(
        what="Whether TLS 1.2 is available and enabled for SChannel clients and servers: the OS "
        "version, and the values `Enabled` and `DisabledByDefault` under "
        "`HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client` "
        "and `...\\Server`.",
        why="Azure Automation and Log Analytics accept only TLS 1.2 connections; TLS 1.0 and 1.1 are "
        "no longer supported. A machine that cannot speak TLS 1.2 cannot talk to the service at all.",
        fix="On Windows Server 2008 R2 (`NotExplicitlyEnabled`) TLS 1.2 must be switched on; on later "
        "versions (`ExplicitlyDisabled`) remove whatever switched it off. In both cases set, for "
        "Client and Server, `Enabled` = 1 and `DisabledByDefault` = 0, then restart:\n\n"
        "    foreach ($side in 'Client', 'Server') {\n"
        "        $key = \"HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\$side\"\n"
        "        New-Item -Path $key -Force | Out-Null\n"
        "        New-ItemProperty -Path $key -Name Enabled -Value 1 -PropertyType DWord -Force | Out-Null\n"
        "        New-ItemProperty -Path $key -Name DisabledByDefault -Value 0 -PropertyType DWord -Force | Out-Null\n"
        "    }\n\n"
        "When the OS has no TLS 1.2 support (`NoDefaultSupport`, or `Failed` on an unsupported OS), "
        "install the update that adds TLS 1.1 and 1.2 support, or upgrade Windows.",
        verify="$base = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2'\n"
        "'Client', 'Server' | ForEach-Object {\n"
        "    Get-ItemProperty -Path \"$base\\$_\" -ErrorAction SilentlyContinue |\n"
        "        Select-Object PSChildName, Enabled, DisabledByDefault }\n"
        "# Expect Enabled 1 (or absent on 2012+) and DisabledByDefault 0 (or absent on 2012+)",
    ),
    "AlwaysAutoRebootCheck": Remediation(
        what="The Windows Update policy values `AlwaysAutoRebootAtScheduledTime` (1) and "
        "`AlwaysAutoRebootAtScheduledTimeMinutes` (non-zero) under "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU`.",
        why="With these set, Windows restarts the machine on its own schedule after installing "
        "updates, whatever reboot option the Update Management deployment chose. Machines restart "
        "when nobody expects it.",
        fix="Remove both values, or set the policy \"Always automatically restart at the scheduled "
        "time\" to Not Configured where it comes from (a domain policy writes them back):\n\n"
        "    Remove-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' `\n"
        "        -Name AlwaysAutoRebootAtScheduledTime, AlwaysAutoRebootAtScheduledTimeMinutes -ErrorAction SilentlyContinue\n\n"
        "Then choose the reboot behaviour in the deployment schedule of Update Management.",
        verify="Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue |\n"
        "    Select-Object AlwaysAutoRebootAtScheduledTime, AlwaysAutoRebootAtScheduledTimeMinutes\n"
        "# Both empty (or 0) is the healthy answer",
    ),
    "WSUSServerConfigured": Remediation(
        what="The Windows Update policy value `WUServer` under "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate`: a WSUS server the machine "
        "downloads updates from.",
        why="With a WSUS server, Update Management can install only the updates that WSUS has "
        "approved, and only while WSUS is reachable. A deployment may end with nothing installed.",
        fix="If the machine is meant to use WSUS, make sure the server is reachable and approve the "
        "updates before each deployment. If it is not, remove the WSUS settings (`WUServer`, "
        "`WUStatusServer`, and `UseWUServer` under `AU`, or the policy that sets them) and reset the "
        "Windows Update components (`Restart-Service -Name wuauserv`).",
        verify="Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate' -ErrorAction SilentlyContinue |\n"
        "    Select-Object WUServer, WUStatusServer\n"
        "(Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue).UseWUServer",
    ),
    "AutomaticUpdateCheck": Remediation(
        what="The Windows Update policy value `AUOptions` under "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU`; 4 means \"automatically "
        "download and schedule the install\".",
        why="Windows then installs updates by itself as they come out, outside Update Management's "
        "maintenance windows: deployments find nothing to do, and updates (and reboots) happen "
        "at times nobody planned.",
        fix="Set the group policy \"Configure Automatic Updates\" to Disabled (or to option 2 or 3, "
        "notify before download or install). On a machine without a domain policy:\n\n"
        "    Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -Name NoAutoUpdate -Value 1 -Type DWord\n"
        "    Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -Name AUOptions -Value 3 -Type DWord",
        verify="(Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue).AUOptions\n"
        "# Anything but 4 is the healthy answer",
    ),
    "HttpsConnection": Remediation(
        what="An HTTPS GET of `https://eus2-jobruntimedata-prod-su1.azure-automation.net`, first through "
        "the machine's proxy settings and then directly. An answer (200, or 403 Forbidden) through the "
        "proxy passes; only directly warns; none fails.",
        why="The agent and the worker talk to Azure only over HTTPS. A machine that cannot complete "
        "an HTTPS request (firewall, proxy, TLS inspection that breaks the handshake) cannot be managed.",
        fix="Allow outbound HTTPS from the machine. With a warning, the direct route works but the "
        "proxy refuses: allow the Azure Automation and Log Analytics names on the proxy. "
        + _NET_PLANNING,
        verify="$uri = 'https://eus2-jobruntimedata-prod-su1.azure-automation.net'\n"
        "try { (Invoke-WebRequest -Uri $uri -UseBasicParsing).StatusCode }\n"
        "catch { $_.Exception.Response.StatusCode }  # 403 Forbidden also proves the connection works",
    ),
    "ProxySettings": Remediation(
        what="Whether the machine's WinHTTP proxy is set (anything but direct access). This is "
        "read from the setting itself, not from localized command output.",
        why="The agent's services reach Azure through the WinHTTP proxy. A proxy is fine if it lets "
        "the Azure Automation and Log Analytics names through; if it does not, every connectivity "
        "check of the agent fails. The readiness report shows which route each network test took.",
        fix="If the proxy is intended, allow the Azure Automation and Log Analytics endpoints on it "
        "and set the same proxy in the agent (Control Panel applet, Proxy Settings tab). If it is not, "
        "remove it: `netsh winhttp reset proxy`.",
        verify="netsh winhttp show proxy\n"
        "# Also the per-user setting (1 = proxy enabled):\n"
        "Get-ItemProperty -Path 'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings' |\n"
        "    Select-Object ProxyEnable, ProxyServer",
    ),
    "IMDSConnectivity": Remediation(
        what="An HTTP GET of the Azure Instance Metadata Service, "
        "`http://169.254.169.254/metadata/instance?api-version=2018-02-01` with header `Metadata: true`, "
        "through the proxy settings and directly.",
        why="On an Azure VM, Update Management asks IMDS who the machine is. If the request only "
        "works without the proxy, the proxy is swallowing it; if it never works, the VM's "
        "identity is unknown. On a machine outside Azure this is expected and only a warning.",
        fix="Let 169.254.169.254 bypass the proxy, for example "
        "`netsh winhttp set proxy proxy-server=\"<proxy:port>\" bypass-list=\"<local>;169.254.169.254\"`, "
        "and allow it in the guest firewall. On an Azure VM with no route to IMDS, check the guest's "
        "routes and firewall rules for 169.254.169.254.",
        verify="Invoke-RestMethod -Headers @{ Metadata = 'true' } -Method GET `\n"
        "    -Uri 'http://169.254.169.254/metadata/instance?api-version=2018-02-01'\n"
        "# An Azure VM answers with its compute and network metadata",
    ),
    "WUServiceRunningCheck": Remediation(
        what="The start type of the Windows Update service, `wuauserv`: Disabled fails, anything "
        "else passes.",
        why="Update Management scans for and installs updates through the Windows Update agent. "
        "With the service disabled, assessments and deployments fail on the machine.",
        fix="Set the service to start manually (or automatically) and start it:\n\n"
        "    Set-Service -Name wuauserv -StartupType Manual\n"
        "    Start-Service -Name wuauserv -ErrorAction SilentlyContinue\n\n"
        "(`sc.exe config wuauserv start= demand` does the same as the first line.) A policy that "
        "disables the service will disable it again: change the policy too.",
        verify="Get-Service -Name wuauserv | Select-Object Name, Status, StartType\n"
        "(Get-CimInstance -ClassName Win32_Service -Filter \"Name='wuauserv'\").StartMode"
        "  # older PowerShell: Get-WmiObject\n"
        "# StartType / StartMode should not be Disabled",
    ),
    "LAOdsEndpointConnectivity": Remediation(
        what="First, the workspace that the agent reports to (see LinkedWorkspaceCheck). Then, a TCP "
        "connection to port 443 of the Log Analytics data ingestion endpoint "
        "`<workspace id>.ods.opinsights.azure.com` (`.us` or `.cn` in those clouds).",
        why="The agent sends update assessments and heartbeats to the workspace through this "
        "endpoint. Blocked, the machine looks silent in Update Management.",
        fix="When no single workspace is found (`Unable to find Workspace registration information`, "
        "`VM connected to multiple workspaces.`), fix LinkedWorkspaceCheck first. When the TCP test "
        "fails: " + _NET_PLANNING,
        verify=_WORKSPACE_ID + _endpoint_verify("$workspaceId + '.ods.opinsights.azure.com'"),
    ),
    "LAOmsEndpointConnectivity": Remediation(
        what="First, the workspace that the agent reports to (see LinkedWorkspaceCheck). Then, a TCP "
        "connection to port 443 of the Log Analytics agent service endpoint "
        "`<workspace id>.oms.opinsights.azure.com` (`.us` or `.cn` in those clouds).",
        why="The agent gets its configuration, and the solutions the workspace enables (Updates "
        "among them), through this endpoint. Blocked, the agent never learns that it should run "
        "Update Management.",
        fix="When no single workspace is found (`Unable to find Workspace registration information`, "
        "`VM connected to multiple workspaces.`), fix LinkedWorkspaceCheck first. When the TCP test "
        "fails: " + _NET_PLANNING,
        verify=_WORKSPACE_ID + _endpoint_verify("$workspaceId + '.oms.opinsights.azure.com'"),
    ),
}


def for_rule(rule_id: str, lang: str = DEFAULT_LANGUAGE, profile: str = DEFAULT_PROFILE) -> Remediation:
    """The remediation of a rule of ``profile`` in ``lang``; ``KeyError`` naming the id for a RuleId
    the profile does not have, ``readiness.lang.UnknownLanguage`` for a language the remediation is
    not written in. A RuleId of several profiles has each profile's own (their checks differ)."""
    rule(rule_id, profile)  # a clear error for an unknown id or profile
    japanese = check_language(lang) == "ja"
    if profile == DEFAULT_PROFILE:
        if japanese:
            from readiness.lang.remediation_ja import REMEDIATIONS

            return REMEDIATIONS[rule_id]
        return _REMEDIATIONS[rule_id]
    if japanese:
        from readiness.lang.remediation_aum_ja import REMEDIATIONS as AUM_JA

        return AUM_JA[profile][rule_id]
    from readiness.remediation_aum import REMEDIATIONS as AUM

    return AUM[profile][rule_id]


USAGE = "usage: python -m readiness.remediation [--lang LANG] [--profile PROFILE] [RuleId ...]"


def _usage_error(message: str) -> int:
    print(f"readiness.remediation: {message}", file=sys.stderr)
    return 2


def _write(text: str) -> None:
    """Print ``text``; as UTF-8 bytes when the console's encoding cannot hold it (Japanese on a narrow code page)."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def _option(args: list[str], i: int, name: str) -> tuple[str | None, int]:
    """The value of ``--name VALUE`` or ``--name=VALUE`` at ``args[i]``, and the next index; None
    (and ``i``) when ``args[i]`` is not that option."""
    arg = args[i]
    if arg == f"--{name}":
        return (args[i + 1], i + 2) if i + 1 < len(args) else ("", -1)
    if arg.startswith(f"--{name}="):
        return arg.split("=", 1)[1], i + 1
    return None, i


def main(argv: list[str] | None = None) -> int:
    """``python -m readiness.remediation [--lang LANG] [--profile PROFILE] [RuleId ...]``: print the
    remediation of rules of ``PROFILE`` (``update-management``, the default, ``azure-vm`` or ``arc``;
    all its rules without ids) in ``LANG`` (``en``, the default, or ``ja``)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if any(a in ("-h", "--help") for a in args):
        print(f"{USAGE}\n\nLANG: {', '.join(LANGUAGES)} (default {DEFAULT_LANGUAGE})\n"
              f"PROFILE: {', '.join(PROFILES)} (default {DEFAULT_PROFILE})\n"
              "RuleIds: " + ", ".join(RULES))
        return 0
    lang, profile = DEFAULT_LANGUAGE, DEFAULT_PROFILE
    rule_ids = []
    i = 0
    while i < len(args):
        value, following = _option(args, i, "lang")
        if value is not None:
            if following < 0:
                return _usage_error(f"--lang needs a language (known: {', '.join(LANGUAGES)})")
            lang, i = value, following
            continue
        value, following = _option(args, i, "profile")
        if value is not None:
            if following < 0:
                return _usage_error(f"--profile needs a profile (known: {', '.join(PROFILES)})")
            profile, i = value, following
            continue
        arg = args[i]
        if arg.startswith("-") and arg != "-":
            return _usage_error(f"unknown option {arg!r} ({USAGE.removeprefix('usage: ')})")
        rule_ids.append(arg)
        i += 1
    try:
        check_language(lang)
    except UnknownLanguage as exc:
        return _usage_error(str(exc))
    if profile not in PROFILE_RULES:
        return _usage_error(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    rules = PROFILE_RULES[profile]
    unknown = [a for a in rule_ids if a not in rules]
    if unknown:
        where = "" if profile == DEFAULT_PROFILE else f" in the profile {profile}"
        return _usage_error(f"unknown RuleId {unknown[0]!r}{where} (known: {', '.join(rules)})")
    _write("\n".join(for_rule(rule_id, lang, profile).text(rule_id, lang, profile)
                     for rule_id in (rule_ids or list(rules))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
