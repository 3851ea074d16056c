"""One probe per host, many hosts at once: from a host to its facts, or to why not.

A host whose facts cannot be gathered gets a :class:`HostFailure` with a reason id (the last
part of the message id every rule then reports, e.g. ``OperatingSystemCheck.Failed.AccessDenied``)
and a one-line message naming the host and the cause. Nothing here passes by default.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import errno
import json
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable

import requests.exceptions
from winrm.exceptions import InvalidCredentialsError, WinRMError, WinRMTransportError, WSManFaultError

from readiness import probe as probe_transport
from readiness.connection import CommandTimeout, OutputTooLarge, WinRMBackend, WinRMOptions, system_trust_store
from readiness.hosts import HostSpec
from readiness.kerberos import KerberosError
from readiness.probe_process import ProbeProcess, ProbeProcessError

# Reasons, as they appear in message ids.
HOST_UNREACHABLE = "HostUnreachable"
TIMEOUT = "Timeout"
CONNECTION_LOST = "ConnectionLost"
TLS_ERROR = "TlsError"
ACCESS_DENIED = "AccessDenied"
WINRM_FAULT = "WinRMFault"
PROBE_ERROR = "ProbeError"
HOST_ERROR = "HostError"


@dataclasses.dataclass(frozen=True)
class HostFailure:
    """Why a host could not be checked."""

    reason: str
    message: str
    # The host cannot be reached *yet* (refused, no route, connect timeout, reset, HTTP 503): what
    # a machine that is still booting shows, and what --wait-for-hosts tries again.
    transient: bool = False


@dataclasses.dataclass(frozen=True)
class HostProbe:
    """What one probe of one host gave: facts, a failure, or another platform."""

    spec: HostSpec
    platform: str  # "windows" for WinRM hosts; testinfra's system type otherwise
    facts: object | None = None  # readiness.facts.Facts
    failure: HostFailure | None = None
    # With --wait-for-hosts: how many probes were made, and the seconds from the first one's start
    # to the last one's end; None without the option (one probe, as always).
    tries: int | None = None
    seconds: float | None = None


@dataclasses.dataclass(frozen=True)
class ProbeSettings:
    winrm: WinRMOptions = WinRMOptions()
    probe_input: probe_transport.ProbeInput = probe_transport.ProbeInput()
    probe_timeout_sec: float = 120.0
    # --wait-for-hosts: the seconds given, and the time.monotonic() at which waiting ends (the
    # run's start plus those seconds); None: every host is probed once.
    wait_for_hosts_sec: float | None = None
    wait_until: float | None = None
    # The readiness profile the probe input is for (readiness.profiles; "auto": every profile's facts).
    profile: str = "update-management"


def _chain(exc: BaseException | None) -> Iterable[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        for attr in ("reason", "__cause__", "__context__"):
            nxt = getattr(exc, attr, None)
            if isinstance(nxt, BaseException):
                exc = nxt
                break
        else:
            args = [a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)]
            exc = args[0] if args else None


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def classify(exc: BaseException, spec: HostSpec, settings: ProbeSettings) -> HostFailure:
    """Turn what went wrong talking to a host into a reason and a one-line message."""
    where = f"{spec.hostname}:{spec.port}"
    too_large = next((e for e in _chain(exc) if isinstance(e, OutputTooLarge)), None)
    if too_large is not None:
        return HostFailure(PROBE_ERROR, f"{too_large.who} on {where} {too_large.what}, more than the suite "
                                        f"reads from a host: the probe was abandoned")
    kerberos = next((e for e in _chain(exc) if isinstance(e, KerberosError)), None)
    if kerberos is not None:
        return HostFailure(ACCESS_DENIED, f"Kerberos authentication to {where} failed: {_one_line(str(kerberos))}")
    if isinstance(exc, InvalidCredentialsError):
        return HostFailure(ACCESS_DENIED, f"WinRM on {where} rejected the credentials of user {spec.user!r} "
                                          f"({settings.winrm.transport if not spec.option('transport') else spec.option('transport')})")
    if isinstance(exc, CommandTimeout):
        return HostFailure(TIMEOUT, f"the probe on {where} did not finish within {settings.probe_timeout_sec:g} s")
    if isinstance(exc, WSManFaultError):
        code = exc.wsman_fault_code if exc.wsman_fault_code is not None else exc.code
        return HostFailure(WINRM_FAULT, f"WinRM on {where} answered with a WS-Management fault "
                                        f"(code {code}): {_one_line(exc.reason or '')}")
    if isinstance(exc, WinRMTransportError):
        if exc.code == 401:
            return HostFailure(ACCESS_DENIED, f"WinRM on {where} rejected the credentials of user {spec.user!r} (HTTP 401)")
        if exc.code == 503:
            # HTTP.sys answers 503 "The service is unavailable" while no process serves the URL
            # (Microsoft KB 4050891 shows its page): the WinRM service is not (yet) serving.
            return HostFailure(WINRM_FAULT, f"WinRM on {where} answered HTTP 503 (service unavailable: "
                                            f"the WinRM service is not serving yet)", transient=True)
        return HostFailure(WINRM_FAULT, f"WinRM on {where} answered HTTP {exc.code}")
    chain = list(_chain(exc))
    if any(isinstance(e, (ssl.SSLError, requests.exceptions.SSLError)) for e in chain):
        detail = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
        why = _one_line(detail.verify_message) if detail is not None and detail.verify_message else "TLS handshake failed"
        given = settings.winrm.ca_trust_path
        store = system_trust_store() or "certifi's bundle"
        trust = (f"it does not chain to the CA in --winrm-ca-trust {given}: give the CA that signed it"
                 if given else f"it does not chain to a CA of the system trust store ({store}): give the CA "
                               f"that signed it with --winrm-ca-trust PATH, or add it to the system trust store")
        # Trusting the CA comes first; skipping verification is the last resort, named as such.
        return HostFailure(TLS_ERROR, f"the TLS certificate of {where} is not trusted ({why}): {trust}; "
                                      f"only for a host whose CA cannot be had, skip verification with "
                                      f"?no_verify_ssl=true and --allow-insecure-transport")
    if any(isinstance(e, requests.exceptions.ReadTimeout) for e in chain):
        return HostFailure(TIMEOUT, f"WinRM on {where} accepted the connection but did not answer within "
                                    f"{settings.winrm.read_timeout_sec} s")
    if any(isinstance(e, requests.exceptions.ConnectTimeout) for e in chain):
        connect = min(settings.winrm.connect_timeout_sec, float(spec.option("read_timeout_sec")
                                                                 or settings.winrm.read_timeout_sec))
        return HostFailure(HOST_UNREACHABLE, f"no answer connecting to {where} within {connect:g} s "
                                             f"(--winrm-connect-timeout)", transient=True)
    if any(isinstance(e, (socket.timeout, TimeoutError)) for e in chain):
        return HostFailure(HOST_UNREACHABLE, f"no answer connecting to {where} within {settings.winrm.read_timeout_sec} s",
                           transient=True)
    exhausted = next((e for e in chain if isinstance(e, OSError) and e.errno in (errno.EMFILE, errno.ENFILE)), None)
    if exhausted is not None:  # the runner's limit, not the host's fault: say whose and what to change
        return HostFailure(HOST_ERROR, f"cannot connect to {where}: this runner ran out of open files "
                                       f"({os.strerror(exhausted.errno or 0)}): lower --probe-concurrency "
                                       f"or raise the limit (ulimit -n)")
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return HostFailure(HOST_UNREACHABLE, f"connection to {where} refused (is WinRM listening on that port?)",
                           transient=True)
    if any(isinstance(e, socket.gaierror) for e in chain) or any("NameResolutionError" in type(e).__name__ for e in chain):
        return HostFailure(HOST_UNREACHABLE, f"cannot resolve the host name {spec.hostname!r}")
    if any(isinstance(e, OSError) and e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) for e in chain):
        return HostFailure(HOST_UNREACHABLE, f"no route to {where}", transient=True)
    if any(isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) for e in chain) or any(
            type(e).__name__ in ("RemoteDisconnected", "ProtocolError", "IncompleteRead", "ChunkedEncodingError")
            for e in chain):
        return HostFailure(CONNECTION_LOST, f"the connection to {where} was closed in the middle of a response",
                           transient=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return HostFailure(HOST_UNREACHABLE, f"cannot connect to {where}: {_one_line(type(exc).__name__)}")
    if isinstance(exc, WinRMError):
        return HostFailure(WINRM_FAULT, f"WinRM on {where}: {_one_line(str(exc))}")
    return HostFailure(HOST_ERROR, f"checking {where} failed: {type(exc).__name__}: {_one_line(str(exc))}")


_CLIXML_TEXT = re.compile(r'<S S="Error">(.*?)</S>', re.DOTALL)


def stderr_summary(stderr: bytes) -> str:
    """The first line of what a command wrote on stderr, CLIXML unwrapped."""
    text = stderr.decode("utf-8", errors="replace")
    if text.lstrip().startswith("#< CLIXML"):
        parts = [p.replace("_x000D__x000A_", " ").replace("_x000A_", " ") for p in _CLIXML_TEXT.findall(text)]
        text = " ".join(parts)
    text = re.sub(r"&lt;", "<", re.sub(r"&gt;", ">", re.sub(r"&amp;", "&", text)))
    return _one_line(text, 200) or "(nothing on stderr)"


def truncation(stdout: bytes) -> str | None:
    """Why output that starts as a JSON document is cut short, or None if it is not.

    >>> truncation(b'{"schema": "readiness-pro')
    'probe output is truncated: its JSON ends after 25 bytes, in the middle of the document'
    """
    text = stdout.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    if not text.startswith("{"):
        return None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text) or exc.msg.startswith("Unterminated"):
            return (f"probe output is truncated: its JSON ends after {len(stdout)} bytes, "
                    f"in the middle of the document")
    return None


def probe_winrm(spec: HostSpec, settings: ProbeSettings) -> HostProbe:
    """Open a shell, run the probe with its script on stdin, parse what it prints."""
    from readiness.facts import LanguageModeRefused, ProbeOutputError, parse_probe_output

    started = time.monotonic()
    where = f"{spec.hostname}:{spec.port}"
    backend = None
    try:
        backend = WinRMBackend(spec, settings.winrm)
        stdin = probe_transport.stdin_text(settings.probe_input).encode("ascii")
        rc, out, err = backend.run_with_stdin(probe_transport.command_line(), stdin,
                                              started + settings.probe_timeout_sec)
        if rc != 0:
            failure = HostFailure(PROBE_ERROR, f"the probe on {where} exited with code {rc}: {stderr_summary(err)}")
            return HostProbe(spec, "windows", failure=failure)
        try:
            facts = parse_probe_output(out)
        except LanguageModeRefused as exc:
            failure = HostFailure(PROBE_ERROR, f"the probe on {where} did not run: {exc}")
            return HostProbe(spec, "windows", failure=failure)
        except ProbeOutputError as exc:
            why = truncation(out) or _one_line(str(exc))
            failure = HostFailure(PROBE_ERROR, f"the probe output of {where} is not valid: {why}")
            return HostProbe(spec, "windows", failure=failure)
        return HostProbe(spec, "windows", facts=facts)
    except Exception as exc:  # noqa: BLE001 -- every failure of a host becomes that host's Failed results
        return HostProbe(spec, "windows", failure=classify(exc, spec, settings))
    finally:
        if backend is not None:
            backend.close()


def testinfra_failure(exc: BaseException, spec: HostSpec) -> HostFailure:
    """Why testinfra could not reach a host, from the command result it failed with.

    testinfra raises with the failed command's result (exit status, stderr) as the argument;
    the first line of stderr is what the ssh (or docker, kubectl...) client said. The client
    runs here, on the runner, so its words are the runner's, not the host's.
    """
    result = next((a for a in getattr(exc, "args", ()) if hasattr(a, "exit_status") and hasattr(a, "stderr")), None)
    if result is None:
        return HostFailure(HOST_UNREACHABLE, f"cannot reach {spec.display}: {type(exc).__name__}: {_one_line(str(exc))}")
    try:
        said = _one_line(result.stderr.splitlines()[0]) if result.stderr.strip() else "(nothing on stderr)"
    except Exception:  # noqa: BLE001 -- a result whose output does not decode: say so, not its repr
        said = "(unreadable stderr)"
    status = result.exit_status
    if status == 127:
        return HostFailure(HOST_ERROR, f"a command needed to reach the host is missing on this runner "
                                       f"(exit status 127): {said}")
    if "permission denied" in said.lower():
        return HostFailure(ACCESS_DENIED, f"the host refused the credentials: {said}")
    return HostFailure(HOST_UNREACHABLE, f"cannot connect (exit status {status}): {said}")


def probe_other(spec: HostSpec, settings: ProbeSettings) -> HostProbe:
    """A host reached through testinfra's other backends: only its platform matters."""
    import testinfra

    try:
        platform = testinfra.get_host(spec.testinfra_spec()).system_info.type or "unknown"
    except Exception as exc:  # noqa: BLE001 -- unreachable: Failed like any host that cannot be checked
        return HostProbe(spec, "unknown", failure=testinfra_failure(exc, spec))
    if platform == "windows":
        return HostProbe(spec, platform, failure=HostFailure(
            HOST_ERROR, f"{spec.display} is a Windows host: check it over winrm://"))
    return HostProbe(spec, platform)


