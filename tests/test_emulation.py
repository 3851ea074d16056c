"""The scenario -> probe output mapping against readiness/probe/CONTRACT.md."""

from __future__ import annotations

import base64
import json
import textwrap
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fixtures.emulator.hostprobe import ANSWER_MS, probe_delay, probe_output, probe_stdout
from fixtures.scenario import HOSTS, load_scenario, parse_scenario, shipped
from readiness import winhttp
from readiness.facts import parse_facts
from readiness.probe import SCHEMA, ProbeInput, parse_input, render_input
from readiness.probe.gather import REGISTRY_KEYS

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
WS = "0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60"
WS2 = "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e"
OPS = "eus2-jobruntimedata-prod-su1.azure-automation.net:443"
MK = "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"
CONNECTIONS = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
INPUT = ProbeInput(tcp=(OPS,), workspace_tcp=("{ws}.agentsvc.azure-automation.net:443", "{ws}.ods.opinsights.azure.com:443"),
                   timeout_ms=3000)


def scn(text: str):
    return parse_scenario(textwrap.dedent(text), "t.yaml")


def out(text: str, probe_input: ProbeInput = INPUT, now: datetime = NOW) -> dict:
    return probe_output(scn(text), probe_input, now)


# --- structure: every required key, with the type CONTRACT.md gives it --------------------

STR, INT, BOOL, NULL, LIST, DICT = str, int, bool, type(None), list, dict
ANSWER = {"status": (INT, NULL), "error": (STR, NULL), "route": (STR,), "elapsed_ms": (INT,)}
SHAPE = {
    "schema": (STR,), "collected_at": (STR,), "os": {"version": (STR,)},
    "powershell": {"version": (STR,), "edition": (STR,)},
    "registry": (DICT,), "services": (DICT,), "agent": {"installed": (BOOL,), "workspaces": (LIST,)},
    "event_logs": (DICT,), "acl": (DICT,),
    "network": {"winhttp_proxy": (STR, NULL), "tls12_offered": (BOOL,), "tcp": (LIST,),
                "https": {"url": (STR,), "proxy": ANSWER, "direct": ANSWER},
                "imds": {"url": (STR,), "proxy": ANSWER, "direct": ANSWER}},
    "errors": (LIST,),
}
TCP = {"target": (STR,), "ok": (BOOL,), "error": (STR, NULL), "route": (STR,), "elapsed_ms": (INT,)}
EVENT = {"id": (INT,), "source": (STR,), "time": (STR,), "message": (STR, NULL), "properties": (LIST,)}
ENTRY = {"sid": (STR,), "rights": (INT,), "type": (STR,), "inherit_only": (BOOL,)}


def check(value, shape, path="fact") -> None:
    if isinstance(shape, dict):
        assert isinstance(value, dict), path
        if "error" in value and "error" not in shape and path != "document":  # a fact not gathered
            assert isinstance(value["error"], str) and "\n" not in value["error"], path
            return
        for key, sub in shape.items():
            assert key in value, f"{path}.{key} missing"
            check(value[key], sub, f"{path}.{key}")
    else:
        assert type(value) in shape, f"{path}: {type(value).__name__} is not {shape}"  # bool is not int here


def check_document(doc: dict) -> None:
    check(doc, SHAPE, "document")
    assert doc["schema"] == SCHEMA
    assert list(doc["registry"]) == list(REGISTRY_KEYS)
    for key, names in REGISTRY_KEYS.items():
        fact = doc["registry"][key]
        if "error" in fact:
            continue
        check(fact, {"exists": (BOOL,), "values": (DICT,)}, key)
        assert set(fact["values"]) <= set(names)
        for value in fact["values"].values():
            kind = value["type"]
            expected = {"DWord": INT, "QWord": INT, "String": STR, "ExpandString": STR, "MultiString": LIST, "Binary": STR}[kind]
            assert type(value["value"]) is expected
    assert list(doc["services"]) == ["HealthService", "wuauserv"]
    for service in doc["services"].values():
        check(service, {"exists": (BOOL,), "status": (STR, NULL), "start": (INT, NULL)})
    assert all(type(w) is str for w in doc["agent"].get("workspaces", []))
    assert list(doc["event_logs"]) == ["Operations Manager", "Microsoft-SMA/Operational"]
    for log in doc["event_logs"].values():
        if "error" in log:
            continue
        check(log, {"exists": (BOOL,), "events": (LIST,), "truncated": (LIST,)})
        for query in log["truncated"]:
            check(query, {"ids": (LIST,), "newest": (INT,)})
        for event in log.get("events", []):
            check(event, EVENT)
            assert all(type(p) is str for p in event["properties"])
            assert event["time"].endswith("Z")
    assert list(doc["acl"]) == [MK]
    check(doc["acl"][MK], {"exists": (BOOL,), "entries": (LIST,)}, "acl")
    for entry in doc["acl"][MK].get("entries", []):
        check(entry, ENTRY)
        assert entry["type"] in ("Allow", "Deny")
    for test in doc["network"]["tcp"]:
        check(test, TCP)
    for error in doc["errors"]:
        check(error, {"fact": (STR,), "message": (STR,)})


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_every_shipped_scenario_gives_a_complete_document(path):
    doc = probe_output(load_scenario(path), INPUT, NOW)
    check_document(doc)
    text = probe_stdout(load_scenario(path), INPUT, NOW)
    assert text.isascii() and json.loads(text) == doc
    parse_facts(json.loads(text))  # and the suite's own validation accepts it


