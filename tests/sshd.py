"""A real OpenSSH server on a loopback address, for tests of hosts reached over ``ssh://``.

Everything lives in one directory: a host key, a client key authorized for the current user,
the server's config and pid file, and a client ``ssh_config`` that trusts only this server's
host key (so nothing prompts, and nothing is trusted blindly).

    with Sshd(tmp_dir) as server:
        server.url()  # 'ssh://root@127.45.3.211:40321?ssh_config=...&ssh_identity_file=...'
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Self

import pytest

from fixtures.emulator import free_base_address

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")


class SshdUnavailable(RuntimeError):
    """This machine cannot run the test server (no sshd, no ssh client, no privsep dir)."""


def require_openssh() -> None:
    """Skip the calling test when OpenSSH is missing; fail instead under CI (``CI`` set)."""
    missing = [name for name, found in ((SSHD, os.path.exists(SSHD)), ("ssh", shutil.which("ssh")),
                                        ("ssh-keygen", shutil.which("ssh-keygen"))) if not found]
    if missing:
        why = f"{missing[0]} is not installed (Debian packages openssh-server, openssh-client)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the SSH tests: {why}", pytrace=False)
        pytest.skip(why)


def free_port(address: str) -> int:
    """A TCP port nothing listens on at ``address`` (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _keygen(path: Path, comment: str) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                   check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)


def client_config(path: Path, known_hosts: Path | None) -> Path:
    """An ssh_config that never prompts: batch mode, host keys from ``known_hosts`` only."""
    trust = (f"  StrictHostKeyChecking yes\n  UserKnownHostsFile {known_hosts}\n" if known_hosts
             else "  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n")
    path.write_text("Host *\n  BatchMode yes\n  IdentitiesOnly yes\n  LogLevel ERROR\n"
                    "  GlobalKnownHostsFile /dev/null\n" + trust, encoding="utf-8")
    return path


class Sshd:
    """``/usr/sbin/sshd -D -e`` on a free loopback port, public-key login for the current user."""

    def __init__(self, directory: Path, address: str | None = None, start_timeout: float = 10.0):
        self.dir = Path(directory)
        self.address = address or free_base_address()
        self.port = 0
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.identity = self.dir / "client_key"
        self.ssh_config = self.dir / "ssh_config"
        self._start_timeout = start_timeout
        self._process: subprocess.Popen[str] | None = None
        self._log: list[str] = []

    # -- files --------------------------------------------------------------------------------

    def _prepare(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        _keygen(self.dir / "host_key", "readiness-test-host")
        _keygen(self.identity, "readiness-test-client")
        authorized = self.dir / "authorized_keys"
        authorized.write_text((self.dir / "client_key.pub").read_text(encoding="ascii"), encoding="ascii")
        host_pub = (self.dir / "host_key.pub").read_text(encoding="ascii").split()
        known = self.dir / "known_hosts"
        known.write_text(f"[{self.address}]:{self.port} {host_pub[0]} {host_pub[1]}\n", encoding="ascii")
        client_config(self.ssh_config, known)
        config = self.dir / "sshd_config"
        config.write_text("\n".join([
            f"ListenAddress {self.address}:{self.port}",
            f"HostKey {self.dir / 'host_key'}",
            f"PidFile {self.dir / 'sshd.pid'}",
            f"AuthorizedKeysFile {authorized}",
            f"AllowUsers {self.user}",
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "StrictModes no",
            "UsePAM no",
            "UseDNS no",
            "PrintMotd no",
            "LogLevel INFO",
        ]) + "\n", encoding="utf-8")
        return config

    @staticmethod
    def _privsep_dir() -> None:
        if PRIVSEP_DIR.is_dir() or os.geteuid() != 0:
            return
        PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> Sshd:
        self._privsep_dir()
        self.port = free_port(self.address)
        config = self._prepare()
        self._process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read_log, daemon=True).start()
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise SshdUnavailable(f"sshd exited with code {self._process.returncode}: {self.log()}")
            if self._listening():
                return self
            time.sleep(0.05)
        self.stop()
        raise SshdUnavailable(f"sshd did not listen on {self.address}:{self.port} within "
                              f"{self._start_timeout:g} s: {self.log()}")

    def _read_log(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._log.append(line.rstrip("\n"))

    def _listening(self) -> bool:
        try:
            with socket.create_connection((self.address, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def log(self) -> str:
        """What sshd wrote so far (its ``-e`` log), one line per entry."""
        return " | ".join(self._log) or "(nothing logged)"

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- as a host of the suite -----------------------------------------------------------------

    def url(self, scheme: str = "ssh", port: int | None = None, identity: Path | None = None) -> str:
        """This server as a testinfra host: user, address, port, client config and key."""
        query = urllib.parse.urlencode({"ssh_config": str(self.ssh_config),
                                        "ssh_identity_file": str(identity or self.identity)})
        return f"{scheme}://{self.user}@{self.address}:{port or self.port}?{query}"

    def display(self, scheme: str = "ssh", port: int | None = None) -> str:
        return f"{scheme}://{self.user}@{self.address}:{port or self.port}"