# Backoff between tries of a host that cannot be reached yet: 1 s, 2 s, 4 s ... at most 15 s,
# and never past the deadline (the last try is made at the deadline).
FIRST_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 15.0


def probe_host(spec: HostSpec, settings: ProbeSettings) -> HostProbe:
    probe = probe_winrm if spec.is_winrm else probe_other
    if settings.wait_until is None:
        return probe(spec, settings)
    return probe_waiting(spec, settings, probe)


def probe_waiting(spec: HostSpec, settings: ProbeSettings,
                  probe: Callable[[HostSpec, ProbeSettings], HostProbe],
                  clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep) -> HostProbe:
    """Probe a host until it answers or the deadline passes (--wait-for-hosts).

    Only failures that a booting machine shows (``HostFailure.transient``) are tried again:
    credentials refused, TLS, WS-Man faults, timeouts of an answer and probe errors will not
    heal by waiting and end the loop at once. A try started before the deadline runs to its
    end (bounded by the read and probe timeouts).
    """
    assert settings.wait_until is not None
    started = clock()
    delay = FIRST_RETRY_DELAY
    tries = 0
    while True:
        tries += 1
        got = probe(spec, settings)
        now = clock()
        if got.failure is None or not got.failure.transient:
            return dataclasses.replace(got, tries=tries, seconds=round(now - started, 3))
        remaining = settings.wait_until - now
        if remaining <= 0:
            waited = (f"; still so after {tries} {'try' if tries == 1 else 'tries'} in {now - started:.1f} s "
                      f"(--wait-for-hosts {settings.wait_for_hosts_sec:g})")
            failure = dataclasses.replace(got.failure, message=got.failure.message + waited)
            return dataclasses.replace(got, failure=failure, tries=tries, seconds=round(now - started, 3))
        sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_RETRY_DELAY)


