"""The HTML report of a troubleshooter JSON report: one page for a sharded fleet.

    python -m readiness.report_html reports/merged.json -o reports/readiness.html
    python -m readiness.report_html shard-1.json shard-2.json shard-3.json -o readiness.html --lang ja

Given several reports (the ``--readiness-json`` of each shard of a CI matrix), it merges them as
``python -m readiness.reports.json_report merge`` does (a host in two shards, or shards of
different automation account locations, are errors that name the files) and renders one page.

The page is written by the same engine as a live run's: pytest-html, with the readiness plugins'
hooks (:mod:`readiness.reports.html_report`, :mod:`readiness.reports.fleet_html`). This module
replays the report's results as a pytest run, one test per rule and host (``test_<RuleId>[host]``,
as the rule tests are named), each recording the result the report holds and ending in the
outcome a live run gives it (Passed: pass, PassedWithWarning: xfail, Failed: fail, a Failed
result a waiver covered: xfail, not applicable: skip). Nothing is judged again: the results,
messages, routes and waivers are the report's. The environment table says which files the page
was rendered from, instead of the machine that rendered it.

A report whose results are compact (``--readiness-json-compact``) has no messages: the page shows
the message ids only.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from readiness.catalog import DEFAULT_PROFILE, PROFILE_RULES, PROFILES, RULES
from readiness.lang import DEFAULT_LANGUAGE, LANGUAGES, ui
from readiness.outcomes import outcome_line
from readiness.printable import printable
from readiness.reports.fleet import host_reports, waived_results
from readiness.reports.gathering import COLLECTOR_KEY, ResultCollector, record
from readiness.reports.html_report import WAIVED_KEY
from readiness.reports.json_report import ReportError, load_report, merge_reports
from readiness.results import FAILED, PASSED, WARNING, HostResult

# The module the replayed rule tests live in (written into a temporary folder).
MODULE = "from readiness.report_html import rule_tests\n\nglobals().update(rule_tests())\n"
# Plugins of the installed suite that a replay must not load: it has no hosts to probe.
NOT_LOADED = ("readiness.plugin", "readiness.capture_plugin", "readiness.invocation", "readiness.waiting",
              "readiness.waivers", "cacheprovider")


class Replay:
    """Plugin object: the report's results as rule tests, and the run's state as the readiness plugin keeps it."""

    def __init__(self, document: Mapping[str, Any], sources: Sequence[str]) -> None:
        self.document = document
        self.sources = list(sources)
        self.hosts = host_reports(document)
        self.waivers = {(str(h["host"]), str(r.get("RuleId"))): r["Waiver"]
                        for h in document["hosts"] for r in h["results"] if "Waiver" in r}
        # (profile, RuleId) -> [(host, HostResult)], in the report's host order: a RuleId names
        # another rule in another profile, so each profile's rules are tests of their own.
        self.by_rule: dict[tuple[str, str], list[tuple[str, HostResult]]] = {}
        for entry in self.hosts:
            platform = entry.platform or "windows"
            known = (entry.profile, entry.profile_reason)
            for result in entry.results:
                found = HostResult(result.RuleId, entry.host, platform, result, entry.routes.get(result.RuleId), *known)
                self.by_rule.setdefault((entry.profile, result.RuleId), []).append((entry.host, found))
            for rule_id in entry.not_applicable:
                self.by_rule.setdefault((entry.profile, rule_id), []).append(
                    (entry.host, HostResult(rule_id, entry.host, platform, None, None, *known)))

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        collector = ResultCollector([entry.host for entry in self.hosts],
                                    {entry.host: entry.profile for entry in self.hosts})
        config.stash[COLLECTOR_KEY] = collector
        config.stash[WAIVED_KEY] = waived_results(self.document)
        config.stash[_REPLAY_KEY] = self
        config.pluginmanager.register(collector, "readiness-collector")

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        key = getattr(metafunc.function, "readiness_rule", None)
        if key is not None:
            rows = self.by_rule.get(key, [])
            metafunc.parametrize("readiness_replay", [found for _, found in rows], ids=[host for host, _ in rows])

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """The environment table: where the page comes from (pytest-html reads it after this hook)."""
        try:
            from pytest_metadata.plugin import metadata_key
        except ImportError:  # pragma: no cover - pytest-metadata is a dependency of pytest-html
            return
        metadata = session.config.stash.get(metadata_key, None)
        if metadata is None:
            return
        metadata.clear()
        lang = session.config.getoption("readiness_lang", None) or DEFAULT_LANGUAGE
        metadata[ui("report.source", lang)] = ", ".join(self.sources)
        metadata["generated_at"] = str(self.document.get("generated_at") or "")
        metadata["automation_account_location"] = str(self.document.get("automation_account_location") or "")
        insecure = self.document.get("insecure_transport")
        if isinstance(insecure, dict) and insecure.get("hosts"):
            metadata["insecure_transport"] = ", ".join(str(h) for h in insecure["hosts"])


_REPLAY_KEY = pytest.StashKey[Replay]()


def _conclude(request: pytest.FixtureRequest, found: HostResult) -> None:
    """Record the report's result and end the test in the outcome a live run gives it."""
    replay = request.config.stash[_REPLAY_KEY]
    record(request.node, found)
    result = found.result
    if result is None:
        pytest.skip(printable(f"not applicable: {found.rule_id} on {found.host} ({found.platform})"))
    if result.CheckResult == PASSED:
        return
    line = outcome_line(result)
    waiver = replay.waivers.get((found.host, found.rule_id))
    if result.CheckResult == FAILED and waiver is not None:
        pytest.xfail(printable(f"waived {result.CheckResultMessageId}: {waiver.get('justification')} "
                               f"(waiver {waiver.get('file')}:{waiver.get('line')}, expires {waiver.get('expires')})"))
    if result.CheckResult == WARNING:
        pytest.xfail(line)
    pytest.fail(line, pytrace=False)


