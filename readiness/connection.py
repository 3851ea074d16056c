"""WinRM connections: testinfra's WinRM backend, extended for a fleet gate.

testinfra's stock backend opens a shell per command, speaks NTLM only and waits without end.
This one keeps one shell per host, speaks every transport pywinrm offers, verifies
certificates against a CA file, feeds a command's standard input, and bounds every wait.

    backend = WinRMBackend(spec, WinRMOptions(transport="ntlm"))
    rc, out, err = backend.run_with_stdin("powershell.exe -Command -", b"hostname", deadline)
"""

from __future__ import annotations

import contextlib
import dataclasses
import ssl
import threading
import time
from typing import Any

import requests.adapters
import testinfra.backend.winrm
import winrm.exceptions
import winrm.protocol
from testinfra.backend import base
from winrm.exceptions import WinRMOperationTimeoutError

from readiness.hosts import HostSpec, is_address, password_for
from readiness.kerberos import NegotiateAuth, kerberos_available

TRANSPORTS = ("ntlm", "basic", "kerberos", "negotiate", "credssp", "certificate")
NEEDS_PASSWORD = ("ntlm", "basic", "credssp")
# HTTP Negotiate with pyspnego (readiness/kerberos.py): Kerberos only, or Kerberos else NTLM.
NEGOTIATE = ("kerberos", "negotiate")

# What the suite reads from one host, at most (README, "Limits"). The probe's largest legitimate
# output, every event it keeps (1,100) at its 2,000-character text limit in a non-Latin script
# (six bytes a character in its ASCII JSON), is 13.6 MiB; a typical host writes under 100 KiB.
MAX_OUTPUT_BYTES = 32 * 2**20  # stdout and stderr together, over all of a command's receives
# One HTTP response: that output base64-encoded (4/3) in its envelope. Windows sends at most the
# MaxEnvelopeSize pywinrm asks for (150 KiB); a larger body is read up to this and no further.
MAX_RESPONSE_BYTES = 48 * 2**20

# requests reads (and briefly sets) os.environ while it builds a session; probes build theirs one at a time.
_SESSION_LOCK = threading.Lock()


def system_trust_store() -> str | None:
    """The system's CA certificates, as OpenSSL finds them, for verifying WinRM hosts.

    The file named by ``SSL_CERT_FILE``, else OpenSSL's default CA file (on Debian and Ubuntu
    ``/usr/lib/ssl/cert.pem``, that is ``/etc/ssl/certs/ca-certificates.crt``, where
    ``update-ca-certificates`` puts an internal CA); when there is no such file, the directory
    named by ``SSL_CERT_DIR``, else OpenSSL's default directory. None when the system has
    neither: requests then falls back to its own bundle (certifi). requests alone would always
    use certifi's bundle, which holds public CAs only.
    """
    paths = ssl.get_default_verify_paths()  # None for a file or directory that does not exist
    return paths.cafile or paths.capath


def missing_transport_library(transport: str) -> str | None:
    """Why pywinrm cannot speak ``transport`` here, or None when it can."""
    import winrm.transport

    if transport in NEGOTIATE:
        return kerberos_available()
    if transport == "credssp" and not winrm.transport.HAVE_CREDSSP:
        return "--winrm-transport credssp needs requests-credssp (pip install requests-credssp)"
    return None


def kerberos_target_problem(spec: HostSpec, transport: str) -> str | None:
    """Why Kerberos cannot name this host's service principal, or None.

    Kerberos asks the KDC for a ticket to ``HTTP/<host name>``; an address names no principal:
    "By default Windows will not attempt Kerberos authentication for a host if the hostname is an
    IP address. It will fall back to other enabled authentication protocols like NTLM" (Microsoft,
    "Kerberos clients allow IPv4 and IPv6 address hostnames in SPNs", configuring-kerberos-over-ip).
    ``negotiate`` does the same (NTLM at once for an address); ``kerberos`` refuses it.
    """
    if transport == "kerberos" and is_address(spec.hostname) and not spec.option("kerberos_hostname_override"):
        return (f"Kerberos needs the host's name for its service principal (HTTP/<name>), not the address "
                f"{spec.hostname}: give the host by name (winrm://USER@NAME) or add "
                f"?kerberos_hostname_override=NAME")
    return None


@dataclasses.dataclass(frozen=True)
class WinRMOptions:
    """How to reach WinRM hosts; a host's URL options win over these."""

    transport: str = "ntlm"
    ca_trust_path: str | None = None  # --winrm-ca-trust; None: the system's trust store (system_trust_store())
    read_timeout_sec: int = 30
    operation_timeout_sec: int = 20
    # Waiting for the host to accept the TCP connection: a host that is off or behind a firewall
    # that drops the attempt never answers it, and pywinrm would wait the whole read timeout.
    connect_timeout_sec: float = 5.0
    cert_pem: str | None = None
    cert_key_pem: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)  # --winrm-password-file's


