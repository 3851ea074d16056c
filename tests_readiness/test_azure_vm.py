"""The Azure Update Manager rules for an Azure VM: the 14 rules of Microsoft's Azure
``WindowsTroubleshooter.ps1``, in its order. Each body is in :mod:`readiness.update_manager`
(shared with the Arc-enabled server's rules); docs/update-manager-rules.md says what each
really tests and where it differs from the script.
"""

import pytest

from readiness import update_manager as um

PROFILE = "azure-vm"


@pytest.mark.prerequisites
def test_DotNetFrameworkInstalledCheck(facts, rule):
    """.NET Framework 4.5 (Release 378389) or later: Full\\Release, else its highest subkey Release."""
    um.dotnet_framework(facts, rule)


@pytest.mark.prerequisites
def test_TlsVersionCheck(facts, rule):
    """TLS 1.2 enabled for SCHANNEL clients and servers, from the Windows version and the registry."""
    um.tls_version(facts, rule)


@pytest.mark.prerequisites
def test_HttpsConnectionCheck(facts, rule):
    """A TLS handshake with the login host on 443, through the WinHTTP proxy when one is set."""
    um.https_connection(facts, rule)


@pytest.mark.prerequisites
def test_ProxySettingsCheck(facts, rule):
    """Whether a WinHTTP proxy is set (decoded from the registry, not from localized netsh text)."""
    um.proxy_settings(facts, rule, arc=False)


@pytest.mark.guest_agent_services
def test_RdAgentServiceCheck(facts, rule):
    """The Azure VM agent's RdAgent service is running."""
    um.service_running(facts, rule, "RdAgent")


@pytest.mark.guest_agent_services
def test_WindowsAzureGuestAgentServiceCheck(facts, rule):
    """The Azure VM agent's WindowsAzureGuestAgent service is running."""
    um.service_running(facts, rule, "WindowsAzureGuestAgent")


@pytest.mark.connectivity
def test_WireServerConnectivityCheck(facts, rule):
    """TCP connections to the WireServer (168.63.129.16) on ports 80 and 32526."""
    um.wire_server(facts, rule)


@pytest.mark.extensions
def test_PatchExtensionCheck(facts, rule):
    """The Windows Patch extension's folder under %SystemDrive%\\Packages\\Plugins."""
    um.patch_extension(facts, rule)


@pytest.mark.machine_settings
def test_WSUSServerConfiguredCheck(facts, rule):
    """Whether Windows Update uses a WSUS server (UseWUServer 1 and WUServer set)."""
    um.wsus_configured(facts, rule)


@pytest.mark.connectivity
def test_WUEndpointConnectivityCheck(facts, rule):
    """The Windows Update hosts on 443, or the WSUS server when WSUS is in effect."""
    um.wu_endpoints(facts, rule)


@pytest.mark.machine_settings
def test_AlwaysAutoRebootCheck(facts, rule):
    """No policy that reboots at the scheduled time whatever the update configuration says."""
    um.auto_reboot(facts, rule)


@pytest.mark.machine_settings
def test_AutomaticUpdateCheck(facts, rule):
    """Automatic Updates do not download and install on their own (AUOptions 4 without NoAutoUpdate 1)."""
    um.automatic_update(facts, rule)


@pytest.mark.machine_settings
def test_WUServiceRunningCheck(facts, rule):
    """The Windows Update service exists and is not disabled."""
    um.wu_service(facts, rule)


@pytest.mark.machine_settings
def test_MUEnableCheck(facts, rule):
    """Microsoft Update is registered with the Windows Update Agent and with Automatic Updates."""
    um.microsoft_update(facts, rule)
