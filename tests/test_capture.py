"""The capture reader and judge (readiness.capture), and ``python -m readiness.probe export``.

Every kind of file a capture can come back as is read, or refused with one line naming the file;
every capture that is wrong for a run is judged Failed with a reason, never Passed. The captures
are those kept in ``fixtures/captures/`` (taken through the emulator with the exported script)."""

from __future__ import annotations

import base64
import codecs
import datetime
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from readiness import capture
from readiness.capture import (
    CAPTURE_ERROR,
    COMPACT_PREFIX,
    CaptureFileError,
    export_script,
    judge,
    parse_export,
    read_capture_file,
)
from readiness.endpoints import Endpoints, probe_input
from readiness.facts import Facts
from readiness.hosts import HostSpecError, parse_host

ROOT = Path(__file__).resolve().parents[1]
HEALTHY = ROOT / "fixtures" / "captures" / "healthy.json"
DOC = json.loads(HEALTHY.read_text(encoding="ascii"))
TEXT = json.dumps(DOC)
DEFAULT_INPUT = probe_input(Endpoints.for_location(None))
CAPTURED = datetime.datetime.fromisoformat(DOC["captured_at"])


def _write(tmp_path: Path, data: bytes | str, name: str = "capture.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _compact(text: str) -> str:
    return COMPACT_PREFIX + base64.b64encode(gzip.compress(text.encode("ascii"))).decode("ascii")


# --- forms that are read ------------------------------------------------------------------------

ACCEPTED = {
    "utf-8": TEXT.encode("utf-8"),
    "utf-8 with BOM": codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    "utf-16 le with BOM (Windows PowerShell 5.1's >)": codecs.BOM_UTF16_LE + (TEXT + "\r\n").encode("utf-16-le"),
    "utf-16 be with BOM": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    "utf-16 le without BOM": TEXT.encode("utf-16-le"),
    "compact": (_compact(TEXT) + "\r\n").encode("ascii"),
    "compact after other output": ("WARNING: something\r\n" + _compact(TEXT) + "\r\n").encode("ascii"),
    "az vm run-command invoke": json.dumps({"value": [
        {"code": "ComponentStatus/StdOut/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
         "message": _compact(TEXT)},
        {"code": "ComponentStatus/StdErr/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
         "message": ""}]}).encode("utf-8"),
    "az vm run-command invoke, plain JSON": json.dumps({"value": [
        {"code": "ComponentStatus/StdOut/succeeded", "message": TEXT}]}).encode("utf-8"),
    "managed run command instance view": json.dumps({"instanceView": {"output": TEXT, "error": ""}}).encode("utf-8"),
    "REST properties.instanceView": json.dumps({"properties": {"instanceView": {"output": _compact(TEXT)}}}).encode(),
}


@pytest.mark.parametrize("form", ACCEPTED)
def test_every_form_a_capture_comes_back_in_is_read(tmp_path, form):
    found = read_capture_file(_write(tmp_path, ACCEPTED[form]))
    assert found.document == DOC
    assert found.computer_name == "HEALTHY"
    assert found.summary().startswith("HEALTHY, captured 20")


# --- files that cannot be a capture: a usage error naming the file ----------------------------------

REFUSED = {
    "empty": (b"", "is empty"),
    "blank lines": (b"\r\n\r\n", "is empty"),
    "truncated JSON": (TEXT[: len(TEXT) // 2].encode(), "is truncated"),
    "not JSON": (b"Get-Service : Cannot find any service with service name 'HealthService'.", "is not a capture"),
    "JSON, not an object": (b"[1, 2]", "not an object"),
    "NaN": (TEXT.replace('"os"', '"nan": NaN, "os"', 1).encode(), "is not JSON"),
    "not UTF-8": (TEXT.encode()[:40] + b"\xff\xfe\xfa" + TEXT.encode()[40:], "is not text"),
    "truncated compact": (_compact(TEXT)[:300].encode(), "is truncated"),
    "compact, start cut by Run Command's 4,096 bytes": (_compact(TEXT)[-200:].encode(), "keeps only the last 4,096"),
    "compact, not base64": ((COMPACT_PREFIX + "abc$def").encode(), "is truncated or altered: the compact capture is not valid base64"),
    "compact, not gzip": ((COMPACT_PREFIX + base64.b64encode(b"plain text").decode()).encode(), "does not decompress"),
    "a probe document": (json.dumps(DOC["probe"]).encode(), "is a probe document, not a capture"),
    "another JSON document": (b'{"hosts": []}', "has no 'capture' key"),
    "capture key of another kind": (json.dumps({**DOC, "capture": 3}).encode(), "'capture' is 3"),
    "no computer name": (json.dumps({k: v for k, v in DOC.items() if k != "computer_name"}).encode(),
                         "'computer_name' is missing"),
    "probe not an object": (json.dumps({**DOC, "probe": "x"}).encode(), "'probe' is missing or not a JSON object"),
    "run command, nothing on stdout": (json.dumps({"value": [
        {"code": "ComponentStatus/StdOut/succeeded", "message": ""},
        {"code": "ComponentStatus/StdErr/succeeded", "message": "File C:\\x.ps1 cannot be loaded because running "
                                                                 "scripts is disabled on this system."}]}).encode(),
                                       "printed nothing on standard output; stderr: File"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_file_that_cannot_be_a_capture_is_refused_with_one_line_naming_it(tmp_path, case):
    data, words = REFUSED[case]
    path = _write(tmp_path, data)
    with pytest.raises(CaptureFileError) as error:
        read_capture_file(path)
    message = str(error.value)
    assert message.startswith(f"capture {str(path)!r}"), message
    assert words in message, message
    assert "\n" not in message


def test_missing_file_directory_and_folder_without_captures(tmp_path):
    with pytest.raises(CaptureFileError, match="no such file"):
        read_capture_file(tmp_path / "missing.json")
    with pytest.raises(CaptureFileError, match="is a directory"):
        read_capture_file(tmp_path)
    with pytest.raises(CaptureFileError, match="holds no capture"):
        capture.captures_in(tmp_path)
    with pytest.raises(CaptureFileError, match="no such directory"):
        capture.captures_in(tmp_path / "nothing")
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.json").write_text("x")
    (tmp_path / "notes.md").write_text("x")
    assert [p.name for p in capture.captures_in(tmp_path)] == ["a.json", "b.txt"]


def test_capture_hosts_are_parsed_and_named_by_their_path():
    spec = parse_host("capture://reports/ws01.json")
    assert (spec.scheme, spec.hostname, spec.display) == ("capture", "reports/ws01.json", "capture://reports/ws01.json")
    assert parse_host("CAPTURE:///tmp/a b.json").hostname == "/tmp/a b.json"
    for bad, words in (("capture://", "names no file"), ("capture://a.json?x=1", "takes no options")):
        with pytest.raises(HostSpecError, match=words):
            parse_host(bad)


# --- judged for a run ---------------------------------------------------------------------------------


def _judge(document: dict, location: str | None = None, max_age: float = 72.0, now=None):
    found = capture.CaptureFile("c.json", document, "json")
    return judge(found, probe_input(Endpoints.for_location(location)), location, max_age,
                 now or CAPTURED + datetime.timedelta(hours=1))


def _edited(**changes) -> dict:
    document = json.loads(TEXT)
    for path, value in changes.items():
        target = document
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        target[last] = value
    return document


def test_a_good_capture_gives_its_facts_judged_from_its_time_of_capture():
    verdict = _judge(DOC, now=CAPTURED + datetime.timedelta(hours=71))
    assert isinstance(verdict.facts, Facts) and verdict.reason is None
    assert verdict.facts.collected_at == CAPTURED


WRONG = {
    "another capture format": (_edited(capture="readiness-capture/2"), "in format 'readiness-capture/2'"),
    "another probe schema": (_edited(probe__schema="readiness-probe/1"), "schema 'readiness-probe/1'"),
    "made for another location": (_edited(location="japaneast", endpoints__tcp=[
        "jpe-jobruntimedata-prod-su1.azure-automation.net:443"]), "made for automation account location japaneast"),
    "endpoints altered": (_edited(endpoints__workspace_tcp=[]), "this run checks (none: the default endpoints)"),
    "time of capture not a time": (_edited(captured_at="yesterday"), "is not a time"),
    "time without a zone": (_edited(captured_at="2026-12-02T05:56:00"), "is not a time"),
    "time of capture altered": (_edited(captured_at=(CAPTURED - datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")), "the capture was altered"),
}


@pytest.mark.parametrize("case", WRONG)
def test_a_capture_wrong_for_the_run_is_failed_with_the_reason(case):
    document, words = WRONG[case]
    verdict = _judge(document)
    assert verdict.facts is None
    assert verdict.reason == CAPTURE_ERROR
    assert words in verdict.message, verdict.message


def test_age_is_bounded_by_max_capture_age_and_clock_skew():
    old = _judge(DOC, now=CAPTURED + datetime.timedelta(hours=73))
    assert old.reason == CAPTURE_ERROR and "3.0 days ago, more than --max-capture-age 72 hours" in old.message
    assert _judge(DOC, max_age=74, now=CAPTURED + datetime.timedelta(hours=73)).facts is not None
    future = _judge(DOC, now=CAPTURED - datetime.timedelta(hours=2))
    assert future.reason == CAPTURE_ERROR and "in the future" in future.message
    assert _judge(DOC, now=CAPTURED - datetime.timedelta(minutes=5)).facts is not None


def test_the_location_of_the_run_must_be_the_capture_s():
    usgov = json.loads(read_capture_file(ROOT / "fixtures" / "captures" / "usgov-virginia.json").document and
                       json.dumps(read_capture_file(ROOT / "fixtures" / "captures" / "usgov-virginia.json").document))
    captured = datetime.datetime.fromisoformat(usgov["captured_at"])
    assert _judge(usgov, "usgovvirginia", now=captured).facts is not None
    verdict = _judge(usgov, "japaneast", now=captured)
    assert "made for automation account location usgovvirginia" in verdict.message
    assert "--automation-account-location usgovvirginia" in verdict.message


def test_an_invalid_probe_document_and_a_language_mode_one_are_probe_errors():
    verdict = _judge(_edited(probe__os__version=10))
    assert verdict.reason == "ProbeError" and "os.version" in verdict.message
    clm = json.loads((ROOT / "fixtures" / "captures" / "constrained-language.json").read_text())
    verdict = _judge(clm, now=datetime.datetime.fromisoformat(clm["captured_at"]))
    assert verdict.reason == "ProbeError" and "Constrained Language Mode" in verdict.message


# --- the export -----------------------------------------------------------------------------------------


def test_the_export_carries_the_input_of_its_location_and_reads_back():
    for location in (None, "japaneast", "usgovvirginia", "chinaeast2"):
        export = parse_export(export_script(location))
        assert export.location == location
        assert export.probe_input == probe_input(Endpoints.for_location(location))
        assert export.probe_version == capture.probe_version() and not export.compact
    assert parse_export(export_script(None, compact=True)).compact
    text = export_script("japaneast")
    assert text.isascii() and "\r" not in text and "\t" not in text
    assert text.startswith(capture.EXPORT_MARK + "\n")
    # The static part of the language-mode capture is JSON members with the export's endpoints.
    static = json.loads("{" + parse_export_static(text) + "}")
    assert static["endpoints"]["tcp"] == ["jpe-jobruntimedata-prod-su1.azure-automation.net:443"]


def parse_export_static(text: str) -> str:
    line = next(ln for ln in text.splitlines() if ln.startswith("$CaptureStatic = "))
    return line[len("$CaptureStatic = '"):-1].replace("''", "'")


def test_export_refuses_a_probe_whose_end_changed(monkeypatch):
    monkeypatch.setattr(capture.contract, "script_text", lambda: "$x = 1\nexit 0\n")
    with pytest.raises(RuntimeError, match="PROBE_TAIL"):
        export_script(None)


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "readiness.probe", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=60)


def test_export_command_line(tmp_path):
    run = _cli("export", "--automation-account-location", "japaneast")
    assert run.returncode == 0 and run.stdout == export_script("japaneast")
    out = tmp_path / "readiness-probe.ps1"
    run = _cli("export", "--compact", "--out", str(out))
    assert run.returncode == 0 and out.read_text(encoding="ascii") == export_script(None, compact=True)
    assert "-File readiness-probe.ps1" in run.stderr
    bad = _cli("export", "--automation-account-location", "atlantis")
    assert bad.returncode == 2 and "'atlantis' is not an Azure location" in bad.stderr and not bad.stdout
    assert "Traceback" not in bad.stderr
    unwritable = _cli("export", "--out", str(tmp_path / "missing" / "x.ps1"))
    assert unwritable.returncode == 1 and "cannot write" in unwritable.stderr and "Traceback" not in unwritable.stderr
    usage = _cli("import")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


def test_a_capture_in_any_form_prints_as_plain_json(tmp_path):
    path = _write(tmp_path, ACCEPTED["az vm run-command invoke"])
    run = subprocess.run([sys.executable, "-m", "readiness.capture", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert run.returncode == 0 and json.loads(run.stdout) == DOC
    plain = _write(tmp_path, run.stdout, "plain.json")
    assert read_capture_file(plain).document == DOC
    bad = subprocess.run([sys.executable, "-m", "readiness.capture", str(tmp_path / "nothing.json")],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2 and "no such file" in bad.stderr and "Traceback" not in bad.stderr


def test_time_windows_are_measured_from_the_time_of_capture():
    """A 4502 event in the 24 hours before the capture is found a month later: the window ends
    at the capture's collected_at, not at the time it is judged."""
    from readiness import catalog
    from readiness.outcomes import Rule, Settings, evaluate
    from tests_readiness.test_service_health import test_MonitoringAgentServiceEventsCheck

    document = read_capture_file(ROOT / "fixtures" / "captures" / "opsmgr-unregistered-ja.json").document
    captured = datetime.datetime.fromisoformat(document["captured_at"])
    verdict = _judge(document, max_age=24 * 40, now=captured + datetime.timedelta(days=30))
    rule = Rule(catalog.rule("MonitoringAgentServiceEventsCheck"), Settings(location=None))
    decision = evaluate(test_MonitoringAgentServiceEventsCheck, facts=verdict.facts, rule=rule)
    assert decision.result.CheckResultMessageId == "MonitoringAgentServiceEventsCheck.Failed.EventFound"


def test_text_from_a_capture_is_printed_with_its_control_characters_escaped():
    hostile = _edited(computer_name="WS01\n::warning::owned\x1b[2J", probe_version="v\x1b]0;x\x07",
                      probe__schema="readiness-probe/9")
    summary = capture.CaptureFile("c.json", hostile, "json").summary()
    assert "\n" not in summary and "\x1b" not in summary and "\\n::warning" in summary
    message = _judge(hostile).message
    assert "\x1b" not in message and "\x07" not in message and "\\x1b]0;x\\x07" in message
