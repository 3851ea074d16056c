"""The probe's output: validation (one line naming the path), decoding, and the facts' accessors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jsonschema
import pytest

from readiness.facts import (
    Facts,
    FactUnavailable,
    ProbeOutputError,
    TruncatedQuery,
    _validator,
    parse_facts,
    parse_probe_output,
)
from readiness.winhttp import WinHttpSettingsError
from tests.facts_builder import (
    AU_POLICY,
    CONNECTIONS,
    MACHINE_KEYS,
    NDP_FULL,
    OPS_LOG,
    TLS_CLIENT,
    WS,
    HostDoc,
    updates_event,
)

PROXY = "proxy.contoso.local:8080"


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(_validator().schema)


def test_builder_documents_are_valid():
    assert isinstance(HostDoc().facts(), Facts)


def _set(doc: dict, path: tuple, value) -> dict:
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


_DELETE = object()

INVALID = [
    # (path changed, new value, message)
    (("services", "wuauserv", "start"), "x", "services.wuauserv.start: expected integer or null, got 'x'"),
    (("os", "version"), 10, "os.version: expected string, got 10"),
    (("os", "version"), "ten", "os.version: 'ten' is not in the expected form"),
    (("services",), _DELETE, "services: missing"),
    (("services", "HealthService"), _DELETE, "services.HealthService: missing"),
    (("registry", NDP_FULL, "values", "Release", "value"), "533320",
     f"registry.{NDP_FULL}.values.Release.value: expected integer, got '533320'"),
    (("registry", NDP_FULL, "values", "Release", "type"), "Dword",
     (f"registry.{NDP_FULL}.values.Release.type: expected one of DWord, QWord, String, ExpandString, MultiString, Binary, "
     "got 'Dword'")),
    (("registry", NDP_FULL, "values", "Release", "value"), -1,
     f"registry.{NDP_FULL}.values.Release.value: -1 is out of range"),
    (("registry", CONNECTIONS, "values", "WinHttpSettings", "value"), "not base64!",
     f"registry.{CONNECTIONS}.values.WinHttpSettings.value: 'not base64!' is not in the expected form"),
    (("registry", TLS_CLIENT), _DELETE, f"registry.{TLS_CLIENT}: missing"),
    (("agent", "workspaces"), WS, f"agent.workspaces: expected array, got '{WS}'"),
    (("event_logs", OPS_LOG, "events", 0, "id"), "1210", f"event_logs.{OPS_LOG}.events[0].id: expected integer, got '1210'"),
    (("event_logs", OPS_LOG, "events", 0, "time"), "2026-11-26 07:00:00",
     f"event_logs.{OPS_LOG}.events[0].time: '2026-11-26 07:00:00' is not in the expected form"),
    (("event_logs", OPS_LOG, "events", 0, "time"), "2026-13-26T07:00:00Z",
     f"event_logs.{OPS_LOG}.events[0].time: '2026-13-26T07:00:00Z' is not a valid time"),
    (("acl", MACHINE_KEYS, "entries", 0, "type"), "allow",
     f"acl.{MACHINE_KEYS}.entries[0].type: expected one of Allow, Deny, got 'allow'"),
    (("acl", MACHINE_KEYS, "entries", 0, "rights"), True,
     f"acl.{MACHINE_KEYS}.entries[0].rights: expected integer, got True"),
    (("network", "tcp", 0, "ok"), "yes", "network.tcp[0].ok: expected boolean, got 'yes'"),
    (("network", "tcp", 0, "route"), "tunnel", "network.tcp[0].route: 'tunnel' is not in the expected form"),
    (("network", "imds", "proxy", "status"), "200", "network.imds.proxy.status: expected integer or null, got '200'"),
    (("network", "https", "direct"), _DELETE, "network.https.direct: missing"),
    (("collected_at",), "yesterday", "collected_at: 'yesterday' is not in the expected form"),
    (("collected_at",), "2026-02-30T00:00:00Z", "collected_at: '2026-02-30T00:00:00Z' is not a valid time"),
    (("errors",), {}, "errors: expected array, got {}"),
    (("os",), {"error": 5}, "os.error: expected string, got 5"),
    (("event_logs", OPS_LOG, "truncated"), _DELETE, f"event_logs.{OPS_LOG}.truncated: missing"),
    (("event_logs", OPS_LOG, "truncated"), [{"ids": [1210], "newest": "1000"}],
     f"event_logs.{OPS_LOG}.truncated[0].newest: expected integer, got '1000'"),
    (("event_logs", OPS_LOG, "truncated"), [{"ids": [], "newest": 1000}],
     f"event_logs.{OPS_LOG}.truncated[0].ids: [] should be non-empty"),
    (("network", "tls12_offered"), _DELETE, "network.tls12_offered: missing"),
    (("network", "tls12_offered"), 1, "network.tls12_offered: expected boolean, got 1"),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID, ids=[m.split(":")[0] for _, _, m in INVALID])
def test_invalid_document_names_the_path(path, value, message):
    doc = _set(HostDoc().doc, path, value)
    with pytest.raises(ProbeOutputError) as caught:
        parse_facts(doc)
    assert str(caught.value) == message


def test_several_problems_name_the_first_and_count_the_rest():
    doc = HostDoc().doc
    doc["os"]["version"] = 10
    doc["powershell"]["version"] = 5
    with pytest.raises(ProbeOutputError, match=r": expected string, got \d+ \(and 1 more problems\)$"):
        parse_facts(doc)


@pytest.mark.parametrize(("schema", "shown"), [("readiness-probe/1", "'readiness-probe/1'"), (2, "2")])
def test_unknown_schema_version(schema, shown):
    doc = HostDoc().doc
    doc["schema"] = schema
    del doc["services"]  # not reported: the version decides first
    with pytest.raises(ProbeOutputError) as caught:
        parse_facts(doc)
    assert str(caught.value) == f"probe output schema is {shown}, expected 'readiness-probe/2'"


@pytest.mark.parametrize(("document", "message"), [
    ([], "probe output: expected object, got []"),
    ({}, "schema: missing (and 10 more problems)"),
])
def test_not_a_probe_document(document, message):
    with pytest.raises(ProbeOutputError) as caught:
        parse_facts(document)
    assert str(caught.value) == message


# --- bytes to facts ------------------------------------------------------------------------

def _stdout(doc: HostDoc) -> bytes:
    return json.dumps(doc.doc).encode("ascii")


def test_probe_output_round_trip():
    facts = parse_probe_output(b"\r\n" + _stdout(HostDoc()) + b"\r\n")
    assert facts.os_version == (10, 0, 20348, 0)


@pytest.mark.parametrize(("stdout", "message"), [
    (b'{"schema": "readiness-probe/1", "os": "\xff"}', "probe output is not UTF-8 at byte 39"),
    (b"", "probe output is empty"),
    (b"\r\n", "probe output is empty"),
    (b"Get-Service : Cannot find any service with service name 'HealthService'.\r\nAt line:1 char:1",
     "probe output is not JSON: \"Get-Service : Cannot find any service with service name 'Hea\""),
    (b'{"schema": "readiness-probe/1", "os": {"vers', "probe output is not JSON: '{\"schema\": \"readiness-probe/1\", \"os\": {\"vers'"),
    (b'{"a": NaN}', "probe output is not JSON: '{\"a\": NaN}'"),
])
def test_probe_output_that_is_not_a_document(stdout, message):
    with pytest.raises(ProbeOutputError) as caught:
        parse_probe_output(stdout)
    assert str(caught.value) == message


def test_truncated_output_is_not_json():
    stdout = _stdout(HostDoc())
    with pytest.raises(ProbeOutputError, match=r"^probe output is not JSON: '\{\"schema\": \"readiness-probe/2\""):
        parse_probe_output(stdout[: len(stdout) // 2])


def test_non_ascii_text_is_decoded():
    doc = HostDoc().events(OPS_LOG, updates_event())
    doc.doc["event_logs"][OPS_LOG]["events"][0]["message"] += " \u65b0\u3057\u3044\u69cb\u6210"
    facts = parse_probe_output(json.dumps(doc.doc, ensure_ascii=False).encode("utf-8"))
    assert facts.event_log(OPS_LOG).events[0].message.endswith("\u65b0\u3057\u3044\u69cb\u6210")


# --- accessors -----------------------------------------------------------------------------

def test_versions():
    facts = HostDoc().os("6.1.7601.65536").powershell("7.5.0-preview.3").facts()
    assert facts.os_version == (6, 1, 7601, 65536)
    assert str(facts.powershell_version) == "7.5.0-preview.3"
    assert facts.powershell_version.parts == (7, 5, 0)


def test_registry_is_case_insensitive_and_typed():
    doc = (HostDoc().registry(AU_POLICY, AUOptions=4, Note="x", Servers=["a", "b"])
           .registry_raw(AU_POLICY, "Big", "QWord", 2**40).registry_raw(AU_POLICY, "Path", "ExpandString", "%windir%"))
    facts = doc.facts()
    key = AU_POLICY.lower().replace("hklm", "HKLM")
    assert facts.registry_value(key, "auoptions") == 4
    assert facts.registry_value(AU_POLICY, "Note") == "x"
    assert facts.registry_value(AU_POLICY, "Servers") == ("a", "b")
    assert facts.registry_value(AU_POLICY, "Big") == 2**40
    assert facts.registry_value(AU_POLICY, "Path") == "%windir%"
    assert facts.registry_value(AU_POLICY, "Absent") is None
    assert facts.registry_value(CONNECTIONS, "WinHttpSettings")[:4] == b"\x18\0\0\0"
    assert facts.registry_key_exists(AU_POLICY)


@pytest.mark.parametrize(("value", "number"), [(4, 4), ("4", 4), (" 15 ", 15), ("four", None), (["4"], None), (b"\x04", None)])
def test_registry_number_reads_numbers_and_decimal_text(value, number):
    assert HostDoc().registry(AU_POLICY, AUOptions=value).facts().registry_number(AU_POLICY, "AUOptions") == number


# PowerShell's documentation: about_Comparison_Operators (the left operand's type decides the
# comparison; a collection on the left gives back its matching members) and about_Booleans
# (an empty string is false, "0" true; an array of no element false, of one element that
# element's truth, of more true). So ("4" -eq 4) is true, ("04" -eq 4) false, (@("0") -eq 0)
# is @("0"), true, and ([byte[]]@(0) -eq 0) is @(0), false.
@pytest.mark.parametrize(("value", "number", "equal"), [
    (4, 4, True), (5, 4, False), ("4", 4, True), ("04", 4, False), (" 4", 4, False), ("four", 4, False),
    (["4"], 4, True), (["1", "4"], 4, True), (["0"], 0, True), ([], 0, False), (b"\x04", 4, True),
    (b"\x00", 0, False), (b"\x00\x00", 0, True), (None, 0, False)])
def test_registry_equals_is_powershells_eq_then_its_truth(value, number, equal):
    doc = HostDoc() if value is None else HostDoc().registry(AU_POLICY, AUOptions=value)
    assert doc.facts().registry_equals(AU_POLICY, "AUOptions", number) is equal


@pytest.mark.parametrize(("value", "is_set"), [
    (0, False), (15, True), ("", False), ("0", True), ([], False), ([""], False), (["15"], True),
    (["", ""], True), (b"\x00", False), (b"\x01", True), (None, False)])
def test_registry_is_set_is_powershells_truth(value, is_set):
    doc = HostDoc() if value is None else HostDoc().registry(AU_POLICY, AlwaysAutoRebootAtScheduledTimeMinutes=value)
    assert doc.facts().registry_is_set(AU_POLICY, "AlwaysAutoRebootAtScheduledTimeMinutes") is is_set


def test_registry_key_the_probe_does_not_read():
    with pytest.raises(KeyError, match="does not gather the registry key"):
        HostDoc().facts().registry_value("HKLM\\SOFTWARE\\Other", "X")


def test_events_have_aware_times_and_the_collection_time_too():
    facts = HostDoc().facts()
    assert facts.collected_at == datetime(2026, 11, 26, 12, tzinfo=UTC)
    [event] = facts.event_log("operations manager").events
    assert (event.id, event.time) == (1210, datetime(2026, 11, 26, 7, tzinfo=UTC))


def test_winhttp_proxy_comes_from_the_registry_blob_not_the_routing_field():
    doc = HostDoc().proxy(PROXY)
    doc.doc["network"]["winhttp_proxy"] = None
    assert doc.facts().winhttp_proxy.proxy == PROXY


def test_winhttp_proxy_that_does_not_decode_raises():
    with pytest.raises(WinHttpSettingsError):
        HostDoc().proxy(None, blob=b"\x18\0\0\0").facts().winhttp_proxy  # noqa: B018 -- the property raises


def test_proxy_route_names_the_server():
    facts = HostDoc().proxy(PROXY).routed_through_proxy("https").facts()
    assert facts.https.proxy.route == f"proxy {PROXY}"
    assert facts.https.direct.route == "direct"


def test_tcp_lookup_ignores_case():
    facts = HostDoc().facts()
    assert facts.tcp(f"{WS.upper()}.AGENTSVC.azure-automation.net:443").ok


def test_unavailable_fact_raises_with_its_path_and_message():
    facts = HostDoc().unavailable("services", "wuauserv", message="Access is denied").facts()
    with pytest.raises(FactUnavailable) as caught:
        facts.service("wuauserv")
    assert (caught.value.path, caught.value.message) == ("services.wuauserv", "Access is denied")
    assert facts.service("HealthService").running  # the others stay readable


def test_facts_are_read_only_and_independent_of_the_document():
    doc = HostDoc()
    facts = doc.facts()
    doc.doc["services"]["wuauserv"]["start"] = 4
    assert facts.service("wuauserv").start == 3
    with pytest.raises(AttributeError):
        facts.os_version = (1, 0)  # type: ignore[misc]
    saved = facts.document()
    saved["os"]["version"] = "1.0"
    assert facts.os_version == (10, 0, 20348, 0)
    assert parse_facts(facts.document()).document() == facts.document()


def test_truncated_queries_are_read_and_only_their_ids_are_incomplete():
    log = HostDoc().truncated(OPS_LOG, (4502,), 50).facts().event_log(OPS_LOG)
    assert log.truncated == (TruncatedQuery((4502,), 50),)
    log.require_all(1210, "not raised")
    with pytest.raises(FactUnavailable) as caught:
        log.require_all(4502, "older ones were not read")
    assert (caught.value.path, caught.value.message) == (
        f"event_logs.{OPS_LOG}", "more than 50 events with id 4502: older ones were not read")
    HostDoc().facts().event_log(OPS_LOG).require_all(4502, "nothing was cut")


def test_tls12_offered_is_read_from_the_network_fact():
    assert HostDoc().facts().tls12_offered is True
    assert HostDoc().probe_tls12(False).facts().tls12_offered is False
    with pytest.raises(FactUnavailable):
        HostDoc().unavailable("network").facts().tls12_offered  # noqa: B018 -- the property raises
