"""A real fleet in one run: the readiness suite over N emulated hosts of a mixed fleet, against the floor.

For each N (default 100, 1000, 5000) the emulator serves, as its own process with 50 ms added to
every request, a fleet mixed as most fleets are (``--mix``, default):

- 60 % on-premises and healthy (``on-premises``): IMDS does not answer outside Azure, so each
  host's probe waits the connect timeout (5 s) once;
- 10 % with WSUS and a proxy (``warnings``, which also waits on IMDS);
- 20 % with Failed rules (``locked-down``, which also waits);
- 10 % not answering at all (``not-answering``: a host that drops the connection attempt, so
  the suite waits its WinRM connect timeout, 5 s).

The hosts file is shuffled (fixed seed), as a real inventory mixes them. The suite runs at its
default options (no ``--probe-concurrency``) with its HTML (self-contained) and JSON reports, and
every host's 20 results are checked against its scenario's expected ones. Printed per N: wall
time and peak memory of the suite's pytest process tree, WinRM HTTP requests per answering host
(authentication legs apart), the most connections open at once, and the floor:

    floor = (pytest with the same outcomes and the same reports: trivial tests that record the
             suite's own results and end as they did, bench/floor.py)
          + (bare pywinrm: one probe-sized shell cycle per answering host, against hosts that do
             not wait, at the suite's concurrency or 32 at once, whichever is faster)
          + one connect timeout (5 s: the one wait every host may have, IMDS or a silent host)

    .venv/bin/python bench/fleet.py                        # 100, 1000, 5000 hosts
    .venv/bin/python bench/fleet.py --sizes 100 --output reports/fleet.json
    .venv/bin/python bench/fleet.py --sizes 1000 --compare-up-to 1000   # also at the old default, 32 at once

Other measurements of the same run (the report's load time in a browser) hook in with
``main(argv, on_report=...)``: called with each row once its reports exist (``row["html_report"]``,
the suite's HTML; ``row["floor_html_report"]``, the floor's), it returns columns to add.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.floor import shell_cycles, write_floor_project  # noqa: E402
from bench.processes import measure  # noqa: E402
from fixtures.emulator import free_base_address  # noqa: E402
from readiness.capacity import plan_concurrency  # noqa: E402
from readiness.reports.terminal_report import AUTO_FLEET_FROM  # noqa: E402

HOSTS_DIR = ROOT / "fixtures" / "hosts"
RULES_DIR = ROOT / "tests_readiness"
RULES = 20
PASSWORD = "vagrant"
MIB = 1024 * 1024
CONNECT_TIMEOUT_S = 5.0  # the suite's defaults: --connect-timeout (on the host), --winrm-connect-timeout
NOT_ANSWERING = "not-answering"
MIX = (("on-premises", 60), ("warnings", 10), ("locked-down", 20), (NOT_ANSWERING, 10))
# --mix auto: a fleet moving to Update Manager, checked with --readiness-profile auto: Azure VMs and
# Arc-enabled servers beside old-agent machines on premises (with and without Failed rules).
MIX_AUTO = (("azure-vm-healthy", 30), ("arc-healthy", 20), ("on-premises", 30), ("seed-sample", 10),
            (NOT_ANSWERING, 10))
MIXES = {"default": (MIX, []), "auto": (MIX_AUTO, ["--readiness-profile", "auto"])}
OLD_DEFAULT_CONCURRENCY = 32

TARGETS = {
    "floor_ratio": 1.3,  # 1,000 hosts at most 1.3 x the floor
    "peak_rss_mib": 1024,  # under 1 GiB at 1,000 hosts
    "wsman_per_host": 6,  # at most 6 WinRM requests per host besides authentication
}

Row = dict[str, Any]


def mix_counts(hosts: int, mix: tuple[tuple[str, int], ...] = MIX) -> dict[str, int]:
    """Hosts of each kind for a fleet of ``hosts`` (largest remainders: the counts add up).

    >>> mix_counts(1000)
    {'on-premises': 600, 'warnings': 100, 'locked-down': 200, 'not-answering': 100}
    >>> sum(mix_counts(7).values())
    7
    """
    total = sum(share for _, share in mix)
    exact = {name: hosts * share / total for name, share in mix}
    counts = {name: int(value) for name, value in exact.items()}
    for name in sorted(exact, key=lambda n: counts[n] - exact[n])[:hosts - sum(counts.values())]:
        counts[name] += 1
    return counts


def _scenario_file(name: str, folder: Path) -> Path:
    """A shipped scenario; ``not-answering`` is healthy's copy whose hosts drop every connection attempt."""
    if name != NOT_ANSWERING:
        return HOSTS_DIR / f"{name}.yaml"
    text = (HOSTS_DIR / "healthy.yaml").read_text(encoding="utf-8").replace("\nname: healthy\n", f"\nname: {name}\n")
    path = folder / f"{name}.yaml"
    path.write_text(text.replace("\nnetwork:\n", "\nwinrm:\n  faults: [drop]\n\nnetwork:\n", 1), encoding="utf-8")
    return path