class CommandTimeout(Exception):
    """The command did not finish before the deadline."""


class OutputTooLarge(Exception):
    """The host sent more than the suite reads from a host; what it sent was abandoned.

    ``who`` sent it ("the probe", "WinRM"), ``what`` it did ("wrote more than 32 MiB of output").
    """

    def __init__(self, who: str, what: str):
        super().__init__(f"{who} {what}")
        self.who = who
        self.what = what


class _BoundedResponse(requests.Response):
    """A response whose body is read up to :data:`MAX_RESPONSE_BYTES`, and no further."""

    def iter_content(self, chunk_size: int | None = 1, decode_unicode: bool = False) -> Any:
        read = 0
        for chunk in super().iter_content(chunk_size, decode_unicode):  # type: ignore[call-overload]
            read += len(chunk)
            if read > MAX_RESPONSE_BYTES:
                self.close()  # drops the connection: the rest of the body is never read
                raise OutputTooLarge("WinRM", f"sent an HTTP response of more than {MAX_RESPONSE_BYTES // 2**20} MiB")
            yield chunk


class BoundedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, whose responses read their body up to :data:`MAX_RESPONSE_BYTES` only.

    requests reads a whole body into memory (``response.content``, through ``iter_content``)
    before pywinrm sees it; here that read stops as soon as the body passes the bound.
    Authentication handlers re-send through the response's adapter, so their legs are bounded too.
    """

    def build_response(self, req: Any, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        response.__class__ = _BoundedResponse
        return response


class WinRMBackend(testinfra.backend.winrm.WinRMBackend):
    """One host over WinRM, one shell for all its commands."""

    NAME = "winrm"

    def __init__(self, spec: HostSpec, options: WinRMOptions | None = None, *args: Any, **kwargs: Any):
        options = options or WinRMOptions()
        self.spec = spec
        transport = spec.option("transport") or options.transport
        read_timeout = int(spec.option("read_timeout_sec") or options.read_timeout_sec)
        operation_timeout = int(spec.option("operation_timeout_sec") or options.operation_timeout_sec)
        if operation_timeout >= read_timeout:
            operation_timeout = max(1, read_timeout - 1)
        scheme = "http" if spec.flag("no_ssl") else "https"
        host = f"[{spec.hostname}]" if ":" in spec.hostname else spec.hostname
        self.conn_args: dict[str, Any] = {
            "endpoint": f"{scheme}://{host}:{spec.port}/wsman",
            "transport": transport,
            "username": spec.user,
            "password": password_for(spec, options.password),
            "read_timeout_sec": read_timeout,
            "operation_timeout_sec": operation_timeout,
            "server_cert_validation": "ignore" if spec.flag("no_verify_ssl") else "validate",
            # Never the environment's proxy for WinRM: the targets are on the runner's network.
            "proxy": None,
            # The CA file given, else the system trust store (not certifi's, nor pywinrm's env lookup).
            "ca_trust_path": None if spec.flag("no_verify_ssl") else (
                spec.option("ca_trust_path") or options.ca_trust_path or system_trust_store()),
        }
        if transport == "certificate":
            self.conn_args["cert_pem"] = options.cert_pem
            self.conn_args["cert_key_pem"] = options.cert_key_pem
        # Kerberos and negotiate: pywinrm's "kerberos" transport (its encryption and no password
        # check), authenticated by readiness.kerberos.NegotiateAuth instead of pykerberos.
        self.negotiate: tuple[str, str] | None = None
        if transport in NEGOTIATE:
            self.conn_args["transport"] = "kerberos"
            name = spec.option("kerberos_hostname_override") or spec.hostname
            # negotiate for an address: NTLM at once, as Windows does (kerberos_target_problem)
            mechanism = "ntlm" if transport == "negotiate" and is_address(name) else transport
            self.negotiate = (mechanism, name)
        # requests' (connect, read) timeouts: pywinrm gives requests its read timeout alone, for both.
        self.timeouts = (min(options.connect_timeout_sec, float(read_timeout)), read_timeout)
        self._protocol: winrm.protocol.Protocol | None = None
        self._shell: str | None = None
        base.BaseBackend.__init__(self, spec.display, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<WinRMBackend {self.spec.display}>"

    @property
    def protocol(self) -> winrm.protocol.Protocol:
        if self._protocol is None:
            protocol = winrm.protocol.Protocol(**self.conn_args)
            # The transport hands this to requests' send as is; the NTLM and Negotiate legs reuse it.
            protocol.transport.read_timeout_sec = self.timeouts  # type: ignore[assignment]
            _build_session(protocol, self.negotiate)
            self._protocol = protocol
        return self._protocol

    def shell(self) -> str:
        if self._shell is None:
            self._shell = self.protocol.open_shell()
        return self._shell

    def run_with_stdin(self, command: str, stdin: bytes | None, deadline: float) -> tuple[int, bytes, bytes]:
        """Run ``command`` in the host's shell, feed ``stdin`` (then end it), wait for it to end.

        Waits for output in WS-Man long polls; unlike pywinrm's own loop, gives up at
        ``deadline`` (a ``time.monotonic()`` value) and raises :class:`CommandTimeout`.

        A command fed ``stdin`` is created with standard input as a pipe
        (``WINRS_CONSOLEMODE_STDIN`` FALSE): pywinrm asks for a console by default, and
        powershell.exe reads its input as pipeline input (``$input``, ``-Command -``) only
        from a pipe. Ansible's winrm connection plugin does the same
        (lib/ansible/plugins/connection/winrm.py, ``console_mode_stdin=(stdin_iterator is None)``).
        """
        shell = self.shell()
        command_id = self.protocol.run_command(shell, command, console_mode_stdin=stdin is None)
        if stdin is not None:
            self.protocol.send_command_input(shell, command_id, stdin, end=True)
        out: list[bytes] = []
        err: list[bytes] = []
        received = 0
        while True:
            if time.monotonic() > deadline:
                self._abandon(command_id)
                raise CommandTimeout
            try:
                chunk_out, chunk_err, rc, done = self.protocol.get_command_output_raw(shell, command_id)
            except WinRMOperationTimeoutError:
                continue
            received += len(chunk_out) + len(chunk_err)
            if received > MAX_OUTPUT_BYTES:
                out.clear()
                err.clear()
                self._abandon(command_id)
                raise OutputTooLarge("the probe", f"wrote more than {MAX_OUTPUT_BYTES // 2**20} MiB of output")
            out.append(chunk_out)
            err.append(chunk_err)
            if done:
                return rc, b"".join(out), b"".join(err)

    def _abandon(self, command_id: str) -> None:
        with contextlib.suppress(Exception):  # the host is already failing; the timeout is what gets reported
            self.protocol.cleanup_command(self.shell(), command_id)

    def close(self) -> None:
        """Delete the shell (the last request to the host)."""
        if self._shell is not None and self._protocol is not None:
            shell, self._shell = self._shell, None
            with contextlib.suppress(Exception):  # closing is best effort: the shell times out on the host anyway
                self._protocol.close_shell(shell)

    def run_winrm(self, command: str) -> base.CommandResult:
        """testinfra's interface: run a command line in the host's shell."""
        rc, out, err = self.run_with_stdin(command, None, time.monotonic() + self.conn_args["read_timeout_sec"] * 10)
        return self.result(rc, self.encode(command), out, err)


def _build_session(protocol: winrm.protocol.Protocol, negotiate: tuple[str, str] | None = None) -> None:
    """Build the host's HTTP session, then keep requests from reading os.environ on each request.

    The proxy is given (none), so the environment has nothing to add; and pytest's main thread
    sets and removes ``PYTEST_CURRENT_TEST`` while probes run, so reading the environment from a
    probe thread can fail with ``KeyError`` (requests iterates ``os.environ`` for proxy settings,
    and sets ``no_proxy`` for a moment). Sessions are built one at a time, without network; the
    encryption handshake that pywinrm would send from ``build_session`` follows, outside the lock.
    """
    transport = protocol.transport
    wanted = transport.message_encryption
    transport.message_encryption = "never"
    if negotiate is not None:
        # pywinrm builds its "kerberos" session with pykerberos; build a plain one, authenticate it below.
        transport.auth_method = "plaintext"
    try:
        for attempt in range(5):
            try:
                with _SESSION_LOCK:
                    session = transport.build_session()
                break
            except KeyError:  # the environment changed under requests' loop over it: read it again
                transport.session = None
                if attempt == 4:
                    raise
    finally:
        transport.message_encryption = wanted
        if negotiate is not None:
            transport.auth_method = "kerberos"  # pywinrm's Encryption then uses the auth's wrap_winrm
    if negotiate is not None:
        mechanism, hostname = negotiate
        session.auth = NegotiateAuth(mechanism, transport.username, transport.password, hostname,
                                     service=transport.service or "HTTP", send_cbt=transport.send_cbt)
    session.trust_env = False
    for prefix in ("http://", "https://"):
        session.mount(prefix, BoundedAdapter())
    available = (transport.auth_method == "credssp" or hasattr(session.auth, "session_security")
                 or bool(getattr(session.auth, "winrm_encryption_available", False)))
    if wanted == "always" and not available:
        raise winrm.exceptions.WinRMError(f"message encryption is set to 'always' but the selected auth method "
                                          f"{transport.auth_method} does not support it")
    if available and (wanted == "always" or (wanted == "auto" and not transport.endpoint.lower().startswith("https"))):
        transport.setup_encryption(session)
