"""What the probe gathers for the Update Manager profiles: its input per profile, and the
emulated host serving each new fact from a scenario as Windows would.

End to end over real WinRM (pywinrm, NTLM over HTTP, the emulator on loopback) where the answer
crosses the wire; through ``fixtures.emulator.hostprobe`` for the host's behaviour alone.
"""

from __future__ import annotations

import textwrap
import time
from datetime import UTC, datetime

import pytest

from fixtures.emulator.hostprobe import probe_output
from fixtures.scenario import ScenarioError, parse_scenario
from readiness.facts import Facts, WindowsUpdateUnavailable, parse_facts
from readiness.hosts import parse_host
from readiness.probe import (
    NotAProbe,
    ProbeInput,
    RegistryRead,
    UrlTarget,
    asks_update_manager,
    input_for_profile,
    parse_input,
    render_input,
    script_text,
    stdin_text,
)
from readiness.probe.gather import (
    IMDS_COMPUTE_URL,
    MU_SERVICE_KEY,
    NDP_FULL,
    PATCH_EXTENSION_FOLDER,
    PROFILES,
    WU_AU_POLICY,
    url_target,
)
from readiness.probe_pool import ProbeSettings, probe_host
from tests.emulated import fleet, host_url

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
TIMEOUT_MS = 300
BASE = ProbeInput(tcp=("eus2-jobruntimedata-prod-su1.azure-automation.net:443",), timeout_ms=TIMEOUT_MS)
LOGIN = "login.microsoftonline.com:443"
PROXY = "proxy.contoso.local:8080"


def scenario(text: str):
    return parse_scenario(textwrap.dedent(text), "t.yaml")


def emulated(text: str, profile: str = "auto", cloud: str | None = None) -> Facts:
    """The facts the emulated host gives the profile's probe (no wire)."""
    return parse_facts(probe_output(scenario(text), input_for_profile(BASE, profile, cloud), NOW))


def over_winrm(text: str, profile: str = "auto") -> tuple[Facts, float]:
    """The facts the emulated host gives the profile's probe over WinRM, and the seconds it took."""
    with fleet([scenario(text)]) as served:
        spec = parse_host(host_url(served.hosts[0]))
        started = time.monotonic()
        probed = probe_host(spec, ProbeSettings(probe_input=input_for_profile(BASE, profile)))
        took = time.monotonic() - started
    assert probed.failure is None, probed.failure
    assert isinstance(probed.facts, Facts)
    return probed.facts, took


# --- the input per profile -------------------------------------------------------------------


def test_update_management_input_is_the_base_input_byte_for_byte():
    assert input_for_profile(BASE, "update-management") is BASE
    assert render_input(input_for_profile(BASE, "update-management")) == render_input(BASE)
    assert not asks_update_manager(BASE)
    for name in ("$ProbeFolders", "$ProbeWindowsUpdate", "$ProbeArcAgent", "$ProbeTls", "$ProbeImdsCompute",
                 "$ProbeTcpFromRegistry", "subkeys"):
        assert name not in render_input(BASE)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_input_reads_back_as_written(profile):
    wanted = input_for_profile(BASE, profile)
    assert parse_input(render_input(wanted)) == wanted
    assert parse_input(stdin_text(wanted)) == wanted


def test_azure_vm_input_asks_what_its_rules_read():
    vm = input_for_profile(BASE, "azure-vm")
    assert vm.tcp == (LOGIN, "windowsupdate.microsoft.com:443", "dl.delivery.mp.microsoft.com:443",
                      "download.windowsupdate.com:443", "download.microsoft.com:443", "ntservicepack.microsoft.com:443",
                      "go.microsoft.com:443", "168.63.129.16:80", "168.63.129.16:32526")
    assert len(vm.tcp) == len(set(vm.tcp))  # each host:port once, the repeated WU host too
    assert vm.tls == (LOGIN,) and vm.https == "https://login.microsoftonline.com" and vm.workspace_tcp == ()
    assert vm.imds == IMDS_COMPUTE_URL and "azEnvironment" in vm.imds_compute
    assert {"RdAgent", "WindowsAzureGuestAgent"} <= set(vm.services) and "himds" not in vm.services
    assert vm.folders == (PATCH_EXTENSION_FOLDER,) and vm.windows_update and not vm.arc_agent
    reads = {r.key: r for r in vm.registry}
    assert reads[NDP_FULL].subkeys and reads[NDP_FULL].names == ("Release",)
    assert {"UseWUServer", "NoAutoUpdate", "AUOptions"} <= set(reads[WU_AU_POLICY].names)
    assert reads[MU_SERVICE_KEY].names == ("RegisteredWithAU",)
    assert [t.name for t in vm.tcp_from_registry] == ["WUServer"]


