"""WinRM probes in a process beside pytest's (``--probe-process``): the same results as on threads,
over real WinRM to the emulator; a probe process that dies or cannot start fails its hosts' rules
as the suite's error (or falls back to threads), never passes them."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fixtures.emulator.hostprobe import probe_output
from fixtures.scenario import HOSTS, load_scenario, shipped
from readiness.catalog import RULES
from readiness.connection import WinRMOptions
from readiness.endpoints import Endpoints, probe_input
from readiness.facts import parse_facts
from readiness.hosts import parse_host
from readiness.probe import ProbeInput
from readiness.probe_pool import HOST_UNREACHABLE, ProbePool, ProbeSettings
from readiness.probe_process import SUITE_ERROR, ProbeProcess
from tests.emulated import ROOT, RULES_DIR, display, fleet, host_url, write_hosts

PASSWORD_ENV = {"READINESS_WINRM_PASSWORD": "vagrant"}


def _suite(hosts: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """The suite's command line over ``hosts`` and its environment (the password in it, nothing of this run's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "READINESS_"))}
    env.update(PASSWORD_ENV, PYTHONPATH=str(ROOT))
    return [sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider",
            "--hosts-file", str(hosts), *args], env


def _started(hosts: Path, cwd: Path, *args: str, **popen: object) -> tuple[subprocess.Popen, int]:
    """The suite started with ``--probe-process on``, and the pid of its probe process once it runs."""
    command, env = _suite(hosts, "--probe-process", "on", *args)
    suite = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             **popen)  # type: ignore[call-overload]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        child = next((pid for pid in _children(suite.pid)
                      if b"readiness.probe_process" in Path(f"/proc/{pid}/cmdline").read_bytes()), None)
        if child is not None:
            return suite, child
        time.sleep(0.05)
    suite.kill()
    raise AssertionError("no probe process started")


def _run(tmp_path: Path, hosts: Path, name: str, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    report = tmp_path / f"{name}.json"
    command, env = _suite(hosts, "--connect-timeout", "1", "--winrm-connect-timeout", "1",
                          f"--readiness-json={report}", *args)
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    return run, json.loads(report.read_text(encoding="utf-8"))


def _results(report: dict) -> dict[str, list[tuple]]:
    return {h["host"]: [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"],
                         json.dumps(r["CheckResultMessageArguments"]), r["CheckResultMessage"]) for r in h["results"]]
            for h in report["hosts"]}


def test_every_shipped_scenario_gives_the_same_results_in_the_probe_process_as_on_threads(tmp_path):
    names = [path.stem for path in shipped()]
    with fleet(names, faults={"healthy": ["drop"]}) as served:
        hosts = write_hosts(tmp_path / "hosts.txt", [host_url(h, password=False) for h in served.hosts])
        on, in_process = _run(tmp_path, hosts, "on", "--probe-process", "on", "--readiness-profile", "auto")
        off, on_threads = _run(tmp_path, hosts, "off", "--probe-process", "off", "--readiness-profile", "auto")
    assert "in a probe process (--probe-process)" in on.stdout
    assert "in a probe process" not in off.stdout
    got, want = _results(in_process), _results(on_threads)
    assert set(got) == {display(h) for h in served.hosts} == set(want)
    assert got == want
    # Not the same by failing alike: the hosts that answer pass rules; the one that drops fails them all.
    passed = {host for host, rows in got.items() if any(row[1] == "Passed" for row in rows)}
    assert len(passed) >= len(names) - 3
    dropped = display(next(h for h in served.hosts if h.name == "healthy"))
    assert {row[2].rsplit(".", 1)[1] for row in got[dropped]} == {HOST_UNREACHABLE}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_probe_process_that_dies_fails_the_rules_of_the_hosts_it_had_not_answered(tmp_path):
    """Killed while a host hangs (WinRM accepts, never answers): that host's 20 rules are Failed
    with SuiteError naming the probe process and how it ended; the run ends, nothing passes."""
    with fleet(["healthy"], faults={"healthy": ["hang"]}) as served:
        hosts = write_hosts(tmp_path / "hosts.txt", [host_url(served.hosts[0], password=False)])
        report = tmp_path / "died.json"
        suite, child = _started(hosts, tmp_path, f"--readiness-json={report}")
        try:
            # The password travels over the pipe: never on its command line, nor in its environment.
            assert b"vagrant" not in Path(f"/proc/{child}/cmdline").read_bytes()
            assert b"READINESS_WINRM_PASSWORD" not in Path(f"/proc/{child}/environ").read_bytes()
            time.sleep(2)  # the probe is in flight: connected, waiting on the hanging host
            os.kill(child, signal.SIGKILL)
            output, _ = suite.communicate(timeout=120)
        finally:
            if suite.poll() is None:
                suite.kill()
    assert suite.returncode == 1, output[-3000:]
    entry = json.loads(report.read_text(encoding="utf-8"))["hosts"][0]
    assert [r["CheckResultMessageId"] for r in entry["results"]] == [f"{rule}.Failed.SuiteError" for rule in RULES]
    message = entry["results"][0]["CheckResultMessage"]
    assert "the probe process exited with code -9" in message and "an error of the suite, not of the host" in message
    assert "Traceback" not in output and "INTERNALERROR" not in output


