"""WinRM probes in a process of their own, beside pytest's.

A probe mostly waits, but what it does between waits is CPU work: NTLM, WS-Management's XML, the
probe document's validation. On threads of pytest's own process that work takes the interpreter
lock from pytest's main thread, which runs the rules and writes the reports: at a thousand hosts
the two queue behind each other on one core while the runner's other cores idle. Here the probes
run on threads of a child process (``python -m readiness.probe_process``), and pytest's process
only receives each host's :class:`~readiness.probe_pool.HostProbe`, facts already validated.

The parent and the child speak over two pipes, in ``multiprocessing.connection`` frames of
pickled objects the suite's own code builds (a host's spec and settings one way; a host's probe,
or the text of an error, the other way). What a host answers never becomes a pickle of its own:
it reaches the parent as the values of a parsed, validated document, so a hostile host cannot
make the parent unpickle anything the child did not build. Each host's password is resolved in
the parent (the URL's, ``--winrm-password-file``'s, ``READINESS_WINRM_PASSWORD``'s) and travels
inside its spec over pipes only the two processes hold: never on the child's command line, and
the child's environment is the parent's without ``READINESS_WINRM_PASSWORD``.

If the child cannot be started, :class:`ProbeProcessError` says why (the pool then probes on
threads). If it dies, each host it had not answered gets a probe that failed with ``SuiteError``
(an error of the suite, not a fault of the host), as any host that could not be checked: never a
Passed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import functools
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.hosts import PASSWORD_ENV, HostSpec, password_for

if TYPE_CHECKING:
    from readiness.probe_pool import HostProbe, ProbeSettings

# Messages, parent to child: (SETTINGS, number, settings), once for each settings the hosts have
# (one per readiness profile), then (PROBE, [(key, spec, number), ...], level) for the hosts
# submitted since the last such message, with the level of the log records pytest's process
# records at that moment (its logging plugin sets it around collection and each test), and
# (CLOSE,) at the end.
# Child to parent: (DONE, key, probe), (ERROR, key, text), (DEGRADED, text), (LOG, record's fields).
SETTINGS, PROBE, CLOSE, DONE, ERROR, DEGRADED, LOG = "settings", "probe", "close", "done", "error", "degraded", "log"

# The reason of the suite's own error, not the host's (``<RuleId>.Failed.SuiteError``): a rule that
# broke (readiness.plugin), or a probe process that died before it answered for a host.
SUITE_ERROR = "SuiteError"

# With ``--probe-process auto``: a probe process when at least this many WinRM hosts are probed
# here and the runner has a second core for it. Below that the probes' CPU is too little to
# matter, and the process costs its start (half a second of a core) and about 55 MiB: measured on
# 2 cores, 100 hosts took as long either way (7.8 to 8.2 s), 300 hosts 0.4 s less in the probe
# process (12.8 s), 900 hosts 2 to 3 s less (33.4 s against 35.9 s).
AUTO_FROM_HOSTS = 200


class ProbeProcessError(RuntimeError):
    """The probe process failed: could not start, died, or a probe in it raised (a suite bug)."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def wanted(mode: str, winrm_hosts: int, cores: int | None = None) -> bool:
    """Whether to probe in a child process: ``on``, ``off``, or ``auto`` (enough hosts, a second core).

    >>> wanted("auto", 1000, cores=2), wanted("auto", 1000, cores=1), wanted("auto", 100, cores=8)
    (True, False, False)
    >>> wanted("on", 1, cores=1), wanted("off", 1000, cores=8)
    (True, False)
    """
    if mode == "off" or winrm_hosts == 0:
        return False
    if mode == "on":
        return True
    return winrm_hosts >= AUTO_FROM_HOSTS and (cores if cores is not None else usable_cores()) >= 2


