"""What a probe in flight costs the runner: threads, open files and memory per waiting host.

The emulator (its own process) serves N on-premises hosts whose probes each wait ``--wait``
seconds (the IMDS connect timeout); this process probes them all at once on the suite's pool and
reads its own threads, open file descriptors and resident memory from
``/proc``, from the first submit to the last result. Printed: the growth at the peak, and per probe
in flight, which readiness/capacity.py's ``FDS_PER_PROBE`` and ``PROBE_BYTES`` must cover.

    .venv/bin/python bench/probe_costs.py                # 200 and 1000 hosts
    .venv/bin/python bench/probe_costs.py --hosts 2000 --wait 10
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fleet import PASSWORD, Emulator  # noqa: E402
from readiness.capacity import FDS_PER_PROBE, PROBE_BYTES, plan_concurrency  # noqa: E402
from readiness.connection import WinRMOptions  # noqa: E402
from readiness.endpoints import Endpoints, probe_input  # noqa: E402
from readiness.hosts import parse_host  # noqa: E402
from readiness.probe_pool import ProbePool, ProbeSettings  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 2**20


def sample() -> tuple[int, int, int]:
    """(threads, open file descriptors, resident bytes) of this process now."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        rss = int(handle.read().split()[1]) * PAGE
    return threading.active_count(), len(os.listdir("/proc/self/fd")), rss


def measure(hosts: int, wait_s: float, folder: Path) -> dict[str, float]:
    emulator = Emulator({"on-premises": hosts}, 0, folder, f"costs-{hosts}")
    try:
        os.environ["READINESS_WINRM_PASSWORD"] = PASSWORD
        specs = [parse_host(line) for line in emulator.lines]
        settings = ProbeSettings(winrm=WinRMOptions(), probe_input=probe_input(Endpoints.for_location(None),
                                                                               int(wait_s * 1000)))
        plan = plan_concurrency(hosts, None)
        pool = ProbePool(settings, plan.bound)
        threads0, fds0, rss0 = sample()
        peak = [threads0, fds0, rss0]
        done = threading.Event()

        def watch() -> None:  # from before the first submit to the last result: the peak is while they wait
            while not done.wait(0.05):
                peak[:] = [max(a, b) for a, b in zip(peak, sample(), strict=True)]

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        for spec in specs:
            pool.submit(spec)
        failed = [r.failure for r in (pool.result(s) for s in specs) if r.failure is not None]
        done.set()
        watcher.join()
        elapsed = time.monotonic() - started
    finally:
        emulator.stop()
    if failed:
        raise SystemExit(f"bench/probe_costs.py: {len(failed)} probe(s) failed, e.g. {failed[0]}")
    in_flight = max(1, peak[0] - threads0 - 1)  # the probe threads alive at once (the watcher apart)
    return {"hosts": hosts, "bound": plan.bound, "elapsed_s": elapsed, "threads": in_flight,
            "fds": peak[1] - fds0, "rss_mib": (peak[2] - rss0) / MIB,
            "fds_per_probe": (peak[1] - fds0) / in_flight, "kib_per_probe": (peak[2] - rss0) / in_flight / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/probe_costs.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hosts", type=lambda t: [int(n) for n in t.split(",")], default=[200, 1000],
                        help="host counts (default 200,1000)")
    parser.add_argument("--wait", type=float, default=8.0, help="seconds each probe waits on its host (default 8)")
    args = parser.parse_args(argv)
    print(f"{'hosts':>5} {'bound':>5} {'s':>5} {'threads':>7} {'fds':>5} {'MiB':>6} {'fds/probe':>9} {'KiB/probe':>9}")
    with tempfile.TemporaryDirectory(prefix="probe-costs-") as folder:
        for hosts in args.hosts:
            r = measure(hosts, args.wait, Path(folder))
            print(f"{r['hosts']:>5} {r['bound']:>5} {r['elapsed_s']:>5.1f} {r['threads']:>7} {r['fds']:>5} "
                  f"{r['rss_mib']:>6.1f} {r['fds_per_probe']:>9.2f} {r['kib_per_probe']:>9.0f}", flush=True)
    print(f"(planned: {FDS_PER_PROBE} fds and {PROBE_BYTES // 1024} KiB per probe in flight; the memory counts "
          f"what the probes in flight hold while they wait, before their facts are parsed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