# --- values ------------------------------------------------------------------------------


def test_os_powershell_and_time():
    doc = out("name: a\nos_version: '6.1.7601'\npowershell_version: '2.0'\n", now=NOW.astimezone(timezone(timedelta(hours=9))))
    assert doc["collected_at"] == "2026-11-26T12:00:00Z"
    assert doc["os"] == {"version": "6.1.7601.0"}
    assert doc["powershell"] == {"version": "2.0", "edition": "Desktop"}
    assert out("name: a\npowershell_version: '7.4.6'\n")["powershell"] == {"version": "7.4.6", "edition": "Core"}
    assert out("name: a\nos_version: '10.0.20348.2849'\n")["os"]["version"] == "10.0.20348.2849"


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        out("name: a\n", now=datetime(2026, 11, 26, 12))


def test_registry_only_the_six_keys_and_the_names_the_rules_read():
    doc = out(r"""
        name: r
        registry:
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full': {Release: 533320, Version: '4.8.09032', Install: 1}
          'HKLM\Software\Policies\Microsoft\Windows\WindowsUpdate\AU':
            AUOptions: 4
            alwaysautorebootatscheduledtimeminutes: 15
            NoAutoUpdate: 0
          'HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Server': {}
          'HKLM\SOFTWARE\Other': {Release: 1}
        """)
    reg = doc["registry"]
    assert reg["HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"] == {
        "exists": True, "values": {"Release": {"type": "DWord", "value": 533320}}}
    assert reg["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"] == {"exists": True, "values": {
        "AUOptions": {"type": "DWord", "value": 4},
        "AlwaysAutoRebootAtScheduledTimeMinutes": {"type": "DWord", "value": 15}}}
    assert reg["HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server"] == {
        "exists": True, "values": {}}
    # Named only through its AU subkey, WindowsUpdate exists (Windows has no key without its
    # parents), with no values.
    assert reg["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"] == {"exists": True, "values": {}}
    assert reg[CONNECTIONS] == {"exists": False, "values": {}}


def test_typed_values_in_probe_form():
    doc = out(r"""
        name: r
        registry:
          'HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full': {Release: {type: String, value: '528449'}}
          'HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate': {WUServer: {type: MultiString, value: [a, b]}}
          'HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU': {AUOptions: {type: QWord, value: 4}}
        """)
    reg = doc["registry"]
    assert reg["HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"]["values"]["Release"] == {"type": "String", "value": "528449"}
    assert reg["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"]["values"]["WUServer"] == {"type": "MultiString", "value": ["a", "b"]}
    assert reg["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"]["values"]["AUOptions"] == {"type": "QWord", "value": 4}


def test_winhttp_settings_from_the_proxy():
    doc = out("name: p\nnetwork: {winhttp_proxy: 'proxy.contoso.local:8080'}\n")
    value = doc["registry"][CONNECTIONS]["values"]["WinHttpSettings"]
    assert value["type"] == "Binary"
    assert base64.b64decode(value["value"]) == winhttp.encode("proxy.contoso.local:8080")
    assert winhttp.decode(base64.b64decode(value["value"])).proxy == "proxy.contoso.local:8080"
    assert doc["network"]["winhttp_proxy"] == "proxy.contoso.local:8080"
    direct = out("name: p\nnetwork: {winhttp_proxy: null}\n")
    assert "WinHttpSettings" not in direct["registry"][CONNECTIONS]["values"] and direct["network"]["winhttp_proxy"] is None


