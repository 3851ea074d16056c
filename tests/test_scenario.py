"""Scenario files: every documented key and default, every error path, the shipped hosts, their
expected: blocks and the table of fixtures/hosts/README.md rendered from them."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from fixtures import expected_table
from fixtures import seed_sample as seed_sample_output
from fixtures.emulator.hostprobe import probe_output
from fixtures.faults import FAULTS
from fixtures.scenario import (
    HOSTS,
    AccessRule,
    Answers,
    Event,
    ExpectedResult,
    RegistryValue,
    Scenario,
    ScenarioError,
    Service,
    load_scenario,
    parse_scenario,
    shipped,
    shipped_for,
)
from readiness import acl as acl_rights
from readiness.catalog import RULES as CATALOG
from readiness.probe import ProbeInput
from tests.emulated import documented_example, documented_example_text, expected

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
MK = "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"
RULE_IDS = list(CATALOG)

# A scenario in the basic format (fixtures/README.md, "Writing your own scenario"), a comment on every key.
DOCUMENTED = r"""
name: seed-sample                  # required; used in host names, logs and reports
os_version: "10.0.22621"           # [Environment]::OSVersion.Version; default "10.0.20348"
powershell_version: "5.1.22621.169"  # Windows PowerShell version; default "5.1.20348.1"
user: vagrant                      # the account that WinRM sessions run as; default "vagrant"
password: vagrant                  # its password; default "vagrant"

registry:                          # key -> value name -> value; int = REG_DWORD, str = REG_SZ
  'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full':
    Release: 533320
  'HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate':
    WUServer: http://wsus.contoso.local:8530
  'HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU':
    AUOptions: 4
  'HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client':
    DisabledByDefault: 0

services:                          # service name -> state
  HealthService: {status: Running, start_type: Automatic}   # status: Running|Stopped|...; start_type: Automatic|Manual|Disabled
  wuauserv: {status: Stopped, start_type: Manual}

agent_workspaces:                  # workspace ids that the monitoring agent's COM object reports;
  - 0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60   # omit the key when the agent is not installed

event_logs:                        # log name -> events (any order); omit a log that does not exist
  Operations Manager:
    - {id: 1210, source: Service Connector, hours_ago: 5,
       message: 'New configuration became active. Management group "AOI-0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60", solutions: changeTracking;updates;'}
    - {id: 4502, source: Health Service Modules, hours_ago: 30, message: 'A module reported an exception'}
  Microsoft-SMA/Operational:
    - {id: 15003, hours_ago: 2, properties: ['', 'grp_0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60', 'grp', '0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60']}

acl:                               # folder -> access entries
  'C:\ProgramData\Microsoft\Crypto\RSA\MachineKeys':
    - {identity: 'NT AUTHORITY\SYSTEM', sid: S-1-5-18, rights: FullControl, type: Allow}
    - {identity: Everyone, sid: S-1-1-0, rights: 'Write, Read', type: Allow}

network:                           # what the host can reach
  winhttp_proxy: null              # null = direct access; or "proxy.contoso.local:8080"
  tcp_open:                        # host:port that accept a TCP connection
    - eus2-jobruntimedata-prod-su1.azure-automation.net:443
  tcp_refused: []                  # host:port that refuse at once; every other host:port drops packets (times out)
  https:                           # URL -> answer to a GET, through the proxy settings and bypassing them
    'https://eus2-jobruntimedata-prod-su1.azure-automation.net': {proxy: 403, direct: 403}   # a status code, unreachable, or closed
  imds: {proxy: unreachable, direct: unreachable}   # ok or unreachable, each way; default unreachable both

winrm:                             # how the emulator serves this host
  listeners: [http, https]         # default both: 5985 (HTTP) and 5986 (HTTPS, certificate made at start)
  auth: [basic, ntlm]              # default both; NTLM with message encryption over HTTP, as Windows does
