"""Hosts as users name them: ``--hosts`` (testinfra's syntax) and ``--hosts-file``.

>>> spec = parse_host("winrm://admin:s3cret@10.0.0.5?no_ssl=true")
>>> spec.display, spec.port, spec.password
('winrm://admin@10.0.0.5:5985', 5985, 's3cret')
>>> parse_host("winrm://admin@10.0.0.6").port
5986
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import urllib.parse
from pathlib import Path

PASSWORD_ENV = "READINESS_WINRM_PASSWORD"

WINRM_HTTP_PORT = 5985
WINRM_HTTPS_PORT = 5986

# Schemes testinfra can reach; the readiness rules need WinRM for Windows, the others are
# reached through testinfra's own backends to tell their platform (the rules do not apply).
TESTINFRA_SCHEMES = ("local", "ssh", "paramiko", "docker", "podman", "kubectl", "lxc", "ansible", "salt",
                     "safe-ssh", "openshift", "chroot")
SCHEMES = ("winrm",) + TESTINFRA_SCHEMES

_BOOL_OPTIONS = ("no_ssl", "no_verify_ssl", "ssl", "sudo", "force_ansible")
_WINRM_OPTIONS = {"no_ssl", "no_verify_ssl", "transport", "read_timeout_sec", "operation_timeout_sec"}
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$")


class HostSpecError(ValueError):
    """A host that cannot be used as written; the message names it (without password)."""


@dataclasses.dataclass(frozen=True)
class HostSpec:
    """One host of the run, parsed; ``display`` is the only form shown anywhere."""

    scheme: str
    hostname: str
    port: int | None
    user: str | None
    password: str | None = dataclasses.field(repr=False, compare=False)
    options: tuple[tuple[str, str], ...] = ()
    raw: str = dataclasses.field(default="", repr=False, compare=False)

    def option(self, name: str, default: str | None = None) -> str | None:
        return dict(self.options).get(name, default)

    def flag(self, name: str) -> bool:
        return (self.option(name, "false") or "").lower() == "true"

    @property
    def is_winrm(self) -> bool:
        return self.scheme == "winrm"

    @property
    def display(self) -> str:
        """``scheme://user@host:port``: stable, unique per host, never a password."""
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{user}{host}{port}"

    def testinfra_spec(self) -> str:
        """The spec for testinfra's backends (non-WinRM hosts), password included."""
        return self.raw


def _redact(text: str) -> str:
    """The host as written, with any password replaced: safe to print."""
    return re.sub(r"(://[^/@:]*):[^@/]*@", r"\1:***@", text)


def parse_host(text: str, default_scheme: str = "winrm") -> HostSpec:
    """Parse one host as testinfra writes it; a bare name means WinRM."""
    raw = text.strip()
    shown = _redact(raw)
    if not raw:
        raise HostSpecError("empty host name in the host list")
    if "://" not in raw:
        raw = f"{default_scheme}://{raw}"
    try:
        url = urllib.parse.urlsplit(raw)
    except ValueError as exc:
        raise HostSpecError(f"host {shown!r} is not a valid address: {exc}") from None
    scheme = url.scheme.lower()
    if scheme not in SCHEMES:
        raise HostSpecError(
            f"host {shown!r}: unknown connection scheme {url.scheme!r} (use one of: {', '.join(SCHEMES)})")
    try:
        port = url.port
    except ValueError:
        port_text = url.netloc.rsplit(":", 1)[-1]
        raise HostSpecError(f"host {shown!r}: bad port {port_text!r} (a number from 1 to 65535)") from None
    if port == 0:
        raise HostSpecError(f"host {shown!r}: bad port 0 (a number from 1 to 65535)")
    hostname = url.hostname or ""
    if scheme != "local" and not hostname:
        raise HostSpecError(f"host {shown!r} names no host")
    if hostname and not _valid_hostname(hostname):
        raise HostSpecError(f"host {shown!r}: {hostname!r} is not a host name or IP address")
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    options = tuple(sorted((k, v[-1]) for k, v in query.items()))
    user = urllib.parse.unquote(url.username) if url.username else None
    password = urllib.parse.unquote(url.password) if url.password is not None else None
    spec = HostSpec(scheme, hostname, port, user, password, options, raw)
    if scheme == "winrm":
        unknown = sorted(set(query) - _WINRM_OPTIONS)
        if unknown:
            raise HostSpecError(
                f"host {shown!r}: unknown option {unknown[0]!r} (WinRM hosts take: {', '.join(sorted(_WINRM_OPTIONS))})")
        for name in _BOOL_OPTIONS:
            if name in query and query[name][-1].lower() not in ("true", "false"):
                raise HostSpecError(f"host {shown!r}: option {name} must be true or false")
        for name in ("read_timeout_sec", "operation_timeout_sec"):
            if name in query and not (query[name][-1].isdigit() and int(query[name][-1]) > 0):
                raise HostSpecError(f"host {shown!r}: option {name} must be a whole number of seconds above 0")
        if port is None:
            spec = dataclasses.replace(spec, port=WINRM_HTTP_PORT if spec.flag("no_ssl") else WINRM_HTTPS_PORT)
    return spec


def _valid_hostname(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(name))


def read_hosts_file(path: str | os.PathLike[str]) -> list[str]:
    """Host lines of a file: one per line, blank lines and ``#`` comments ignored."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HostSpecError(f"--hosts-file {str(path)!r}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HostSpecError(f"--hosts-file {str(path)!r}: cannot be read ({exc.__class__.__name__})") from None
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            lines.append(line)
    return lines


def collect_hosts(hosts_option: str | None, hosts_files: list[str] | None) -> list[HostSpec]:
    """All hosts of the run, in the order given; duplicates are an error."""
    texts: list[str] = []
    if hosts_option is not None:
        items = [h for h in hosts_option.split(",")]
        if not any(h.strip() for h in items):
            raise HostSpecError("--hosts is empty: give at least one host (winrm://USER@HOST)")
        for item in items:
            if not item.strip():
                raise HostSpecError(f"--hosts {_redact(hosts_option)!r} has an empty entry")
            texts.append(item)
    for path in hosts_files or []:
        found = read_hosts_file(path)
        if not found:
            raise HostSpecError(f"--hosts-file {path!r} lists no host")
        texts.extend(found)
    specs = [parse_host(t) for t in texts]
    seen: set[str] = set()
    for spec in specs:
        if spec.display in seen:
            raise HostSpecError(f"host {spec.display} is given twice")
        seen.add(spec.display)
    return specs


def password_for(spec: HostSpec) -> str | None:
    """The password from the URL, else from ``READINESS_WINRM_PASSWORD``."""
    if spec.password is not None:
        return spec.password
    return os.environ.get(PASSWORD_ENV)


def select_shard(specs: list[HostSpec], shard: str | None) -> list[HostSpec]:
    """``K/N``: the hosts whose stable hash falls in shard K of N (1-based)."""
    if not shard:
        return specs
    match = re.fullmatch(r"(\d+)/(\d+)", shard.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise HostSpecError(f"--shard {shard!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    k, n = int(match.group(1)), int(match.group(2))
    import hashlib

    def bucket(spec: HostSpec) -> int:
        digest = hashlib.sha256(spec.display.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % n

    return [s for s in specs if bucket(s) == k - 1]