def test_arc_input_and_sovereign_clouds():
    arc = input_for_profile(BASE, "arc")
    assert arc.tcp[:4] == (LOGIN, "management.azure.com:443", "agentserviceapi.guestconfiguration.azure.com:443",
                           "gbl.his.arc.azure.com:443")
    assert "168.63.129.16:80" not in arc.tcp and arc.folders == () and arc.arc_agent
    assert {"himds", "GCArcService", "ExtensionService"} <= set(arc.services)
    gov = input_for_profile(BASE, "arc", "AzureUSGovernment")
    assert gov.tcp[0] == "login.microsoftonline.us:443" and gov.tls == ("login.microsoftonline.us:443",)
    auto = input_for_profile(BASE, "auto")
    assert auto.tcp[0] == BASE.tcp[0] and auto.https == BASE.https  # the Update Management tests stay
    assert {"168.63.129.16:32526", "gbl.his.arc.azure.com:443"} <= set(auto.tcp)
    assert auto.arc_agent and auto.windows_update and auto.folders
    with pytest.raises(ValueError, match="unknown readiness profile 'azure'"):
        input_for_profile(BASE, "azure")
    with pytest.raises(ValueError, match="unknown Azure cloud"):
        input_for_profile(BASE, "arc", "AzureGermanCloud")


def test_the_header_refuses_what_it_does_not_know():
    text = render_input(input_for_profile(BASE, "arc"))
    with pytest.raises(NotAProbe, match=r"\$ProbeArcAgent is not 0 or 1"):
        parse_input(text.replace("$ProbeArcAgent = 1", "$ProbeArcAgent = 2"))
    with pytest.raises(NotAProbe, match="assigned twice"):
        parse_input(text.replace("$ProbeArcAgent = 1", "$ProbeArcAgent = 1\n$ProbeArcAgent = 1"))
    with pytest.raises(NotAProbe, match="ProbeRegistry"):
        parse_input(text.replace("subkeys = 1", "subkeys = 'yes'"))
    with pytest.raises(ValueError, match="HKLM only"):
        render_input(ProbeInput(tcp_from_registry=(UrlTarget("HKCU\\Software\\X", "Url"),)))


def test_only_the_update_manager_input_carries_their_gatherers():
    plain, full = stdin_text(BASE), stdin_text(input_for_profile(BASE, "azure-vm"))
    for name in ("function Get-ProbeWindowsUpdate", "function Get-ProbeArcAgent", "function Open-ProbeTlsTest",
                 "function Get-ProbeFolder", "function Get-ProbeJsonMembers"):
        assert name not in plain and name in full
    assert script_text(update_manager=False) in plain
    assert plain.startswith(render_input(BASE))


@pytest.mark.parametrize(("url", "target"), [
    ("http://wsus.contoso.local:8530", "wsus.contoso.local:8530"),
    ("HTTPS://WSUS.Contoso.Local", "wsus.contoso.local:443"),
    ("http://10.0.0.5/", "10.0.0.5:80"),
    ("http://[fd00::5]:8531", "[fd00::5]:8531"),
    (" http://wsus:8530 ", "wsus:8530"),
    ("wsus.contoso.local:8530", None),  # no scheme: System.Uri reads "wsus.contoso.local" as one
    ("ftp://wsus", None),
    ("", None),
    ("http://wsus:99999", None),
])
def test_url_target_as_system_uri_derives_it(url, target):
    assert url_target(url) == target


# --- the emulated host, fact by fact ----------------------------------------------------------

FULL = r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full"


