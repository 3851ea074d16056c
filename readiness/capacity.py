"""How many hosts to probe at once: all of them, within what the runner can hold open.

A probe mostly waits: on the host's network tests (the IMDS test alone waits ``--connect-timeout``
on every machine outside Azure), on a host that drops the connection attempt, on 50 ms links.
A waiting probe costs the runner a thread and a socket, not CPU, so the hosts are probed all at
once, up to the first of these bounds:

- ``AUTO_CEILING`` (1,024) probes: at about 45 ms of runner CPU per host, 1,024 probes in flight
  keep the runner busy even when each waits 30 s (Little's law: 1,024 / 30 s = 34 hosts a second,
  more than one core checks), and cap the threads and their memory;
- open files: each probe holds ``FDS_PER_PROBE`` descriptors; the soft ``RLIMIT_NOFILE`` is raised
  toward its hard limit for the probes (as the Go runtime does for every program since Go 1.19),
  and what is left after the descriptors open now and ``FD_RESERVE`` bounds the probes;
- memory: ``PROBE_BYTES`` per probe in flight, within half of the memory available (the
  cgroup's limit when there is one).

``--probe-concurrency N`` replaces the ceiling; the open files still bound it, and the report
header says when they do.

>>> plan = plan_concurrency(hosts=10, asked=None, limits=Limits(open_files=1024, open_now=20,
...                                                             available_bytes=2**30))
>>> plan.bound, plan.limited_by
(10, 'hosts')
>>> plan_concurrency(5000, None, Limits(open_files=1024, open_now=24, available_bytes=2**33)).describe()
'468 at once (auto; bounded by open files: RLIMIT_NOFILE 1024, 2 per probe)'
"""

from __future__ import annotations

import contextlib
import dataclasses
import os

AUTO_CEILING = 1024
# The WinRM connection (one keep-alive connection per host), plus one held for a moment (a
# Kerberos exchange with the KDC, a DNS lookup, a capture file being read).
FDS_PER_PROBE = 2
# pytest, its report files, the interpreter's own, an xdist channel, the probe's certificates.
FD_RESERVE = 64
# Runner memory per probe in flight: a thread (its stack is touched, not reserved, about 100 KiB),
# pywinrm's session and NTLM context, and the probe's answer (under 100 KiB for a typical host;
# a host that answers without end is cut at the per-host bounds of readiness.connection).
PROBE_BYTES = 1 * 2**20


@dataclasses.dataclass(frozen=True)
class Limits:
    """What the runner allows: open files (soft limit) and open now, memory available (bytes)."""

    open_files: int | None
    open_now: int
    available_bytes: int | None


@dataclasses.dataclass(frozen=True)
class Plan:
    bound: int
    limited_by: str  # "hosts", "asked", "auto ceiling", "open files", "memory"
    asked: int | None
    limits: Limits

    def describe(self) -> str:
        """For the report header: the bound, and what set it when it was not the hosts or the option."""
        how = "auto" if self.asked is None else f"--probe-concurrency {self.asked}"
        why = ""
        if self.limited_by == "open files":
            why = f"; bounded by open files: RLIMIT_NOFILE {self.limits.open_files}, {FDS_PER_PROBE} per probe"
        elif self.limited_by == "memory":
            why = f"; bounded by memory: {(self.limits.available_bytes or 0) // 2**20} MiB available"
        elif self.limited_by == "auto ceiling":
            why = f"; at most {AUTO_CEILING} without --probe-concurrency"
        return f"{self.bound} at once ({how}{why})"


def _open_now() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return FD_RESERVE


def _meminfo_available() -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def _cgroup_available() -> int | None:
    """What the process's cgroup (v2) still allows, or None without a limit."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/cgroup", encoding="ascii") as handle:
            path = next(line.split(":", 2)[2].strip() for line in handle if line.startswith("0::"))
        folder = f"/sys/fs/cgroup{path}"
        with open(f"{folder}/memory.max", encoding="ascii") as handle:
            limit = handle.read().strip()
        if limit == "max":
            return None
        with open(f"{folder}/memory.current", encoding="ascii") as handle:
            return max(0, int(limit) - int(handle.read()))
    return None


def raise_open_files(wanted: int) -> int | None:
    """Raise the soft RLIMIT_NOFILE toward ``wanted`` (never above the hard limit, never lower);
    the soft limit now, or None where there is none (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return None
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return int(soft)


def runner_limits(wanted_files: int) -> Limits:
    """The runner's limits now, the open-file limit raised toward ``wanted_files`` first."""
    open_files = raise_open_files(wanted_files)
    available = [a for a in (_meminfo_available(), _cgroup_available()) if a is not None]
    return Limits(open_files, _open_now(), min(available) if available else None)


def plan_concurrency(hosts: int, asked: int | None, limits: Limits | None = None) -> Plan:
    """The probes to run at once for ``hosts`` hosts; ``asked``: ``--probe-concurrency``, if given."""
    hosts = max(1, hosts)
    want = min(hosts, asked if asked is not None else AUTO_CEILING)
    if limits is None:
        limits = runner_limits(_open_now() + FD_RESERVE + want * FDS_PER_PROBE)
    bounds = [(hosts, "hosts"), (asked, "asked") if asked is not None else (AUTO_CEILING, "auto ceiling")]
    if limits.open_files is not None:
        bounds.append(((limits.open_files - limits.open_now - FD_RESERVE) // FDS_PER_PROBE, "open files"))
    if limits.available_bytes is not None and asked is None:
        bounds.append((limits.available_bytes // 2 // PROBE_BYTES, "memory"))
    bound, limited_by = min(bounds, key=lambda b: b[0])
    return Plan(max(1, bound), limited_by, asked, limits)
