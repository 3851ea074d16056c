"""The remediation of the Azure Update Manager profiles' rules (``azure-vm`` and ``arc``), in English.

Keyed by profile, then RuleId: a RuleId names a different check in another profile
(TlsVersionCheck of ``update-management`` is not the one here), and ProxySettingsCheck differs
between the two profiles (an Arc server has the agent's own proxy too). A rule both profiles
share has one entry, used by both. :func:`readiness.remediation.for_rule` reads these.
"""

from __future__ import annotations

from readiness.remediation import _REMEDIATIONS as UPDATE_MANAGEMENT
from readiness.remediation import Remediation

_AU = "HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"
MU = "7971f918-a847-4430-9279-4a52d1efe18d"
# The commands that switch TLS 1.2 on for SChannel clients and servers (the code block of the
# update-management profile's fix, which is the same).
TLS_COMMANDS = "\n".join(line for line in UPDATE_MANAGEMENT["TlsVersionCheck"].fix.splitlines()
                         if line.startswith("    "))


def _tcp_verify(hosts: str, port: str = "443") -> str:
    return (
        f"foreach ($endpoint in {hosts}) {{\n"
        f"    '{{0}}: {{1}}' -f $endpoint, (Test-NetConnection -ComputerName $endpoint -Port {port} "
        "-WarningAction SilentlyContinue).TcpTestSucceeded\n"
        "}\n"
        "# True for every endpoint when the connections are allowed"
    )


def _service(name: str, agent: str, install: str) -> Remediation:
    return Remediation(
        what=f"The service `{name}` of the {agent} exists and its status is exactly Running "
        "(StartPending, Stopped or Paused fail). The report's detail tells a stopped service from an "
        "absent one.",
        why=f"Update Manager reaches the machine through the {agent}. With `{name}` not running, "
        "it cannot assess the machine or install updates, and the machine's state in Azure goes stale.",
        fix=f"Start the service and make it start automatically: `Set-Service -Name {name} -StartupType "
        f"Automatic; Start-Service -Name {name}`. If it stops again, read the System event log for the "
        f"reason. If the service does not exist, {install}",
        verify=f"Get-Service -Name {name} | Select-Object Name, Status, StartType\n"
        "# Status should be Running",
    )