def test_subkeys_are_the_keys_named_below_a_key_in_registry_order():
    facts = emulated(r"""
        name: s
        registry:
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full': {Release: 461814}
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full\1041': {Release: 528449}
          'hklm\software\microsoft\net framework setup\ndp\v4\full\1033\deeper': {Other: 1}
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\FullX': {Release: 1}
        """)
    assert facts.registry_subkeys(FULL) == {"1033": {}, "1041": {"Release": 528449}}
    assert facts.registry_value(FULL, "Release") == 461814
    only_values = emulated(r"""
        name: s
        registry:
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full': {Release: 528449}
        """)
    assert only_values.registry_subkeys(FULL) == {}  # the script's reading fails this host
    implied = emulated(r"""
        name: s
        registry:
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full\1033': {Release: 528449}
        """)
    assert implied.registry_key_exists(FULL) and implied.registry_value(FULL, "Release") is None
    assert emulated("name: s\n").registry_subkeys(FULL) == {}


def test_folders_expand_system_drive_and_a_file_is_not_a_folder():
    facts = emulated(r"""
        name: f
        system_drive: 'd:'
        files:
          'D:\packages\plugins\Microsoft.CPlat.Core.WindowsPatchExtension\1.5.70\Status\2.status': '[]'
        """)
    found = facts.folder(PATCH_EXTENSION_FOLDER)
    assert found == type(found)(PATCH_EXTENSION_FOLDER, "D:\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension", True)
    assert facts.system_drive == "D:"
    a_file = emulated(r"""
        name: f
        files:
          'C:\Packages\Plugins\Microsoft.CPlat.Core.WindowsPatchExtension': 'not a folder'
        """)
    assert not a_file.folder(PATCH_EXTENSION_FOLDER).exists
    elsewhere = emulated(r"""
        name: f
        system_drive: 'D:'
        folders: ['C:\Packages\Plugins\Microsoft.CPlat.Core.WindowsPatchExtension']
        """)
    assert not elsewhere.folder(PATCH_EXTENSION_FOLDER).exists  # the script's hard-coded C: is not %SystemDrive%


def test_windows_update_services_and_the_hresult_of_a_failure():
    facts = emulated("""
        name: w
        windows_update:
          services:
            - {id: 9482f4b4-e343-43b6-b170-9a65bc822c77, name: Windows Update, registered_with_au: true}
            - {id: 7971F918-A847-4430-9279-4A52D1EFE18D, name: Microsoft Update, registered_with_au: false}
        """)
    assert [(s.id, s.registered_with_au) for s in facts.windows_update_services] == [
        ("9482f4b4-e343-43b6-b170-9a65bc822c77", True), ("7971F918-A847-4430-9279-4A52D1EFE18D", False)]
    default = emulated("name: w\n")
    assert [s.name for s in default.windows_update_services] == ["Windows Update"]
    disabled = emulated("name: w\nwindows_update: {error: 0x80070422}\n")
    with pytest.raises(WindowsUpdateUnavailable) as failed:
        _ = disabled.windows_update_services
    assert failed.value.hresult == "0x80070422"
    assert "it is disabled" in str(failed.value) and "(Exception from HRESULT: 0x80070422)" in str(failed.value)
    denied = emulated("name: w\nwindows_update: {error: '0x80070005'}\n")
    with pytest.raises(WindowsUpdateUnavailable, match=r"UnauthorizedAccessException: Access is denied") as failed:
        _ = denied.windows_update_services
    assert failed.value.hresult == "0x80070005"
    wua_code = emulated("name: w\nwindows_update: {error: '0x8024402c'}\n")
    with pytest.raises(WindowsUpdateUnavailable, match=r"COMException: Exception from HRESULT: 0x8024402C$"):
        _ = wua_code.windows_update_services


def test_the_arc_agent_as_its_tool_reports_it():
    absent = emulated("name: a\n")
    assert absent.arc_agent.installed is False
    agent = emulated("""
        name: a
        arc_agent:
          version: 1.45.02800.1
          status: Disconnected
          last_heartbeat_minutes_ago: 90
          cloud: AzureUSGovernment
          location: usgovvirginia
          config: {proxy.url: 'http://proxy.contoso.local:8080', extensions.allowlist: [a/b], config.mode: monitor}
        """).arc_agent
    assert (agent.installed, agent.version, agent.status, agent.cloud, agent.location, agent.proxy_url) == (
        True, "1.45.02800.1", "Disconnected", "AzureUSGovernment", "usgovvirginia", "http://proxy.contoso.local:8080")
    assert agent.last_heartbeat == datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
    assert agent.config["extensions.allowlist"] == ["a/b"] and agent.config["config.mode"] == "monitor"
    bare = emulated("name: a\narc_agent: {}\n").arc_agent
    assert (bare.status, bare.cloud, bare.proxy_url, bare.last_heartbeat) == ("Connected", "AzureCloud", None, None)


