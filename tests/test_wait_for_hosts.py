"""``--wait-for-hosts``: emulated hosts that start listening late are waited for, a dead one is
Failed at the deadline, failures that will not heal are not retried, and without the option
nothing changes. Every host is on loopback."""

from __future__ import annotations

import errno
import json
import socket
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests.exceptions
from winrm.exceptions import InvalidCredentialsError, WinRMTransportError

from fixtures.emulator import Fleet, free_base_address
from readiness.catalog import RULES
from readiness.hosts import collect_hosts
from readiness.probe_pool import (
    FIRST_RETRY_DELAY,
    MAX_RETRY_DELAY,
    HostFailure,
    HostProbe,
    ProbeSettings,
    classify,
    probe_waiting,
)
from tests.chromium import Page
from tests.emulated import RULES_DIR, display, host_url, run_suite, scenario, write_hosts


def _by_host(data):
    return {entry["host"]: entry for entry in data["hosts"]}


def _junit_properties(path):
    found = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        found.setdefault(props.get("host"), []).append(props)
    return found


@pytest.fixture
def page(tmp_path):
    opened = Page(tmp_path / "chromium-profile")
    yield opened
    opened.close()


def _run_while_a_host_boots(pytester, served_first: Fleet, late: Fleet, *args: str, timeout: float = 240):
    """Run the suite; start serving ``late`` (its boot: refuse, then 503, then serve) only once the
    suite is probing (the first request reaches ``served_first``), so the late host's first tries
    find it still booting however long the suite takes to start."""
    outcome: dict = {}

    def run() -> None:
        outcome["run"] = run_suite(pytester, *args, timeout=timeout)

    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + timeout
    while runner.is_alive() and not any(served_first.requests_per_host().values()):
        assert time.monotonic() < deadline, "the suite never probed"
        time.sleep(0.05)
    late.start()
    try:
        runner.join(timeout)
    finally:
        late.stop()
    assert "run" in outcome, "the suite did not finish"
    return outcome["run"]


def test_late_hosts_are_waited_for_and_a_dead_one_fails_at_the_deadline(pytester, page):
    # "healthy" is not served until the suite probes, then refuses for 1 s more and answers
    # HTTP 503 for 1.5 s, as a booting machine; "seed-sample" answers at once; the third never listens.
    late_fleet = Fleet([scenario("healthy")], base_address=free_base_address(), boot={"healthy": (1.0, 1.5)})
    with Fleet([scenario("seed-sample")], base_address=free_base_address()) as served, \
            Fleet([scenario("healthy")], base_address=free_base_address(), faults={"healthy": ["refuse"]}) as dead:
        late, ready, gone = late_fleet.hosts[0], served.hosts[0], dead.hosts[0]
        hosts_file = write_hosts(pytester.path / "fleet.txt", [host_url(h) for h in (late, ready, gone)])
        junit = pytester.path / "junit.xml"
        started = time.monotonic()
        result, data = _run_while_a_host_boots(pytester, served, late_fleet, "--hosts-file", str(hosts_file),
                                               "--connect-timeout", "1", "--wait-for-hosts", "15",
                                               f"--junitxml={junit}")
        took = time.monotonic() - started
    out = result.stdout.str()
    assert result.ret == 1, out[-3000:]  # seed-sample has Failed rules, the dead host too
    reports = _by_host(data)
    assert data["wait_for_hosts"] == {"seconds": 15.0}
    # The late host: every rule Passed, after more than one try.
    late_entry = reports[display(late)]
    assert [r["CheckResult"] for r in late_entry["results"]] == ["Passed"] * 20
    assert late_entry["wait"]["answered"] is True
    assert late_entry["wait"]["tries"] >= 2
    assert 1.0 <= late_entry["wait"]["seconds"] < 15.0
    # The ready host: one try.
    assert reports[display(ready)]["wait"]["tries"] == 1 and reports[display(ready)]["wait"]["answered"] is True
    # The dead host: Failed at the deadline, the message says how long and how often.
    gone_entry = reports[display(gone)]
    assert gone_entry["wait"]["answered"] is False and gone_entry["wait"]["tries"] >= 3
    assert 12.0 <= gone_entry["wait"]["seconds"] < 20.0
    for r in gone_entry["results"]:
        assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.HostUnreachable"
        assert "refused" in r["CheckResultMessage"]
        assert f"still so after {gone_entry['wait']['tries']} tries" in r["CheckResultMessage"]
        assert "--wait-for-hosts 15" in r["CheckResultMessage"]
    assert took < 50, f"the run took {took:.1f} s"
    # JUnit: each test of a host carries its tries.
    props = _junit_properties(junit)
    assert {p["probe_tries"] for p in props[display(late)]} == {str(late_entry["wait"]["tries"])}
    assert {p["probe_answered"] for p in props[display(gone)]} == {"False"}
    assert len(props[display(gone)]) == len(RULES)
    # Terminal and HTML.
    assert "readiness: waiting for hosts (--wait-for-hosts 15)" in out
    assert f"{display(late)}  answered after" in out
    assert f"{display(gone)}  did not answer in" in out
    page.open(pytester.path / "readiness.html")
    assert page.errors() == []
    rows = page.evaluate("[...document.querySelectorAll('#readiness-wait tbody tr')]"
                         ".map(r => [...r.querySelectorAll('td')].map(td => td.textContent))")
    assert [row[0] for row in rows] == [display(late), display(ready), display(gone)]
    assert [row[3] for row in rows] == ["yes", "yes", "no"]
    assert rows[0][1] == str(late_entry["wait"]["tries"]) and rows[1][1] == "1"