"""


def scn(text: str, source: str = "x.yaml") -> Scenario:
    return parse_scenario(textwrap.dedent(text), source)


def error_of(text: str, source: str = "fixtures/hosts/x.yaml") -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(textwrap.dedent(text), source)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(source + ": ")
    return message


# --- the documented format ------------------------------------------------------------------


def test_documented_example_loads_with_every_key():
    s = scn(DOCUMENTED)
    assert (s.name, s.os_version, s.powershell_version, s.user, s.password) == (
        "seed-sample", "10.0.22621", "5.1.22621.169", "vagrant", "vagrant")
    assert s.registry.get("HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full", "Release") == RegistryValue("DWord", 533320)
    assert s.registry.get("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate", "WUServer") == RegistryValue(
        "String", "http://wsus.contoso.local:8530")
    assert s.services["HealthService"] == Service("Running", "Automatic")
    assert s.services["wuauserv"] == Service("Stopped", "Manual")
    assert s.agent_workspaces == ("0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60",)
    ops = s.event_logs["Operations Manager"]
    assert [e.id for e in ops] == [1210, 4502] and ops[1] == Event(4502, 30.0, "Health Service Modules", "A module reported an exception")
    sma = s.event_logs["Microsoft-SMA/Operational"][0]
    assert sma.source == "Microsoft-SMA" and sma.message is None and sma.properties[2] == "grp"
    assert s.acl[MK] == (AccessRule("NT AUTHORITY\\SYSTEM", "S-1-5-18", acl_rights.FULL_CONTROL, "Allow"),
                         AccessRule("Everyone", "S-1-1-0", acl_rights.WRITE | acl_rights.READ, "Allow"))
    assert s.network.winhttp_proxy is None
    assert s.network.tcp("EUS2-jobruntimedata-prod-su1.azure-automation.net:443") == "open"
    assert s.network.tcp("other.example:443") == "dropped"
    assert s.network.https_answers("https://eus2-jobruntimedata-prod-su1.azure-automation.net/") == Answers(403, 403)
    assert s.network.imds == Answers("unreachable", "unreachable")
    assert (s.winrm.listeners, s.winrm.auth, s.winrm.faults) == (("http", "https"), ("basic", "ntlm"), ())
    assert dict(s.probe_errors) == {}


def test_defaults_of_a_minimal_scenario():
    s = scn("name: bare\n")
    assert (s.os_version, s.powershell_version, s.user, s.password) == ("10.0.20348", "5.1.20348.1", "vagrant", "vagrant")
    assert len(s.registry) == 0 and dict(s.services) == {} and s.agent_workspaces is None
    assert dict(s.event_logs) == {} and dict(s.acl) == {}
    assert s.network.winhttp_proxy is None and s.network.imds == Answers("unreachable", "unreachable")
    assert s.network.https_answers("https://eus2-jobruntimedata-prod-su1.azure-automation.net") == Answers("unreachable", "unreachable")
    assert s.winrm.listeners == ("http", "https") and s.winrm.auth == ("basic", "ntlm")


def test_empty_sections_mean_present_but_empty():
    s = scn("name: e\nagent_workspaces: []\nevent_logs: {Operations Manager: []}\nacl: {'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys': []}\n")
    assert s.agent_workspaces == () and s.event_logs["Operations Manager"] == () and s.acl[MK] == ()


def test_scalar_answer_means_both_ways_and_each_kind_of_answer():
    s = scn("""
        name: n
        network:
          winhttp_proxy: proxy.contoso.local:8080
          tcp_refused: ['127.0.0.1:5985', '[::1]:443']
          https: {'https://a.example': 200, 'https://b.example': unreachable, 'https://c.example': closed,
                  'HTTPS://D.example/': {proxy: 407, direct: tls}}
          imds: ok
        """)
    n = s.network
    assert n.winhttp_proxy == "proxy.contoso.local:8080"
    assert n.tcp("127.0.0.1:5985") == "refused" and n.tcp("[::1]:443") == "refused"
    assert n.https_answers("https://a.example") == Answers(200, 200)
    assert n.https_answers("https://b.example") == Answers("unreachable", "unreachable")
    assert n.https_answers("https://c.example") == Answers("closed", "closed")
    assert n.https_answers("https://d.example") == Answers(407, "tls")
    assert n.imds == Answers("ok", "ok")
    assert scn("name: n\nnetwork: {imds: {proxy: unreachable, direct: ok}}").network.imds == Answers("unreachable", "ok")


def test_registry_is_case_insensitive_and_hives_are_shortened():
    s = scn(r"""
        name: r
        registry:
          'HKEY_LOCAL_MACHINE\Software\Policies\Microsoft\Windows\WindowsUpdate\AU': {AUOptions: 4}
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full\': {release: 4294967295}
        """)
    assert s.registry.get("HKLM\\SOFTWARE\\POLICIES\\Microsoft\\Windows\\WindowsUpdate\\au", "auoptions").value == 4
    assert s.registry.get("hklm\\software\\microsoft\\net framework setup\\ndp\\v4\\full", "Release").value == 2**32 - 1
    assert "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate" not in s.registry
    doc = probe_output(s, ProbeInput(), NOW)
    assert doc["registry"]["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"]["values"] == {
        "AUOptions": {"type": "DWord", "value": 4}}
    assert doc["registry"]["HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"]["values"]["Release"]["value"] == 2**32 - 1


def test_typed_registry_values():
    s = scn(r"""
        name: t
        registry:
          'HKLM\SOFTWARE\X':
            q: {type: QWord, value: 18446744073709551615}
            m: {type: MultiString, value: [a, b]}
            b: {type: Binary, value: AAEC}
            e: {type: ExpandString, value: '%SystemRoot%'}
            d: {type: DWord, value: 7}
        """)
    values = s.registry["HKLM\\SOFTWARE\\X"]
    assert values["q"] == RegistryValue("QWord", 2**64 - 1)
    assert values["m"] == RegistryValue("MultiString", ("a", "b"))
    assert values["b"] == RegistryValue("Binary", b"\x00\x01\x02")
    assert values["e"] == RegistryValue("ExpandString", "%SystemRoot%")


def test_registry_shorthands_and_values_of_one_key():
    s = scn(r"""
        name: t
        registry:
          'HKLM\SOFTWARE\X':
            b: {binary: "28 00 00 00 0a"}
            q: {qword: 5000000000}
            m: {multi: [a, '']}
            e: {expand: '%SystemRoot%\x'}
          'HKLM\SOFTWARE\Empty': {}
        """)
    values = s.registry.values("hklm\\software\\x")
    assert list(values) == ["b", "q", "m", "e"]
    assert values["B"] == RegistryValue("Binary", b"\x28\x00\x00\x00\x0a")
    assert values["Q"] == RegistryValue("QWord", 5000000000)
    assert values["m"] == RegistryValue("MultiString", ("a", ""))
    assert values["e"] == RegistryValue("ExpandString", "%SystemRoot%\\x")
    assert "z" not in values and dict(s.registry.values("HKLM\\SOFTWARE\\EMPTY")) == {}
    with pytest.raises(KeyError):
        s.registry.values("HKLM\\SOFTWARE\\Absent")


CONNECTIONS = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"


def test_winhttp_settings_come_from_the_proxy_unless_written():
    from readiness import winhttp

    made = scn("name: p\nnetwork: {winhttp_proxy: 'proxy.contoso.local:8080'}")
    assert made.registry.get(CONNECTIONS, "WinHttpSettings") == RegistryValue(
        "Binary", winhttp.encode("proxy.contoso.local:8080"))
    assert made.registry.get(CONNECTIONS, "WinHttpSettings").value[:4] == b"\x18\x00\x00\x00"
    assert CONNECTIONS not in scn("name: d\nnetwork: {winhttp_proxy: null}").registry
    assert CONNECTIONS not in scn("name: d\n").registry
    blob = "2800000003000000030000001800000070726f78792e636f6e746f736f2e6c6f63616c3a3830383000000000"
    written = scn(f"""
        name: w
        registry:
          'hklm\\software\\microsoft\\windows\\currentversion\\internet settings\\connections':
            WinHttpSettings: {{binary: "{blob}"}}
            DefaultConnectionSettings: {{binary: "46"}}
        network: {{winhttp_proxy: 'proxy.contoso.local:8080'}}
        """)
    assert written.registry.get(CONNECTIONS, "winhttpsettings").value == bytes.fromhex(blob)
    assert set(written.registry.values(CONNECTIONS)) == {"WinHttpSettings", "DefaultConnectionSettings"}
    assert written.network.winhttp_proxy == "proxy.contoso.local:8080"
    kept = scn(f"name: k\nregistry: {{'{CONNECTIONS}': {{Other: 1}}}}\nnetwork: {{winhttp_proxy: 'p.example:3128'}}")
    assert set(kept.registry.values(CONNECTIONS)) == {"Other", "WinHttpSettings"}


def test_windows_traits_default_and_as_written():
    from fixtures.scenario import WindowsTraits

    assert scn("name: d\n").windows == WindowsTraits("FullLanguage", True, "en-US", "en-US", ())
    assert scn("name: d\nwindows:\n").windows == WindowsTraits()
    s = scn("""
        name: w
        windows:
          language_mode: ConstrainedLanguage
          get_winevent: false
          culture: ja-JP
          ui_language: de-DE
          unregistered_providers: [Service Connector, HealthService]
        """)
    assert s.windows == WindowsTraits("ConstrainedLanguage", False, "ja-JP", "de-DE", ("Service Connector", "HealthService"))
    assert s.windows.unregistered("SERVICE CONNECTOR") and not s.windows.unregistered("Microsoft-SMA")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.windows.language_mode = "FullLanguage"  # type: ignore[misc]


def test_unrenderable_event_message_is_null_with_properties():
    s = scn("""
        name: e
        event_logs:
          Operations Manager:
            - {id: 1210, hours_ago: 5, message: null, properties: ['AOI-0b7e', 'changeTracking;updates;']}
            - {id: 1210, hours_ago: 6, message: ''}
        """)
    unrendered, empty = s.event_logs["Operations Manager"]
    assert unrendered.message is None and unrendered.properties == ("AOI-0b7e", "changeTracking;updates;")
    assert unrendered.source == "Service Connector"
    assert empty.message == ""


def test_extra_keys_faults_and_probe_errors():
    s = scn(r"""
        name: x
        winrm: {faults: [probe_truncated, hang], listeners: [https], auth: [ntlm]}
        probe_errors:
          event_logs.operations manager: Access is denied.
          acl: Access is denied.
          registry.HKLM\Software\Policies\Microsoft\Windows\WindowsUpdate\AU: Requested registry access is not allowed.
          services.WUAUSERV: Cannot open wuauserv service on computer '.'.
          agent: Retrieving the COM class factory failed
        """)
    assert s.winrm == type(s.winrm)(("https",), ("ntlm",), ("probe_truncated", "hang"))
    assert dict(s.probe_errors) == {
        "event_logs.Operations Manager": "Access is denied.",
        f"acl.{MK}": "Access is denied.",
        "registry.HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU": "Requested registry access is not allowed.",
        "services.wuauserv": "Cannot open wuauserv service on computer '.'.",
        "agent": "Retrieving the COM class factory failed",
    }
    assert set(FAULTS) >= set(s.winrm.faults)


def test_renamed_keeps_the_machine_and_checks_the_name():
    s = load_scenario(HOSTS / "healthy.yaml")
    copy = s.renamed("healthy-0001")
    assert copy.name == "healthy-0001" and copy.registry == s.registry and copy.network == s.network
    with pytest.raises(ScenarioError, match="host-name-safe"):
        s.renamed("bad name")


def test_expected_block_as_written():
    rows = "".join(f"\n    - [{r}, Passed, {r}.Passed]" for r in RULE_IDS[:-1])
    s = scn(f"""
        name: e
        expected:
          location: JapanEast
          results:{rows}
            - [LAOmsEndpointConnectivity, Failed, LAOmsEndpointConnectivity.Failed.SomeReason]
        """.replace("\n    - ", "\n            - "))
    assert s.expected.location == "JapanEast"
    assert s.expected.results[0] == ExpectedResult("OperatingSystemCheck", "Passed", "OperatingSystemCheck.Passed")
    assert [r.rule_id for r in s.expected.results] == RULE_IDS
    assert s.expected.by_rule()["LAOmsEndpointConnectivity"] == (
        "LAOmsEndpointConnectivity", "Failed", "LAOmsEndpointConnectivity.Failed.SomeReason")
    assert scn("name: e\n").expected is None
    assert scn(f"name: e\nexpected: {{results: {EXPECTED_ROWS}}}").expected.location is None


def test_password_is_not_in_repr():
    assert "s3cret" not in repr(scn("name: p\npassword: s3cret\n"))


# --- errors name the file and the key -------------------------------------------------------

# A valid expected block's rows (every rule Passed), as YAML flow lists.
EXPECTED_ROWS = [[r, "Passed", f"{r}.Passed"] for r in RULE_IDS]

ERRORS = [
    ("name: x\nservices: {wuauserv: {status: Stopped, start_type: Sometimes}}",
     "services.wuauserv.start_type: expected one of Automatic, Manual, Disabled, got 'Sometimes'"),
    ("name: x\nservices: {wuauserv: {status: Asleep}}", "services.wuauserv.status: expected one of Running, Stopped"),
    ("name: x\nservices: {wuauserv: {start_type: Manual}}", "services.wuauserv.status: required"),
    ("name: x\nservices: {wuauserv: {status: Running, colour: blue}}", "services.wuauserv.colour: unknown key"),
    ("name: x\nservices: {wuauserv: {status: Running}, WUAUSERV: {status: Running}}", "services.WUAUSERV: service listed twice"),
    ("os_version: '10.0'", "name: required"),
    ("name: 'bad_name'", "name: expected a host-name-safe name"),
    ("name: x\nflavour: vanilla", "flavour: unknown key"),
    ("name: x\nos_version: 6.1", "os_version: expected a dotted version in quotes"),
    ("name: x\npowershell_version: 'five'", "powershell_version: expected a dotted version"),
    ("name: x\nuser: ''", "user: expected text, got an empty string"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {Release: -1}}", "registry.HKLM\\SOFTWARE\\X.Release: expected an integer from 0 to 4294967295, got -1"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {Release: 4294967296}}", "registry.HKLM\\SOFTWARE\\X.Release: expected an integer from 0"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {Release: 1.5}}", "registry.HKLM\\SOFTWARE\\X.Release: expected an integer (REG_DWORD), text (REG_SZ)"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {Flag: true}}", "registry.HKLM\\SOFTWARE\\X.Flag: expected an integer (REG_DWORD) or text (REG_SZ), got True"),
    ("name: x\nregistry: {'SOFTWARE\\X': {A: 1}}", "registry.SOFTWARE\\X: expected a registry key starting with HKLM"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: 1}, 'hklm\\software\\x': {B: 1}}", "registry.hklm\\software\\x: same key as"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: 1, a: 2}}", "registry.HKLM\\SOFTWARE\\X.a: same value as 'A'"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {type: Word, value: 1}}}", "registry.HKLM\\SOFTWARE\\X.A.type: expected one of DWord"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {type: Binary, value: '***'}}}", "registry.HKLM\\SOFTWARE\\X.A.value: expected base64"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {binary: '28 0g'}}}", "registry.HKLM\\SOFTWARE\\X.A.binary: expected hexadecimal bytes"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {binary: AAE}}}", "registry.HKLM\\SOFTWARE\\X.A.binary: expected hexadecimal bytes"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {qword: -1}}}", "registry.HKLM\\SOFTWARE\\X.A.qword: expected an integer from 0 to 18446744073709551615"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {multi: a}}}", "registry.HKLM\\SOFTWARE\\X.A.multi: expected a list, got 'a'"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {expand: 5}}}", "registry.HKLM\\SOFTWARE\\X.A.expand: expected text, got 5"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {qword: 1, multi: []}}}", "registry.HKLM\\SOFTWARE\\X.A: expected one key of binary, qword, multi, expand alone"),
    ("name: x\nregistry: {'HKLM\\SOFTWARE\\X': {A: {dword: 1}}}", "registry.HKLM\\SOFTWARE\\X.A.dword: unknown key"),
    ("name: x\nwindows: {language_mode: Constrained}", "windows.language_mode: expected one of FullLanguage, ConstrainedLanguage, RestrictedLanguage, NoLanguage, got 'Constrained'"),
    ("name: x\nwindows: {get_winevent: 'no'}", "windows.get_winevent: expected true or false, got 'no'"),
    ("name: x\nwindows: {culture: Japanese}", "windows.culture: expected a culture name such as 'ja-JP' or 'de-DE', got 'Japanese'"),
    ("name: x\nwindows: {ui_language: 1}", "windows.ui_language: expected text, got 1"),
    ("name: x\nwindows: {unregistered_providers: Service Connector}", "windows.unregistered_providers: expected a list, got 'Service Connector'"),
    ("name: x\nwindows: {unregistered_providers: [A, a]}", "windows.unregistered_providers: a provider is listed twice"),
    ("name: x\nwindows: {unregistered_providers: ['']}", "windows.unregistered_providers[0]: expected text, got an empty string"),
    ("name: x\nwindows: {timezone: UTC}", "windows.timezone: unknown key (expected one of language_mode, get_winevent, culture, ui_language, unregistered_providers)"),
    ("name: x\nwindows: [ConstrainedLanguage]", "windows: expected a mapping, got a list"),
    ("name: x\nagent_workspaces: 0b7e7e3a", "agent_workspaces: expected a list, got '0b7e7e3a'"),
    ("name: x\nagent_workspaces: [1]", "agent_workspaces[0]: expected text, got 1"),
    ("name: x\nevent_logs: {System: []}", "event_logs.System: expected one of Operations Manager, Microsoft-SMA/Operational"),
    ("name: x\nevent_logs: {Operations Manager: [{id: '1210', hours_ago: 1}]}", "event_logs.Operations Manager[0].id: expected an integer, got '1210'"),
    ("name: x\nevent_logs: {Operations Manager: [{id: 1210}]}", "event_logs.Operations Manager[0].hours_ago: required"),
    ("name: x\nevent_logs: {Operations Manager: [{id: 1210, hours_ago: -1}]}", "event_logs.Operations Manager[0].hours_ago: expected a number >= 0, got -1"),
    ("name: x\nevent_logs: {Operations Manager: [{id: 1210, hours_ago: 1, source: 5}]}", "event_logs.Operations Manager[0].source: expected text, got 5"),
    ("name: x\nevent_logs: {Operations Manager: [{id: 1210, hours_ago: 1, message: [a]}]}", "event_logs.Operations Manager[0].message: expected text, got a list"),
    ("name: x\nevent_logs: {Microsoft-SMA/Operational: [{id: 15003, hours_ago: 1, properties: [1]}]}",
     "event_logs.Microsoft-SMA/Operational[0].properties[0]: expected text, got 1"),
    ("name: x\nevent_logs: {Operations Manager: [{id: 1210, hours_ago: 1, level: Error}]}", "event_logs.Operations Manager[0].level: unknown key"),
    ("name: x\nacl: {'C:\\Windows': []}", "acl.C:\\Windows: expected the folder C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"),
    ("name: x\nacl: {'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys': [{sid: X-1-5-18, rights: Read, type: Allow}]}",
     "acl.C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys[0].sid: expected a SID such as S-1-5-18, got 'X-1-5-18'"),
    ("name: x\nacl: {'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys': [{sid: S-1-5-18, rights: 'Read, Fly', type: Allow}]}",
     "[0].rights: unknown file system right 'Fly'"),
    ("name: x\nacl: {'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys': [{sid: S-1-5-18, rights: Read, type: Permit}]}",
     "[0].type: expected one of Allow, Deny, got 'Permit'"),
    ("name: x\nacl: {'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys': [{sid: S-1-5-18, rights: Read}]}", "[0].type: required"),
    ("name: x\nnetwork: {tcp_open: [example.com]}", "network.tcp_open[0]: expected host:port (port 1..65535), got 'example.com'"),
    ("name: x\nnetwork: {tcp_open: ['example.com:70000']}", "network.tcp_open[0]: expected host:port"),
    ("name: x\nnetwork: {tcp_refused: ['bad host:443']}", "network.tcp_refused[0]: expected host:port"),
    ("name: x\nnetwork: {tcp_open: ['a.example:443'], tcp_refused: ['A.example:443']}", "network.tcp_refused: a.example:443 is also in tcp_open"),
    ("name: x\nnetwork: {https: {'https://a.example': 'slow'}}", "network.https.https://a.example: expected a status code (100..599) or one of unreachable, closed"),
    ("name: x\nnetwork: {https: {'https://a.example': 999}}", "network.https.https://a.example: expected an integer from 100 to 599, got 999"),
    ("name: x\nnetwork: {https: {'https://a.example': {proxy: 403}}}", "network.https.https://a.example.direct: required"),
    ("name: x\nnetwork: {https: {'ftp://a.example': 200}}", "network.https.ftp://a.example: expected an http:// or https:// URL"),
    ("name: x\nnetwork: {imds: 200}", "network.imds: expected one of ok, unreachable, got 200"),
    ("name: x\nnetwork: {imds: {proxy: ok, direct: maybe}}", "network.imds.direct: expected one of ok, unreachable, got 'maybe'"),
    ("name: x\nnetwork: {winhttp_proxy: 'a proxy'}", "network.winhttp_proxy: expected a proxy server"),
    ("name: x\nnetwork: {dns: []}", "network.dns: unknown key"),
    ("name: x\nwinrm: {listeners: [http, ftp]}", "winrm.listeners[1]: expected one of http, https, got 'ftp'"),
    ("name: x\nwinrm: {listeners: []}", "winrm.listeners: expected at least one of http, https"),
    ("name: x\nwinrm: {auth: [kerberos]}", "winrm.auth[0]: expected one of basic, ntlm, got 'kerberos'"),
    ("name: x\nwinrm: {faults: [explode]}", "winrm.faults[0]: expected one of refuse, reset"),
    ("name: x\nprobe_errors: {services.spooler: Access is denied.}", "probe_errors.services.spooler: unknown fact"),
    ("name: x\nprobe_errors: {acl: ''}", "probe_errors.acl: expected text, got an empty string"),
    ("name: x\nprobe_errors: {agent: \"two\\nlines\"}", "probe_errors.agent: expected one line of text"),
    ("- name: x", "expected a mapping, got a list"),
    ("name: x\nexpected: [healthy]", "expected: expected a mapping, got a list"),
    ("name: x\nexpected: {location: japaneast}", "expected.results: required (the 20 results in report order)"),
    ("name: x\nexpected: {results: [], colour: red}", "expected.colour: unknown key (expected one of location, results, profile)"),
    ("name: x\nexpected: {location: japan-east, results: []}", "expected.location: expected an Azure location name such as 'japaneast', got 'japan-east'"),
    ("name: x\nexpected: {location: 5, results: []}", "expected.location: expected text, got 5"),
    ("name: x\nexpected: {results: OperatingSystemCheck.Passed}", "expected.results: expected a list, got 'OperatingSystemCheck.Passed'"),
    (f"name: x\nexpected: {{results: {EXPECTED_ROWS[:19]}}}", "expected.results: expected 20 results, one per rule in report order, got 19"),
    (f"name: x\nexpected: {{results: {EXPECTED_ROWS[1:] + EXPECTED_ROWS[:1]}}}",
     "expected.results[0]: expected RuleId OperatingSystemCheck (the rules in report order), got 'DotNetFrameworkInstalledCheck'"),
    (f"name: x\nexpected: {{results: {['OperatingSystemCheck.Passed'] + EXPECTED_ROWS[1:]}}}",
     "expected.results[0]: expected [RuleId, CheckResult, CheckResultMessageId], got 'OperatingSystemCheck.Passed'"),
    (f"name: x\nexpected: {{results: {[['OperatingSystemCheck', 'Passed']] + EXPECTED_ROWS[1:]}}}",
     "expected.results[0]: expected [RuleId, CheckResult, CheckResultMessageId], got a list"),
    (f"name: x\nexpected: {{results: {[['OperatingSystemCheck', 'Pass', 'OperatingSystemCheck.Passed']] + EXPECTED_ROWS[1:]}}}",
     "expected.results[0].CheckResult: expected one of Passed, PassedWithWarning, Failed, got 'Pass'"),
    (f"name: x\nexpected: {{results: {[['OperatingSystemCheck', 'Failed', 'OperatingSystemCheck.Passed']] + EXPECTED_ROWS[1:]}}}",
     ("expected.results[0].CheckResultMessageId: expected OperatingSystemCheck.Failed or OperatingSystemCheck.Failed.<Reason>, "
     "got 'OperatingSystemCheck.Passed'")),
    (f"name: x\nexpected: {{results: {[['OperatingSystemCheck', 'Failed', 'OperatingSystemCheck.Failed.']] + EXPECTED_ROWS[1:]}}}",
     "expected.results[0].CheckResultMessageId: expected OperatingSystemCheck.Failed or OperatingSystemCheck.Failed.<Reason>"),
    (f"name: x\nexpected: {{results: {EXPECTED_ROWS[:19] + [['LAOmsEndpointConnectivity', 'Passed', 7]]}}}",
     "expected.results[19].CheckResultMessageId: expected text, got 7"),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS, ids=[e[1][:50] for e in ERRORS])
def test_bad_values_name_file_and_key(text, expected):
    assert expected in error_of(text)


def test_example_message_from_the_format_is_exact():
    assert error_of("name: x\nservices: {wuauserv: {status: Stopped, start_type: Sometimes}}") == (
        "fixtures/hosts/x.yaml: services.wuauserv.start_type: expected one of Automatic, Manual, Disabled, got 'Sometimes'")


def test_yaml_syntax_error_names_file_and_line():
    assert error_of("name: x\nos_version: '10.0'\nuser: a: b\n") == (
        "fixtures/hosts/x.yaml: line 3: mapping values are not allowed here")


def test_duplicate_key_names_file_and_line():
    assert error_of("name: x\nos_version: '10.0'\nname: y\n") == "fixtures/hosts/x.yaml: line 3: key 'name' given twice"


def test_unsafe_yaml_tags_are_refused():
    assert "line 1" in error_of("!!python/object/apply:os.system ['true']\n")


def test_missing_and_undecodable_files(tmp_path: Path):
    with pytest.raises(ScenarioError, match=r"^.*nowhere\.yaml: cannot read: No such file"):
        load_scenario(tmp_path / "nowhere.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ScenarioError, match=r"latin1\.yaml: not UTF-8 text$"):
        load_scenario(bad)


# --- shipped scenarios and the expected outcomes table --------------------------------------


def test_every_shipped_scenario_loads_and_says_what_it_shows():
    names = set()
    for path in shipped():
        s = load_scenario(path)
        assert s.name == path.stem, "a scenario's name is its file name"
        assert path.read_text(encoding="utf-8").startswith(f"# {s.name}: "), "a comment says what it shows"
        names.add(s.name)
    assert {"healthy", "seed-sample", "hostile-strings", "legacy-2008r2", "old-os", "proxy", "multi-workspace",
            "multiple-but-valid", "wsus-autoupdate", "agent-missing", "locked-down", "warnings"} <= names


def test_hostile_strings_carry_markup_and_quotes():
    s = load_scenario(HOSTS / "hostile-strings.yaml")
    server = s.registry.get("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate", "WUServer").value
    assert "<script>alert(1)</script>" in server and '"' in server and "'" in server


def test_every_shipped_scenario_has_its_expected_results():
    """The one source of a scenario's expected results is its expected: block; the end-to-end
    tests (tests/test_suite_e2e.py) compare the suite's real results with it."""
    for path in shipped():
        assert load_scenario(path).expected is not None, path


