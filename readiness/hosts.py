"""Hosts as users name them: ``--hosts`` (testinfra's syntax) and ``--hosts-file``.

Host lists come from inventories many people edit, so every part of a URL is checked before
anything uses it: the scheme (only those whose connections are built without a shell that
could run a value, see ``docs/security.md``), each scheme's own options and their values, and
the names. Errors are built from the parsed parts, never from the text as written, which may
hold a password.

>>> spec = parse_host("winrm://admin:s3cret@127.0.0.5?no_ssl=true")
>>> spec.display, spec.port, spec.password
('winrm://admin@127.0.0.5:5985', 5985, 's3cret')
>>> parse_host("winrm://admin@127.0.0.6").port
5986
>>> parse_host("kubectl://127.0.0.9?context=x")
Traceback (most recent call last):
...
readiness.hosts.HostSpecError: host 'kubectl://127.0.0.9': connection scheme 'kubectl' is not accepted (use one of: winrm, ssh, paramiko, local; see docs/security.md)
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import stat
import urllib.parse
from collections.abc import Callable
from pathlib import Path

PASSWORD_ENV = "READINESS_WINRM_PASSWORD"

WINRM_HTTP_PORT = 5985
WINRM_HTTPS_PORT = 5986

# WinRM for Windows; testinfra's local, ssh and paramiko backends to tell another platform (the
# rules do not apply there). testinfra's other backends build a shell command line on the runner
# from URL values that are not all quoted (kubectl, openshift) or reach container runtimes and
# inventories of the runner itself: refused (docs/security.md says why, scheme by scheme).
SCHEMES = ("winrm", "ssh", "paramiko", "local")
TESTINFRA_REFUSED = ("docker", "podman", "kubectl", "openshift", "lxc", "chroot", "ansible", "salt", "safe-ssh")

_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$")
# A user name that reaches ssh's command line (``-o User=...``): no shell or ssh syntax, no leading '-'.
_SSH_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")
# A path that reaches ssh's command line: no shell syntax, no ssh '%' tokens, no leading '-'.
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./~+=@][A-Za-z0-9_./~+=@-]*$")
_OPTION_NAME = re.compile(r"^[a-z_]{1,40}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
    # Where the host and its password come from: "url" (--hosts, --hosts-file) or "inventory PATH".
    source: str = dataclasses.field(default="url", compare=False)

    def option(self, name: str, default: str | None = None) -> str | None:
        return dict(self.options).get(name, default)

    def flag(self, name: str) -> bool:
        return (self.option(name, "false") or "").lower() == "true"

    @property
    def profile(self) -> str | None:
        """The host's own ``?profile=`` (None: the run's ``--readiness-profile``)."""
        return self.option(PROFILE_OPTION)

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
        """The spec for testinfra's backends (non-WinRM hosts), rebuilt from the checked parts.

        >>> parse_host("ssh://deploy@127.0.0.7:2222?timeout=5").testinfra_spec()
        'ssh://deploy@127.0.0.7:2222?timeout=5'
        """
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        user = f"{urllib.parse.quote(self.user, safe='')}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        query = urllib.parse.urlencode([(k, v) for k, v in self.options if k != PROFILE_OPTION])
        return f"{self.scheme}://{user}{host}{port}" + (f"?{query}" if query else "")


# Option checkers: the value as given -> the value used, or ValueError saying what is expected.
def _boolean(value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise ValueError("must be true or false")
    return value.lower()


def _seconds(value: str) -> str:
    if not (value.isascii() and value.isdigit() and 0 < int(value) <= 86400):
        raise ValueError("must be a whole number of seconds above 0")
    return str(int(value))


def _word(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_-]{1,20}", value):
        raise ValueError(f"{value!r} is not a transport name")
    return value


def _dns_name(value: str) -> str:
    """A host name (not an address): the ``<name>`` of the Kerberos service principal ``HTTP/<name>``.

    pywinrm's ``kerberos_hostname_override`` (Ansible: ``ansible_winrm_kerberos_hostname_override``).
    """
    if not _HOSTNAME.match(value) or is_address(value):
        raise ValueError(f"{value!r} is not a host name (the NAME of the service principal HTTP/NAME)")
    return value.rstrip(".")


def _profile(value: str) -> str:
    """A readiness profile (``readiness.profiles``): the rules this host is checked against."""
    from readiness.profiles import CHOICES

    if value not in CHOICES:
        raise ValueError(f"{value!r} is not a readiness profile (use one of: {', '.join(CHOICES)})")
    return value


def _file(value: str) -> str:
    """An existing regular file; its absolute path (ssh receives it on its command line)."""
    if not _SAFE_PATH.match(value):
        raise ValueError(f"{value!r} is not accepted as a path (letters, digits and _ . / ~ + = @ -, "
                         f"not starting with -)")
    path = os.path.abspath(os.path.expanduser(value))
    if not _SAFE_PATH.match(path):
        raise ValueError(f"{path!r} is not accepted as a path (letters, digits and _ . / ~ + = @ -)")
    if not os.path.isfile(path):
        raise ValueError(f"{value!r}: no such file")
    return path


# ``profile`` is the suite's own (every scheme takes it, so that a mixed hosts file can tag each
# line); it never reaches a connection (:meth:`HostSpec.testinfra_spec` leaves it out).
PROFILE_OPTION = "profile"
_SSH_OPTIONS: dict[str, Callable[[str], str]] = {"ssh_config": _file, "ssh_identity_file": _file, "timeout": _seconds,
                                                 PROFILE_OPTION: _profile}
OPTIONS: dict[str, dict[str, Callable[[str], str]]] = {
    "winrm": {"no_ssl": _boolean, "no_verify_ssl": _boolean, "transport": _word,
              "read_timeout_sec": _seconds, "operation_timeout_sec": _seconds, "ca_trust_path": _file,
              "kerberos_hostname_override": _dns_name, PROFILE_OPTION: _profile},
    "ssh": _SSH_OPTIONS,
    "paramiko": _SSH_OPTIONS,
    "local": {PROFILE_OPTION: _profile},
}


def _label(text: str, default_scheme: str) -> str:
    """The host as an error may name it before it is parsed: scheme, user and host, no password.

    Whatever precedes the last ``@`` is credentials; a password is never shown, nor a
    "port" that could be one (after a user and no ``@``).

    >>> _label("winrm://admin:Pa55/Secret9@127.0.0.5", "winrm")
    'winrm://admin@127.0.0.5'
    >>> _label("winrm://admin:Pa55", "winrm")
    'winrm://admin'
    """
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = default_scheme, text
    creds, at, tail = rest.rpartition("@")
    clean_user = re.match(r"([^:/?#@]*)(?::|$)", creds)
    user = clean_user.group(1) + "@" if at and clean_user else ""
    host = re.split(r"[/?#]", tail, maxsplit=1)[0]
    if host.startswith("[") and "]" in host:
        name, _, after = host.partition("]")
        host, port = name + "]", after[1:] if after.startswith(":") else ""
    else:
        host, _, port = host.partition(":")
    if port and not (at or port.isdigit()):
        port = ""
    return f"{scheme}://{user}{host}" + (f":{port}" if port else "")


def _controls(text: str) -> str:
    """The control characters of ``text``, escaped: ``'\\n', '\\x1b'``."""
    return ", ".join(repr(c) for c in dict.fromkeys(_CONTROL.findall(text)))


def parse_host(text: str, default_scheme: str = "winrm", origin: str = "") -> HostSpec:
    """Parse one host as testinfra writes it; a bare name means WinRM.

    ``origin`` says where the host was given (``--hosts entry 2``), for errors.
    """
    raw = text.strip()
    if not raw:
        raise HostSpecError(f"empty host name in the host list{f' ({origin})' if origin else ''}")
    where = f"host {_label(raw, default_scheme)!r}" + (f" ({origin})" if origin else "")
    if _CONTROL.search(raw):
        raise HostSpecError(f"{where} holds a control character ({_controls(raw)}): not allowed in a host URL")
    if raw[:10].lower() == "capture://":  # a captured host: a file, judged offline (readiness.capture)
        from readiness.capture import capture_host

        return capture_host(raw, where)
    if "://" not in raw:
        raw = f"{default_scheme}://{raw}"
    scheme = raw.split("://", 1)[0].lower()
    if scheme in TESTINFRA_REFUSED:
        raise HostSpecError(f"{where}: connection scheme {scheme!r} is not accepted "
                            f"(use one of: {', '.join(SCHEMES)}; see docs/security.md)")
    if scheme not in SCHEMES:
        raise HostSpecError(f"{where}: unknown connection scheme {scheme!r} (use one of: {', '.join(SCHEMES)})")
    try:
        url = urllib.parse.urlsplit(raw)
    except ValueError:
        raise HostSpecError(f"{where} is not a valid address") from None
    if url.path or url.fragment or "@" in url.query or "#" in raw:
        raise HostSpecError(
            f"{where}: a host URL has no path or fragment ('/', '#', '?' or '@' after the host). A password "
            f"that holds / # ? @ , is written percent-encoded (%2F %23 %3F %40 %2C), or given in "
            f"--winrm-password-file or {PASSWORD_ENV}")
    try:
        port = url.port
    except ValueError:
        # Shown only after an '@' or when it is digits: with no '@', "user:password" looks like host:port.
        _, at, hostport = url.netloc.rpartition("@")
        port_text = hostport.rpartition("]")[2].partition(":")[2] if hostport.startswith("[") else hostport.partition(":")[2]
        shown = f" {port_text!r}" if at or port_text.isdigit() else ""
        raise HostSpecError(f"{where}: bad port{shown} (a number from 1 to 65535)") from None
    if port == 0:
        raise HostSpecError(f"{where}: bad port 0 (a number from 1 to 65535)")
    hostname = urllib.parse.unquote(url.hostname or "")
    user = urllib.parse.unquote(url.username) if url.username else None
    password = urllib.parse.unquote(url.password) if url.password is not None else None
    if _CONTROL.search(hostname):
        raise HostSpecError(f"{where}: the host name {hostname!r} holds a control character ({_controls(hostname)})")
    if user and _CONTROL.search(user):
        raise HostSpecError(f"{where}: the user name {user!r} holds a control character ({_controls(user)})")
    if scheme == "local":
        if url.netloc:
            raise HostSpecError(f"{where}: local:// names no host, user or port (write local://)")
    elif not hostname:
        raise HostSpecError(f"{where} names no host")
    elif not _valid_hostname(hostname):
        raise HostSpecError(f"{where}: {hostname!r} is not a host name or IP address")
    if scheme != "winrm":
        if password is not None:
            raise HostSpecError(
                f"{where}: no password in an {scheme}:// URL (testinfra would put it on a logged command "
                f"line); use a key: ?ssh_identity_file=PATH")
        if user and not _SSH_USER.match(user):
            raise HostSpecError(f"{where}: {user!r} is not accepted as an {scheme} user name "
                                f"(letters, digits and _ . @ -, not starting with -)")
    spec = HostSpec(scheme, hostname, port, user, password, _options(url.query, scheme, where))
    if scheme == "winrm" and port is None:
        spec = dataclasses.replace(spec, port=WINRM_HTTP_PORT if spec.flag("no_ssl") else WINRM_HTTPS_PORT)
    return spec


def _options(query: str, scheme: str, where: str) -> tuple[tuple[str, str], ...]:
    """The URL's options, each known to the scheme, given once, with a valid value."""
    known = OPTIONS[scheme]
    try:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise HostSpecError(f"{where}: options are written ?NAME=VALUE&NAME=VALUE") from None
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in known:
            shown = repr(name) if _OPTION_NAME.match(name) else "(a name that is not an option)"
            takes = ", ".join(sorted(known)) or "none"
            raise HostSpecError(f"{where}: unknown option {shown} ({scheme} hosts take: {takes})")
        if name in values:
            raise HostSpecError(f"{where}: option {name} is given twice")
        if _CONTROL.search(value):
            raise HostSpecError(f"{where}: option {name} holds a control character ({_controls(value)})")
        try:
            values[name] = known[name](value)
        except ValueError as exc:
            raise HostSpecError(f"{where}: option {name} {exc}") from None
    return tuple(sorted(values.items()))


