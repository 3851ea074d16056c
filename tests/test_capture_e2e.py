"""Captured hosts end to end: every shipped scenario captured through the emulator (the exported
script copied to the host and run with ``powershell -File``, over real WinRM), judged by the
suite, gives the 20 results of a live run of the same machine; so do the captures a live run
saves with ``--save-captures``. Bad captures in a run: a usage error naming the file, or every
rule Failed with ``CaptureError`` naming the problem; none passes."""

from __future__ import annotations

import codecs
import concurrent.futures
import json
import re
from pathlib import Path

from fixtures.scenario import shipped_for
from readiness.capture import CAPTURE_ERROR
from readiness.catalog import RULES
from tests.capturing import capture_to
from tests.emulated import display, expected_results, fleet, host_url, run_suite, write_hosts

EXPECTED = expected_results()


def _normal(message: str) -> str:
    """A result's message without the host's own name (its URL, address or computer name)."""
    message = re.sub(r"^Could not check \S+: ", "Could not check HOST: ", message)
    return re.sub(r"the probe on \S+ did not run", "the probe on HOST did not run", message)


def _results(entry: dict) -> list[tuple]:
    return [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"], json.dumps(r["CheckResultMessageArguments"]),
             _normal(r["CheckResultMessage"])) for r in entry["results"]]


def test_captures_of_every_shipped_scenario_give_the_results_of_a_live_run(pytester, tmp_path):
    locations: dict[str, list[str]] = {}
    for name, rows in EXPECTED.items():
        locations.setdefault(rows[0][0], []).append(name)
    assert sum(map(len, locations.values())) == len(shipped_for())  # every scenario of the default profile
    compared = 0
    for location, names in sorted(locations.items()):
        where = [] if location == "-" else [f"--automation-account-location={location}"]
        exported, saved = tmp_path / f"exported-{location}", tmp_path / f"saved-{location}"
        exported.mkdir()
        with fleet(sorted(names)) as served:
            hosts_file = write_hosts(tmp_path / f"fleet-{location}.txt", [host_url(h) for h in served.hosts])
            live, live_data = run_suite(pytester, "--hosts-file", str(hosts_file), "--connect-timeout", "1",
                                        "--save-captures", str(saved), *where)
            with concurrent.futures.ThreadPoolExecutor(8) as pool:  # every other one in the compact form
                # This iteration's values bound now (B023), though the map is done before the loop moves on.
                def capture(pair, served=served, exported=exported, location=location):
                    index, host = pair
                    return capture_to(served, host, exported / f"{host.name}.json",
                                      None if location == "-" else location, compact=index % 2 == 1)

                list(pool.map(capture, enumerate(served.hosts)))
        assert live_data is not None, live.stdout.str()[-2000:]
        by_live = {e["host"]: e for e in live_data["hosts"]}
        for source in (exported, saved):
            judged, data = run_suite(pytester, "--captures", str(source), *where)
            assert data is not None, judged.stdout.str()[-2000:]
            assert judged.ret == live.ret
            by_file = {Path(e["host"][len("capture://"):]).name: e for e in data["hosts"]}
            # A live host whose probe gave no document (Constrained Language: the bootstrap ran
            # nothing) has no capture to save; its export reports the language mode itself.
            unsaved = [h for h in served.hosts if h.scenario.windows.language_mode != "FullLanguage"]
            if source == saved:
                assert all(f"no capture saved of {display(h)}" in live.stdout.str() for h in unsaved)
            skipped = unsaved if source == saved else []
            assert len(by_file) == len(names) - len(skipped)
            for host in served.hosts:
                if host in skipped:
                    continue
                name = f"{host.name}.json" if source == exported else next(
                    n for n in by_file if n.startswith(f"winrm_vagrant_{host.address}_"))
                entry = by_file[name]
                want = _results(by_live[display(host)])
                assert [r[0] for r in want] == list(RULES)
                assert _results(entry) == want, (source.name, host.name)
                assert entry["capture"]["computer_name"] == (host.name.upper()[:15] if source == exported else host.address)
                compared += 1
    assert compared == 2 * len(EXPECTED) - 1  # the Constrained Language host's live run saves none


def _healthy_capture(tmp_path: Path) -> dict:
    with fleet(["healthy"]) as served:
        path = capture_to(served, served.hosts[0], tmp_path / "healthy.json")
    return json.loads(path.read_text(encoding="ascii"))