_SHARED: dict[str, Remediation] = {
    "DotNetFrameworkInstalledCheck": Remediation(
        what="The DWORD `Release` under `HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full` "
        "(or, when it is absent, the highest `Release` of that key's language subkeys) is 378389 or "
        "higher: .NET Framework 4.5 or a later 4.x release. The message says 4.0; 4.5 is what is tested.",
        why="Microsoft's troubleshooter counts .NET Framework 4.5 as a prerequisite of Update Manager on "
        "the machine; it is also the first .NET Framework that can speak TLS 1.2, which every Azure "
        "endpoint requires.",
        fix="Install .NET Framework 4.8 (4.5 at least) from the .NET Framework download page or through "
        "your update source, then restart the machine.",
        verify="$full = 'HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full'\n"
        "(Get-ItemProperty -Path $full -Name Release -ErrorAction SilentlyContinue).Release -ge 378389"
        "  # True when 4.5+",
    ),
    "TlsVersionCheck": Remediation(
        what="Whether TLS 1.2 is available to SChannel, from the Windows version and the values "
        "`Enabled` and `DisabledByDefault` under "
        "`HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client` "
        "and `...\\Server`: on by default from Windows Server 2012 unless a value switches it off; "
        "on 2008 R2 SP1 only when switched on; on 2008 SP2 only after an update.",
        why="Update Manager, the Azure VM agent and the Connected Machine agent talk to Azure over TLS 1.2 "
        "only. Without it the machine can neither authenticate nor report nor download.",
        fix="On Windows Server 2008 SP2 (`Failed`), install the update that adds TLS 1.1 and 1.2 "
        "(KB4019276) first. Then, and on 2008 R2 SP1 (`NotExplicitlyEnabled`) or when something switched "
        "it off (`ExplicitlyDisabled`), set for Client and Server `Enabled` = 1 and `DisabledByDefault` = 0, "
        "then restart:\n\n" + TLS_COMMANDS + "\n\nAn older Windows (`NoDefaultSupport`) must be upgraded.",
        verify=UPDATE_MANAGEMENT["TlsVersionCheck"].verify,
    ),
    "HttpsConnectionCheck": Remediation(
        what="A TLS handshake from the machine with the cloud's Entra ID login host on port 443 "
        "(`login.microsoftonline.com` in the public cloud), through the WinHTTP proxy when one is set. "
        "The name says HTTPS and the description is empty: the handshake is what is tested.",
        why="Every agent on the machine first signs in to Entra ID. A firewall, a proxy that refuses "
        "the name, or TLS inspection that breaks the handshake stops all of Update Manager's work.",
        fix="Allow outbound TCP 443 to the login host through every firewall on the way, and on the "
        "proxy when there is one. If a TLS-inspecting device sits in between, exempt the login host. "
        "The report's detail names the route and the error (`timeout`, `refused`, `dns`, `proxy`, `tls`).",
        verify="$client = New-Object Net.Sockets.TcpClient('login.microsoftonline.com', 443)\n"
        "$tls = New-Object Net.Security.SslStream($client.GetStream())\n"
        "$tls.AuthenticateAsClient('login.microsoftonline.com'); $tls.SslProtocol  # Tls12 or later\n"
        "$client.Close()",
    ),
    "WSUSServerConfiguredCheck": Remediation(
        what="Whether Windows Update uses a WSUS server: `UseWUServer` = 1 under "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU` and a server named in "
        "`WUServer` under its parent key. A `WUServer` that Windows Update ignores passes.",
        why="With WSUS, Update Manager assesses and installs only what the WSUS server offers and has "
        "approved, and only while it is reachable: an installation may end with nothing installed.",
        fix="If the machine is meant to use WSUS, keep the server reachable (WUEndpointConnectivityCheck "
        "tests it) and approve the updates before each maintenance window. If not, remove `WUServer`, "
        "`WUStatusServer` and `UseWUServer` (or the policy that sets them), then "
        "`Restart-Service -Name wuauserv`.",
        verify=UPDATE_MANAGEMENT["WSUSServerConfigured"].verify,
    ),
    "WUEndpointConnectivityCheck": Remediation(
        what="TCP connections to port 443 of the Windows Update hosts (`windowsupdate.microsoft.com`, "
        "`dl.delivery.mp.microsoft.com`, `download.windowsupdate.com`, `download.microsoft.com`, "
        "`ntservicepack.microsoft.com`, `go.microsoft.com`); when WSUS is in effect, to the host and "
        "port of the WSUS server instead.",
        why="Windows Update downloads the updates that Update Manager installs from these hosts (or from "
        "the WSUS server). Blocked, assessments and installations fail on the machine.",
        fix="Allow outbound TCP 443 and 80 to the Windows Update hosts (Microsoft lists several for http "
        "only) through every firewall and proxy, or the WSUS server's port when WSUS is in effect. The "
        "report's detail names the port tested and each failure's error.",
        verify=_tcp_verify("'windowsupdate.microsoft.com', 'dl.delivery.mp.microsoft.com', "
                           "'download.windowsupdate.com', 'go.microsoft.com'"),
    ),
    "AlwaysAutoRebootCheck": Remediation(
        what="The Windows Update policy values `AlwaysAutoRebootAtScheduledTime` (1) and "
        "`AlwaysAutoRebootAtScheduledTimeMinutes` (set and non-zero) under "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU`.",
        why="With these set, Windows restarts the machine on its own schedule after installing updates, "
        "whatever reboot setting the Update Manager maintenance configuration chose.",
        fix=UPDATE_MANAGEMENT["AlwaysAutoRebootCheck"].fix.replace("Update Management", "Update Manager")
        .replace("deployment schedule", "maintenance configuration"),
        verify=UPDATE_MANAGEMENT["AlwaysAutoRebootCheck"].verify,
    ),
    "AutomaticUpdateCheck": Remediation(
        what="Whether Automatic Updates download and install by themselves: `AUOptions` = 4 under "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU`, unless `NoAutoUpdate` = 1 "
        "there turns Automatic Updates off.",
        why="Windows then installs updates as they come out, outside Update Manager's maintenance "
        "windows: updates and reboots happen at times nobody planned.",
        fix="Let Update Manager own patching: set the machine's patch orchestration to Customer Managed "
        "Schedules or Azure Managed - Safe Deployment, which set `NoAutoUpdate` to 1. On a machine "
        "without a domain policy:\n\n"
        f"    Set-ItemProperty -Path '{_AU}' -Name NoAutoUpdate -Value 1 -Type DWord\n\n"
        "A domain policy that sets \"Configure Automatic Updates\" to option 4 must change too.",
        verify=f"Get-ItemProperty -Path '{_AU}' -ErrorAction SilentlyContinue | Select-Object AUOptions, NoAutoUpdate\n"
        "# AUOptions other than 4, or NoAutoUpdate 1, is the healthy answer",
    ),
    "WUServiceRunningCheck": Remediation(
        what="The Windows Update service `wuauserv` exists and its start type (registry value `Start`) "
        "is not Disabled. Despite the name, a stopped service that may start passes.",
        why="Update Manager assesses and installs through the Windows Update Agent, which runs in this "
        "service. Disabled or absent, every assessment and installation fails.",
        fix=UPDATE_MANAGEMENT["WUServiceRunningCheck"].fix + " When the service does not exist "
        "(`ServiceNotFound`), the Windows installation is damaged: repair it "
        "(`DISM /Online /Cleanup-Image /RestoreHealth`, then `sfc /scannow`).",
        verify=UPDATE_MANAGEMENT["WUServiceRunningCheck"].verify,
    ),
    "MUEnableCheck": Remediation(
        what="Microsoft Update (service id `7971f918-a847-4430-9279-4a52d1efe18d`) is among the services "
        "of the Windows Update Agent and registered with Automatic Updates (`IsRegisteredWithAU`, else "
        "the registry value `RegisteredWithAU`).",
        why="Without Microsoft Update, Windows Update offers only Windows updates: updates of other "
        "Microsoft products (SQL Server, .NET, Office) are never assessed nor installed.",
        fix="Register Microsoft Update with Automatic Updates (flags 7: allow pending and online "
        "registration, register with Automatic Updates):\n\n"
        f"    (New-Object -ComObject Microsoft.Update.ServiceManager).AddService2('{MU}', 7, '')\n\n"
        "When the result is `ProbeError` with 0x80070422, the Windows Update service is disabled: fix "
        "WUServiceRunningCheck first.",
        verify="(New-Object -ComObject Microsoft.Update.ServiceManager).Services |\n"
        f"    Where-Object {{ $_.ServiceID -eq '{MU}' }} | Select-Object Name, IsRegisteredWithAU\n"
        "# IsRegisteredWithAU should be True",
    ),
}

_PROXY_WHY = ("The agents reach Azure through the proxy. A proxy is fine if it lets every required endpoint "
              "through; if it does not, the connectivity checks fail. The report shows the route each "
              "network test took.")

_AZURE_VM: dict[str, Remediation] = {
    "ProxySettingsCheck": Remediation(
        what="Whether the machine's WinHTTP proxy is set, read from the registry value `WinHttpSettings` "
        "itself, not from command output that Windows translates.",
        why=_PROXY_WHY,
        fix="If the proxy is intended, allow the Azure, Windows Update and login endpoints on it, and let "
        "`168.63.129.16` and `169.254.169.254` bypass it. If it is not, remove it: `netsh winhttp reset proxy`.",
        verify="netsh winhttp show proxy\n"
        "# Direct access (no proxy server) when no proxy is set; the registry value the suite reads:\n"
        "(Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections').WinHttpSettings",
    ),
    "RdAgentServiceCheck": _service(
        "RdAgent", "Azure VM agent",
        "install the Azure VM agent (the `WindowsAzureVmAgent` package) and restart the VM."),
    "WindowsAzureGuestAgentServiceCheck": _service(
        "WindowsAzureGuestAgent", "Azure VM agent",
        "install the Azure VM agent (the `WindowsAzureVmAgent` package) and restart the VM."),
    "WireServerConnectivityCheck": Remediation(
        what="TCP connections from the VM to the Azure platform's WireServer, `168.63.129.16`, on port 80 "
        "and on port 32526. The message ids are the script's: one says Passed on a Failed result; the "
        "CheckResult is the outcome.",
        why="The Azure VM agent gets its extensions, the Windows Patch extension among them, and reports "
        "their status through the WireServer. Blocked, Update Manager cannot operate on the VM.",
        fix="Allow outbound TCP to `168.63.129.16` on ports 80, 32526 and 443 in the guest firewall and "
        "in any security software, and let it bypass the proxy. Do not route it through an appliance: "
        "the address is reachable from the VM only.",
        verify=_tcp_verify("'168.63.129.16'", "80") + "\n"
        "(Test-NetConnection -ComputerName 168.63.129.16 -Port 32526 -WarningAction SilentlyContinue).TcpTestSucceeded",
    ),
    "PatchExtensionCheck": Remediation(
        what="The folder of the Windows Patch extension, "
        "`%SystemDrive%\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension`. Its presence only: "
        "an extension that fails still passes.",
        why="Update Manager assesses and patches an Azure VM through this extension. It pushes the "
        "extension at the VM's first assessment or installation, so a VM it has not operated on yet "
        "fails here: not yet pushed, not broken.",
        fix="Trigger an assessment from Update Manager (Check for updates), or enable periodic "
        "assessment; the extension then appears. If it does not, make sure the Azure VM agent runs "
        "(RdAgentServiceCheck, WindowsAzureGuestAgentServiceCheck) and the WireServer is reachable, and "
        "read the extension's status in the portal (VM, Extensions + applications).",
        verify="Test-Path -Path \"$env:SystemDrive\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension\""
        " -PathType Container  # True when present",
    ),
}

_ARC: dict[str, Remediation] = {
    "OSSupportedCheck": Remediation(
        what="The Windows version of the server (`[Environment]::OSVersion.Version`) is 6.3.9600 "
        "(Windows Server 2012 R2) or later. The description says 6.1.7601; the script's code and "
        "Update Manager's support matrix for Arc-enabled servers say 2012 R2.",
        why="Update Manager assesses and patches Arc-enabled Windows servers from Windows Server 2012 R2 "
        "on. An older server can be connected to Azure Arc but gets no assessment nor installation.",
        fix="Upgrade the server to a Windows Server version that Update Manager's support matrix lists, "
        "or keep managing its updates another way.",
        verify="[Environment]::OSVersion.Version\n"
        "[Environment]::OSVersion.Version -ge [Version]'6.3.9600'  # True when supported",
    ),
    "ProxySettingsCheck": Remediation(
        what="Whether a proxy is set: the machine's WinHTTP proxy, read from the registry value "
        "`WinHttpSettings` itself (not from translated command output), and the Connected Machine "
        "agent's own proxy (`proxy.url` of its configuration).",
        why=_PROXY_WHY + " The Connected Machine agent uses its own proxy setting, not WinHTTP's.",
        fix="If a proxy is intended, allow the Azure Arc, Windows Update and login endpoints on it and give "
        "the agent the same one: `azcmagent config set proxy.url \"http://<proxy>:<port>\"`. If it is not, "
        "remove them: `netsh winhttp reset proxy` and `azcmagent config clear proxy.url`.",
        verify="netsh winhttp show proxy\n"
        "azcmagent config get proxy.url",
    ),
    "ArcRequiredEndpointsCheck": Remediation(
        what="TCP connections to port 443 of the endpoints the Connected Machine agent needs, for the "
        "run's cloud: the login host, Azure Resource Manager, the guest configuration service and the "
        "hybrid identity service (`login.microsoftonline.com`, `management.azure.com`, "
        "`agentserviceapi.guestconfiguration.azure.com`, `gbl.his.arc.azure.com` in the public cloud).",
        why="The agent authenticates, gets its extensions (Update Manager's among them) and reports "
        "through these endpoints. Blocked, the server shows as Disconnected and is not patched.",
        fix="Allow outbound TCP 443 to these names through every firewall and proxy (for the sovereign "
        "clouds, the `.us` and `.cn` names of Microsoft's Arc network requirements). "
        "`azcmagent check` on the server tests the agent's own list.",
        verify=_tcp_verify("'login.microsoftonline.com', 'management.azure.com', "
                           "'agentserviceapi.guestconfiguration.azure.com', 'gbl.his.arc.azure.com'") + "\n"
        "azcmagent check",
    ),
    "HimdsServiceCheck": _service(
        "himds", "Azure Connected Machine agent",
        "install the Connected Machine agent and connect the server (`azcmagent connect`)."),
}

REMEDIATIONS: dict[str, dict[str, Remediation]] = {
    "azure-vm": {**_SHARED, **_AZURE_VM},
    "arc": {**_SHARED, **_ARC},
}
