"""Authentication tokens never reach a log, whatever the level and whichever handler writes it.

pyspnego logs every NTLM, SPNEGO, Kerberos and CredSSP token it sends or receives at DEBUG
(``NTLM step output: TlRMTVNTUAADAAAA...``); an NTLM CHALLENGE and AUTHENTICATE pair is
enough to recover the password offline, and ``--log-level=DEBUG`` would put it in the terminal,
the HTML report and the log file. A filter on a library's logger would not do: records of its
child loggers (``spnego._ntlm``) reach the root's handlers without passing the parent's filters,
and pytest adds and removes its own capture handlers around each test. So every record is
rewritten where it is made, by the log record factory, before any logger or handler sees it:

>>> withhold("NTLM step input: TlRMTVNTUAACAAAADAAMADgAAAA1gpni")
'NTLM step input: <authentication token withheld>'
>>> withhold("Authorization: Negotiate YIIBAgYGKwYBBQUCoIH3MIH0oDAwLgYKKwYBBAGCNwICCg")
'Authorization: Negotiate <authentication token withheld>'
>>> withhold("POST /wsman HTTP/1.1 200 1514")
'POST /wsman HTTP/1.1 200 1514'
"""

from __future__ import annotations

import base64
import logging
import re
from typing import Any

WITHHELD = "<authentication token withheld>"

# A run of base64 long enough to be a token (the shortest NTLM NEGOTIATE is 32 bytes, 44 chars).
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
# The raw signature of an NTLM message, as bytes reprs or decoded text show it.
_RAW_NTLM = re.compile(r"NTLMSSP(?:\\x00|\x00)[^\s'\"]*")
# First bytes of a token: an NTLM message, a GSS-API InitialContextToken (APPLICATION 0,
# RFC 2743 3.1: SPNEGO and Kerberos), SPNEGO's NegTokenInit and NegTokenResp (RFC 4178 4.2),
# a Kerberos AP-REQ/AP-REP (RFC 4120 5.5) and a CredSSP TSRequest (a DER SEQUENCE, MS-CSSP 2.2.1).
_TOKEN_STARTS = (b"NTLMSSP\x00", b"\x60", b"\xa0", b"\xa1", b"\x6e", b"\x6f", b"\x30")


def _is_token(run: str) -> bool:
    head = base64.b64decode(run[:24])  # the run has at least 24 base64 characters: 18 bytes
    if head.startswith(b"NTLMSSP\x00"):
        return True
    # ASN.1 tags followed by a DER length: short form (< 0x80) or long form 0x81/0x82/0x83.
    return head[:1] in _TOKEN_STARTS and (head[1] < 0x80 or head[1] in (0x81, 0x82, 0x83))


def withhold(text: str) -> str:
    """``text`` with every authentication token in it replaced by a placeholder."""
    if not text:
        return text
    text = _RAW_NTLM.sub(WITHHELD, text)
    return _BASE64_RUN.sub(lambda m: WITHHELD if _is_token(m.group()) else m.group(), text)


def _withheld(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 -- a record that does not format is left to logging's own error report
        return record
    clean = withhold(message)
    if clean != message:
        record.msg, record.args = clean, None
    return record


def install() -> None:
    """Rewrite every log record made from now on in this process (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "withholds_tokens", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _withheld(previous(*args, **kwargs))

    factory.withholds_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
