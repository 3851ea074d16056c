"""Captured hosts in a run: ``--hosts=capture://PATH``, ``--captures DIR``, ``--max-capture-age``,
and ``--save-captures DIR`` for live runs.

A captured host is a host like any other: the same 20 rule tests, the same reports. Its "probe"
reads the capture file (:mod:`readiness.capture`) instead of reaching the host; what the rules
read is the probe's document inside it, time windows included (they are measured from the
probe's ``collected_at``, the time of capture). The reports say which hosts were captured, with
the computer name, the time of capture and the probe version.

Installed as its own pytest plugin (entry point ``readiness.capture_plugin``); it works through
the readiness plugin's run (``readiness.plugin.RUN_KEY``): it hands the run's probe pool a
probe function that reads captures and saves live hosts' captures, and calls the ordinary probe
for everything else.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from readiness.capture import (
    CAPTURE_ERROR,
    DEFAULT_MAX_AGE_HOURS,
    CaptureFile,
    CaptureFileError,
    capture_document,
    captures_in,
    is_capture,
    judge,
    read_capture_file,
)
from readiness.hosts import HostSpec
from readiness.options import hours
from readiness.printable import printable
from readiness.probe_pool import HostFailure, HostProbe, ProbePool, ProbeSettings, probe_host


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--captures", action="append", default=[], metavar="DIR",
                    help="check every capture (*.json, *.txt) in DIR as a host; repeatable, combines with --hosts")
    group.addoption("--max-capture-age", type=hours, default=DEFAULT_MAX_AGE_HOURS, metavar="HOURS",
                    help=f"a capture older than this is Failed (CaptureError); default {DEFAULT_MAX_AGE_HOURS:g}")
    group.addoption("--save-captures", default=None, metavar="DIR",
                    help="write each live host's capture to DIR (one file per host), to judge again later")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """``--captures DIR``: its files become ``capture://`` hosts, before the run reads its hosts.

    Runs in every process (xdist workers parse the same arguments), from the same listing."""
    directories = config.getoption("captures", None) or []
    if not directories:
        return
    entries = []
    try:
        for directory in directories:
            for path in captures_in(directory):
                if "," in str(path):
                    raise CaptureFileError(f"capture {str(path)!r}: a ',' in its path separates hosts; rename it")
                entries.append(f"capture://{path}")
    except CaptureFileError as exc:
        raise pytest.UsageError(str(exc)) from None
    given = config.getoption("hosts", None)
    config.option.hosts = ",".join(([given] if given else []) + entries)


@dataclasses.dataclass
class CaptureRun:
    """This run's captures, read when it starts, and where live captures go."""

    captures: dict[str, CaptureFile]  # host display -> its capture
    location: str | None
    max_age_hours: float
    save_dir: Path | None
    saved: list[Path] = dataclasses.field(default_factory=list)
    save_errors: list[str] = dataclasses.field(default_factory=list)
    not_saved: list[str] = dataclasses.field(default_factory=list)  # live hosts whose probe gave no document
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def probe(self, spec: HostSpec, settings: ProbeSettings) -> HostProbe:
        if is_capture(spec):
            capture = self.captures[spec.display]
            try:
                verdict = judge(capture, settings.probe_input, self.location, self.max_age_hours)
            except Exception as exc:  # noqa: BLE001 -- a capture shaped as none foreseen: Failed, never a traceback
                message = printable(f"the capture {capture.path} cannot be judged: {type(exc).__name__}: "
                                    f"{' '.join(str(exc).split())}")
                return HostProbe(spec, "windows", failure=HostFailure(CAPTURE_ERROR, message[:500]))
            if verdict.facts is not None:
                return HostProbe(spec, "windows", facts=verdict.facts)
            return HostProbe(spec, "windows", failure=HostFailure(verdict.reason or CAPTURE_ERROR, verdict.message or ""))
        probe = probe_host(spec, settings)
        if self.save_dir is not None and spec.is_winrm:
            if probe.facts is not None:
                self.save(spec, settings, probe.facts.document())  # type: ignore[attr-defined]
            else:  # nothing was gathered: nothing to judge again
                with self.lock:
                    self.not_saved.append(spec.display)
        return probe

    def save(self, spec: HostSpec, settings: ProbeSettings, document: dict[str, Any]) -> None:
        from readiness.reports.json_report import host_file_name

        assert self.save_dir is not None
        capture = capture_document(document, spec.hostname, settings.probe_input, self.location,
                                   profile=settings.profile)
        capture["source"] = spec.display
        path = self.save_dir / host_file_name(spec.display)
        try:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(capture, ensure_ascii=True) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            with self.lock:
                self.save_errors.append(f"readiness: cannot save the capture of {spec.display} to {path}: {exc.strerror}")
            return
        with self.lock:
            self.saved.append(path)


