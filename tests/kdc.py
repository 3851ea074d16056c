"""A real MIT Kerberos KDC on loopback, with a throwaway realm, for tests of the Kerberos transport.

Everything lives in one directory: the KDC's profile (``kdc.conf``, named by
``KRB5_KDC_PROFILE``), the clients' ``krb5.conf`` (named by ``KRB5_CONFIG``), the database
made by ``kdb5_util create``, and keytabs written by ``kadmin.local ktadd``. The KDC
(``krb5kdc -n``, Debian's ``krb5-kdc``) listens on 127.0.0.1 on a free port, UDP and TCP.

The client profile turns off every DNS lookup (MIT krb5.conf: ``dns_lookup_kdc``,
``dns_lookup_realm``, ``rdns = false``, ``dns_canonicalize_hostname = false``): the SPN is
``HTTP/<the name as given>``, never a name found by resolving an address.

    with Kdc(tmp_dir) as kdc:
        kdc.add_user("alice", "s3cret")
        keytab = kdc.add_service("HTTP/win1.emulator.test")
        kdc.env()   # {"KRB5_CONFIG": ..., "KRB5_KDC_PROFILE": ..., "KRB5CCNAME": ...}
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest

REALM = "EMULATOR.TEST"
KRB5KDC = "/usr/sbin/krb5kdc"
KDB5_UTIL = "/usr/sbin/kdb5_util"
KADMIN_LOCAL = "/usr/sbin/kadmin.local"
PACKAGES = "krb5-kdc krb5-admin-server krb5-user"


def require_kdc() -> None:
    """Skip the calling test when MIT Kerberos is missing (saying which packages); fail under CI."""
    missing = [name for name, found in ((KRB5KDC, os.path.exists(KRB5KDC)), (KDB5_UTIL, os.path.exists(KDB5_UTIL)),
                                        (KADMIN_LOCAL, os.path.exists(KADMIN_LOCAL)),
                                        ("kinit", shutil.which("kinit")))
               if not found]
    if missing:
        why = f"{missing[0]} is not installed (Debian packages {PACKAGES}: apt-get install {PACKAGES})"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Kerberos tests: {why}", pytrace=False)
        pytest.skip(why)
    try:
        import gssapi  # noqa: F401
        import krb5  # noqa: F401
    except ImportError as error:
        why = f"pyspnego's Kerberos extra is not installed ({error}; pip install -r requirements.txt, needs libkrb5-dev)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Kerberos tests: {why}", pytrace=False)
        pytest.skip(why)


def _free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (right now)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on 127.0.0.1 for the KDC")


class Kdc:
    """One realm, one KDC process; a context manager that removes nothing (the directory is pytest's)."""

    def __init__(self, directory: Path, realm: str = REALM, faketime: str | None = None) -> None:
        self.dir = Path(directory)
        self.realm = realm
        self.port = _free_port()
        self.faketime = faketime
        self.krb5_conf = self.dir / "krb5.conf"
        self.kdc_conf = self.dir / "kdc.conf"
        self.ccache = f"FILE:{self.dir / 'ccache'}"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a client of this realm runs with (on top of os.environ)."""
        env = dict(os.environ)
        env.update(KRB5_CONFIG=str(self.krb5_conf), KRB5_KDC_PROFILE=str(self.kdc_conf), KRB5CCNAME=self.ccache,
                   KRB5_TRACE="/dev/null")
        env.update(extra)
        return env

    def _write_profiles(self) -> None:
        d = self.dir
        (d / "kadm5.acl").write_text("", encoding="utf-8")
        self.kdc_conf.write_text(f"""[kdcdefaults]
    kdc_listen = 127.0.0.1:{self.port}
    kdc_tcp_listen = 127.0.0.1:{self.port}

[realms]
    {self.realm} = {{
        database_name = {d / 'principal'}
        key_stash_file = {d / 'stash'}
        acl_file = {d / 'kadm5.acl'}
        kdc_listen = 127.0.0.1:{self.port}
        kdc_tcp_listen = 127.0.0.1:{self.port}
        max_life = 10h 0m 0s
        max_renewable_life = 1d 0h 0m 0s
    }}

[logging]
    kdc = FILE:{d / 'kdc.log'}
""", encoding="utf-8")
        self.krb5_conf.write_text(f"""[libdefaults]
    default_realm = {self.realm}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    udp_preference_limit = 1
    clockskew = 300

[realms]
    {self.realm} = {{
        kdc = 127.0.0.1:{self.port}
    }}

[domain_realm]
    .emulator.test = {self.realm}
    emulator.test = {self.realm}
    localhost = {self.realm}
""", encoding="utf-8")

    def _run(self, *argv: str) -> str:
        done = subprocess.run(list(argv), env=self.env(), capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:3])} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def kadmin(self, query: str) -> str:
        return self._run(KADMIN_LOCAL, "-r", self.realm, "-q", query)

    def add_user(self, name: str, password: str) -> str:
        """A user principal with this password; returns ``name@REALM``."""
        self.kadmin(f"addprinc -pw {password} {name}")
        return f"{name}@{self.realm}"

    def add_service(self, principal: str, keytab: Path | None = None) -> Path:
        """A service principal with a random key, exported to a keytab (made or appended to)."""
        keytab = keytab or self.dir / "service.keytab"
        self.kadmin(f"addprinc -randkey {principal}")
        self.kadmin(f"ktadd -k {keytab} {principal}")
        return keytab

    def kinit(self, principal: str, password: str, *options: str, ccache: str | None = None) -> subprocess.CompletedProcess[str]:
        """``kinit`` with the password on its standard input, into ``ccache`` (default: this realm's)."""
        return subprocess.run(["kinit", *options, "-c", ccache or self.ccache, principal], input=password + "\n",
                              env=self.env(), capture_output=True, text=True, timeout=60)

    def __enter__(self) -> Self:
        require_kdc()
        self._write_profiles()
        self._run(KDB5_UTIL, "create", "-s", "-r", self.realm, "-P", "throwaway-master-key")
        return self._start()

    def _start(self) -> Kdc:
        env = self.env()
        argv = [KRB5KDC, "-n", "-r", self.realm]
        if self.faketime:  # a KDC whose clock is off (libfaketime), for clock-skew errors
            env.update(LD_PRELOAD=self.faketime_library(), FAKETIME=self.faketime, FAKETIME_DONT_RESET="1")
        with open(self.dir / "krb5kdc.err", "wb") as err:  # the KDC keeps its own descriptor
            self.process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=err)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"krb5kdc exited {self.process.returncode}: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"krb5kdc did not listen on 127.0.0.1:{self.port}: {self.log()}")

    @contextlib.contextmanager
    def skewed(self, directory: Path, offset: str) -> Iterator[Path]:
        """A second KDC over this realm's database whose clock is ``offset`` off (libfaketime, e.g. ``+1h``).

        Yields the path of a krb5.conf that sends clients to it.
        """
        directory.mkdir(parents=True, exist_ok=True)
        other = Kdc(directory, self.realm, faketime=offset)
        kdc_conf = self.kdc_conf.read_text(encoding="utf-8").replace(f":{self.port}", f":{other.port}")
        kdc_conf = kdc_conf.replace(f"FILE:{self.dir / 'kdc.log'}", f"FILE:{directory / 'kdc.log'}")
        other.kdc_conf.write_text(kdc_conf, encoding="utf-8")
        # kdc_timesync = 0: the client does not adopt the KDC's clock from its first answer (MIT's
        # default, 1, hides a skew from the KDC, which the host then meets), so the KDC sees the skew.
        profile = self.krb5_conf.read_text(encoding="utf-8").replace(f":{self.port}", f":{other.port}")
        other.krb5_conf.write_text(profile.replace("    clockskew = 300\n", "    clockskew = 300\n    kdc_timesync = 0\n"),
                                   encoding="utf-8")
        other._start()
        try:
            yield other.krb5_conf
        finally:
            other.__exit__()

    @staticmethod
    def faketime_library() -> str:
        for path in ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                     "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"):
            if os.path.exists(path):
                return path
        why = "libfaketime is not installed (Debian package libfaketime)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the clock-skew test: {why}", pytrace=False)
        pytest.skip(why)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self, tail: int | None = 3000) -> str:
        """The KDC's log and error output: the last ``tail`` characters of each (None: all of it)."""
        parts = []
        for name in ("kdc.log", "krb5kdc.err"):
            path = self.dir / name
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace")
                parts.append(text if tail is None else text[-tail:])
        return "\n".join(parts)