def test_hosts_readme_table_is_rendered_from_the_expected_blocks():
    readme = expected_table.README.read_text(encoding="utf-8")
    assert readme == expected_table.render(readme, shipped()), "run: python -m fixtures.expected_table"
    section = readme.split(expected_table.BEGIN, 1)[1].split(expected_table.END, 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and line.endswith("` |")]
    assert len(rows) == sum(len(load_scenario(path).expected.results) for path in shipped())
    assert expected_table.main(["--check"]) == 0


def test_expected_table_refuses_a_readme_without_its_markers_and_a_scenario_without_expected(tmp_path):
    with pytest.raises(ValueError, match="expected one '<!-- expected results"):
        expected_table.render("# no markers\n", shipped())
    bare = tmp_path / "bare.yaml"
    bare.write_text("name: bare\n", encoding="utf-8")
    readme = f"{expected_table.BEGIN}\n{expected_table.END}\n"
    with pytest.raises(ScenarioError, match=f"^{bare}: expected: required in a shipped scenario"):
        expected_table.render(readme, [bare])


def _ids(name: str) -> list[str]:
    return [r.message_id for r in expected(name).results]


def test_seed_sample_gives_the_seed_documents_results():
    # fixtures/seed-sample-output.txt is the troubleshooter's own output for that machine.
    assert list(expected("seed-sample").results) == [
        (r.RuleId, r.CheckResult, r.CheckResultMessageId) for r in seed_sample_output.results()]


