"""The probe's input as an emulated Windows host executes it, and what Windows refuses.

Over real WinRM (pywinrm, NTLM, the emulator on loopback) where the answer crosses the wire;
directly through ``fixtures.emulator.hostprobe`` where only the host's behaviour is in question.
"""

from __future__ import annotations

import struct
import textwrap
from datetime import UTC, datetime

import pytest

from fixtures.emulator import capabilities
from fixtures.emulator.hostprobe import probe_output
from fixtures.scenario import parse_scenario
from readiness import winhttp
from readiness.catalog import RULES
from readiness.facts import LanguageModeRefused, ProbeOutputError, parse_facts
from readiness.hosts import parse_host
from readiness.probe import BOOTSTRAP, ProbeInput, script_text, stdin_text
from readiness.probe.gather import OPERATIONS_MANAGER, EventQuery, RegistryRead, event_xpath
from readiness.probe_pool import PROBE_ERROR, ProbeSettings, probe_host
from tests.emulated import fleet, host_url, run_suite, write_hosts

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
PROXY = "proxy.contoso.local:8080"
HTTPS = "https://eus2-jobruntimedata-prod-su1.azure-automation.net"
INPUT = ProbeInput(timeout_ms=200)

OPS_EVENTS = """
event_logs:
  Operations Manager:
    - {id: 1210, hours_ago: 5, properties: ['AOI-0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60', 'updates;']}
    - {id: 4502, hours_ago: 2, message: 'A module reported an exception'}
"""

# How the probe read its logs before: Get-WinEvent -FilterHashtable with ProviderName and
# StartTime, under -ErrorAction Stop, messages from the cmdlet.
FILTER_HASHTABLE_READER = """
function Add-ProbeEvents($Log, [string]$LogName, $Query) {
    $filter = @{ LogName = $LogName; Id = $Query.ids }
    if ($null -ne $Query.provider) { $filter['ProviderName'] = $Query.provider }
    if ($null -ne $Query.hours) { $filter['StartTime'] = [DateTime]::Now.AddHours(0 - $Query.hours) }
    $found = @(Get-WinEvent -FilterHashtable $filter -MaxEvents ($Query.newest + 1) -ErrorAction Stop)
    foreach ($rec in $found) { $e['message'] = Get-ProbeText $rec.Message }
}
"""


def scenario(text: str):
    return parse_scenario(textwrap.dedent(text), "t.yaml")


def ops_log(doc: dict) -> dict:
    return doc["event_logs"][OPERATIONS_MANAGER]


def probe_over_winrm(scn):
    with fleet([scn]) as served:
        return probe_host(parse_host(host_url(served.hosts[0])), ProbeSettings(probe_input=INPUT))


# --- the input decides what is gathered ------------------------------------------------------


def test_the_emulator_gathers_what_the_input_names_and_nothing_else():
    scn = scenario("""
        name: h
        registry:
          'HKLM\\SOFTWARE\\Contoso': {Mode: 3, Other: 'x'}
        event_logs:
          Microsoft-SMA/Operational:
            - {id: 7, source: Contoso, hours_ago: 1}
            - {id: 8, source: Contoso, hours_ago: 1}
        """)
    asked = ProbeInput(registry=(RegistryRead("HKLM\\SOFTWARE\\contoso", ("MODE", "Absent")),), services=("Spooler",),
                       events=(EventQuery("Microsoft-SMA/Operational", (7,), 5, event_xpath((7,))),), acl=("C:\\Temp",))
    doc = probe_output(scn, asked, NOW)
    assert doc["registry"] == {"HKLM\\SOFTWARE\\contoso": {"exists": True, "values": {"MODE": {"type": "DWord", "value": 3}}}}
    assert doc["services"] == {"Spooler": {"exists": False, "status": None, "start": None}}
    assert [e["id"] for e in doc["event_logs"]["Microsoft-SMA/Operational"]["events"]] == [7]
    assert doc["acl"] == {"C:\\Temp": {"exists": False, "entries": []}}
    assert doc["errors"] == []


def test_an_xpath_the_emulator_does_not_understand_fails_the_log_never_matches_all():
    asked = ProbeInput(events=(EventQuery(OPERATIONS_MANAGER, (1210,), 5, "*[System[Level=2]]"),))
    doc = probe_output(scenario("name: h\n" + OPS_EVENTS), asked, NOW)
    assert ops_log(doc)["error"].startswith(
        "System.Diagnostics.Eventing.Reader.EventLogInvalidDataException: The specified query is invalid")
    assert doc["errors"] == [{"fact": f"event_logs.{OPERATIONS_MANAGER}", "message": ops_log(doc)["error"]}]


def test_the_4502_window_is_evaluated_from_the_xpath():
    scn = scenario("""
        name: h
        event_logs:
          Operations Manager:
            - {id: 4502, hours_ago: 25}
            - {id: 4502, hours_ago: 25.01}
            - {id: 4502, source: Other, hours_ago: 1}
        """)
    events = ops_log(probe_output(scn, INPUT, NOW))["events"]
    assert [(e["source"], e["time"]) for e in events] == [("Health Service Modules", "2026-11-25T11:00:00Z")]


# --- defect: any WinHttpSettings version -----------------------------------------------------