class Emulator:
    """``python -m fixtures.emulator`` serving a fleet, as a child process."""

    def __init__(self, counts: Mapping[str, int], latency_ms: float, folder: Path, tag: str) -> None:
        counts = {name: n for name, n in counts.items() if n > 0}
        self.hosts_file = folder / f"hosts-{tag}.txt"
        self.stats_file = folder / f"stats-{tag}.json"
        base = free_base_address(count=sum(counts.values()))
        command = [sys.executable, "-m", "fixtures.emulator", "--latency-ms", str(latency_ms),
                   "--base-address", base, "--hosts-file", str(self.hosts_file), "--stats", str(self.stats_file)]
        for name, count in counts.items():
            command += ["--scenario", str(_scenario_file(name, folder)), "--fleet", f"{name}={count}"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 300
        while not (self.hosts_file.exists() and self.hosts_file.stat().st_size):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                error = self.process.stderr.read().decode(errors="replace").strip() if self.process.stderr else ""
                raise SystemExit(f"bench/fleet.py: the emulator did not start: {error or 'no message'}")
            time.sleep(0.05)
        self.lines = self.hosts_file.read_text(encoding="utf-8").split()
        # The emulator serves each scenario's copies together, in the order given.
        self.kinds = [name for name, count in counts.items() for _ in range(count)]

    def shuffled_hosts_file(self, seed: int) -> Path:
        """The hosts in a fixed random order, as an inventory mixes them."""
        lines = list(self.lines)
        random.Random(seed).shuffle(lines)
        path = self.hosts_file.with_name(self.hosts_file.stem + "-shuffled.txt")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def displays(self) -> list[str]:
        return [line.split("?")[0] for line in self.lines]

    def urls(self) -> list[str]:
        return [f"http://{line.split('@')[1].split('?')[0]}/wsman" for line in self.lines]

    def stop(self) -> dict[str, Any]:
        """Stop it; its stats (requests per host, connections)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return {}
        try:
            return json.loads(self.stats_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


def _pytest(args: list[str], cwd: Path, timeout: float) -> tuple[float, int, str]:
    """Run pytest; a run with Failed rules exits 1, which is what a fleet with failing hosts gives."""
    env = dict(os.environ, READINESS_WINRM_PASSWORD=PASSWORD, PYTHONDONTWRITEBYTECODE="1")
    run = measure([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=str(cwd),
                  env=env, timeout=timeout)
    if run.returncode not in (0, 1):
        tail = "\n".join(run.output.splitlines()[-15:])
        raise SystemExit(f"bench/fleet.py: pytest exited {run.returncode} in {cwd}:\n{tail}")
    return run.wall_s, run.peak_rss, run.output


def _outcomes(output: str) -> dict[str, int]:
    """pytest's last line: ``12 failed, 40 passed, 8 xfailed in 3.1s`` -> counts of the tests that
    ran (``deselected`` is not an outcome: the rules of the profiles no host has are deselected)."""
    for line in reversed(output.splitlines()):
        if " in " in line and ("passed" in line or "failed" in line):
            words = line.replace(",", " ").split()
            return {words[i + 1]: int(words[i]) for i in range(len(words) - 1)
                    if words[i].isdigit() and words[i + 1] != "deselected"}
    return {}


def _triples(report: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    return {h["host"]: [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"]) for r in h["results"]]
            for h in report["hosts"]}


def _expected(kind: str) -> list[tuple[str, str, str]]:
    from fixtures.scenario import load_scenario
    from readiness import catalog

    if kind == NOT_ANSWERING:
        return [(rule_id, "Failed", f"{rule_id}.Failed.HostUnreachable") for rule_id in catalog.RULES]
    expected = load_scenario(HOSTS_DIR / f"{kind}.yaml").expected
    assert expected is not None, kind
    return [tuple(r) for r in expected.results]  # type: ignore[misc]


def check_results(report: dict[str, Any], emulator: Emulator) -> None:
    """Every host's 20 results are its scenario's: the run counts only if the suite got them all right."""
    got = _triples(report)
    expected = {kind: _expected(kind) for kind in set(emulator.kinds)}
    wrong = [host for host, kind in zip(emulator.displays(), emulator.kinds, strict=True)
             if got.get(host) != expected[kind]]
    if wrong or len(got) != len(emulator.lines):
        raise SystemExit(f"bench/fleet.py: {len(wrong)} host(s) did not give their scenario's results "
                         f"(e.g. {wrong[:1]}), or the report has {len(got)} hosts, not {len(emulator.lines)}")


def run_suite(hosts_file: Path, folder: Path, extra: list[str], timeout: float
              ) -> tuple[float, int, dict[str, Any], str]:
    """The suite at default options with its HTML and JSON reports; (seconds, peak bytes, report, output)."""
    folder.mkdir(parents=True, exist_ok=True)
    args = [str(RULES_DIR), f"--rootdir={ROOT}", "--hosts-file", str(hosts_file),
            f"--html={folder / 'readiness.html'}", "--self-contained-html",
            f"--readiness-json={folder / 'readiness.json'}", *extra]
    wall, peak, output = _pytest(args, folder, timeout)
    report = json.loads((folder / "readiness.json").read_text(encoding="utf-8"))
    return wall, peak, report, output


def run_floor_pytest(report: dict[str, Any], folder: Path, extra: list[str], timeout: float
                     ) -> tuple[float, int, dict[str, int]]:
    """The floor's pytest part: the same hosts, outcomes and reports as the suite's run."""
    hosts = [h["host"] for h in report["hosts"]]
    asked = "auto" if "auto" in extra else None  # --readiness-profile auto: every profile's rules collected
    profiles = {h["host"]: h.get("profile", "update-management") for h in report["hosts"]}
    project = write_floor_project(folder, hosts, {h["host"]: h["results"] for h in report["hosts"]}, profiles,
                                  dict.fromkeys(hosts, asked) if asked else None)
    args = [f"--rootdir={project}", f"--html={project / 'floor.html'}", "--self-contained-html",
            f"--readiness-json={project / 'floor.json'}", *extra]
    wall, peak, output = _pytest(args, project, timeout)
    floor_report = json.loads((project / "floor.json").read_text(encoding="utf-8"))
    if _triples(floor_report) != _triples(report):
        raise SystemExit("bench/fleet.py: the floor's report does not hold the suite's results")
    return wall, peak, _outcomes(output)


def _mean(stats: dict[str, Any], key: str, hosts: list[str]) -> float | None:
    counts = stats.get(key) or {}
    values = [counts[h] for h in hosts if h in counts]
    return sum(values) / len(values) if values else None


def measure_size(hosts: int, args: argparse.Namespace, folder: Path,
                 on_report: Callable[[Row], Row] | None = None) -> Row:
    """One row: the suite over a mixed fleet of ``hosts``, and its floor, measured now."""
    mix, profile_args = MIXES[args.mix]
    extra = profile_args + shlex.split(args.pytest_args)
    counts = mix_counts(hosts, mix)
    row: Row = {"hosts": hosts, "tests": hosts * RULES, "mix": counts, "pytest_args": args.pytest_args}
    emulator = Emulator(counts, args.latency_ms, folder, f"{hosts}-suite")
    try:
        hosts_file = emulator.shuffled_hosts_file(seed=hosts)
        row["wall_s"], peak, report, output = run_suite(hosts_file, folder / f"suite-{hosts}", extra, args.timeout)
        check_results(report, emulator)
    finally:
        stats = emulator.stop()
    row["outcomes"] = _outcomes(output)
    row["tests"] = sum(row["outcomes"].values())  # auto: every profile's rules for each host
    row["peak_rss_mib"] = peak / MIB
    answering = [name for name in stats.get("requests_per_host") or {} if not name.startswith(f"{NOT_ANSWERING}-")]
    total = _mean(stats, "requests_per_host", answering)
    wsman = _mean(stats, "wsman_requests_per_host", answering)
    row["requests_per_host"], row["wsman_per_host"] = total, wsman
    row["auth_per_host"] = None if total is None or wsman is None else total - wsman
    row["connections_per_host"] = _mean(stats, "connections_per_host", answering)
    row["peak_connections"] = stats.get("peak_connections")
    row["html_report"] = str(folder / f"suite-{hosts}" / "readiness.html")
    row["html_mib"] = Path(row["html_report"]).stat().st_size / MIB

    # The floor prints what the suite prints: beyond AUTO_FLEET_FROM hosts the suite's terminal is
    # its fleet table without pytest's FAILURES tracebacks, so the floor's is without them too.
    floor_extra = extra + (["--tb=no"] if hosts > AUTO_FLEET_FROM and not any(a.startswith("--tb") for a in extra)
                           else [])
    row["floor_pytest_s"], floor_peak, floor_outcomes = run_floor_pytest(report, folder / f"floor-{hosts}",
                                                                         floor_extra, args.timeout)
    if floor_outcomes != row["outcomes"]:
        raise SystemExit(f"bench/fleet.py: the floor's outcomes {floor_outcomes} are not the suite's {row['outcomes']}")
    row["floor_html_report"] = str(folder / f"floor-{hosts}" / "floor.html")
    row["floor_peak_rss_mib"] = floor_peak / MIB
    live = hosts - counts.get(NOT_ANSWERING, 0)
    concurrency = plan_concurrency(hosts, None).bound
    row["concurrency"] = concurrency
    cycles = Emulator({"healthy": live}, args.latency_ms, folder, f"{hosts}-floor")
    try:
        # The faster of the suite's concurrency and the old default's: many threads can cost CPython
        # more than they save (GIL hand-offs), and the floor is the least any client must pay.
        tried = {c: shell_cycles(cycles.urls(), "vagrant", PASSWORD, c)
                 for c in sorted({min(live, concurrency), min(live, OLD_DEFAULT_CONCURRENCY)})}
        row["floor_winrm_concurrency"], row["floor_winrm_s"] = min(tried.items(), key=lambda t: t[1])
        row["floor_winrm_tried"] = tried
    finally:
        cycles.stop()
    row["floor_wait_s"] = CONNECT_TIMEOUT_S
    row["floor_s"] = row["floor_pytest_s"] + row["floor_winrm_s"] + row["floor_wait_s"]
    row["floor_ratio"] = row["wall_s"] / row["floor_s"]

    row["old_default_s"] = row["old_default_ratio"] = None
    if hosts <= args.compare_up_to:
        emulator = Emulator(counts, args.latency_ms, folder, f"{hosts}-old")
        try:
            old = [*extra, "--probe-concurrency", str(OLD_DEFAULT_CONCURRENCY)]
            row["old_default_s"], _, old_report, _ = run_suite(emulator.shuffled_hosts_file(seed=hosts),
                                                               folder / f"old-{hosts}", old, args.timeout)
            check_results(old_report, emulator)
        finally:
            emulator.stop()
        row["old_default_ratio"] = row["old_default_s"] / row["floor_s"]
    if hosts in args.report_load:
        row.update(report_load(row))
    if on_report is not None:
        row.update(on_report(row))
    return row


def report_load(row: Row) -> Row:
    """The suite's HTML report of this run against plain pytest-html's page of the same results
    (a pytest project without the suite's plugins, one test per result with its outcome and
    message: bench/report_load.py), each loaded in headless Chromium."""
    from bench.report_load import TARGET, load_time, render_plain

    report = json.loads(Path(row["html_report"]).with_name("readiness.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="fleet-load-") as scratch:
        page = render_plain(report, Path(scratch) / "plain")
        suite = load_time(Path(row["html_report"]), Path(scratch) / "suite-profile")
        plain = load_time(page, Path(scratch) / "plain-profile")
        plain_mib = page.stat().st_size / MIB
    return {"report_load_s": suite["seconds"], "plain_load_s": plain["seconds"], "floor_html_mib": plain_mib,
            "report_load_ratio": suite["seconds"] / plain["seconds"], "report_load_target": TARGET}


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


HEADER = (f"{'hosts':>5} {'tests':>6} {'wall s':>7} {'peak MiB':>8} {'req/host':>8} {'auth':>4} {'ws-man':>6} "
          f"{'at once':>7} {'floor s':>7} {'(pytest':>7} {'winrm':>6} {'wait)':>5} {'x floor':>7} "
          f"{'32: s':>6} {'x floor':>7}")


def format_row(row: Row) -> str:
    return (f"{row['hosts']:>5} {row['tests']:>6} {row['wall_s']:>7.1f} {row['peak_rss_mib']:>8.0f} "
            f"{_fmt(row['requests_per_host'], '.1f'):>8} {_fmt(row['auth_per_host'], '.1f'):>4} "
            f"{_fmt(row['wsman_per_host'], '.1f'):>6} {_fmt(row['peak_connections'], 'd'):>7} "
            f"{row['floor_s']:>7.1f} {row['floor_pytest_s']:>7.1f} {row['floor_winrm_s']:>6.1f} "
            f"{row['floor_wait_s']:>5.0f} {row['floor_ratio']:>7.2f} "
            f"{_fmt(row['old_default_s'], '.1f'):>6} {_fmt(row['old_default_ratio'], '.2f'):>7}")


def verdicts(rows: list[Row]) -> list[str]:
    """The targets, each with what this run measured (printed, not asserted)."""
    by_size = {row["hosts"]: row for row in rows}
    lines = []
    target = by_size.get(1000) or (by_size.get(max(by_size)) if by_size else None)
    if target is not None:
        lines.append(f"{target['hosts']} hosts: {target['floor_ratio']:.2f} x the floor "
                     f"(target <= {TARGETS['floor_ratio']})")
        lines.append(f"{target['hosts']} hosts: peak memory {target['peak_rss_mib']:.0f} MiB "
                     f"(target < {TARGETS['peak_rss_mib']} MiB)")
    for row in rows:
        if "report_load_ratio" in row:
            lines.append(f"{row['hosts']} hosts: the HTML report ({row['html_mib']:.1f} MiB) loads in "
                         f"{row['report_load_s']:.1f} s, plain pytest-html's of the same results "
                         f"({row['floor_html_mib']:.1f} MiB) in {row['plain_load_s']:.1f} s: "
                         f"{row['report_load_ratio']:.2f} x (target <= {row['report_load_target']})")
    worst = max((row["wsman_per_host"] or 0 for row in rows), default=0)
    lines.append(f"WS-Man requests per answering host besides authentication: {worst:g} "
                 f"(target <= {TARGETS['wsman_per_host']})")
    return lines


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of host counts") from None
    if not sizes or any(n < 10 or n > 10000 for n in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: each size must be 10 to 10000 hosts")
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


def main(argv: list[str] | None = None, on_report: Callable[[Row], Row] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/fleet.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[100, 1000, 5000], help="host counts (default 100,1000,5000)")
    parser.add_argument("--latency-ms", type=float, default=50, help="emulator delay per request (default 50)")
    parser.add_argument("--compare-up-to", type=_count, default=100, metavar="N",
                        help=f"also run the suite at the old default, --probe-concurrency {OLD_DEFAULT_CONCURRENCY}, "
                             f"up to N hosts (default 100)")
    parser.add_argument("--pytest-args", default="", metavar="ARGS",
                        help="more pytest arguments for the suite and the floor alike, e.g. \"-n 2\"")
    parser.add_argument("--timeout", type=_positive, default=1800,
                        help="bound of each pytest run, whole seconds (default 1800)")
    parser.add_argument("--report-load", type=_sizes, default=[1000], metavar="SIZES",
                        help="load the suite's HTML report and plain pytest-html's in headless Chromium at "
                             "these sizes (default 1000)")
    parser.add_argument("--mix", choices=sorted(MIXES), default="default",
                        help="the fleet: 'default' (on-premises Update Management hosts) or 'auto' (Azure VMs, "
                             "Arc-enabled servers and old-agent machines, with --readiness-profile auto)")
    parser.add_argument("--output", metavar="PATH", help="also write the rows and the machine as JSON")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    rows = []
    print(f"mix: {', '.join(f'{share} % {name}' for name, share in MIXES[args.mix][0])} "
          f"{' '.join(MIXES[args.mix][1])}; {args.latency_ms:g} ms per request; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as folder:
        for hosts in args.sizes:
            row = measure_size(hosts, args, Path(folder), on_report)
            row["load_average_after"] = os.getloadavg()[0]
            rows.append(row)
            print(format_row(row), flush=True)
            if args.output:  # after each size: a long run stopped later keeps what it measured
                _write(args.output, args.latency_ms, rows, args.mix)
    print(f"(cpus: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}; x floor = suite wall / (floor pytest "
          f"+ bare pywinrm cycles + one {CONNECT_TIMEOUT_S:g} s connect timeout); at once = most WinRM connections "
          f"open together; 32 = the suite at --probe-concurrency {OLD_DEFAULT_CONCURRENCY}, the old default)")
    for line in verdicts(rows):
        print(line)
    return 0


def _write(path: str, latency_ms: float, rows: list[Row], mix: str = "default") -> None:
    data = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "latency_ms": latency_ms, "mix": dict(MIXES[mix][0]), "targets": TARGETS, "rows": rows}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