def test_unresolvable_names_fail_at_once_with_dns():
    facts = emulated("""
        name: n
        network:
          tcp_unresolvable: [GBL.his.arc.azure.com, login.microsoftonline.com]
        """, "arc")
    assert facts.tcp("gbl.his.arc.azure.com:443").error == "dns"
    assert facts.tls_handshake(LOGIN).error == "dns"
    assert facts.tcp("management.azure.com:443").error == "timeout"  # dropped, not unresolvable


def test_tls_handshakes_direct_and_through_the_proxy():
    direct = emulated(f"network: {{tcp_open: ['{LOGIN}']}}\nname: t\n", "azure-vm")
    assert direct.tls_handshake(LOGIN) == type(direct.tls_handshake(LOGIN))(LOGIN, True, None, "direct")
    disabled = emulated(rf"""
        name: t
        registry:
          'HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client': {{Enabled: 0}}
        network: {{tcp_open: ['{LOGIN}']}}
        """, "azure-vm")
    assert disabled.tls_handshake(LOGIN).error == "tls"
    through = emulated(f"""
        name: t
        network:
          winhttp_proxy: {PROXY}
          tcp_open: ['{PROXY}']
          https: {{'https://login.microsoftonline.com': {{proxy: 200, direct: unreachable}}}}
        """, "azure-vm")
    handshake = through.tls_handshake(LOGIN)
    assert (handshake.ok, handshake.route) == (True, f"proxy {PROXY}")
    assert through.tcp(LOGIN).error == "timeout"  # the scripts' plain TCP test takes no proxy
    refused = emulated(f"""
        name: t
        network:
          winhttp_proxy: {PROXY}
          tcp_open: ['{PROXY}']
          https: {{'https://login.microsoftonline.com': {{proxy: 407, direct: unreachable}}}}
        """, "azure-vm")
    assert refused.tls_handshake(LOGIN).error == "proxy"
    proxy_down = emulated(f"name: t\nnetwork: {{winhttp_proxy: {PROXY}, tcp_refused: ['{PROXY}']}}\n", "azure-vm")
    assert (proxy_down.tls_handshake(LOGIN).error, proxy_down.tls_handshake(LOGIN).route) == ("refused", f"proxy {PROXY}")


def test_imds_compute_and_the_wsus_target():
    facts = emulated(r"""
        name: i
        registry:
          'HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate': {WUServer: 'http://WSUS.contoso.local:8530'}
        network:
          tcp_open: ['wsus.contoso.local:8530']
          imds: {proxy: unreachable, direct: ok, compute: {vmId: 8d1c5f0e, azEnvironment: AzureUSGovernment, zones: [1]}}
        """, "azure-vm")
    assert facts.imds_compute == {"vmId": "8d1c5f0e", "azEnvironment": "AzureUSGovernment"}
    assert facts.tcp("wsus.contoso.local:8530").ok
    assert emulated("name: i\n", "azure-vm").imds_compute is None
    assert emulated("name: i\nnetwork: {imds: ok}\n", "azure-vm").imds_compute == {}


# --- over the wire ----------------------------------------------------------------------------

AZURE_VM = rf"""
    name: vm
    system_drive: 'C:'
    registry:
      'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full\1033': {{Release: 528449}}
      '{MU_SERVICE_KEY}': {{RegisteredWithAU: 1}}
    services:
      RdAgent: {{status: Running, start_type: Automatic}}
      WindowsAzureGuestAgent: {{status: Stopped, start_type: Automatic}}
      wuauserv: {{status: Stopped, start_type: Disabled}}
    folders: ['c:\packages\plugins\microsoft.cplat.core.windowspatchextension']
    windows_update: {{error: 0x80070422}}
    network:
      tcp_open: ['{LOGIN}', '168.63.129.16:80']
      imds: {{proxy: unreachable, direct: ok, compute: {{vmId: 8d1c5f0e-4c1a-4e55-9a57-3f2c3d4e5f60, azEnvironment: AzurePublicCloud}}}}
"""


