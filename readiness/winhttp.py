"""The machine's WinHTTP proxy, read from its registry value, not from localized ``netsh`` text.

``HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections``
value ``WinHttpSettings`` (REG_BINARY) holds, little-endian: a DWORD version, a DWORD change
counter, a DWORD of flags (bit 0x2 set: a proxy is used), then the proxy server and the bypass
list, each as a DWORD length and that many ASCII bytes. The value is absent on a machine that
never had a proxy set: that is direct access. The version differs between writers (0x18 in
Microsoft's Group Policy documentation, 0x28 from tools that replace netsh, 0x3C and 0x46 from
others) and is not checked; only the lengths are structure, and a blob they do not fit is refused.

>>> decode(b"\x28" + encode("proxy.contoso.local:8080")[1:]).proxy
'proxy.contoso.local:8080'

>>> settings = decode(encode("proxy.contoso.local:8080", "<local>"))
>>> settings.proxy, settings.bypass
('proxy.contoso.local:8080', '<local>')
>>> decode(encode(None)).proxy is None
True
"""

from __future__ import annotations

import dataclasses
import struct

HEADER = 0x18  # the version encode() writes, as netsh does
FLAG_DIRECT = 0x1
FLAG_PROXY = 0x2


class WinHttpSettingsError(ValueError):
    """The registry value is not a WinHTTP settings blob."""


@dataclasses.dataclass(frozen=True)
class WinHttpProxy:
    proxy: str | None  # None: direct access
    bypass: str | None = None


def encode(proxy: str | None, bypass: str | None = None) -> bytes:
    """The blob that ``netsh winhttp set proxy`` (or ``reset proxy``) leaves behind."""
    flags = FLAG_DIRECT | (FLAG_PROXY if proxy else 0)
    server = (proxy or "").encode("ascii")
    bypass_bytes = (bypass or "").encode("ascii")
    return (
        struct.pack("<III", HEADER, 0, flags)
        + struct.pack("<I", len(server)) + server
        + struct.pack("<I", len(bypass_bytes)) + bypass_bytes
    )


def _string(blob: bytes, offset: int, what: str) -> tuple[str, int]:
    if offset + 4 > len(blob):
        raise WinHttpSettingsError(f"WinHttpSettings ends before the {what} length")
    (length,) = struct.unpack_from("<I", blob, offset)
    offset += 4
    if offset + length > len(blob):
        raise WinHttpSettingsError(f"WinHttpSettings {what} runs past the end of the value")
    try:
        return blob[offset:offset + length].decode("ascii"), offset + length
    except UnicodeDecodeError:
        raise WinHttpSettingsError(f"WinHttpSettings {what} is not ASCII") from None


def decode(blob: bytes | None) -> WinHttpProxy:
    """The proxy that WinHTTP uses, from the raw value (None or empty: direct access)."""
    if not blob:
        return WinHttpProxy(None)
    if len(blob) < 12:
        raise WinHttpSettingsError(f"WinHttpSettings is {len(blob)} bytes, shorter than its header")
    _version, _counter, flags = struct.unpack_from("<III", blob, 0)
    server, offset = _string(blob, 12, "proxy server")
    bypass, _ = _string(blob, offset, "bypass list") if offset < len(blob) else ("", offset)
    if not flags & FLAG_PROXY or not server:
        return WinHttpProxy(None)
    return WinHttpProxy(server, bypass or None)