CAPTURE_RUN_KEY = pytest.StashKey[CaptureRun]()


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """After the readiness plugin made its run: read every capture (a file that cannot be one is
    a usage error) and give the run's pool the probe that judges captures."""
    from readiness.plugin import RUN_KEY

    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    captures: dict[str, CaptureFile] = {}
    for spec in run.hosts:
        if is_capture(spec):
            try:
                captures[spec.display] = read_capture_file(Path(config.invocation_params.dir, spec.hostname),
                                                            shown=f"capture {spec.hostname!r}")
            except CaptureFileError as exc:
                raise pytest.UsageError(str(exc)) from None
            except Exception as exc:  # noqa: BLE001 -- a file shaped as none foreseen: still a usage error naming it
                raise pytest.UsageError(f"capture {spec.hostname!r} cannot be read as a capture: "
                                        f"{type(exc).__name__}: {printable(' '.join(str(exc).split())[:300])}") from None
            run.host_profiles[spec.display] = captured_profile(captures[spec.display], run.host_profiles.get(spec.display))
    save_option = config.getoption("save_captures")
    save_dir = Path(config.invocation_params.dir, save_option) if save_option else None
    if save_dir is not None and not config.getoption("collectonly"):
        try:
            save_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise pytest.UsageError(f"--save-captures {save_option!r}: cannot create it ({exc.strerror})") from None
        if not os.access(save_dir, os.W_OK):
            raise pytest.UsageError(f"--save-captures {save_option!r}: not writable")
    if not captures and save_dir is None:
        return
    state = CaptureRun(captures, run.settings.location, config.getoption("max_capture_age"), save_dir)
    config.stash[CAPTURE_RUN_KEY] = state
    previous = run.pool
    run.pool = ProbePool(run.probe_settings, max_workers=run.concurrency.bound, probe=state.probe,
                         settings_for=run.probe_settings_for)
    previous.shutdown()


def captured_profile(capture: CaptureFile, run_profile: str | None) -> str:
    """The profile a captured host is judged by: the one it was captured for (``profile``, written
    since profiles exist; a capture without it was made for the Update Management rules). A run
    that asks for ``auto`` detects it from the capture's facts, as for a live host."""
    from readiness.profiles import AUTO, CHOICES, DEFAULT

    given = capture.document.get("profile", DEFAULT)
    if not isinstance(given, str) or given not in CHOICES:
        raise pytest.UsageError(f"capture {capture.path!r}: profile {printable(repr(given))} is not a readiness "
                                f"profile (one of: {', '.join(CHOICES)})")
    return AUTO if run_profile == AUTO else given


def _state(config: pytest.Config) -> CaptureRun | None:
    return config.stash.get(CAPTURE_RUN_KEY, None)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    state = _state(config)
    if state is None or not state.captures:
        return None
    return [(f"readiness: {len(state.captures)} captured host(s), judged from their time of capture; "
            f"--max-capture-age {state.max_age_hours:g} hours")]


def capture_info(capture: CaptureFile) -> dict[str, Any]:
    """What the reports say of a captured host."""
    return {"file": capture.path, "computer_name": capture.computer_name, "captured_at": capture.captured_at,
            "probe_version": capture.probe_version, "form": capture.form}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """JUnit XML: each test of a captured host carries its computer name and time of capture."""
    state = _state(config)
    if state is None or not state.captures:
        return
    for item in items:
        spec = getattr(getattr(item, "callspec", None), "params", {}).get("readiness_host")
        capture = state.captures.get(spec.display) if isinstance(spec, HostSpec) else None
        if capture is not None:
            item.user_properties += [("computer_name", capture.computer_name or ""),
                                     ("captured_at", capture.captured_at or ""),
                                     ("probe_version", capture.probe_version or "")]


def pytest_sessionstart(session: pytest.Session) -> None:
    """HTML report: the environment table lists the captured hosts."""
    config = session.config
    state = _state(config)
    if state is None or not state.captures or hasattr(config, "workerinput"):
        return
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:
        return
    if metadata_key in config.stash:
        config.stash[metadata_key]["Captured hosts"] = {
            display: capture.summary() for display, capture in state.captures.items()}


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, Any, Any]:
    """Troubleshooter JSON: once written, each captured host's object gains ``capture``."""
    result = yield
    config = session.config
    state = _state(config)
    writer = config.pluginmanager.get_plugin("readiness-json")
    if state is None or not state.captures or writer is None or hasattr(config, "workerinput"):
        return result
    for path in list(getattr(writer, "written", ())):
        try:
            report = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(report, dict) or not isinstance(report.get("hosts"), list):
            continue  # a per-host file is exactly the troubleshooter's array
        for host in report["hosts"]:
            capture = state.captures.get(host.get("host"))
            if capture is not None:
                host["capture"] = capture_info(capture)
        Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    state = _state(config)
    if state is None:
        return
    for display, capture in state.captures.items():
        terminalreporter.write_line(f"readiness: {display}: {capture.summary()}")
    for line in state.save_errors:
        terminalreporter.write_line(line, red=True, bold=True)
    if state.saved:
        terminalreporter.write_sep("-", f"readiness captures: {len(state.saved)} saved to {state.save_dir}")
    if state.not_saved:
        terminalreporter.write_line(f"readiness: no capture saved of {', '.join(state.not_saved)}: "
                                    f"the probe gave no document (see their results)")