def test_an_azure_vm_over_winrm_with_the_wireserver_port_dropped_and_wua_disabled():
    facts, took = over_winrm(AZURE_VM, "azure-vm")
    assert facts.registry_subkeys(FULL) == {"1033": {"Release": 528449}}
    assert facts.service("WindowsAzureGuestAgent").status == "Stopped" and facts.service("RdAgent").exists
    assert facts.folder(PATCH_EXTENSION_FOLDER).exists
    with pytest.raises(WindowsUpdateUnavailable) as failed:
        _ = facts.windows_update_services
    assert failed.value.hresult == "0x80070422"
    assert facts.registry_value(MU_SERVICE_KEY, "RegisteredWithAU") == 1
    assert facts.tcp("168.63.129.16:80").ok
    dropped = facts.tcp("168.63.129.16:32526")
    assert (dropped.ok, dropped.error) == (False, "timeout")
    assert took >= TIMEOUT_MS / 1000  # the host waited for the dropped packets, once
    assert facts.tls_handshake(LOGIN).ok and facts.imds_compute["azEnvironment"] == "AzurePublicCloud"
    assert facts.gathered("windows_update") and not facts.gathered("arc_agent")


def test_an_arc_server_over_winrm_behind_a_proxy_that_refuses_connect():
    facts, _ = over_winrm(f"""
        name: arc
        services:
          himds: {{status: Running, start_type: Automatic}}
          GCArcService: {{status: Running, start_type: Automatic}}
          ExtensionService: {{status: Running, start_type: Automatic}}
        arc_agent: {{version: 1.45.02800.1, last_heartbeat_minutes_ago: 2, location: westeurope,
                    config: {{proxy.url: 'http://{PROXY}'}}}}
        network:
          winhttp_proxy: {PROXY}
          tcp_open: ['{PROXY}']
          tcp_unresolvable: [gbl.his.arc.azure.com]
          https: {{'https://login.microsoftonline.com': {{proxy: 407, direct: unreachable}}}}
        """, "arc")
    assert facts.service("himds").status == "Running" and facts.service("ExtensionService").exists
    agent = facts.arc_agent
    assert agent.installed and agent.proxy_url == f"http://{PROXY}" and agent.status == "Connected"
    handshake = facts.tls_handshake(LOGIN)
    assert (handshake.ok, handshake.error, handshake.route) == (False, "proxy", f"proxy {PROXY}")
    assert facts.tcp("gbl.his.arc.azure.com:443").error == "dns"
    assert not facts.gathered("folders")


def test_the_update_management_probe_over_winrm_gathers_none_of_it():
    with fleet([scenario(AZURE_VM)]) as served:
        probed = probe_host(parse_host(host_url(served.hosts[0])), ProbeSettings(probe_input=BASE))
    facts = probed.facts
    assert isinstance(facts, Facts)
    for fact in ("folders", "windows_update", "arc_agent"):
        assert not facts.gathered(fact)
    doc = facts._doc  # the document as the probe wrote it
    assert "system_drive" not in doc["os"] and "tls" not in doc["network"] and "compute" not in doc["network"]["imds"]
    assert "subkeys" not in doc["registry"][FULL]