def test_bad_captures_in_a_run_are_failed_with_the_reason_and_none_passes(pytester, tmp_path):
    good = _healthy_capture(tmp_path)
    folder = tmp_path / "captures"
    folder.mkdir()
    other_schema = json.loads(json.dumps(good))
    other_schema["probe"]["schema"] = "readiness-probe/3"
    other_location = json.loads(json.dumps(good))
    other_location["location"] = "japaneast"
    other_location["endpoints"]["tcp"] = ["jpe-jobruntimedata-prod-su1.azure-automation.net:443"]
    stale = json.loads(json.dumps(good))
    stale["captured_at"] = stale["probe"]["collected_at"] = "2020-01-01T00:00:00Z"
    cases = {"other-schema": other_schema, "other-location": other_location, "stale": stale}
    for name, document in cases.items():
        (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    # Accepted as the good one: UTF-16 LE with a BOM, as Windows PowerShell 5.1's > writes it.
    (folder / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + json.dumps(good).encode("utf-16-le"))
    result, data = run_suite(pytester, "--captures", str(folder))
    assert result.ret == 1
    by_file = {Path(e["host"][len("capture://"):]).stem: e for e in data["hosts"]}
    assert set(by_file) == set(cases) | {"utf16"}
    assert {r["CheckResult"] for r in by_file["utf16"]["results"]} == {"Passed"}
    reasons = {"other-schema": "schema 'readiness-probe/3'", "other-location": "made for automation account location japaneast",
               "stale": "more than --max-capture-age 72 hours"}
    for name, words in reasons.items():
        results = by_file[name]["results"]
        assert [r["RuleId"] for r in results] == list(RULES)
        for r in results:
            assert r["CheckResult"] == "Failed", (name, r)
            assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.{CAPTURE_ERROR}"
            assert words in r["CheckResultMessage"], (name, r["CheckResultMessage"])
    out = result.stdout.str()
    assert "HEALTHY, captured " in out
    result.assert_outcomes(passed=20, failed=60)
    # A longer --max-capture-age accepts the old capture; the time window is its time of capture.
    again, data = run_suite(pytester, f"--hosts=capture://{folder / 'stale.json'}", "--max-capture-age", "100000")
    assert again.ret == 0, again.stdout.str()[-2000:]
    assert {r["CheckResult"] for r in data["hosts"][0]["results"]} == {"Passed"}


def test_a_file_that_cannot_be_a_capture_is_a_usage_error_naming_it(pytester, tmp_path):
    good = json.dumps(_healthy_capture(tmp_path))
    files = {  # every other kind is read in tests/test_capture.py; these show the run's answer
        "truncated.json": good[: len(good) // 2],
        "probe-only.json": json.dumps(json.loads(good)["probe"]),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result, data = run_suite(pytester, f"--hosts=capture://{path}")
        assert result.ret == 4, (name, result.stdout.str()[-1000:])
        assert data is None
        err = result.stderr.str()
        assert f"capture '{path}'" in err, (name, err)
        assert "Traceback" not in err and "Traceback" not in result.stdout.str()
    result, _ = run_suite(pytester, f"--hosts=capture://{tmp_path / 'missing.json'}")
    assert result.ret == 4 and "no such file" in result.stderr.str()
    empty = tmp_path / "none"
    empty.mkdir()
    result, _ = run_suite(pytester, "--captures", str(empty))
    assert result.ret == 4 and "holds no capture" in result.stderr.str()


def test_the_exported_script_writes_its_capture_to_out_file(tmp_path):
    from readiness.capture import export_script, read_capture_file
    from tests.capturing import run_export

    with fleet(["healthy"]) as served:
        host = served.hosts[0]
        code, out, err = run_export(served, host, export_script(None), "-OutFile", "C:\\Users\\Public\\ws01.json")
        assert (code, out, err) == (0, b"", b"")
        written = served.files(host.name)["C:\\Users\\Public\\ws01.json"]
        code, _, err = run_export(served, host, export_script(None), "-Outfile:C:\\x.json", "extra")
        assert code == 1 and b"positional parameter" in err
        code, _, err = run_export(served, host, export_script(None), "-Path", "C:\\x.json")
        assert code == 1 and b"matches parameter name 'Path'" in err
        # Sent the way the probe is (the bootstrap, the script on stdin), it prints its capture.
        import time

        from readiness import probe
        from readiness.connection import WinRMBackend, WinRMOptions
        from readiness.hosts import parse_host
        from tests.emulated import host_url

        backend = WinRMBackend(parse_host(host_url(host)), WinRMOptions())
        try:
            code, sent, err = backend.run_with_stdin(probe.command_line(), export_script(None, compact=True).encode(),
                                                     time.monotonic() + 60)
        finally:
            backend.close()
        assert code == 0 and sent.startswith(b"readiness-capture-gzip:"), err
    assert written.isascii() and written.endswith(b"\r\n")  # UTF-8 without a BOM
    path = tmp_path / "ws01.json"
    path.write_bytes(written)
    found = read_capture_file(path)
    assert found.computer_name == "HEALTHY" and found.form == "json"