def test_services_start_from_start_type():
    doc = out("""
        name: s
        services:
          healthservice: {status: StartPending, start_type: Automatic}
          wuauserv: {status: Stopped, start_type: Disabled}
          Spooler: {status: Running, start_type: Automatic}
        """)
    assert doc["services"] == {"HealthService": {"exists": True, "status": "StartPending", "start": 2},
                               "wuauserv": {"exists": True, "status": "Stopped", "start": 4}}
    doc = out("name: s\nservices: {wuauserv: {status: Running, start_type: Manual}, HealthService: {status: Paused}}\n")
    assert doc["services"]["wuauserv"]["start"] == 3
    assert doc["services"]["HealthService"] == {"exists": True, "status": "Paused", "start": None}
    assert out("name: s\n")["services"]["HealthService"] == {"exists": False, "status": None, "start": None}


def test_agent():
    assert out("name: a\n")["agent"] == {"installed": False, "workspaces": []}
    assert out("name: a\nagent_workspaces: []\n")["agent"] == {"installed": True, "workspaces": []}
    assert out(f"name: a\nagent_workspaces: [{WS}, {WS2}]\n")["agent"]["workspaces"] == [WS, WS2]


def test_events_filtered_as_the_probe_queries_them():
    many_1210 = "\n".join(f"    - {{id: 1210, hours_ago: {h / 10}}}" for h in range(1, 1006))
    many_4502 = "\n".join(f"    - {{id: 4502, hours_ago: {h / 10}}}" for h in range(1, 61))
    doc = out("name: e\nevent_logs:\n  Operations Manager:\n" + many_1210 + "\n" + many_4502 + """
    - {id: 4502, hours_ago: 0.01, source: Another Provider}
    - {id: 4502, hours_ago: 25}
    - {id: 4502, hours_ago: 25.01}
    - {id: 7026, hours_ago: 1}
  Microsoft-SMA/Operational:
    - {id: 15004, hours_ago: 3}
    - {id: 15003, hours_ago: 1, source: Custom, message: started, properties: ['', a_b, a, b]}
    - {id: 15010, hours_ago: 0}
""")
    ops = doc["event_logs"]["Operations Manager"]
    assert ops["exists"] is True
    ids = [e["id"] for e in ops["events"]]
    assert ids.count(1210) == 1000 and ids.count(4502) == 50 and 7026 not in ids
    assert ids == [1210] * 1000 + [4502] * 50, "query after query"
    assert ops["truncated"] == [{"ids": [1210], "newest": 1000}, {"ids": [4502], "newest": 50}]
    for wanted in (1210, 4502):
        times = [e["time"] for e in ops["events"] if e["id"] == wanted]
        assert times == sorted(times, reverse=True), "each query newest first"
    kept_1210 = [e for e in ops["events"] if e["id"] == 1210]
    assert kept_1210[0]["time"] == "2026-11-26T11:54:00Z" and kept_1210[-1]["time"] == "2026-11-22T08:00:00Z"
    kept_4502 = [e for e in ops["events"] if e["id"] == 4502]
    # hours_ago 0.1, the newest 50 of those within 25 h from Health Service Modules: another
    # provider's 4502 does not push the agent's out of the window
    assert kept_4502[0]["time"] == "2026-11-26T11:54:00Z"
    assert kept_1210[0] == {"id": 1210, "source": "Service Connector", "time": "2026-11-26T11:54:00Z",
                            "message": None, "properties": []}
    assert {e["source"] for e in kept_4502} == {"Health Service Modules"}
    sma = doc["event_logs"]["Microsoft-SMA/Operational"]["events"]
    assert doc["event_logs"]["Microsoft-SMA/Operational"]["truncated"] == []
    assert sma == [
        {"id": 15003, "source": "Custom", "time": "2026-11-26T11:00:00Z", "message": "started", "properties": ["", "a_b", "a", "b"]},
        {"id": 15004, "source": "Microsoft-SMA", "time": "2026-11-26T09:00:00Z", "message": None, "properties": []}]


def test_long_texts_are_cut_as_the_probe_cuts_them():
    doc = out("name: e\nevent_logs:\n  Operations Manager:\n    - {id: 1210, hours_ago: 1, message: '" + "m" * 2500
              + "', properties: ['" + "p" * 2001 + "', short]}\n")
    event = doc["event_logs"]["Operations Manager"]["events"][0]
    assert event["message"] == "m" * 2000 and event["properties"] == ["p" * 2000, "short"]


def test_queries_at_their_cap_are_not_truncated():
    exactly = "\n".join(f"    - {{id: 4502, hours_ago: {h / 10}}}" for h in range(1, 51))
    ops = out("name: e\nevent_logs:\n  Operations Manager:\n" + exactly + "\n")["event_logs"]["Operations Manager"]
    assert len(ops["events"]) == 50 and ops["truncated"] == []