def test_healthy_passes_every_rule():
    assert all(".Passed" in i and ".PassedWithWarning" not in i for i in _ids("healthy"))


def test_warnings_has_only_passed_and_warnings():
    ids = _ids("warnings")
    assert not any(".Failed" in i for i in ids) and sum(".PassedWithWarning" in i for i in ids) == 8


WINDOWS_BEHAVIOUR = ["winhttp-v28-proxy", "opsmgr-unregistered-ja", "event-message-null", "legacy-2008r2-ps2-no-net35",
                     "constrained-language", "raw-registry-kinds"]


def test_scenarios_of_windows_behaviour_show_what_they_say():
    """Each is in the table, is described there, and holds the Windows behaviour it names."""
    table = {path.stem: list(expected(path.stem).results) for path in shipped()}
    readme = (HOSTS / "README.md").read_text(encoding="utf-8")
    for name in WINDOWS_BEHAVIOUR:
        assert name in table and f"| `{name}` |" in readme, name
    kinds = load_scenario(HOSTS / "raw-registry-kinds.yaml").registry
    au = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"
    assert kinds.get(au, "AUOptions").value == "4"
    assert ("AutomaticUpdateCheck", "PassedWithWarning", "AutomaticUpdateCheck.PassedWithWarning") in table["raw-registry-kinds"]
    assert ("AlwaysAutoRebootCheck", "PassedWithWarning", "AlwaysAutoRebootCheck.PassedWithWarning") in table["raw-registry-kinds"]
    assert {i for _, _, i in table["constrained-language"]} == {f"{r}.Failed.ProbeError" for r, _, _ in
                                                                 table["constrained-language"]}
    assert ("ProxySettings", "PassedWithWarning", "ProxySettings.PassedWithWarning") in table["winhttp-v28-proxy"]
    assert load_scenario(HOSTS / "legacy-2008r2-ps2-no-net35.yaml").windows.get_winevent is False
    assert load_scenario(HOSTS / "constrained-language.yaml").windows.language_mode == "ConstrainedLanguage"
    v28 = load_scenario(HOSTS / "winhttp-v28-proxy.yaml")
    blob = v28.registry.get("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections",
                            "WinHttpSettings").value
    assert blob[:4] == b"\x28\x00\x00\x00" and b"proxy.contoso.local:8080" in blob
    assert v28.network.winhttp_proxy == "proxy.contoso.local:8080"
    ja = load_scenario(HOSTS / "opsmgr-unregistered-ja.yaml")
    assert (ja.windows.culture, ja.windows.ui_language) == ("ja-JP", "ja-JP")
    assert all(ja.windows.unregistered(e.source) and e.message is None for e in ja.event_logs["Operations Manager"])
    null = load_scenario(HOSTS / "event-message-null.yaml").event_logs["Operations Manager"]
    newest = min(null, key=lambda e: e.hours_ago)
    assert newest.id == 1210 and newest.message is None and newest.properties
    kinds = load_scenario(HOSTS / "raw-registry-kinds.yaml").registry
    assert kinds.get("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU", "AUOptions") == RegistryValue("String", "4")
    assert {v.kind for key in kinds for v in kinds.values(key).values()} >= {"QWord", "MultiString", "ExpandString", "String"}