# --- bad scenarios ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("system_drive: C", "system_drive: expected a drive such as 'C:', got 'C'"),
    ("folders: ['Packages\\Plugins']", "folders[0]: expected an absolute path"),
    ("folders: ['%SystemDrive%\\Packages']", "folders[0]: expected an absolute path"),
    ("folders: ['C:\\A', 'c:\\a\\']", "folders[1]: same folder as 'C:\\A'"),
    ("files: {'C:\\A': {content: x, base64: eA==}}", "files.C:\\A: expected one of content (text) or base64"),
    ("folders: ['C:\\A']\nfiles: {'c:\\a': x}", "files.c:\\a: same path as 'C:\\A'"),
    ("files: {'C:\\A': x, 'C:\\A\\B': y}", "files.C:\\A\\B: 'C:\\A' is a file, so nothing can be below it"),
    ("files: {'C:\\A': {content: x, hours_ago: -1}}", "files.C:\\A.hours_ago: expected a number >= 0"),
    ("windows_update: {error: E_FAIL}", "windows_update.error: expected an HRESULT such as 0x80070422, got 'E_FAIL'"),
    ("windows_update: {services: [{id: 7971f918, name: MU}]}", "windows_update.services[0].id: expected a service id"),
    ("windows_update: {services: [{name: MU}]}", "windows_update.services[0].id: required"),
    ("windows_update: {services: [{id: 7971f918-a847-4430-9279-4a52d1efe18d, name: MU, registered_with_au: 1}]}",
     "windows_update.services[0].registered_with_au: expected true or false, got 1"),
    ("windows_update: {colour: red}", "windows_update.colour: unknown key"),
    ("arc_agent: {status: Online}", "arc_agent.status: expected one of Connected, Disconnected, Expired, got 'Online'"),
    ("arc_agent: {cloud: AzureGermany}", "arc_agent.cloud: expected one of AzureCloud"),
    ("arc_agent: {location: mars}", "arc_agent.location: expected an Azure location name"),
    ("arc_agent: {version: 1.45}", "arc_agent.version: expected a dotted version in quotes"),
    ("arc_agent: {last_heartbeat_minutes_ago: soon}", "arc_agent.last_heartbeat_minutes_ago: expected a number >= 0"),
    ("arc_agent: {config: {proxy.url: 'proxy:8080'}}", "arc_agent.config.proxy.url: expected a proxy URL"),
    ("arc_agent: {config: {extensions: {a: 1}}}", "arc_agent.config.extensions: expected a setting's value"),
    ("environment: {SystemDrive: 'E:'}", "environment.SystemDrive: SystemDrive comes from system_drive"),
    ("environment: {'A B': x}", "environment.A B: expected an environment variable name"),
    ("network: {tcp_unresolvable: ['a.example:443']}", "network.tcp_unresolvable[0]: expected a host name"),
    ("network: {tcp_unresolvable: [10.0.0.1]}", "network.tcp_unresolvable[0]: expected a host name"),
    ("network: {tcp_open: ['a.example:443'], tcp_unresolvable: [a.example]}",
     "network.tcp_unresolvable: a.example does not resolve, yet a.example:443 is in tcp_open"),
    ("network: {imds: {proxy: unreachable, direct: unreachable, compute: {vmId: x}}}",
     "network.imds.compute: IMDS answers with a compute object only when it is reachable"),
    ("network: {imds: {compute: {vmId: x}}}", "network.imds: expected proxy and direct"),
    ("expected: {profile: azure, results: []}", "expected.profile: expected one of update-management, azure-vm, arc"),
    ("expected: {profile: arc, results: [[OSSupportedCheck, Passed, OSSupportedCheck.Passed]]}",
     "expected.results: expected 12 results, one per rule of profile arc in report order, got 1"),
])
def test_bad_new_keys_name_the_file_and_the_key(text, expected):
    with pytest.raises(ScenarioError) as error:
        parse_scenario(f"name: x\n{text}\n", "fixtures/hosts/x.yaml")
    assert str(error.value).startswith(f"fixtures/hosts/x.yaml: {expected}"), str(error.value)


def test_new_keys_as_written_and_their_defaults():
    s = parse_scenario("name: x\n", "x.yaml")
    assert (s.system_drive, s.folders, dict(s.files), s.arc_agent, dict(s.environment)) == ("C:", (), {}, None, {})
    assert [e.name for e in s.windows_update.services] == ["Windows Update"] and s.windows_update.error is None
    t = parse_scenario(textwrap.dedent(r"""
        name: x
        system_drive: 'e:'
        windows_update: {error: 0x80070422, services: []}
        environment: {MSFT_ARC_TEST: true, Depth: 3}
        files: {'E:\a.bin': {base64: AAEC, hours_ago: 1.5}}
        arc_agent: {last_heartbeat_minutes_ago: null}
        """), "x.yaml")
    assert t.system_drive == "E:" and t.windows_update.error == "0x80070422" and t.windows_update.services == ()
    assert dict(t.environment) == {"MSFT_ARC_TEST": "true", "Depth": "3"}
    assert t.files["E:\\a.bin"].content == b"\x00\x01\x02" and t.files["E:\\a.bin"].hours_ago == 1.5
    assert t.expand("%systemdrive%\\x\\%ProgramData%\\%Unknown%") == "E:\\x\\E:\\ProgramData\\%Unknown%"
    assert t.is_folder("e:\\") and not t.is_folder("E:\\a.bin") and not t.is_folder("E:\\nothing")
    assert t.arc_agent is not None and t.arc_agent.last_heartbeat_minutes_ago is None


def test_registry_read_subkeys_flag_defaults_off():
    assert RegistryRead("HKLM\\SOFTWARE\\X", ("A",)).subkeys is False


# --- the shipped scenarios of the Update Manager profiles ---------------------------------------