class ProbeProcess:
    """The parent's side: start the child, send it hosts, resolve each host's future with its probe."""

    def __init__(self, max_workers: int) -> None:
        self.degraded: str | None = None
        self._futures: dict[int, tuple[HostSpec, concurrent.futures.Future[Any]]] = {}
        self._next_key = 0
        self._lock = threading.Lock()
        self._closed = False
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # What the child writes on stderr (an import error, a crash): kept, to say why it died.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- open as long as the child runs
        package_root = str(Path(__file__).resolve().parent.parent)
        # Not the password's variable: each host's password is resolved here and sent with it.
        env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "readiness.probe_process", str(to_child_r), str(from_child_w),
                 str(max(1, max_workers))],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
                pass_fds=(to_child_r, from_child_w), env=env, close_fds=True)
        except OSError as exc:
            for fd in (to_child_r, to_child_w, from_child_r, from_child_w):
                os.close(fd)
            self._stderr.close()
            raise ProbeProcessError(f"cannot start the probe process: {exc}") from exc
        os.close(to_child_r)
        os.close(from_child_w)
        self._to_child = Connection(to_child_w, readable=False)
        self._from_child = Connection(from_child_r, writable=False)
        # Hosts go to the child from a thread of their own, in batches: whoever submits a host
        # (pytest's main thread, a thousand at once) never waits on the pipe.
        self._outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._settings_numbers: dict[int, tuple[int, Any]] = {}
        self._reader = threading.Thread(target=self._read, name="readiness-probe-process-reader", daemon=True)
        self._writer = threading.Thread(target=self._write, name="readiness-probe-process-writer", daemon=True)
        self._reader.start()
        self._writer.start()

    def submit(self, spec: HostSpec, settings: ProbeSettings) -> concurrent.futures.Future[HostProbe]:
        future: concurrent.futures.Future[HostProbe] = concurrent.futures.Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            if self._closed:
                future.set_result(_failed(spec, self._gone_message()))
                return future
            key = self._next_key
            self._next_key += 1
            self._futures[key] = (spec, future)
            # The same settings object (one per profile) is sent once, then named by its number.
            known = self._settings_numbers.get(id(settings))
            if known is None or known[1] is not settings:
                known = self._settings_numbers[id(settings)] = (len(self._settings_numbers), settings)
                self._outbox.put((SETTINGS, known[0], settings))
        # The password as a probe in this process would find it (the URL's, the file's, the
        # environment's): the child's environment does not hold it.
        sent = dataclasses.replace(spec, password=password_for(spec, settings.winrm.password))
        self._outbox.put((PROBE, key, sent, known[0], logging.getLogger().getEffectiveLevel()))
        return future

    def _write(self) -> None:
        while True:
            message = self._outbox.get()
            if message is None:
                return
            batch: list[tuple[int, HostSpec, int]] = []
            level = logging.WARNING
            try:
                while message is not None:
                    if message[0] == PROBE:
                        batch.append(message[1:4])
                        level = message[4]
                    else:
                        if batch:
                            self._to_child.send((PROBE, batch, level))
                            batch = []
                        self._to_child.send(message)
                    try:
                        message = self._outbox.get_nowait()
                    except queue.Empty:
                        break
                if batch:
                    self._to_child.send((PROBE, batch, level))
            except (OSError, EOFError, ValueError):  # the child is gone: the reader fails every host
                return
            if message is None:
                return

    def _read(self) -> None:
        try:
            while True:
                message = self._from_child.recv()
                kind = message[0]
                if kind == LOG:
                    _log_here(message[1])
                    continue
                if kind == DEGRADED:
                    self.degraded = message[1]
                    continue
                with self._lock:
                    pending = self._futures.pop(message[1], None)
                if pending is None:
                    continue
                spec, future = pending
                if kind == DONE:  # with the host as submitted (its password as it was given)
                    future.set_result(dataclasses.replace(message[2], spec=spec))
                else:
                    future.set_exception(ProbeProcessError(f"a probe failed in the probe process: {message[2]}"))
        except (EOFError, OSError):  # the child closed its end: it ended, or is ending
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=2)
        except Exception as exc:  # noqa: BLE001 -- a frame that does not unpickle: every waiting host learns why
            self._fail_all(f"the probe process sent what could not be read: {type(exc).__name__}: {exc}")
            return
        self._fail_all(self._gone_message())

    def _fail_all(self, why: str) -> None:
        with self._lock:
            self._closed = True
            pending, self._futures = self._futures, {}
        for spec, future in pending.values():
            future.set_result(_failed(spec, why))

    def _gone_message(self) -> str:
        code = self._process.poll()
        said = ""
        try:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", errors="replace").strip().splitlines()
            said = f": {lines[-1]}" if lines else ""
        except (OSError, ValueError):
            pass
        if code is None:
            return f"the probe process stopped answering{said}"
        return f"the probe process exited with code {code}{said}"

    def shutdown(self) -> None:
        """Probe no more hosts; the child ends (probes in flight are abandoned, as threads' would be)."""
        with self._lock:
            if self._closed and self._process.poll() is not None:
                return
            self._closed = True
        self._outbox.put((CLOSE,))
        self._outbox.put(None)
        self._writer.join(timeout=5)
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._to_child.close()
        self._reader.join(timeout=5)
        self._from_child.close()
        self._stderr.close()


