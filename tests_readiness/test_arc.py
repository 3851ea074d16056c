"""The Azure Update Manager rules for an Arc-enabled server: the 13 rules of Microsoft's Arc
``WindowsTroubleshooter.ps1``, in its order. Each body is in :mod:`readiness.update_manager`
(shared with the Azure VM's rules); docs/update-manager-rules.md says what each really tests
and where it differs from the script.
"""

import pytest

from readiness import update_manager as um

PROFILE = "arc"


@pytest.mark.prerequisites
def test_OSSupportedCheck(facts, rule):
    """Windows 6.3.9600 (Server 2012 R2) or later (the description's 6.1.7601 is not what is tested)."""
    um.os_supported(facts, rule)


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
    """Whether a proxy is set: the WinHTTP proxy or the Connected Machine agent's own."""
    um.proxy_settings(facts, rule, arc=True)


@pytest.mark.connectivity
def test_ArcRequiredEndpointsCheck(facts, rule):
    """The Arc agent's required endpoints of the cloud, by TCP to port 443."""
    um.arc_required_endpoints(facts, rule)


@pytest.mark.arc_agent_services
def test_HimdsServiceCheck(facts, rule):
    """The Hybrid Instance Metadata service (himds) of the Connected Machine agent is running."""
    um.service_running(facts, rule, "himds")


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