@pytest.mark.parametrize("version", [0x28, 0x3C, 0x46])
def test_a_proxy_stored_with_another_version_is_read_and_used(version):
    blob = struct.pack("<I", version) + winhttp.encode(PROXY)[4:]
    scn = scenario(f"""
        name: h
        registry:
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections':
            WinHttpSettings: {{binary: '{blob.hex()}'}}
        network:
          https: {{'{HTTPS}': {{proxy: 403, direct: unreachable}}}}
        """)
    result = probe_over_winrm(scn)
    assert result.failure is None, result.failure
    assert result.facts.winhttp_proxy.proxy == PROXY
    assert result.facts.https.proxy.route == f"proxy {PROXY}" and result.facts.https.proxy.status == 403


# --- defects: FilterHashtable, one unrenderable record -----------------------------------------


@pytest.mark.parametrize(("traits", "words"), [
    ("{unregistered_providers: [Health Service Modules]}", 'matches "Health Service Modules"'),
    ("{culture: de-DE}", "is not in a valid DateTime format"),
])
def test_filter_hashtable_fails_where_the_xpath_reader_does_not(traits, words):
    rendered = OPS_EVENTS.replace("hours_ago: 5,", "hours_ago: 5, message: 'New configuration became active.',")
    scn = scenario(f"name: h\nwindows: {traits}\n" + rendered)
    old = probe_output(scn, INPUT, NOW, script=FILTER_HASHTABLE_READER)
    assert words in ops_log(old)["error"]
    new = ops_log(probe_output(scn, INPUT, NOW))
    assert [e["id"] for e in new["events"]] == [1210, 4502]


def test_one_record_without_a_message_fails_get_winevent_but_not_the_per_record_reader():
    scn = scenario("name: h\n" + OPS_EVENTS)  # the 1210 event has no renderable message
    old = probe_output(scn, INPUT, NOW, script=FILTER_HASHTABLE_READER)
    assert "EventLogException" in ops_log(old)["error"]
    new = ops_log(probe_output(scn, INPUT, NOW))
    assert [(e["id"], e["message"]) for e in new["events"]] == [(1210, None), (4502, "A module reported an exception")]
    assert new["events"][0]["properties"][0].startswith("AOI-")


def test_an_unregistered_publisher_leaves_its_events_without_messages():
    scn = scenario("name: h\nwindows: {unregistered_providers: [health service modules]}\n" + OPS_EVENTS)
    assert [e["message"] for e in ops_log(probe_output(scn, INPUT, NOW))["events"]] == [None, None]


# --- defect: PowerShell 2.0 without .NET 3.5 ---------------------------------------------------


def test_powershell_2_without_dotnet_35_reads_the_logs_with_wevtutil_over_winrm():
    scn = scenario("name: h\npowershell_version: '2.0'\nwindows: {get_winevent: false}\n" + OPS_EVENTS)
    judged = capabilities.judge(BOOTSTRAP + "\n" + stdin_text(INPUT), scn)
    assert judged.fatal is None and judged.unavailable("Get-ProbeEventLog") is None
    result = probe_over_winrm(scn)
    assert result.failure is None, result.failure
    log = result.facts.event_log(OPERATIONS_MANAGER)
    assert [(e.id, e.message) for e in log.events] == [(1210, None), (4502, None)]
    assert log.events[0].properties[0].startswith("AOI-")


def test_a_script_that_needs_get_winevent_loses_its_logs_there():
    scn = scenario("name: h\npowershell_version: '2.0'\nwindows: {get_winevent: false}\n" + OPS_EVENTS)
    script = script_text().replace("if ($PSVersionTable.PSVersion.Major -ge 3) {", "if ($true) {")
    judged = capabilities.judge(BOOTSTRAP + "\n" + script, scn)
    message = judged.unavailable("Get-ProbeEventLog")
    assert message
    doc = probe_output(scn, INPUT, NOW, script=script, judgement=judged)
    assert ops_log(doc) == {"error": message}


# --- defect: Constrained Language Mode ---------------------------------------------------------


def test_the_language_mode_document_is_refused_with_a_reason():
    with pytest.raises(LanguageModeRefused, match=r"Constrained Language Mode .*AppLocker or Windows Defender Application Control"):
        parse_facts({"schema": "readiness-probe/2", "language_mode": "ConstrainedLanguage"})
    with pytest.raises(ProbeOutputError, match="not a language-mode document"):
        parse_facts({"schema": "readiness-probe/2", "language_mode": "FullLanguage"})


def test_constrained_language_mode_fails_every_rule_with_probe_error(pytester):
    scn = scenario("name: clm\nwindows: {language_mode: ConstrainedLanguage}\n")
    with fleet([scn]) as served:
        host = served.hosts[0]
        probed = probe_host(parse_host(host_url(host)), ProbeSettings(probe_input=INPUT))
        hosts_file = write_hosts(pytester.path / "fleet.txt", [host_url(host)])
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file), "--connect-timeout", "1")
    assert probed.failure is not None and probed.failure.reason == PROBE_ERROR
    assert result.ret == 1
    results = data["hosts"][0]["results"]
    assert [r["RuleId"] for r in results] == list(RULES)
    for r in results:
        assert (r["CheckResult"], r["CheckResultMessageId"]) == ("Failed", f"{r['RuleId']}.Failed.ProbeError")
        assert "Constrained Language Mode" in r["CheckResultMessage"] and "AppLocker" in r["CheckResultMessage"]
