"""Hosts that wait are probed at once: a fleet takes one wait, not hosts / concurrency waits.

An on-premises host's probe waits the connect timeout on the instance metadata service; the
pool holds a thread and a connection per waiting host, up to the bound readiness.capacity plans
from the open-file limit and memory. Here: the waits overlap, an explicit --probe-concurrency
still bounds, a low RLIMIT_NOFILE bounds the run instead of breaking it, and a system that refuses
threads slows the run down without losing a host.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

from readiness import capacity
from readiness.capacity import AUTO_CEILING, FD_RESERVE, FDS_PER_PROBE, Limits, plan_concurrency
from readiness.connection import WinRMOptions
from readiness.endpoints import Endpoints, probe_input
from readiness.hosts import HostSpec, parse_host
from readiness.probe_pool import HostProbe, ProbePool, ProbeSettings, probe_host
from tests.emulated import ROOT, RULES_DIR, fleet, host_url, write_hosts

WAIT_S = 5  # each on-premises host's probe waits this (its IMDS test's connect timeout)


class InFlight:
    """Wraps a probe function and counts the probes running at once."""

    def __init__(self, probe: Callable[[HostSpec, ProbeSettings], HostProbe]):
        self.probe = probe
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, spec: HostSpec, settings: ProbeSettings) -> HostProbe:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return self.probe(spec, settings)
        finally:
            with self.lock:
                self.now -= 1


def _sleeping(seconds: float) -> Callable[[HostSpec, ProbeSettings], HostProbe]:
    def probe(spec: HostSpec, settings: ProbeSettings) -> HostProbe:
        time.sleep(seconds)
        return HostProbe(spec, "windows")
    return probe


def _specs(count: int) -> list[HostSpec]:
    return [parse_host(f"winrm://u:p@127.40.0.{i + 1}:5985?no_ssl=true") for i in range(count)]


def _probe_all(pool: ProbePool, specs: list[HostSpec]) -> tuple[list[HostProbe], float]:
    started = time.monotonic()
    for spec in specs:
        pool.submit(spec)
    results = [pool.result(spec) for spec in specs]
    return results, time.monotonic() - started


def test_waiting_emulated_hosts_take_one_wait_not_one_per_wave():
    """48 on-premises hosts, each probe waiting 5 s on the host: all in flight together, done in one
    wait; at the old bound of 16 or 32 they would take 3 or 2 waits (15 s, 10 s) by construction."""
    hosts = 48
    settings = ProbeSettings(winrm=WinRMOptions(read_timeout_sec=30, operation_timeout_sec=20),
                             probe_input=probe_input(Endpoints.for_location(None), WAIT_S * 1000))
    plan = plan_concurrency(hosts, None)
    assert (plan.bound, plan.limited_by) == (hosts, "hosts")
    counted = InFlight(probe_host)
    with fleet(["on-premises"], fleet=hosts) as served:
        specs = [parse_host(host_url(h)) for h in served.hosts]
        results, elapsed = _probe_all(ProbePool(settings, plan.bound, probe=counted), specs)
        peak_connections = served.peak_connections()
    assert all(r.failure is None and r.facts is not None for r in results), [r.failure for r in results if r.failure]
    assert counted.peak == hosts and peak_connections == hosts
    print(f"{hosts} hosts waiting {WAIT_S} s each: {elapsed:.1f} s")
    assert WAIT_S <= elapsed < 2 * WAIT_S, elapsed


def test_an_explicit_probe_concurrency_still_bounds_the_hosts_in_flight():
    counted = InFlight(_sleeping(0.3))
    results, elapsed = _probe_all(ProbePool(ProbeSettings(), 8, probe=counted), _specs(40))
    assert len(results) == 40 and counted.peak == 8
    assert elapsed >= 5 * 0.3 - 0.05  # 40 hosts, 8 at a time: five waits one after another
    counted = InFlight(_sleeping(0.3))
    results, elapsed = _probe_all(ProbePool(ProbeSettings(), plan_concurrency(40, None).bound, probe=counted),
                                  _specs(40))
    assert counted.peak == 40 and elapsed < 5 * 0.3


def test_each_host_is_probed_once_and_threads_end_when_the_work_does():
    calls: list[str] = []
    lock = threading.Lock()

    def probe(spec: HostSpec, settings: ProbeSettings) -> HostProbe:
        with lock:
            calls.append(spec.display)
        return HostProbe(spec, "windows")

    pool = ProbePool(ProbeSettings(), 64, probe=probe)
    specs = _specs(20)
    for spec in specs + specs:
        pool.submit(spec)
    assert [pool.result(s).spec for s in specs] == specs
    assert sorted(calls) == sorted(s.display for s in specs)
    deadline = time.monotonic() + 5
    while any(t.name.startswith("readiness-probe-") for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not [t.name for t in threading.enumerate() if t.name.startswith("readiness-probe-")]


def test_a_probe_that_raises_reaches_whoever_waits_on_its_host():
    def probe(spec: HostSpec, settings: ProbeSettings) -> HostProbe:
        raise ValueError("bug in a probe")

    pool = ProbePool(ProbeSettings(), 4, probe=probe)
    with pytest.raises(ValueError, match="bug in a probe"):
        pool.result(_specs(1)[0])


def test_after_shutdown_queued_hosts_are_cancelled_not_probed():
    gate, running = threading.Event(), threading.Event()

    def probe(spec: HostSpec, settings: ProbeSettings) -> HostProbe:
        running.set()
        gate.wait(5)
        return HostProbe(spec, "windows")

    pool = ProbePool(ProbeSettings(), 1, probe=probe)
    first, *rest = (pool.submit(s) for s in _specs(5))
    assert running.wait(5)
    pool.shutdown()
    gate.set()
    assert first.result(timeout=5).platform == "windows"
    assert all(f.cancelled() for f in rest)


class _Refusing(threading.Thread):
    """A thread the system refuses once ``allowed`` have started (as RLIMIT_NPROC or pids.max would)."""

    allowed = 2
    started = 0

    def start(self) -> None:
        if _Refusing.started >= _Refusing.allowed:
            raise RuntimeError("can't start new thread")
        _Refusing.started += 1
        super().start()


@pytest.mark.parametrize("allowed", [2, 0])
def test_when_the_system_refuses_threads_hosts_queue_and_none_is_lost(monkeypatch, allowed):
    monkeypatch.setattr(_Refusing, "allowed", allowed)
    monkeypatch.setattr(_Refusing, "started", 0)
    monkeypatch.setattr("readiness.probe_pool.threading.Thread", _Refusing)
    counted = InFlight(_sleeping(0.05))
    pool = ProbePool(ProbeSettings(), 50, probe=counted)
    results, _ = _probe_all(pool, _specs(12))
    assert [r.platform for r in results] == ["windows"] * 12
    assert counted.peak == max(1, allowed)
    assert pool.degraded is not None and "refused thread" in pool.degraded
    assert pool.bound == max(1, allowed)


GIB = 2**30


@pytest.mark.parametrize("hosts, asked, limits, bound, by", [
    (10, None, Limits(1024, 20, GIB), 10, "hosts"),
    (5000, None, Limits(100_000, 20, 64 * GIB), AUTO_CEILING, "auto ceiling"),
    (5000, None, Limits(1024, 24, 64 * GIB), (1024 - 24 - FD_RESERVE) // FDS_PER_PROBE, "open files"),
    (5000, None, Limits(100_000, 20, GIB), GIB // 2 // capacity.PROBE_BYTES, "memory"),
    (5000, 8, Limits(100_000, 20, GIB), 8, "asked"),
    (5000, 3000, Limits(100_000, 20, GIB), 3000, "asked"),  # memory bounds the default only
    (5000, 3000, Limits(2048, 20, GIB), (2048 - 20 - FD_RESERVE) // FDS_PER_PROBE, "open files"),
    (50, None, Limits(None, 0, None), 50, "hosts"),  # no limits known (Windows)
    (50, None, Limits(80, 40, None), 1, "open files"),  # nothing left: still one at a time
])
def test_plan(hosts, asked, limits, bound, by):
    plan = plan_concurrency(hosts, asked, limits)
    assert (plan.bound, plan.limited_by) == (bound, by)


def test_plan_describes_its_bound():
    assert plan_concurrency(10, None, Limits(1024, 20, GIB)).describe() == "10 at once (auto)"
    assert plan_concurrency(5000, 8, Limits(1024, 20, GIB)).describe() == "8 at once (--probe-concurrency 8)"
    assert (plan_concurrency(5000, None, Limits(1024, 24, 64 * GIB)).describe()
            == f"468 at once (auto; bounded by open files: RLIMIT_NOFILE 1024, {FDS_PER_PROBE} per probe)")


def _limited(soft: int, hard: int) -> Callable[[], None]:
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_soft_open_file_limit_is_raised_toward_the_hard_limit_for_a_large_fleet():
    code = ("import resource; from readiness.capacity import plan_concurrency; "
            "plan = plan_concurrency(1000, None); "
            "print(plan.bound, *resource.getrlimit(resource.RLIMIT_NOFILE), plan.limited_by)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         preexec_fn=_limited(256, 4096))
    assert run.returncode == 0, run.stderr
    bound, soft, hard, by = run.stdout.split(maxsplit=3)
    assert (bound, hard, by.strip()) == ("1000", "4096", "hosts")
    assert 1000 * FDS_PER_PROBE + FD_RESERVE < int(soft) <= 4096
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         preexec_fn=_limited(300, 300))  # the hard limit stops it: bounded, said so
    bound, soft, hard, by = run.stdout.split(maxsplit=3)
    assert (soft, hard, by.strip()) == ("300", "300", "open files") and int(bound) < (300 - FD_RESERVE) // FDS_PER_PROBE


def test_a_low_open_file_limit_bounds_the_run_and_says_so(tmp_path):
    """RLIMIT_NOFILE 160 (soft and hard) for 60 waiting hosts: the suite probes as many at once as the
    limit allows (the emulator never sees more connections than that), warns, and checks every host."""
    hosts, wait_s = 60, 2
    with fleet(["on-premises"], fleet=hosts) as served:
        hosts_file = write_hosts(tmp_path / "hosts.txt", [h.hosts_line() for h in served.hosts])
        report = tmp_path / "readiness.json"
        env = dict(os.environ, READINESS_WINRM_PASSWORD=served.hosts[0].password)
        run = subprocess.run(
            [sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider", "-q",
             "--hosts-file", str(hosts_file), f"--readiness-json={report}", f"--html={tmp_path / 'readiness.html'}",
             "--connect-timeout", str(wait_s)],
            capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env, preexec_fn=_limited(160, 160))
        peak = served.peak_connections()
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]  # on-premises: Passed and one warning (xfail), no Failed
    assert "Too many open files" not in output and "Traceback" not in output
    warned = re.search(r"probe concurrency (\d+) at once \(auto; bounded by open files: RLIMIT_NOFILE 160", output)
    assert warned, output[-3000:]
    bound = int(warned.group(1))
    assert 1 <= bound < hosts
    assert peak <= bound  # never more hosts in flight than planned
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"]["hosts"] == hosts
    assert all(len(h["results"]) == 20 for h in data["hosts"])
