"""Full WinRM shell cycles per second against the emulator: 1 host, then 200 hosts at once.

A cycle is what a client does per command: open a shell, run a command, receive its output,
signal it, close the shell (pywinrm's Protocol, Basic over HTTP, keep-alive). The emulator runs
as its own process (``python -m fixtures.emulator``) on loopback; every run is bounded in time.
The floor is the same clients' rate of bare HTTP round trips to the same listeners (answered 401
by the emulator's HTTP layer alone), so the ratio shows what the WS-Man work costs.

    .venv/bin/python bench/winrm_cycles.py [--seconds 5] [--hosts 200]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import winrm

from fixtures.emulator import free_base_address

ROOT = Path(__file__).resolve().parent.parent


def _serve(folder: Path, hosts: int, base: str) -> tuple[subprocess.Popen, list[str], Path]:
    scenario = folder / "bench.yaml"
    scenario.write_text("name: bench\nuser: bench\npassword: bench-pw\n", encoding="utf-8")
    hosts_file, stats = folder / f"hosts-{hosts}.txt", folder / f"stats-{hosts}.json"
    process = subprocess.Popen([sys.executable, "-m", "fixtures.emulator", "--scenario", str(scenario),
                                "--fleet", str(hosts), "--base-address", base, "--hosts-file", str(hosts_file),
                                "--stats", str(stats)], cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not hosts_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the emulator did not start")
        time.sleep(0.05)
    urls = [f"http://{line.split('@')[1].split('?')[0]}/wsman" for line in hosts_file.read_text().splitlines()]
    return process, urls, stats


def _stop(process: subprocess.Popen, stats: Path) -> dict[str, int]:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    return json.loads(stats.read_text())["requests_per_host"]


def _cycles(url: str, stop_at: float, counts: list[int], slot: int) -> None:
    protocol = winrm.Protocol(url, transport="basic", username="bench", password="bench-pw")
    while time.monotonic() < stop_at:
        shell = protocol.open_shell()
        command = protocol.run_command(shell, "hostname")
        protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
        protocol.close_shell(shell, close_session=False)
        counts[slot] += 1


def _round_trips(url: str, stop_at: float, counts: list[int], slot: int) -> None:
    session = requests.Session()
    while time.monotonic() < stop_at:
        session.post(url, data=b"<x/>", headers={"Content-Type": "application/soap+xml;charset=UTF-8"})
        counts[slot] += 1


def _run(target, urls: list[str], clients: int, seconds: float) -> tuple[int, float]:
    counts = [0] * clients
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=target, args=(urls[i % len(urls)], stop_at, counts, i)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), time.monotonic() - started


def measure(hosts: int, seconds: float, folder: Path) -> dict[str, float]:
    base = free_base_address(count=hosts)
    process, urls, stats = _serve(folder, hosts, base)
    try:
        clients = len(urls)
        floor, floor_time = _run(_round_trips, urls, clients, seconds)
        cycles, elapsed = _run(_cycles, urls, clients, seconds)
    finally:
        requests_per_host = _stop(process, stats)
    cycle_requests = sum(requests_per_host.values()) - floor
    return {
        "hosts": hosts,
        "cycles_per_s": cycles / elapsed,
        "requests_per_cycle": cycle_requests / max(cycles, 1),
        "requests_per_host_per_s": cycle_requests / elapsed / hosts,
        "floor_round_trips_per_s": floor / floor_time,
        "ratio": (cycle_requests / elapsed) / (floor / floor_time),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each timed run (default 5)")
    parser.add_argument("--hosts", type=int, default=200, help="hosts in the fleet run (default 200)")
    args = parser.parse_args()
    print(f"{'hosts':>5} {'cycles/s':>9} {'req/cycle':>9} {'req/host/s':>10} {'floor req/s':>11} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for hosts in (1, args.hosts):
            r = measure(hosts, args.seconds, Path(folder))
            print(f"{r['hosts']:>5} {r['cycles_per_s']:>9.1f} {r['requests_per_cycle']:>9.2f} "
                  f"{r['requests_per_host_per_s']:>10.2f} {r['floor_round_trips_per_s']:>11.1f} {r['ratio']:>6.2f}",
                  flush=True)
    print(f"(cpu count {os.cpu_count()}; ratio = WS-Man requests/s in cycles over bare HTTP round trips/s)")


if __name__ == "__main__":
    main()