def rule_tests() -> dict[str, Callable[..., None]]:
    """``test_<RuleId>`` for every rule of the default profile's catalog, in its order, then the rules
    of the other profiles the report holds (``test_<profile>_<RuleId>``, ``-`` as ``_``), each
    profile's in its catalog's order, then any other RuleId the report holds."""
    held = _RUNNING[-1].by_rule if _RUNNING else {}
    keys = [(DEFAULT_PROFILE, rule_id) for rule_id in RULES]
    for profile in PROFILES:
        if profile != DEFAULT_PROFILE and any(p == profile for p, _ in held):
            keys += [(profile, rule_id) for rule_id in PROFILE_RULES[profile]]
    keys += [key for key in held if key not in keys]
    tests = {}
    for profile, rule_id in keys:
        def test(request: pytest.FixtureRequest, readiness_replay: HostResult) -> None:
            _conclude(request, readiness_replay)

        test.readiness_rule = (profile, rule_id)  # type: ignore[attr-defined]  # read by Replay.pytest_generate_tests
        named = rule_id if profile == DEFAULT_PROFILE else f"{profile.replace('-', '_')}_{rule_id}"
        test.__name__ = f"test_{named}"
        tests[test.__name__] = test
    return tests


_RUNNING: list[Replay] = []  # the replay whose rule tests the module being collected defines (last)


def load(paths: Sequence[str]) -> dict[str, Any]:
    """One report: the file itself, or the merge of several (shards)."""
    return merge_reports(paths) if len(paths) > 1 else load_report(paths[0])


def render(document: Mapping[str, Any], out: Path, lang: str = DEFAULT_LANGUAGE,
           sources: Sequence[str] = ()) -> int:
    """Write the HTML report of ``document`` to ``out``; pytest's exit code of the replay (0 or 1 when it wrote)."""
    replay = Replay(document, sources)
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="readiness-report-") as folder:
        (Path(folder) / "test_readiness.py").write_text(MODULE, encoding="utf-8")
        (Path(folder) / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        args = [folder, f"--rootdir={folder}", "-c", str(Path(folder) / "pytest.ini"), "-qq", "--tb=no", "-rN",
                "-W", "ignore", "--import-mode=importlib", "-p", "readiness.reports.language", "-p", "readiness.reports.html_report",
                f"--html={out}", "--self-contained-html", f"--readiness-lang={lang}"]
        for name in NOT_LOADED:
            args[1:1] = ["-p", f"no:{name}"]
        _RUNNING.append(replay)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                code = pytest.main(args, plugins=[replay])
        finally:
            _RUNNING.pop()
            sys.modules.pop("test_readiness", None)
    return int(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m readiness.report_html",
                                     description="The HTML report of readiness JSON reports (several: the shards "
                                                 "of one fleet, merged).")
    parser.add_argument("reports", nargs="+", metavar="REPORT.json",
                        help="a --readiness-json report, or several to merge (the shards of a fleet)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.html", help="the HTML file to write")
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="language of the page (en, ja)")
    parser.add_argument("--merged-json", metavar="PATH", help="also write the merged JSON report to PATH")
    args = parser.parse_args(argv)
    try:
        document = load(args.reports)
    except ReportError as exc:
        print(f"readiness.report_html: {exc}", file=sys.stderr)
        return 1
    out = Path(args.output)
    try:
        if args.merged_json:
            from readiness.reports.json_report import _dump

            _dump(document, Path(args.merged_json))
        out.parent.mkdir(parents=True, exist_ok=True)
        code = render(document, out, args.lang, args.reports)
    except OSError as exc:
        print(f"readiness.report_html: cannot write {exc.filename or out}: {exc.strerror}", file=sys.stderr)
        return 1
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED) \
            or not out.exists():
        print(f"readiness.report_html: the page was not written (pytest exit code {code})", file=sys.stderr)
        return 1
    summary = document.get("summary") or {}
    print(f"{out}: {len(document['hosts'])} hosts, {summary.get('Failed', 0)} Failed, "
          f"{summary.get('PassedWithWarning', 0)} PassedWithWarning, {summary.get('Passed', 0)} Passed")
    return 0


if __name__ == "__main__":
    # The replayed tests import this module by its name: run that module's main, not a copy's named __main__.
    from readiness.report_html import main as _main

    raise SystemExit(_main())
