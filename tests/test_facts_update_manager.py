"""The facts the Azure Update Manager profiles read: validated, typed, and refused when malformed."""

from datetime import UTC

import pytest

from readiness.aum_endpoints import AumEndpoints
from readiness.facts import FactUnavailable, ProbeOutputError, WindowsUpdateUnavailable, parse_facts
from tests.facts_builder import NDP_FULL, HostDoc

PATCH = "%SystemDrive%\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension"
MU = "7971f918-a847-4430-9279-4a52d1efe18d"


def test_subkeys_are_listed_with_their_values_in_host_order():
    facts = HostDoc().subkey(NDP_FULL, "1041", Release=528040).subkey(NDP_FULL, "1033", Release=533320).facts()
    assert facts.registry_subkeys(NDP_FULL) == {"1041": {"Release": 528040}, "1033": {"Release": 533320}}
    assert list(facts.registry_subkeys(NDP_FULL)) == ["1041", "1033"]


def test_subkeys_not_asked_for_are_unavailable_not_empty():
    with pytest.raises(FactUnavailable, match="did not list the subkeys"):
        HostDoc().facts().registry_subkeys(NDP_FULL)
    assert HostDoc().no_registry_key(NDP_FULL).facts().registry_subkeys(NDP_FULL) == {}
    assert HostDoc().no_subkeys(NDP_FULL).facts().registry_subkeys(NDP_FULL) == {}


def test_folder_system_drive_and_absence():
    facts = HostDoc().system_drive("D:").folder(PATCH, exists=False).facts()
    assert facts.system_drive == "D:"
    folder = facts.folder(PATCH.upper())
    assert (folder.path, folder.exists) == ("D:\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension", False)
    with pytest.raises(FactUnavailable):
        facts.folder("C:\\elsewhere")
    with pytest.raises(FactUnavailable):
        HostDoc().facts().folder(PATCH)
    with pytest.raises(FactUnavailable):
        _ = HostDoc().facts().system_drive


def test_update_services_and_their_failure_with_hresult():
    facts = HostDoc().update_services((MU, "Microsoft Update", True)).facts()
    assert facts.windows_update_services[0].registered_with_au is True
    with pytest.raises(WindowsUpdateUnavailable) as raised:
        _ = HostDoc().update_services_error("0x80070422").facts().windows_update_services
    assert raised.value.hresult == "0x80070422"
    assert not HostDoc().facts().gathered("windows_update")


def test_arc_agent_installed_or_not():
    facts = HostDoc().arc_agent(status="Disconnected", proxy_url="http://proxy:8080").facts()
    agent = facts.arc_agent
    assert (agent.installed, agent.status, agent.proxy_url) == (True, "Disconnected", "http://proxy:8080")
    assert agent.last_heartbeat is not None and agent.last_heartbeat.tzinfo == UTC
    assert HostDoc().arc_agent(installed=False).facts().arc_agent.installed is False


def test_tls_handshake_and_imds_compute():
    facts = (HostDoc().proxy("proxy.contoso.local:8080")
             .tls("login.microsoftonline.com:443", ok=False, error="tls", route="proxy")
             .imds_compute({"vmId": "8d1c5f0e", "azEnvironment": "AzurePublicCloud"}).facts())
    handshake = facts.tls_handshake("LOGIN.microsoftonline.com:443")
    assert (handshake.ok, handshake.error, handshake.route) == (False, "tls", "proxy proxy.contoso.local:8080")
    assert facts.imds_compute == {"vmId": "8d1c5f0e", "azEnvironment": "AzurePublicCloud"}
    assert HostDoc().facts().imds_compute is None
    with pytest.raises(FactUnavailable):
        HostDoc().facts().tls_handshake("login.microsoftonline.com:443")


@pytest.mark.parametrize("change, where", [
    (lambda d: d.doc["os"].update(system_drive="C:\\"), "os.system_drive"),
    (lambda d: d.doc.update(windows_update={"services": [{"id": MU}]}), "windows_update.services[0].name"),
    (lambda d: d.doc.update(windows_update={"error": "x", "hresult": "80070422"}), "windows_update.hresult"),
    (lambda d: d.doc.update(arc_agent={"installed": True}), "arc_agent.version"),
    (lambda d: d.arc_agent(last_heartbeat="2026-13-40T00:00:00Z"), "arc_agent.last_heartbeat"),
    (lambda d: d.doc.update(folders={PATCH: {"path": 3, "exists": True}}), "folders"),
])
def test_malformed_update_manager_facts_are_refused_by_name(change, where):
    doc = HostDoc()
    change(doc)
    with pytest.raises(ProbeOutputError, match=where.split("[")[0].split(".")[0]):
        parse_facts(doc.doc)


def test_endpoint_lists_keep_the_scripts_order_and_probe_each_host_once():
    public = AumEndpoints.for_cloud(None)
    assert public.arc_required[0] == public.login == "login.microsoftonline.com"
    assert public.windows_update.count("dl.delivery.mp.microsoft.com") == 2
    assert len(public.targets(public.windows_update)) == 6
    assert AumEndpoints.for_cloud("AzureUSGovernment").login == "login.microsoftonline.us"
    with pytest.raises(ValueError, match="unknown Azure cloud 'AzureGermany'"):
        AumEndpoints.for_cloud("AzureGermany")