@pytest.mark.parametrize("fault, reason", [("unauthorized", "AccessDenied"), ("probe_garbage", "ProbeError"),
                                           ("http500", "WinRMFault")])
def test_failures_that_will_not_heal_are_not_retried(pytester, fault, reason):
    with Fleet([scenario("healthy")], base_address=free_base_address(), faults={"healthy": [fault]}) as served:
        host = served.hosts[0]
        started = time.monotonic()
        _result, data = run_suite(pytester, f"--hosts={host_url(host)}", "--connect-timeout", "1",
                                 "--wait-for-hosts", "60")
        took = time.monotonic() - started
    entry = data["hosts"][0]
    assert entry["wait"] == {"tries": 1, "seconds": entry["wait"]["seconds"], "answered": True}
    assert {r["CheckResultMessageId"].rsplit(".", 1)[-1] for r in entry["results"]} == {reason}
    assert took < 30, f"{fault}: waited {took:.1f} s for a failure that will not heal"


def test_without_the_option_nothing_waits_and_nothing_is_reported(pytester):
    with Fleet([scenario("healthy")], base_address=free_base_address(), boot={"healthy": (30.0, 0.0)}) as served:
        host = served.hosts[0]
        junit = pytester.path / "junit.xml"
        started = time.monotonic()
        result, data = run_suite(pytester, f"--hosts={host_url(host)}", "--connect-timeout", "1",
                                 f"--junitxml={junit}")
        took = time.monotonic() - started
    entry = data["hosts"][0]
    assert {r["CheckResultMessageId"].rsplit(".", 1)[-1] for r in entry["results"]} == {"HostUnreachable"}
    assert "wait" not in entry and "wait_for_hosts" not in data
    assert "still so after" not in json.dumps(data)
    assert "probe_tries" not in junit.read_text(encoding="utf-8")
    assert "waiting for hosts" not in result.stdout.str()
    assert took < 25, f"a refused host without --wait-for-hosts took {took:.1f} s"


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan"])
def test_a_bad_value_is_a_usage_error(pytester, value):
    result = pytester.runpytest_subprocess(str(RULES_DIR), "-p", "no:cacheprovider", "--collect-only",
                                           "--hosts=winrm://a:b@127.0.0.1:1?no_ssl=true", f"--wait-for-hosts={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "--wait-for-hosts" in err and repr(value) in err
    assert "Traceback" not in err + result.stdout.str()


# The loop itself, with a clock that does not wait: which failures are tried again, and when.
SPEC = collect_hosts("winrm://admin:pw@127.0.0.1:5985?no_ssl=true", [])[0]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _scripted(clock: Clock, outcomes: list[HostFailure | None], cost: float = 0.1):
    calls = []

    def probe(spec, settings):
        calls.append(clock.now)
        clock.now += cost
        failure = outcomes[min(len(calls) - 1, len(outcomes) - 1)]
        return HostProbe(spec, "windows", facts=None if failure else object(), failure=failure)

    return probe, calls


REFUSED = HostFailure("HostUnreachable", "connection refused", transient=True)


def test_backoff_doubles_up_to_its_cap_and_the_last_try_is_at_the_deadline():
    clock = Clock()
    settings = ProbeSettings(wait_for_hosts_sec=60, wait_until=clock.now + 60)
    probe, calls = _scripted(clock, [REFUSED])
    got = probe_waiting(SPEC, settings, probe, clock=clock, sleep=clock.sleep)
    assert got.failure is not None and got.failure.reason == "HostUnreachable"
    assert clock.sleeps[:5] == [FIRST_RETRY_DELAY, 2.0, 4.0, 8.0, MAX_RETRY_DELAY]
    assert max(clock.sleeps) == MAX_RETRY_DELAY
    assert calls[-1] == pytest.approx(settings.wait_until)  # the last try at the deadline, not before
    assert got.tries == len(calls) and got.seconds == pytest.approx(60.1)


def test_a_host_that_answers_stops_the_loop_and_a_failure_that_will_not_heal_is_tried_once():
    clock = Clock()
    settings = ProbeSettings(wait_for_hosts_sec=60, wait_until=clock.now + 60)
    probe, calls = _scripted(clock, [REFUSED, REFUSED, None])
    got = probe_waiting(SPEC, settings, probe, clock=clock, sleep=clock.sleep)
    assert got.failure is None and got.tries == 3 and clock.sleeps == [1.0, 2.0]
    denied = HostFailure("AccessDenied", "credentials rejected")
    probe, calls = _scripted(clock, [denied])
    got = probe_waiting(SPEC, settings, probe, clock=clock, sleep=clock.sleep)
    assert got.failure == denied and got.tries == 1 and len(calls) == 1


def _http_error(status: int) -> WinRMTransportError:
    return WinRMTransportError("http", status, "<h2>Service Unavailable</h2>")


def _connection_error(cause: BaseException) -> requests.exceptions.ConnectionError:
    error = requests.exceptions.ConnectionError(cause)
    error.__context__ = cause
    return error


@pytest.mark.parametrize("exc, transient", [
    (_connection_error(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")), True),
    (_connection_error(OSError(errno.EHOSTUNREACH, "No route to host")), True),
    (_connection_error(OSError(errno.ENETUNREACH, "Network is unreachable")), True),
    (requests.exceptions.ConnectTimeout("connect timed out"), True),
    (_connection_error(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")), True),
    (_http_error(503), True),
    (requests.exceptions.ReadTimeout("read timed out"), False),
    (InvalidCredentialsError("the specified credentials were rejected by the server"), False),
    (_http_error(401), False),
    (_http_error(500), False),
    (_connection_error(socket.gaierror(socket.EAI_NONAME, "Name or service not known")), False),
    (requests.exceptions.SSLError("certificate verify failed"), False),
], ids=["refused", "no-route", "net-unreachable", "connect-timeout", "reset", "http503", "read-timeout",
        "credentials", "http401", "http500", "dns", "tls"])
def test_which_failures_are_transient(exc, transient):
    failure = classify(exc, SPEC, ProbeSettings())
    assert failure.transient is transient, failure


def test_under_xdist_the_workers_tries_reach_the_reports(pytester):
    late_fleet = Fleet([scenario("healthy")], base_address=free_base_address(), boot={"healthy": (3.0, 0.0)})
    with Fleet([scenario("seed-sample")], base_address=free_base_address()) as served:
        late, ready = late_fleet.hosts[0], served.hosts[0]
        result, data = _run_while_a_host_boots(pytester, served, late_fleet,
                                               f"--hosts={host_url(late)},{host_url(ready)}", "--connect-timeout", "1",
                                               "--wait-for-hosts", "20", "-n", "2")
    reports = _by_host(data)
    assert reports[display(late)]["wait"]["tries"] >= 2 and reports[display(late)]["wait"]["answered"] is True
    assert [r["CheckResult"] for r in reports[display(late)]["results"]] == ["Passed"] * 20
    assert reports[display(ready)]["wait"] == {"tries": 1, "seconds": reports[display(ready)]["wait"]["seconds"],
                                               "answered": True}
    assert f"{display(late)}  answered after" in result.stdout.str()
