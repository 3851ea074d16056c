"""Run a command as a child process and measure it: wall time and peak memory of its process tree.

Peak memory is the larger of two readings: the sum of the resident set sizes of the child and
all its descendants (xdist workers included), sampled from ``/proc`` every 0.1 s, and the child's
own ``ru_maxrss`` from ``wait4`` (exact, but the peak of one process, not of the tree).

    >>> import sys
    >>> run = measure([sys.executable, "-c", "print('hi')"], timeout=30)
    >>> run.returncode, run.output.strip(), run.wall_s < 30
    (0, 'hi', True)
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclasses.dataclass(frozen=True)
class Measured:
    """What one run of a command took."""

    returncode: int
    wall_s: float
    peak_rss: int  # bytes
    output: str  # stdout and stderr, interleaved


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants now (0 once it is gone)."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo += tree.get(current, [])
    return total


def measure(command: Sequence[str], cwd: str | None = None, env: Mapping[str, str] | None = None,
            timeout: float = 600) -> Measured:
    """Run ``command`` to its end (killed after ``timeout`` seconds); see the module docstring."""
    with tempfile.TemporaryFile() as output:
        started = time.monotonic()
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env is not None else None,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        peak = 0
        finished = threading.Event()
        result: list[tuple[int, int, object]] = []

        def reap() -> None:
            result.append(os.wait4(process.pid, 0))
            finished.set()

        reaper = threading.Thread(target=reap, daemon=True)
        reaper.start()
        while not finished.wait(0.1):
            peak = max(peak, tree_rss(process.pid))
            if time.monotonic() - started > timeout:
                os.killpg(process.pid, 9)
                finished.wait(30)
                break
        wall = time.monotonic() - started
        process.returncode = -9  # reaped by wait4 above; keep Popen from waiting again
        if not result:
            raise RuntimeError(f"{command[0]} did not end after being killed")
        _, status, usage = result[0]
        returncode = os.waitstatus_to_exitcode(status)
        if wall > timeout:
            returncode = -9
        peak = max(peak, usage.ru_maxrss * 1024)  # type: ignore[attr-defined]
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return Measured(returncode, wall, peak, text)
