"""A fleet in one run: the readiness suite over N emulated hosts, against the floor, same run.

For each N (default 10, 100, 1000) the emulator serves N healthy hosts as its own process with
50 ms added to every request, and this prints: wall time and peak memory of the suite's pytest
process tree; WinRM HTTP requests per host, authentication legs apart; and two ratios.

- floor ratio: suite wall time over (the same pytest run shape with trivial tests and the same
  report writers) + (one bare pywinrm probe-sized shell cycle per host, same concurrency);
- concurrency ratio: suite wall time over the suite's with ``--probe-concurrency 1``
  (by default only up to 100 hosts: 1,000 hosts one at a time is 1,000 x 8 x 50 ms = 400 s+).

    .venv/bin/python bench/fleet.py                       # 10, 100, 1000 hosts
    .venv/bin/python bench/fleet.py --sizes 10,100 --output reports/fleet.json
    .venv/bin/python bench/fleet.py --sizes 1000 --pytest-args="-n 2"
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.floor import shell_cycles, write_floor_project  # noqa: E402
from bench.processes import measure  # noqa: E402
from fixtures.emulator import free_base_address  # noqa: E402

SCENARIO = ROOT / "fixtures" / "hosts" / "healthy.yaml"
RULES_DIR = ROOT / "tests_readiness"
RULES = 20
PASSWORD = "vagrant"
MIB = 1024 * 1024

TARGETS = {
    "floor_ratio": 1.3,  # 1,000 hosts x 20 rules at most 1.3 x the floor
    "peak_rss_mib": 1024,  # under 1 GiB
    "wsman_per_host": 6,  # at most 6 WinRM requests per host besides authentication
    "scaling_1000_over_100": 11,  # 1,000 hosts within 11 x the 100-host time
}


class Emulator:
    """``python -m fixtures.emulator`` serving N healthy hosts, as a child process."""

    def __init__(self, hosts: int, latency_ms: float, folder: Path, tag: str) -> None:
        self.hosts_file = folder / f"hosts-{tag}.txt"
        self.stats_file = folder / f"stats-{tag}.json"
        base = free_base_address(count=hosts)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fixtures.emulator", "--scenario", str(SCENARIO), "--fleet", str(hosts),
             "--latency-ms", str(latency_ms), "--base-address", base, "--hosts-file", str(self.hosts_file),
             "--stats", str(self.stats_file)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not (self.hosts_file.exists() and self.hosts_file.stat().st_size):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                error = self.process.stderr.read().decode(errors="replace").strip() if self.process.stderr else ""
                raise SystemExit(f"bench/fleet.py: the emulator did not start: {error or 'no message'}")
            time.sleep(0.05)
        self.lines = self.hosts_file.read_text(encoding="utf-8").split()

    def displays(self) -> list[str]:
        return [line.split("?")[0] for line in self.lines]

    def urls(self) -> list[str]:
        return [f"http://{line.split('@')[1].split('?')[0]}/wsman" for line in self.lines]

    def stop(self) -> dict[str, Any]:
        """Stop it; its stats (requests per host)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return {}
        try:
            return json.loads(self.stats_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


def _pytest(args: list[str], cwd: Path, timeout: float) -> tuple[float, int, str]:
    env = dict(os.environ, READINESS_WINRM_PASSWORD=PASSWORD, PYTHONDONTWRITEBYTECODE="1")
    run = measure([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=str(cwd),
                  env=env, timeout=timeout)
    if run.returncode != 0:
        tail = "\n".join(run.output.splitlines()[-15:])
        raise SystemExit(f"bench/fleet.py: pytest exited {run.returncode} in {cwd}:\n{tail}")
    return run.wall_s, run.peak_rss, run.output


def _passed(output: str) -> int:
    for line in reversed(output.splitlines()):
        if " passed" in line:
            return int(line.split(" passed")[0].split()[-1])
    return 0


def run_suite(emulator: Emulator, folder: Path, concurrency: int, extra: list[str], timeout: float
              ) -> tuple[float, int]:
    """The readiness suite over the emulated fleet with both default reports; (seconds, peak bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    args = [str(RULES_DIR), f"--rootdir={ROOT}", "--hosts-file", str(emulator.hosts_file),
            f"--html={folder / 'readiness.html'}", "--self-contained-html", f"--readiness-json={folder / 'readiness.json'}",
            "--probe-concurrency", str(concurrency), "--dist=loadgroup", *extra]
    wall, peak, output = _pytest(args, folder, timeout)
    hosts = len(emulator.lines)
    if _passed(output) != hosts * RULES:
        raise SystemExit(f"bench/fleet.py: expected {hosts * RULES} passed rules, got: {output.splitlines()[-1]}")
    report = json.loads((folder / "readiness.json").read_text(encoding="utf-8"))
    if report["summary"]["hosts"] != hosts:
        raise SystemExit(f"bench/fleet.py: the JSON report has {report['summary']['hosts']} hosts, not {hosts}")
    return wall, peak


def run_floor_pytest(hosts: list[str], folder: Path, extra: list[str], timeout: float) -> tuple[float, int]:
    project = write_floor_project(folder, hosts)
    args = [f"--rootdir={project}", f"--html={project / 'floor.html'}", "--self-contained-html",
            f"--readiness-json={project / 'floor.json'}", *extra]
    wall, peak, output = _pytest(args, project, timeout)
    if _passed(output) != len(hosts) * RULES:
        raise SystemExit(f"bench/fleet.py: the floor run did not pass: {output.splitlines()[-1]}")
    return wall, peak


def _per_host(stats: dict[str, Any], key: str) -> float | None:
    counts = stats.get(key)
    if not counts:
        return None
    return sum(counts.values()) / len(counts)


def measure_size(hosts: int, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    extra = shlex.split(args.pytest_args)
    row: dict[str, Any] = {"hosts": hosts, "rules": hosts * RULES, "probe_concurrency": args.probe_concurrency,
                           "pytest_args": args.pytest_args}
    emulator = Emulator(hosts, args.latency_ms, folder, f"{hosts}-suite")
    try:
        row["wall_s"], peak = run_suite(emulator, folder / f"suite-{hosts}", args.probe_concurrency, extra,
                                        args.timeout)
    finally:
        stats = emulator.stop()
    row["peak_rss_mib"] = peak / MIB
    total, wsman = _per_host(stats, "requests_per_host"), _per_host(stats, "wsman_requests_per_host")
    row["requests_per_host"] = total
    row["wsman_per_host"] = wsman
    row["auth_per_host"] = None if total is None or wsman is None else total - wsman
    row["connections_per_host"] = _per_host(stats, "connections_per_host")

    emulator = Emulator(hosts, args.latency_ms, folder, f"{hosts}-floor")
    try:
        row["floor_winrm_s"] = shell_cycles(emulator.urls(), "vagrant", PASSWORD, args.probe_concurrency)
        row["floor_pytest_s"], floor_peak = run_floor_pytest(emulator.displays(), folder / f"floor-{hosts}", extra,
                                                             args.timeout)
        row["floor_peak_rss_mib"] = floor_peak / MIB
        row["floor_s"] = row["floor_winrm_s"] + row["floor_pytest_s"]
        row["floor_ratio"] = row["wall_s"] / row["floor_s"]
        if hosts <= args.serial_up_to:
            row["serial_wall_s"], _ = run_suite(emulator, folder / f"serial-{hosts}", 1, extra, args.timeout)
            row["concurrency_ratio"] = row["wall_s"] / row["serial_wall_s"]
        else:
            row["serial_wall_s"] = row["concurrency_ratio"] = None
    finally:
        emulator.stop()
    return row


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


HEADER = (f"{'hosts':>5} {'tests':>6} {'wall s':>7} {'peak MiB':>8} {'req/host':>8} {'auth':>4} {'ws-man':>6} "
          f"{'conn':>4} {'floor s':>7} {'(pytest':>7} {'winrm)':>6} {'x floor':>7} {'serial s':>8} {'x serial':>8}")


def format_row(row: dict[str, Any]) -> str:
    return (f"{row['hosts']:>5} {row['rules']:>6} {row['wall_s']:>7.1f} {row['peak_rss_mib']:>8.0f} "
            f"{_fmt(row['requests_per_host'], '.1f'):>8} {_fmt(row['auth_per_host'], '.1f'):>4} "
            f"{_fmt(row['wsman_per_host'], '.1f'):>6} {_fmt(row['connections_per_host'], '.1f'):>4} "
            f"{row['floor_s']:>7.1f} {row['floor_pytest_s']:>7.1f} {row['floor_winrm_s']:>6.1f} "
            f"{row['floor_ratio']:>7.2f} {_fmt(row['serial_wall_s'], '.1f'):>8} "
            f"{_fmt(row['concurrency_ratio'], '.3f'):>8}")


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    """The targets, each with what this run measured (printed, not asserted)."""
    by_size = {row["hosts"]: row for row in rows}
    lines = []
    big = by_size.get(max(by_size)) if by_size else None
    if big is not None:
        lines.append(f"{big['hosts']} hosts: {big['floor_ratio']:.2f} x the floor (target <= {TARGETS['floor_ratio']})")
        lines.append(f"{big['hosts']} hosts: peak memory {big['peak_rss_mib']:.0f} MiB "
                     f"(target < {TARGETS['peak_rss_mib']} MiB)")
    worst = max((row["wsman_per_host"] or 0 for row in rows), default=0)
    lines.append(f"WS-Man requests per host besides authentication: {worst:g} (target <= {TARGETS['wsman_per_host']})")
    if 100 in by_size and 1000 in by_size:
        scale = by_size[1000]["wall_s"] / by_size[100]["wall_s"]
        lines.append(f"1000 hosts take {scale:.1f} x the 100-host time (target <= {TARGETS['scaling_1000_over_100']})")
    return lines


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of host counts") from None
    if not sizes or any(n < 1 or n > 5000 for n in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: each size must be 1 to 5000 hosts")
    return sizes


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of hosts")
    return int(text)


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/fleet.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[10, 100, 1000], help="host counts (default 10,100,1000)")
    parser.add_argument("--latency-ms", type=float, default=50, help="emulator delay per request (default 50)")
    parser.add_argument("--probe-concurrency", type=_positive, default=32, help="the suite's --probe-concurrency (default 32)")
    parser.add_argument("--serial-up-to", type=_count, default=100, metavar="N",
                        help="measure --probe-concurrency 1 only up to N hosts (default 100)")
    parser.add_argument("--pytest-args", default="", metavar="ARGS",
                        help="more pytest arguments for the suite and the floor alike, e.g. \"-n 2\"")
    parser.add_argument("--timeout", type=_positive, default=900, help="bound of each pytest run, whole seconds (default 900)")
    parser.add_argument("--output", metavar="PATH", help="also write the rows and the machine as JSON")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    rows = []
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as folder:
        for hosts in args.sizes:
            row = measure_size(hosts, args, Path(folder))
            rows.append(row)
            print(format_row(row), flush=True)
    print(f"(cpus: {os.cpu_count()}; latency {args.latency_ms:g} ms per request; x floor = suite wall / "
          f"(floor pytest + bare pywinrm cycles); x serial = suite wall / suite with --probe-concurrency 1)")
    for line in verdicts(rows):
        print(line)
    if args.output:
        data = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                "latency_ms": args.latency_ms, "targets": TARGETS, "rows": rows}
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
