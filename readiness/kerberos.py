"""HTTP Negotiate for WinRM with pyspnego: Kerberos, or Kerberos else NTLM (``negotiate``).

pywinrm's own ``kerberos`` transport needs pykerberos, which cannot take a password (it uses
whatever ticket the process-wide credential cache holds). This authenticator uses pyspnego
(already the NTLM library under requests-ntlm), whose ``kerberos`` extra (python-gssapi and
pykrb5 over MIT Kerberos) gets a ticket from a password into a private in-memory cache, or uses
the existing cache (``kinit``, ``KRB5CCNAME``) when no password is given. It is the approach of
pypsrp (``pypsrp/negotiate.py``, HTTPNegotiateAuth), the PowerShell-remoting client of
pyspnego's author; it plugs into pywinrm as pywinrm's own Kerberos authenticator does
(``winrm/encryption.py`` calls ``wrap_winrm``/``unwrap_winrm`` on the session's auth object).

- The SPN is ``HTTP/<host>``: the host's name as given, or ``?kerberos_hostname_override=``.
  Over HTTP, messages are encrypted (MS-WSMV 2.2.9.1.1, ``application/HTTP-SPNEGO-session-encrypted``);
  over HTTPS, the token is bound to the server's certificate (RFC 5929 ``tls-server-end-point``),
  as Windows' ``CbtHardeningLevel`` expects.
- The server's last token (mutual authentication) is required: a 200 without it is refused.
- Kerberos failures become :class:`KerberosError`, one line that names the cause (clock skew,
  unknown principal, expired ticket, no ticket, wrong password, unreachable KDC).
"""

from __future__ import annotations

import base64
import re
import sys
import urllib.parse
from typing import Any

import requests
import requests.auth
from cryptography import x509
from cryptography.hazmat.primitives import hashes

try:
    import spnego
    import spnego.exceptions
    from spnego.channel_bindings import GssChannelBindings
except ImportError:  # pragma: no cover - pyspnego is a dependency of requests-ntlm
    spnego = None  # type: ignore[assignment]


def _library_errors() -> tuple[type[BaseException], ...]:
    """What pyspnego and the Kerberos libraries under it raise (pyspnego lets pykrb5's errors through)."""
    errors: list[type[BaseException]] = [spnego.exceptions.SpnegoError]
    try:
        import krb5

        errors.append(krb5.Krb5Error)
    except ImportError:
        pass
    try:
        import gssapi.exceptions

        errors.append(gssapi.exceptions.GSSError)
    except ImportError:
        pass
    return tuple(errors)


class KerberosError(Exception):
    """Kerberos authentication to a host failed; the message says why, in one line."""


def kerberos_available() -> str | None:
    """Why Kerberos cannot be used here, or None when it can (pyspnego's Kerberos extra).

    On Windows pyspnego speaks Kerberos through SSPI (sspilib), which needs nothing more.
    """
    if sys.platform == "win32":
        return None
    try:
        import gssapi  # noqa: F401
        import krb5  # noqa: F401
    except ImportError as error:
        return (f"Kerberos needs pyspnego's kerberos extra (python-gssapi and pykrb5 over MIT Kerberos: "
                f"apt-get install libkrb5-dev gcc, then pip install -r requirements-kerberos.txt; {error})")
    return None


# MIT Kerberos messages (krb5 error table, src/lib/krb5/error_tables/krb5_err.et; GSS minor
# statuses carry them) -> what the user is told to do.
_CAUSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Clock skew too great", re.IGNORECASE),
     ("clock skew: this machine's clock and the KDC's (or the host's) differ by more than the allowed "
     "skew (5 minutes by default); synchronise the clocks (NTP)")),
    (re.compile(r"Server not found in Kerberos database|Server .* not found in Kerberos database", re.IGNORECASE),
     ("unknown principal: the KDC has no service principal {spn} (register it, or name the host's "
     "principal with ?kerberos_hostname_override=NAME)")),
    (re.compile(r"Client .*not found in Kerberos database|Client not found", re.IGNORECASE),
     "unknown principal: the KDC does not know the user {user}"),
    (re.compile(r"expired", re.IGNORECASE),
     "expired ticket: the credential cache's ticket has expired; renew it with kinit (or give a password)"),
    (re.compile(r"Preauthentication failed|Password incorrect|Decrypt integrity check failed", re.IGNORECASE),
     "the KDC refused the password of {user}"),
    (re.compile(r"No Kerberos credentials available|No credentials cache found|Credentials cache .*not found"
                r"|No credentials were supplied|Can't find client principal", re.IGNORECASE),
     ("no ticket: the credential cache (KRB5CCNAME) holds no ticket{for_user}; run kinit, or give a password "
     "(--winrm-password-file or READINESS_WINRM_PASSWORD)")),
    (re.compile(r"Cannot contact any KDC|Cannot find KDC|unable to reach any KDC", re.IGNORECASE),
     "cannot reach a KDC for the realm (check krb5.conf, KRB5_CONFIG)"),
    (re.compile(r"Cannot find realm|Cannot determine realm", re.IGNORECASE),
     "no realm for {spn}: add the host's domain to krb5.conf's [domain_realm]"),
)


