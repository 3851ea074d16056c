"""Peak memory of the suite when a host answers without end, against a normal host, same run.

The emulator (its own process) serves three healthy hosts: one normal, one whose probe writes
without end (``probe_flood``, up to 512 MiB) and one whose every WS-Management answer is a
512 MiB HTTP body (``huge_response``). The suite runs once per host; this prints each run's
wall time and the peak memory of its pytest process tree, and the ratio to the normal run.
With the output cap (32 MiB of a command's output, 48 MiB of one HTTP body) the hostile hosts
end ``ProbeError`` and the suite's peak stays within a small multiple of a normal run.

    .venv/bin/python bench/huge_answer.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import measure  # noqa: E402
from fixtures.emulator import free_base_address  # noqa: E402

SCENARIO = ROOT / "fixtures" / "hosts" / "healthy.yaml"
MIB = 1024 * 1024
CASES = {"healthy-0001": "normal", "healthy-0002": "probe_flood", "healthy-0003": "huge_response"}


def _reasons(report: Path) -> str:
    """The last part of each message id in a run's JSON report (Passed, ProbeError...)."""
    if not report.exists():
        return "no report"
    hosts = json.loads(report.read_text(encoding="utf-8"))["hosts"]
    return ",".join(sorted({r["CheckResultMessageId"].split(".", 2)[-1] for h in hosts for r in h["results"]}))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="huge-answer-") as tmp:
        folder = Path(tmp)
        hosts_file = folder / "hosts.txt"
        base = free_base_address(count=3)
        emulator = subprocess.Popen(
            [sys.executable, "-m", "fixtures.emulator", "--scenario", str(SCENARIO), "--fleet", "3",
             "--base-address", base, "--hosts-file", str(hosts_file),
             "--fault", "healthy-0002=probe_flood", "--fault", "healthy-0003=huge_response"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not (hosts_file.exists() and hosts_file.stat().st_size):
                if emulator.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("bench/huge_answer.py: the emulator did not start")
                time.sleep(0.05)
            lines = hosts_file.read_text(encoding="utf-8").split()
            rows = []
            for index, (_name, case) in enumerate(CASES.items()):
                report = folder / f"{case}.json"
                run = measure([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(ROOT / "tests_readiness"),
                               f"--rootdir={ROOT}", f"--hosts={lines[index]}", f"--readiness-json={report}",
                               f"--html={folder / f'{case}.html'}", "--connect-timeout", "1"],
                              cwd=str(folder), env=dict(os.environ, READINESS_WINRM_PASSWORD="vagrant"), timeout=600)
                if run.returncode not in (0, 1):
                    raise SystemExit(f"bench/huge_answer.py: pytest exited {run.returncode}:\n{run.output[-2000:]}")
                rows.append((case, run.wall_s, run.peak_rss / MIB, _reasons(report)))
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)
    normal = rows[0][2]
    print(f"{'host':<14} {'wall s':>7} {'peak MiB':>9} {'x normal':>9}  results")
    for case, wall, peak, ids in rows:
        print(f"{case:<14} {wall:>7.1f} {peak:>9.0f} {peak / normal:>9.2f}  {ids}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
