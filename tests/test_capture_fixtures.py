"""``fixtures/captures/``: captures kept as regression cases give the results recorded for them in
``expected.yaml``, and the captures of shipped scenarios give what the scenario gives live
(``fixtures/hosts/README.md``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from readiness.capture import CAPTURE_ERROR, read_capture_file
from tests.emulated import ROOT, expected_results, run_suite

FOLDER = ROOT / "fixtures" / "captures"
EXPECTED = yaml.safe_load((FOLDER / "expected.yaml").read_text(encoding="utf-8"))


def _by_file(data) -> dict[str, list[str]]:
    return {Path(e["host"][len("capture://"):]).name: [f"{r['RuleId']} {r['CheckResult']} {r['CheckResultMessageId']}"
                                                       for r in e["results"]] for e in data["hosts"]}


def test_every_capture_kept_gives_its_recorded_results(pytester):
    files = sorted(p.name for p in FOLDER.iterdir() if p.suffix in (".json", ".txt"))
    assert files == sorted(EXPECTED), "every capture has its results in expected.yaml, and only those"
    result, data = run_suite(pytester, "--captures", str(FOLDER), "--max-capture-age", "1000000")
    assert result.ret == 1
    got = _by_file(data)
    for name, entry in EXPECTED.items():
        assert got[name] == entry["results"], name
    forms = {read_capture_file(FOLDER / name).form for name in files}
    assert forms == {"json", "compact", "az run-command"}


def test_captures_of_scenarios_give_what_the_scenario_gives_live(pytester):
    live = expected_results()
    for name, entry in EXPECTED.items():
        rows = live[entry["scenario"]]
        if rows[0][0] == "-":
            assert entry["results"] == [f"{rule} {check} {mid}" for _, rule, check, mid in rows], name
        else:  # exported for its own location: wrong for a run of the default one
            assert {r.split()[2].rsplit(".", 1)[1] for r in entry["results"]} == {CAPTURE_ERROR}, name
            _result, data = run_suite(pytester, f"--hosts=capture://{FOLDER / name}", "--max-capture-age", "1000000",
                                     f"--automation-account-location={rows[0][0]}")
            assert _by_file(data)[name] == [f"{rule} {check} {mid}" for _, rule, check, mid in rows], name