# Every outcome of every rule of the two profiles (spec'd message ids; the WireServer rule's
# whole ids), which the shipped scenarios must reach between them.
OUTCOMES = {
    "DotNetFrameworkInstalledCheck": {"Passed", "Failed"},
    "TlsVersionCheck": {"Failed", "Passed", "Failed.NotExplicitlyEnabled", "Failed.ExplicitlyDisabled",
                        "Passed.EnabledByDefault", "Failed.NoDefaultSupport"},
    "HttpsConnectionCheck": {"Passed", "Failed"},
    "ProxySettingsCheck": {"Passed", "PassedWithWarning"},
    "RdAgentServiceCheck": {"Passed", "Failed"},
    "WindowsAzureGuestAgentServiceCheck": {"Passed", "Failed"},
    "WireServerConnectivityCheck": {"Passed", "Failed.Port80Failed", "Passed.Port32526Failed",
                                    "Failed.Port80Failed.Port80FailedPort32526Failed"},
    "PatchExtensionCheck": {"Passed", "Failed"},
    "WSUSServerConfiguredCheck": {"Passed", "PassedWithWarning"},
    "WUEndpointConnectivityCheck": {"Passed", "Failed"},
    "AlwaysAutoRebootCheck": {"Passed", "PassedWithWarning"},
    "AutomaticUpdateCheck": {"Passed", "PassedWithWarning"},
    "WUServiceRunningCheck": {"Passed", "Failed", "Failed.ServiceNotFound"},
    "MUEnableCheck": {"Passed", "PassedWithWarning", "PassedWithWarning.MURegisteredButDisabled", "Failed.ProbeError"},
    "OSSupportedCheck": {"Passed", "Failed"},
    "ArcRequiredEndpointsCheck": {"Passed", "Failed"},
    "HimdsServiceCheck": {"Passed", "Failed"},
}


def test_the_shipped_scenarios_reach_every_outcome_of_every_update_manager_rule():
    from fixtures.scenario import load_scenario, shipped_for
    from readiness.catalog import PROFILE_RULES

    reached: dict[str, set[str]] = {}
    for profile in ("azure-vm", "arc"):
        paths = shipped_for(profile)
        assert {f"{profile}-healthy"} <= {p.stem for p in paths}
        for path in paths:
            expected = load_scenario(path).expected
            assert expected is not None
            ids = [r.rule_id for r in expected.results]
            assert ids == list(PROFILE_RULES[profile]), path  # WUEndpointConnectivityCheck always there
            for result in expected.results:
                reached.setdefault(result.rule_id, set()).add(result.message_id.split(".", 1)[1])
        healthy = load_scenario(next(p for p in paths if p.stem == f"{profile}-healthy")).expected
        assert healthy is not None and {r.check_result for r in healthy.results} == {"Passed"}
    assert reached == OUTCOMES


@pytest.mark.parametrize("profile", ["azure-vm", "arc"])
def test_the_shipped_scenarios_of_a_profile_probe_without_errors_but_the_ones_they_state(profile):
    """Over WinRM, with the host's PowerShell judging the script: no fact is lost to the probe
    on these hosts (PowerShell 2.0 included), but for the WUA failures the scenarios state."""
    from fixtures.scenario import load_scenario, shipped_for

    paths = shipped_for(profile)
    scenarios = [load_scenario(p) for p in paths]
    with fleet(scenarios) as served:
        for host, scn in zip(served.hosts, scenarios, strict=True):
            probed = probe_host(parse_host(host_url(host)),
                                ProbeSettings(probe_input=input_for_profile(BASE, profile)))
            assert isinstance(probed.facts, Facts), (scn.name, probed.failure)
            errors = [e["fact"] for e in probed.facts._doc["errors"]]
            assert errors == (["windows_update"] if scn.windows_update.error else []), scn.name


def test_the_exported_probe_carries_the_profiles_input():
    from readiness import capture
    from readiness.endpoints import Endpoints
    from readiness.endpoints import probe_input as endpoints_input

    text = capture.export_script(None, profile="arc")
    assert capture.parse_export(text).probe_input == input_for_profile(endpoints_input(Endpoints.for_location(None)), "arc")
    assert "# Automation account location: (none: the default endpoints); readiness profile: arc" in text
    plain = capture.export_script(None)
    assert capture.parse_export(plain).probe_input == endpoints_input(Endpoints.for_location(None))