class ProbePool:
    """Probes hosts on threads, each host once, whoever asks first; at most ``max_workers`` at once.

    A thread is started for each host submitted while fewer than ``max_workers`` run, and ends
    when no host is left to probe: nothing idles, and a fleet waiting on its network holds one
    thread and one connection per host in flight (``readiness.capacity`` sets the bound). When
    the system refuses another thread, the hosts queue for the threads already running (the
    bound is lowered and ``degraded`` says why); with no thread at all, whoever asks for a
    host's result probes it. With ``in_process``, WinRM hosts go instead to the threads of one
    child process (:mod:`readiness.probe_process`), started with :meth:`start` or the first of
    them; other hosts (testinfra's backends) stay on this process's threads.
    """

    def __init__(self, settings: ProbeSettings, max_workers: int = 32,
                 probe: Callable[[HostSpec, ProbeSettings], HostProbe] = probe_host,
                 settings_for: Callable[[HostSpec], ProbeSettings] | None = None,
                 in_process: bool = False):
        self._settings = settings
        self._probe = probe
        # A host's own settings: the probe input of its readiness profile (None: ``settings`` for all).
        self._settings_for = settings_for
        self.bound = max(1, max_workers)
        self.degraded: str | None = None
        self._futures: dict[str, concurrent.futures.Future[HostProbe]] = {}
        self._queue: collections.deque[tuple[HostSpec, concurrent.futures.Future[HostProbe]]] = collections.deque()
        self._workers = 0
        self._closed = False
        self._lock = threading.Lock()
        # WinRM hosts probed in a child process (readiness.probe_process), started with the first
        # of them; None until then, and when it could not be started (``degraded`` says why).
        self._in_process = in_process and probe is probe_host
        self._process: ProbeProcess | None = None

    @property
    def in_process(self) -> bool:
        """Whether WinRM hosts are probed in the probe process (rather than on this process's threads)."""
        return self._in_process

    def submit(self, spec: HostSpec) -> concurrent.futures.Future[HostProbe]:
        with self._lock:
            future = self._futures.get(spec.display)
            if future is None:
                future = concurrent.futures.Future()
                self._futures[spec.display] = future
                if self._closed:
                    future.cancel()
                    return future
                process = self._probe_process() if spec.is_winrm else None
                if process is not None:
                    settings = self._settings_for(spec) if self._settings_for is not None else self._settings
                    future = self._futures[spec.display] = process.submit(spec, settings)
                    return future
                self._queue.append((spec, future))
                self._start_worker()
            return future

    def start(self) -> None:
        """Start the probe process now, if it is to be used (so that it starts while pytest collects)."""
        with self._lock:
            if not self._closed:
                self._probe_process()

    def _probe_process(self) -> ProbeProcess | None:
        """Under the lock: the probe process, started if it is to be and is not yet."""
        if not self._in_process:
            return None
        if self._process is None:
            try:
                self._process = ProbeProcess(self.bound)
            except ProbeProcessError as exc:
                self._in_process = False
                self.degraded = f"{exc}: the hosts are probed on threads of pytest's process"
                return None
        return self._process

    def _start_worker(self) -> None:
        """Under the lock: one more thread, if the bound allows and the system gives one."""
        if self._workers >= self.bound:
            return
        thread = threading.Thread(target=self._work, name=f"readiness-probe-{self._workers}", daemon=True)
        try:
            thread.start()
        except RuntimeError as exc:  # "can't start new thread": RLIMIT_NPROC, threads-max, a cgroup's pids.max
            self.bound = max(1, self._workers)
            self.degraded = (f"the system refused thread {self._workers + 1} ({exc}): "
                             f"{self._workers or 'no'} probe(s) at once from then on")
            return
        self._workers += 1

    def _next(self, worker: bool = True) -> tuple[HostSpec, concurrent.futures.Future[HostProbe]] | None:
        """The next host to probe; None, and one worker fewer (under the same lock, so no host
        submitted meanwhile is left without a thread), when there is none."""
        with self._lock:
            while self._queue and not self._closed:
                spec, future = self._queue.popleft()
                if future.set_running_or_notify_cancel():
                    return spec, future
            if worker:
                self._workers -= 1
            return None

    def _run(self, spec: HostSpec, future: concurrent.futures.Future[HostProbe]) -> None:
        try:
            settings = self._settings_for(spec) if self._settings_for is not None else self._settings
            future.set_result(self._probe(spec, settings))
        except BaseException as exc:  # noqa: BLE001 -- the probe's own bug reaches whoever waits on the host
            future.set_exception(exc)

    def _work(self) -> None:
        while (item := self._next()) is not None:
            self._run(*item)

    def result(self, spec: HostSpec) -> HostProbe:
        future = self.submit(spec)
        if not future.done() and self._workers == 0:  # no thread could be had: probe it here
            while (item := self._next(worker=False)) is not None:
                self._run(*item)
                if item[1] is future:
                    break
        return future.result()

    def shutdown(self) -> None:
        """Probe no more hosts; probes in flight end on their own (their threads do not hold the exit)."""
        with self._lock:
            self._closed = True
            for _, future in self._queue:
                future.cancel()
            self._queue.clear()
            process = self._process
        if process is not None:
            process.shutdown()
            if process.degraded and not self.degraded:
                self.degraded = process.degraded