def test_probe_tls12_offered_from_the_scenario():
    assert out("name: t\n")["network"]["tls12_offered"] is True
    assert out("name: t\nnetwork: {probe_tls12: false}\n")["network"]["tls12_offered"] is False
    with pytest.raises(ValueError, match=r"network.probe_tls12: expected true or false, got 'no'"):
        scn("name: t\nnetwork: {probe_tls12: 'no'}\n")


def test_4502_window_is_25_hours_inclusive():
    doc = out("name: e\nevent_logs:\n  Operations Manager:\n    - {id: 4502, hours_ago: 25}\n    - {id: 4502, hours_ago: 25.5}\n")
    assert [e["time"] for e in doc["event_logs"]["Operations Manager"]["events"]] == ["2026-11-25T11:00:00Z"]


def test_missing_logs_and_folder():
    doc = out("name: e\n")
    assert doc["event_logs"] == {"Operations Manager": {"exists": False, "events": [], "truncated": []},
                                 "Microsoft-SMA/Operational": {"exists": False, "events": [], "truncated": []}}
    assert doc["acl"] == {MK: {"exists": False, "entries": []}}


def test_acl_rights_as_numbers():
    doc = out(r"""
        name: a
        acl:
          'c:\programdata\microsoft\crypto\rsa\machinekeys\':
            - {identity: 'NT AUTHORITY\SYSTEM', sid: S-1-5-18, rights: FullControl, type: Allow}
            - {sid: S-1-5-32-544, rights: 268435456, type: Deny, inherit_only: true}
            - {identity: Everyone, sid: S-1-1-0, rights: 'Write, Read', type: Allow}
        """)
    assert doc["acl"][MK] == {"exists": True, "entries": [
        {"sid": "S-1-5-18", "rights": 2032127, "type": "Allow", "inherit_only": False},
        {"sid": "S-1-5-32-544", "rights": 0x10000000, "type": "Deny", "inherit_only": True},
        {"sid": "S-1-1-0", "rights": 0x116 | 0x20089, "type": "Allow", "inherit_only": False}]}


def test_tcp_targets_in_input_order_with_templates_per_workspace():
    doc = out(f"""
        name: t
        agent_workspaces: [{WS}, not-a-guid, {WS2}]
        network:
          tcp_open: ['{WS}.agentsvc.azure-automation.net:443', '{OPS}']
          tcp_refused: ['{WS2}.ods.opinsights.azure.com:443']
        """)
    tcp = doc["network"]["tcp"]
    assert [t["target"] for t in tcp] == [
        OPS, f"{WS}.agentsvc.azure-automation.net:443", f"{WS2}.agentsvc.azure-automation.net:443",
        f"{WS}.ods.opinsights.azure.com:443", f"{WS2}.ods.opinsights.azure.com:443"]
    assert tcp[0] == {"target": OPS, "ok": True, "error": None, "route": "direct", "elapsed_ms": ANSWER_MS}
    assert tcp[2] == {"target": f"{WS2}.agentsvc.azure-automation.net:443", "ok": False, "error": "timeout",
                      "route": "direct", "elapsed_ms": 3000}
    assert tcp[4]["error"] == "refused" and tcp[4]["ok"] is False and tcp[4]["elapsed_ms"] == ANSWER_MS
    assert tcp[1]["ok"] is True and tcp[3]["error"] == "timeout"


def test_https_and_imds_per_route():
    url = INPUT.https
    direct = out(f"name: h\nnetwork: {{https: {{'{url}': {{proxy: 403, direct: closed}}}}, imds: ok}}\n")["network"]
    assert direct["https"] == {"url": url,
                               "proxy": {"status": 403, "error": None, "route": "direct", "elapsed_ms": ANSWER_MS},
                               "direct": {"status": None, "error": "closed", "route": "direct", "elapsed_ms": ANSWER_MS}}
    assert direct["imds"] == {"url": INPUT.imds,
                              "proxy": {"status": 200, "error": None, "route": "direct", "elapsed_ms": ANSWER_MS},
                              "direct": {"status": 200, "error": None, "route": "direct", "elapsed_ms": ANSWER_MS}}
    proxied = out(f"""
        name: h
        network:
          winhttp_proxy: proxy.contoso.local:8080
          https: {{'{url}/': {{proxy: unreachable, direct: 200}}}}
          imds: {{proxy: unreachable, direct: ok}}
        """)["network"]
    assert proxied["https"]["proxy"] == {"status": None, "error": "timeout", "route": "proxy", "elapsed_ms": 3000}
    assert proxied["https"]["direct"] == {"status": 200, "error": None, "route": "direct", "elapsed_ms": ANSWER_MS}
    assert proxied["imds"]["proxy"]["route"] == "proxy" and proxied["imds"]["proxy"]["error"] == "timeout"
    assert proxied["imds"]["direct"]["status"] == 200
    nothing = out("name: h\n")["network"]
    assert nothing["https"]["proxy"]["error"] == nothing["https"]["direct"]["error"] == "timeout"
    assert nothing["imds"]["direct"] == {"status": None, "error": "timeout", "route": "direct", "elapsed_ms": 3000}
    other = out("name: h\nnetwork: {https: {'https://other.example': 200}}\n",
                ProbeInput(https="https://OTHER.example/"))["network"]["https"]
    assert other["url"] == "https://OTHER.example/" and other["direct"]["status"] == 200