def explain(error: BaseException, spn: str, user: str | None) -> str:
    """One line for a pyspnego/GSSAPI failure: the cause first, MIT's words after."""
    text = " ".join(str(error).split())
    detail = re.sub(r"^.*?(?:Minor \(\d+\): |, Minor: )", "", text) if "Minor" in text else text
    detail = re.split(r", Context: | -\d{6,}$", detail)[0][:160]
    for pattern, message in _CAUSES:
        if pattern.search(text):
            return message.format(spn=spn, user=repr(user) if user else "(the cache's default)",
                                  for_user=f" for {user}" if user else "") + f" ({detail})"
    return detail


def certificate_hash(der: bytes) -> bytes:
    """RFC 5929 4.1 ``tls-server-end-point``: the certificate's hash, SHA-256 for MD5 and SHA-1 signatures."""
    cert = x509.load_der_x509_certificate(der)
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:  # noqa: BLE001 -- an algorithm cryptography cannot name: RFC 5929 says SHA-256
        algorithm = None
    if algorithm is None or isinstance(algorithm, (hashes.MD5, hashes.SHA1)):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(der)
    return digest.finalize()


def _peer_certificate(response: requests.Response) -> bytes | None:
    """The DER certificate of the TLS connection that carried ``response`` (None over HTTP)."""
    raw = getattr(response, "raw", None)
    connection = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    getpeercert = getattr(sock, "getpeercert", None)
    if getpeercert is None:
        return None
    try:
        return getpeercert(True)
    except (ValueError, OSError):
        return None


def _token(response: requests.Response) -> bytes | None:
    """The server's Negotiate token in WWW-Authenticate (b'' for a bare ``Negotiate``; None: not offered)."""
    for value in response.headers.get("WWW-Authenticate", "").split(","):
        scheme, _, data = value.strip().partition(" ")
        if scheme.lower() == "negotiate":
            try:
                return base64.b64decode(data.strip(), validate=True) if data.strip() else b""
            except ValueError:
                raise KerberosError("the host sent a Negotiate token that is not base64") from None
    return None


class NegotiateAuth(requests.auth.AuthBase):
    """requests' auth for one WinRM host: HTTP Negotiate (RFC 4559) with pyspnego.

    ``protocol``: ``kerberos``, ``negotiate`` (SPNEGO: Kerberos, else NTLM), or ``ntlm`` (what
    ``negotiate`` uses for a host given by address).
    """

    winrm_encryption_available = True

    def __init__(self, protocol: str, username: str | None, password: str | None, hostname: str,
                 service: str = "HTTP", send_cbt: bool = True) -> None:
        if protocol not in ("kerberos", "negotiate", "ntlm"):
            raise ValueError(protocol)
        self.protocol = protocol
        self.username = username or None
        self.password = password
        self.hostname = hostname
        self.service = service
        self.send_cbt = send_cbt
        self.spn = f"{service}/{hostname}"
        self.context: Any = None

    def _new_context(self, response: requests.Response) -> Any:
        bindings = None
        if self.send_cbt:
            der = _peer_certificate(response)
            if der is not None:
                bindings = GssChannelBindings(application_data=b"tls-server-end-point:" + certificate_hash(der))
        options = spnego.NegotiateOptions.wrapping_winrm
        try:
            return spnego.client(self.username, self.password, hostname=self.hostname, service=self.service,
                                 channel_bindings=bindings, protocol=self.protocol, options=options,
                                 context_req=spnego.ContextReq.default)
        except _library_errors() as error:
            raise KerberosError(explain(error, self.spn, self.username)) from None

    def _step(self, token: bytes | None) -> bytes | None:
        try:
            return self.context.step(token)
        except _library_errors() as error:
            raise KerberosError(explain(error, self.spn, self.username)) from None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.context is not None and self.context.complete:
            return request  # the connection is authenticated (HTTP.sys authenticates a connection)
        request.register_hook("response", self._handle)
        return request

    def _resend(self, response: requests.Response, token: bytes, **kwargs: Any) -> requests.Response:
        request = response.request.copy()
        request.headers["Authorization"] = "Negotiate " + base64.b64encode(token).decode()
        response.content  # noqa: B018 -- the property reads the body, so the connection can carry the next leg
        response.raw.release_conn()
        answer = response.connection.send(request, **kwargs)
        answer.history.append(response)
        return answer

    def _handle(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401 or (self.context is not None and self.context.complete):
            return response
        if _token(response) is None:
            return response  # the host does not offer Negotiate: pywinrm reports the 401
        self.context = self._new_context(response)
        token = self._step(None)
        legs = 0
        while token is not None and legs < 4:  # Kerberos: one leg; NTLM: two
            legs += 1
            response = self._resend(response, token, **kwargs)
            server_token = _token(response)
            if response.status_code == 401 and not server_token:
                return response  # refused: pywinrm reports the 401 (the account is not allowed)
            token = self._step(server_token) if server_token else None
            if response.status_code != 401:
                break
        if response.status_code != 401 and not self.context.complete:
            raise KerberosError(f"the host did not authenticate itself as {self.spn} (no mutual authentication token)")
        return response

    # pywinrm's Encryption ("kerberos" protocol) calls these, as on its own Kerberos authenticator.
    def wrap_winrm(self, host: str, message: bytes) -> tuple[bytes, bytes]:
        result = self.context.wrap_winrm(message)
        return result.data, result.header

    def unwrap_winrm(self, host: str, message: bytes, header: bytes) -> bytes:
        return self.context.unwrap_winrm(header, message)


def target_host(endpoint: str, override: str | None) -> str:
    """The host name of the SPN: the override, else the endpoint's host."""
    return override or (urllib.parse.urlsplit(endpoint).hostname or "")