def _failed(spec: HostSpec, why: str) -> HostProbe:
    """The probe of a host the probe process did not answer: Failed with ``SuiteError``."""
    from readiness.probe_pool import HostFailure, HostProbe

    return HostProbe(spec, "windows", failure=HostFailure(SUITE_ERROR, f"{why} (an error of the suite, not of the host)"))


def _log_here(fields: dict[str, Any]) -> None:
    """A log record of the probe process, handled in this one as if made here (pytest's log
    capture, ``--log-file``, ``--log-cli-level``), within this process's logger levels."""
    record = logging.makeLogRecord(fields)
    logger = logging.getLogger(record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)


class _ForwardLogs(logging.Handler):
    """In the probe process: every record, its message made (and its tokens withheld, by the
    record factory of :mod:`readiness.redact`), to the parent, which handles it as its own."""

    _formatter = logging.Formatter()

    def __init__(self, send: Any) -> None:
        super().__init__()
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = {k: v for k, v in vars(record).items()
                      if isinstance(v, (str, int, float, bool, type(None))) and k not in ("msg", "args", "exc_text")}
            fields["msg"] = record.getMessage()
            if record.exc_info:
                fields["exc_text"] = self._formatter.formatException(record.exc_info)
            self._send((LOG, fields))
        except (OSError, EOFError):
            pass  # the parent is gone: the process ends at its next answer
        except Exception:  # noqa: BLE001 -- as logging does: a record that cannot be sent is reported, not raised
            self.handleError(record)


def _serve(read_fd: int, write_fd: int, max_workers: int) -> None:
    """The child: probe each host it is sent on a :class:`ProbePool`, send back each probe as it ends."""
    from readiness import redact
    from readiness.probe_pool import ProbePool, ProbeSettings

    redact.install()  # as in pytest's process: no authentication token reaches a log
    # Ctrl-C at the terminal reaches the whole process group: pytest's process decides what an
    # interrupted run reports, and ends this one (CLOSE, or the pipe's end when it is gone).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    receive = Connection(read_fd, writable=False)
    send_to = Connection(write_fd, readable=False)
    send_lock = threading.Lock()
    settings_by_number: dict[int, Any] = {}
    settings_of: dict[str, Any] = {}
    pool = ProbePool(ProbeSettings(), max_workers=max_workers, settings_for=lambda spec: settings_of[spec.display])
    told_degraded = False

    def send(message: tuple[Any, ...]) -> None:
        with send_lock:
            send_to.send(message)

    root = logging.getLogger()
    root.addHandler(_ForwardLogs(send))

    def answer(key: int, future: concurrent.futures.Future[Any]) -> None:
        nonlocal told_degraded
        if future.cancelled():
            return
        error = future.exception()
        try:
            if error is None:
                send((DONE, key, future.result()))
            else:
                text = "".join(traceback.format_exception_only(type(error), error)).strip()
                send((ERROR, key, text))
            if pool.degraded and not told_degraded:
                told_degraded = True
                send((DEGRADED, pool.degraded))
        except (OSError, EOFError):  # the parent is gone
            os._exit(0)

    while True:
        try:
            message = receive.recv()
        except (EOFError, OSError):
            break
        if message[0] == CLOSE:
            break
        if message[0] == SETTINGS:
            settings_by_number[message[1]] = message[2]
            continue
        root.setLevel(message[2])  # what pytest's process records (its --log-level, --log-file-level...)
        for key, spec, number in message[1]:
            settings_of[spec.display] = settings_by_number[number]
            pool.submit(spec).add_done_callback(functools.partial(answer, key))
    pool.shutdown()
    # Probes in flight are abandoned: their threads are daemons, and nothing waits for them.
    os._exit(0)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