def test_probe_errors_become_error_fields_and_entries():
    doc = out(r"""
        name: e
        agent_workspaces: []
        probe_errors:
          acl: Access is denied.
          agent: COM class not registered
          event_logs.Operations Manager: Access is denied.
          registry.hklm\software\policies\microsoft\windows\windowsupdate\au: Requested registry access is not allowed.
          services.wuauserv: Cannot open service.
        """)
    assert doc["acl"] == {MK: {"error": "Access is denied."}}
    assert doc["agent"] == {"error": "COM class not registered"}
    assert doc["event_logs"]["Operations Manager"] == {"error": "Access is denied."}
    assert doc["event_logs"]["Microsoft-SMA/Operational"] == {"exists": False, "events": [], "truncated": []}
    assert doc["registry"]["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"] == {
        "error": "Requested registry access is not allowed."}
    assert doc["services"]["wuauserv"] == {"error": "Cannot open service."}
    assert doc["errors"] == [
        {"fact": "registry.HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU",
         "message": "Requested registry access is not allowed."},
        {"fact": "services.wuauserv", "message": "Cannot open service."},
        {"fact": "agent", "message": "COM class not registered"},
        {"fact": "event_logs.Operations Manager", "message": "Access is denied."},
        {"fact": f"acl.{MK}", "message": "Access is denied."}]
    check_document(doc)
    parse_facts(doc)


def test_a_failed_agent_leaves_no_workspaces_to_test():
    doc = out(f"name: a\nagent_workspaces: [{WS}]\nprobe_errors: {{agent: boom}}\n")
    assert [t["target"] for t in doc["network"]["tcp"]] == [OPS]


def test_probe_delay_is_the_timeout_once_or_nothing():
    healthy = load_scenario(HOSTS / "healthy.yaml")
    full = ProbeInput(tcp=(OPS,), workspace_tcp=("{ws}.agentsvc.azure-automation.net:443", "{ws}.ods.opinsights.azure.com:443",
                                                 "{ws}.oms.opinsights.azure.com:443"), timeout_ms=2500)
    assert probe_delay(healthy, full) == 0.0
    assert probe_delay(load_scenario(HOSTS / "locked-down.yaml"), full) == 2.5
    assert probe_delay(healthy, ProbeInput(tcp=("closed.example:443",), timeout_ms=700)) == 0.7
    assert probe_delay(healthy, ProbeInput(https="https://unknown.example")) == 5.0
    quick = scn("name: q\nnetwork: {imds: ok, tcp_refused: ['a.example:1'], https: {'https://x.example': closed}}\n")
    assert probe_delay(quick, ProbeInput(tcp=("a.example:1",), https="https://x.example")) == 0.0
    errored = scn("name: q\nprobe_errors: {network: boom}\n")
    assert probe_delay(errored, ProbeInput()) == 0.0
    assert probe_output(errored, ProbeInput(), NOW)["network"] == {"error": "boom"}


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_render_parse_round_trip_through_the_emulation(path):
    scenario = load_scenario(path)
    probe_input = ProbeInput(tcp=(OPS, "it's.example:443"), workspace_tcp=("{ws}.agentsvc.azure-automation.net:443",),
                             timeout_ms=1234)
    back = parse_input(render_input(probe_input) + "# the script follows\n")
    assert back == probe_input
    assert probe_output(scenario, back, NOW) == probe_output(scenario, probe_input, NOW)
    assert probe_delay(scenario, back) == probe_delay(scenario, probe_input)


def test_hostile_strings_survive_as_data_and_ascii():
    text = probe_stdout(load_scenario(HOSTS / "hostile-strings.yaml"), INPUT, NOW)
    assert text.isascii() and "\\u65b0" in text  # the Japanese message, escaped
    doc = json.loads(text)
    server = doc["registry"]["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"]["values"]["WUServer"]["value"]
    assert "<script>alert(1)</script>" in server and '"' in server and "'" in server