def is_address(name: str) -> bool:
    """Whether ``name`` is an IPv4 or IPv6 address (not a name)."""
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def _valid_hostname(name: str) -> bool:
    return is_address(name) or bool(_HOSTNAME.match(name))


def _host_lines(path: str | os.PathLike[str]) -> list[tuple[int, str]]:
    """(line number, host) of each host line of a file: blank lines and ``#`` comments ignored."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HostSpecError(f"--hosts-file {str(path)!r}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HostSpecError(f"--hosts-file {str(path)!r}: cannot be read ({exc.__class__.__name__})") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            lines.append((number, line))
    return lines


def collect_hosts(hosts_option: str | None, hosts_files: list[str] | None,
                  inventory: Callable[[str, str], list[HostSpec]] | None = None) -> list[HostSpec]:
    """All hosts of the run, in the order given; duplicates are an error.

    ``ansible://PATTERN`` entries are expanded by ``inventory`` (the hosts of an Ansible
    inventory, :mod:`readiness.inventory`); without one they are an error.
    """
    texts: list[tuple[str, str]] = []
    if hosts_option is not None:
        items = hosts_option.split(",")
        if not any(h.strip() for h in items):
            raise HostSpecError("--hosts is empty: give at least one host (winrm://USER@HOST)")
        for number, item in enumerate(items, 1):
            if not item.strip():
                raise HostSpecError(f"--hosts has an empty entry (entry {number} of {len(items)})")
            texts.append((item, f"--hosts entry {number}"))
    for path in hosts_files or []:
        found = _host_lines(path)
        if not found:
            raise HostSpecError(f"--hosts-file {path!r} lists no host")
        texts.extend((line, f"{path} line {number}") for number, line in found)
    specs: list[HostSpec] = []
    for text, origin in texts:
        scheme, sep, pattern = text.strip().partition("://")
        if sep and scheme.lower() == "ansible":
            if inventory is None:
                raise HostSpecError(f"host 'ansible://{pattern}' ({origin}) needs --ansible-inventory PATH")
            if not pattern or _CONTROL.search(pattern):
                raise HostSpecError(f"host 'ansible://' ({origin}) names no group or host pattern")
            specs.extend(inventory(pattern, origin))
        else:
            specs.append(parse_host(text, origin=origin))
    seen: set[str] = set()
    for spec in specs:
        if spec.display in seen:
            raise HostSpecError(f"host {spec.display} is given twice")
        seen.add(spec.display)
    return specs


def password_for(spec: HostSpec, file_password: str | None = None) -> str | None:
    """The password from the URL, else from ``--winrm-password-file``, else from ``READINESS_WINRM_PASSWORD``."""
    if spec.password is not None:
        return spec.password
    if file_password is not None:
        return file_password
    return os.environ.get(PASSWORD_ENV)


def read_password_file(path: str) -> str:
    """The first line of a regular file that only its owner can read: the WinRM password.

    Errors name the file and why; never what it holds.
    """
    shown = repr(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise HostSpecError(f"--winrm-password-file {shown}: no such file") from None
    except OSError as exc:
        raise HostSpecError(f"--winrm-password-file {shown}: cannot be opened ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise HostSpecError(f"--winrm-password-file {shown} is not a regular file")
        if info.st_mode & (stat.S_IRGRP | stat.S_IROTH):
            raise HostSpecError(
                f"--winrm-password-file {shown} can be read by its group or others "
                f"(mode {stat.S_IMODE(info.st_mode):04o}): make it readable by its owner only (chmod 600)")
        data = os.read(fd, 65536)
    finally:
        os.close(fd)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise HostSpecError(f"--winrm-password-file {shown} is not UTF-8 text") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise HostSpecError(f"--winrm-password-file {shown}: its first line (the password) is empty")
    return lines[0]


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