def test_legacy_ps2_says_net35_is_there():
    s = load_scenario(HOSTS / "legacy-2008r2-ps2.yaml")
    assert s.windows.get_winevent is True and "windows:" in (HOSTS / "legacy-2008r2-ps2.yaml").read_text()
    assert s.registry.get("HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v3.5", "Install").value == 1


def test_every_outcome_branch_is_reached():
    """Each message id of docs/rules.md, and each way to it, appears in some scenario."""
    # probe-errors and constrained-language end in ProbeError by design; the scenarios of the
    # Update Manager profiles have rules of their own (tests/test_probe_update_manager.py).
    ids = {i for name in {p.stem for p in shipped_for()} - {"probe-errors", "constrained-language"}
           for i in _ids(name)}
    assert ".ProbeError" not in str(ids)
    wanted = {f"{r}.Passed" for r in RULE_IDS} - {"TlsVersionCheck.Passed"} | {
        "OperatingSystemCheck.Failed", "DotNetFrameworkInstalledCheck.Failed",
        "WindowsManagementFrameworkInstalledCheck.PassedWithWarning", "WindowsManagementFrameworkInstalledCheck.Failed",
        "AutomationAgentServiceConnectivityCheck1.Failed.NoRegistrationFound", "AutomationAgentServiceConnectivityCheck1.Failed",
        "AutomationJobRuntimeDataServiceConnectivityCheck.Failed", "MonitoringAgentServiceRunningCheck.Failed",
        "SystemHybridRunbookWorkerRunningCheck.Failed", "MonitoringAgentServiceEventsCheck.Failed.NoLog",
        "MonitoringAgentServiceEventsCheck.Failed.EventFound", "LinkedWorkspaceCheck.Failed.NoWorkspace",
        "LinkedWorkspaceCheck.PassedWithWarning", "LinkedWorkspaceCheck.Failed",
        "CryptoRsaMachineKeysFolderAccessCheck.Failed", "TlsVersionCheck.Failed", "TlsVersionCheck.Passed",
        "TlsVersionCheck.Failed.NotExplicitlyEnabled", "TlsVersionCheck.Failed.ExplicitlyDisabled",
        "TlsVersionCheck.Passed.EnabledByDefault", "TlsVersionCheck.Failed.NoDefaultSupport",
        "AlwaysAutoRebootCheck.PassedWithWarning", "WSUSServerConfigured.PassedWithWarning",
        "AutomaticUpdateCheck.PassedWithWarning", "HttpsConnection.PassedWithWarning", "HttpsConnection.Failed",
        "ProxySettings.PassedWithWarning", "IMDSConnectivity.PassedWithWarning", "IMDSConnectivity.Failed",
        "WUServiceRunningCheck.Failed", "LAOdsEndpointConnectivity.Failed", "LAOmsEndpointConnectivity.Failed"}
    assert wanted - ids == set()
    # branches that share a message id
    def result(name: str, rule_id: str) -> str:
        return expected(name).by_rule()[rule_id].message_id

    assert result("multi-workspace", "LAOdsEndpointConnectivity") == "LAOdsEndpointConnectivity.Failed"  # Multiple
    assert result("agent-missing", "LAOdsEndpointConnectivity") == "LAOdsEndpointConnectivity.Failed"  # None
    assert result("locked-down", "LAOdsEndpointConnectivity") == "LAOdsEndpointConnectivity.Failed"  # endpoint refused
    assert result("locked-down", "MonitoringAgentServiceRunningCheck").endswith("Failed")  # HealthService stopped
    assert result("agent-missing", "MonitoringAgentServiceRunningCheck").endswith("Failed")  # HealthService absent
    for name in ("locked-down", "no-system-worker", "agent-missing"):  # 15004 newest, only a user worker, no log
        assert result(name, "SystemHybridRunbookWorkerRunningCheck") == "SystemHybridRunbookWorkerRunningCheck.Failed", name


def test_readme_example_loads_with_every_documented_key():
    """The example of fixtures/README.md ("Writing your own scenario") is a valid scenario using every key."""
    from fixtures.scenario import TOP, WINDOWS

    example = documented_example_text()
    s = documented_example()
    raw = yaml.safe_load(example)
    assert set(raw) == set(TOP) and set(raw["windows"]) == set(WINDOWS)
    for shorthand in ("{qword:", "{multi:", "{expand:", "{binary:", "message: null"):
        assert shorthand in example, shorthand
    assert s.windows.language_mode == "FullLanguage" and s.registry.get(
        "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU", "NoAutoUpdate") == RegistryValue("QWord", 0)
    assert s.registry.get("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections",
                          "WinHttpSettings").value[:4] == b"\x28\x00\x00\x00"
    assert [e.message is None for e in s.event_logs["Operations Manager"]] == [False, True]
