"""A mixed emulated fleet: copies per scenario, faults for every copy of one, hosts that drop SYNs.

What the fleet benchmark serves (bench/fleet.py): most hosts on-premises, some failing rules, some
not answering at all. A host that does not answer is modelled as a real one behaves: the
connection attempt is never answered, and the client's connect timeout fires.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from fixtures.emulator import EmulatorError, Fleet, free_base_address
from readiness.connection import WinRMOptions
from readiness.endpoints import Endpoints, probe_input
from readiness.hosts import parse_host
from readiness.probe_pool import HOST_UNREACHABLE, ProbeSettings, probe_host
from tests.emulated import HOSTS, ROOT, host_url, scenario


def _connect(address: str, port: int, timeout: float) -> str:
    with socket.socket() as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
        except TimeoutError:
            return "timeout"
        except ConnectionRefusedError:
            return "refused"
        return "connected"


def test_counts_by_scenario_and_faults_for_every_copy_of_one():
    scenarios = [scenario("on-premises"), scenario("healthy"), scenario("locked-down")]
    base = free_base_address(count=6)
    with Fleet(scenarios, base_address=base, fleet={"on-premises": 3, "healthy": 2},
               faults={"healthy": ["drop"], "on-premises-0002": ["hang"]}) as served:
        names = [h.name for h in served.hosts]
        assert names == ["on-premises-0001", "on-premises-0002", "on-premises-0003", "healthy-0001", "healthy-0002",
                         "locked-down-0001"]
        faults = {h.name: set(h.faults) for h in served.hosts}
        assert faults["healthy-0001"] == faults["healthy-0002"] == {"drop"}
        assert faults["on-premises-0002"] == {"hang"}
        assert faults["on-premises-0001"] == faults["locked-down-0001"] == set()
        # Served in order, one address each: the on-premises hosts answer, the dropping ones never do.
        assert _connect(served.hosts[0].address, 5985, 2) == "connected"
        assert _connect(served.hosts[3].address, 5985, 0.5) == "timeout"


def test_a_dropping_host_never_answers_a_connection_attempt_and_counts_nothing():
    """Every attempt times out, not only the first (the queue stays full); no request is counted."""
    base = free_base_address(count=1)
    with Fleet([scenario("healthy")], base_address=base, faults={"healthy": ["drop"]}) as served:
        host = served.hosts[0]
        assert [_connect(host.address, port, 0.5) for port in (5985, 5986, 5985)] == ["timeout"] * 3
        assert served.requests_per_host() == {"healthy": 0}
        assert served.peak_connections() == 0
    # Closed with the fleet: nothing listens there any more.
    assert _connect(host.address, 5985, 2) == "refused"


def test_the_suite_reports_a_dropping_host_unreachable_at_the_winrm_connect_timeout():
    settings = ProbeSettings(winrm=WinRMOptions(read_timeout_sec=30, operation_timeout_sec=20, connect_timeout_sec=1.5),
                             probe_input=probe_input(Endpoints.for_location(None), 1000))
    base = free_base_address(count=1)
    with Fleet([scenario("healthy")], base_address=base, faults={"healthy": ["drop"]}) as served:
        started = time.monotonic()
        got = probe_host(parse_host(host_url(served.hosts[0])), settings)
        elapsed = time.monotonic() - started
    assert got.failure is not None and got.failure.reason == HOST_UNREACHABLE, got
    assert "no answer connecting to" in got.failure.message and "within 1.5 s" in got.failure.message
    assert got.failure.transient  # --wait-for-hosts tries it again, as a host still booting
    # The connect timeout, not the 30 s read timeout pywinrm would otherwise wait.
    assert 1.4 < elapsed < 10, elapsed


@pytest.mark.parametrize("fleet, message", [
    ({"nosuch": 2}, "--fleet names scenario 'nosuch', which is not served (scenarios: healthy)"),
    ({"healthy": 0}, "--fleet must be at least 1, not 0 (scenario healthy)"),
    (0, "--fleet must be at least 1, not 0"),
])
def test_bad_counts_are_named(fleet, message):
    with pytest.raises(EmulatorError) as caught:
        Fleet([scenario("healthy")], base_address="127.30.0.1", fleet=fleet)
    assert str(caught.value) == message


def test_cli_serves_a_mixed_fleet_and_reports_peak_connections(tmp_path):
    base = free_base_address(count=4)
    hosts_file, stats = tmp_path / "hosts.txt", tmp_path / "stats.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "fixtures.emulator", "--scenario", str(HOSTS / "on-premises.yaml"),
         "--scenario", str(HOSTS / "healthy.yaml"), "--fleet", "on-premises=3", "--fleet", "healthy=1",
         "--fault", "healthy=drop", "--base-address", base, "--hosts-file", str(hosts_file), "--stats", str(stats)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (hosts_file.exists() and hosts_file.stat().st_size):
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read() if process.stderr else ""
            time.sleep(0.05)
        lines = hosts_file.read_text(encoding="utf-8").split()
        assert len(lines) == 4
        address = lines[3].split("@")[1].split(":")[0]
        assert _connect(address, 5985, 0.5) == "timeout"
        first = lines[0].split("@")[1].split(":")[0]
        with socket.create_connection((first, 5985), timeout=5), socket.create_connection((first, 5985), timeout=5):
            time.sleep(0.3)  # both accepted by the event loop
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
    data = json.loads(stats.read_text(encoding="utf-8"))
    assert data["peak_connections"] == 2
    assert set(data["requests_per_host"]) == {"on-premises-0001", "on-premises-0002", "on-premises-0003", "healthy-0001"}


@pytest.mark.parametrize("args, words", [
    (["--fleet", "2", "--fleet", "healthy=3"], "give N for every scenario, or NAME=N for each, not both"),
    (["--fleet", "healthy=many"], "'healthy=many' is not N or NAME=N"),
    (["--fleet", "other=2"], "--fleet names scenario 'other', which is not served"),
])
def test_cli_bad_fleet_is_one_line_exit_2(args, words):
    run = subprocess.run([sys.executable, "-m", "fixtures.emulator", "--scenario", str(HOSTS / "healthy.yaml"), *args,
                          "--base-address", "127.31.0.1"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert words in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