def test_ctrl_c_interrupts_the_run_and_leaves_no_probe_process_behind(tmp_path):
    """Ctrl-C reaches the terminal's whole process group: pytest ends the run as interrupted (exit
    2), blames no rule on the probe process, and the probe process does not outlive the run."""
    with fleet(["healthy", "on-premises"], faults={"healthy": ["hang"]}) as served:
        hosts = write_hosts(tmp_path / "hosts.txt", [host_url(h, password=False) for h in served.hosts])
        # Its own process group, as a terminal's foreground job is.
        suite, child = _started(hosts, tmp_path, "--readiness-format", "list", start_new_session=True)
        try:
            time.sleep(2)  # the hanging host's probe is in flight, the rules wait for it
            os.killpg(suite.pid, signal.SIGINT)
            output, _ = suite.communicate(timeout=60)
        finally:
            if suite.poll() is None:
                os.killpg(suite.pid, signal.SIGKILL)
    assert suite.returncode == 2, output[-3000:]  # pytest's "interrupted"
    assert "KeyboardInterrupt" in output
    assert "probe process exited" not in output and "SuiteError" not in output
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split(")")[1][:3]


def test_a_sigint_that_reaches_the_probe_process_first_does_not_end_it(tmp_path):
    """Ctrl-C reaches both processes, in no set order: the probe process ignores it (pytest's
    process decides), so even alone it fails no host; the run ends with every result."""
    with fleet(["on-premises", "locked-down"]) as served:
        hosts = write_hosts(tmp_path / "hosts.txt", [host_url(h, password=False) for h in served.hosts])
        report = tmp_path / "sigint.json"
        suite, child = _started(hosts, tmp_path, "--connect-timeout", "3", f"--readiness-json={report}")
        try:
            time.sleep(1)  # started, its handlers set; the probes wait on the hosts' IMDS test (3 s)
            os.kill(child, signal.SIGINT)
            output, _ = suite.communicate(timeout=120)
        finally:
            if suite.poll() is None:
                suite.kill()
    assert suite.returncode == 1, output[-3000:]  # locked-down's Failed rules, nothing else
    assert "SuiteError" not in output and "probe process" not in output.split("short test summary")[-1]
    entries = json.loads(report.read_text(encoding="utf-8"))["hosts"]
    assert len(entries) == 2 and all(any(r["CheckResult"] == "Passed" for r in e["results"]) for e in entries)


def _settings(timeout: float = 1.0) -> ProbeSettings:
    return ProbeSettings(winrm=WinRMOptions(read_timeout_sec=30, operation_timeout_sec=20, connect_timeout_sec=timeout),
                         probe_input=probe_input(Endpoints.for_location(None), 1000))


def test_hosts_submitted_after_the_probe_process_is_gone_fail_with_why(loopback_address):
    process = ProbeProcess(max_workers=4)
    try:
        process._process.kill()
        spec = parse_host(f"winrm://vagrant:vagrant@{loopback_address}:5985?no_ssl=true")
        got = process.submit(spec, _settings()).result(timeout=30)
        assert got.failure is not None and got.failure.reason == SUITE_ERROR, got
        assert got.failure.message.startswith("the probe process exited with code -9")
        assert got.failure.message.endswith("(an error of the suite, not of the host)")
    finally:
        process.shutdown()


def test_a_probe_process_that_cannot_start_leaves_the_hosts_to_threads(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr("readiness.probe_process.subprocess.Popen", refuse)
    with fleet(["healthy", "locked-down"]) as served:
        specs = [parse_host(host_url(h)) for h in served.hosts]
        pool = ProbePool(_settings(), max_workers=4, in_process=True)
        probes = [pool.result(spec) for spec in specs]
        pool.shutdown()
    assert not pool.in_process
    assert pool.degraded == ("cannot start the probe process: [Errno 11] Resource temporarily unavailable: "
                             "the hosts are probed on threads of pytest's process")
    assert [p.failure for p in probes] == [None, None]
    assert all(p.facts is not None for p in probes)


def test_facts_cross_a_pipe_as_their_document_and_stay_read_only():
    document = probe_output(load_scenario(HOSTS / "warnings.yaml"), ProbeInput(), datetime(2026, 11, 26, 12, tzinfo=UTC))
    facts = parse_facts(document)
    copied = pickle.loads(pickle.dumps(facts))
    assert copied.document() == facts.document() == parse_facts(document).document()
    assert copied.os_version == facts.os_version and copied.collected_at == facts.collected_at
    with pytest.raises(AttributeError, match="facts are read-only"):
        copied.anything = 1
