"""Hosts from an Ansible inventory: ``--hosts=ansible://GROUP --ansible-inventory PATH``.

The inventory is read by ansible-core itself (INI or YAML files, a directory of them,
``group_vars`` and ``host_vars``, Jinja expressions, vault-encrypted values), never by a parser
of this project, so a fleet's inventory means here what it means to its playbooks. A host whose
``ansible_connection`` is ``winrm`` or ``psrp`` becomes a WinRM host of the run with the
address, port, user, password, transport and certificate settings the inventory gives it; a
host of another platform (``ssh``, the default, or ``local``) is checked as an ``ssh://`` or
``local://`` host (the Windows rules do not apply to it). The variables read, and what each
becomes, are in :data:`WINRM_VARIABLES` and ``docs/inventories.md``.

A password read from the inventory belongs to its host only and is a secret like the others:
it is kept in the host's :class:`~readiness.hosts.HostSpec` (never shown) and reaches no log
or report. Host URL settings read from the inventory go through the same checks and the same
transport policy as settings written in a URL (``docs/security.md``).
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path
from typing import Any

from readiness.hosts import HostSpec, HostSpecError, parse_host

SCHEME = "ansible"

# Ansible's WinRM connection plugin (ansible.builtin.winrm) and the psrp one
# (ansible.builtin.psrp), their documented variables, and the URL option each becomes here.
WINRM_VARIABLES = {
    "winrm": {
        "scheme": "ansible_winrm_scheme",
        "transport": "ansible_winrm_transport",
        "cert_validation": "ansible_winrm_server_cert_validation",
        "ca_trust_path": "ansible_winrm_ca_trust_path",
        "read_timeout_sec": "ansible_winrm_read_timeout_sec",
        "operation_timeout_sec": "ansible_winrm_operation_timeout_sec",
    },
    "psrp": {
        "scheme": "ansible_psrp_protocol",
        "transport": "ansible_psrp_auth",
        "cert_validation": "ansible_psrp_cert_validation",
        "ca_trust_path": "ansible_psrp_ca_cert",
        "read_timeout_sec": "ansible_psrp_read_timeout",
        "operation_timeout_sec": "ansible_psrp_operation_timeout",
    },
}
# Transport names of Ansible's plugins -> the suite's (pywinrm's "plaintext" and "ssl" are
# Basic authentication, over HTTP and HTTPS; psrp says "negotiate" for what pywinrm calls ntlm
# when no Kerberos ticket is to be had, and the suite's policy judges basic either way).
TRANSPORT_NAMES = {"plaintext": "basic", "ssl": "basic", "negotiate": "ntlm"}
# The suite's own host variable: the host's readiness profile (the URL option ?profile=).
PROFILE_VARIABLE = "readiness_profile"


class InventoryError(HostSpecError):
    """An inventory, a group or a host's variables that cannot give hosts; the message names them."""


@dataclasses.dataclass
class AnsibleInventory:
    """An inventory source (file or directory), read once, with an optional vault password."""

    path: str
    vault_password_file: str | None = None
    _manager: Any = dataclasses.field(default=None, init=False, repr=False)
    _variables: Any = dataclasses.field(default=None, init=False, repr=False)
    _loader: Any = dataclasses.field(default=None, init=False, repr=False)

    def _load(self) -> None:
        if self._manager is not None:
            return
        if not os.path.exists(self.path):
            raise InventoryError(f"--ansible-inventory {self.path!r}: no such file or directory")
        secret = read_vault_password(self.vault_password_file) if self.vault_password_file else None
        from ansible import constants
        from ansible.errors import AnsibleError
        from ansible.inventory.manager import InventoryManager
        from ansible.parsing.dataloader import DataLoader
        from ansible.parsing.vault import VaultSecret, VaultSecretsContext
        from ansible.vars.manager import VariableManager

        # A source no inventory plugin can read is an error here, not a warning and no hosts.
        constants.INVENTORY_UNPARSED_IS_FAILED = True
        constants.INVENTORY_ANY_UNPARSED_IS_FAILED = True
        loader = DataLoader()
        secrets = [("default", VaultSecret(secret))] if secret is not None else []
        loader.set_vault_secrets(secrets)
        # ansible-core 2.19 decrypts vaulted values while templating, from a process-wide
        # context that its CLI initializes once (ansible/cli/__init__.py); do the same, and give
        # it this inventory's secrets (none without a vault password file).
        if VaultSecretsContext.current(optional=True) is None:
            VaultSecretsContext.initialize(VaultSecretsContext(secrets))
        else:
            VaultSecretsContext.current().secrets = secrets
        try:
            self._manager = InventoryManager(loader=loader, sources=[self.path])
        except AnsibleError as exc:
            raise InventoryError(f"--ansible-inventory {self.path!r} cannot be read: {_first_line(exc)}") from None
        self._variables = VariableManager(loader=loader, inventory=self._manager)
        self._loader = loader

    def hosts(self, pattern: str, origin: str = "") -> list[HostSpec]:
        """The hosts a pattern (a group, a host, ``web:&prod``...) selects, as the run's hosts."""
        self._load()
        where = f"ansible://{pattern}" + (f" ({origin})" if origin else "")
        from ansible.errors import AnsibleError

        try:
            found = self._manager.get_hosts(pattern)
        except AnsibleError as exc:
            raise InventoryError(f"{where}: {_first_line(exc)}") from None
        if not found:
            groups = ", ".join(sorted(g for g in self._manager.groups if g not in ("all", "ungrouped"))) or "none"
            raise InventoryError(f"{where}: no host of {self.path!r} matches {pattern!r} (its groups: {groups})")
        return [self._spec(host, where) for host in found]

    def _spec(self, host: Any, where: str) -> HostSpec:
        variables = self._variables.get_vars(host=host, include_hostvars=False)
        named = f"{where}: inventory host {host.name!r}"

        def value(name: str) -> str | None:
            raw = variables.get(name)
            if raw is None:
                return None
            try:
                from ansible.template import Templar

                resolved = Templar(loader=self._loader, variables=variables).template(raw)
            except Exception as exc:  # noqa: BLE001 -- ansible's template and vault errors: name the variable
                raise InventoryError(f"{named}: variable {name} cannot be resolved "
                                     f"({exc.__class__.__name__}: {_first_line(exc)})") from None
            if isinstance(resolved, (list, tuple)):
                if len(resolved) != 1:
                    raise InventoryError(f"{named}: variable {name} must hold one value, not {len(resolved)}")
                resolved = resolved[0]
            if isinstance(resolved, (dict, set)) or resolved is None:
                raise InventoryError(f"{named}: variable {name} must be a single value")
            return str(resolved)

        connection = (value("ansible_connection") or "ssh").rsplit(".", 1)[-1]
        address = value("ansible_host") or host.name
        port = value("ansible_port")
        user = value("ansible_user")
        profile = value(PROFILE_VARIABLE)
        if connection in WINRM_VARIABLES:
            return self._winrm(named, connection, address, port, user, value, profile)
        if connection in ("ssh", "paramiko"):
            options = {"profile": profile} if profile else {}
            key = value("ansible_ssh_private_key_file") or value("ansible_private_key_file")
            if key:
                options["ssh_identity_file"] = key
            # A password for such a host (ansible_password, ansible_ssh_pass) is not used: testinfra
            # would put it on a logged command line (docs/security.md); keys or an agent are.
            return _parse(named, "ssh", address, port, user, options)
        if connection == "local":
            return _parse(named, "local", None, None, None, {"profile": profile} if profile else {})
        raise InventoryError(f"{named}: ansible_connection {connection!r} is not accepted "
                             f"(winrm or psrp for Windows hosts; ssh, paramiko or local for others)")

    def _winrm(self, named: str, connection: str, address: str, port: str | None, user: str | None,
               value: Any, profile: str | None = None) -> HostSpec:
        names = WINRM_VARIABLES[connection]
        options: dict[str, str] = {"profile": profile} if profile else {}
        scheme = (value(names["scheme"]) or "").lower()
        if scheme not in ("", "http", "https"):
            raise InventoryError(f"{named}: {names['scheme']} must be http or https, not {scheme!r}")
        # Ansible's default: https, but http when the port is 5985 (its winrm plugin's docs).
        if scheme == "http" or (not scheme and port == "5985"):
            options["no_ssl"] = "true"
        transport = value(names["transport"])
        if transport:
            transport = transport.strip().lower()
            options["transport"] = TRANSPORT_NAMES.get(transport, transport)
        validation = (value(names["cert_validation"]) or "validate").lower()
        if validation not in ("validate", "ignore"):
            raise InventoryError(f"{named}: {names['cert_validation']} must be validate or ignore, not {validation!r}")
        if validation == "ignore":
            options["no_verify_ssl"] = "true"
        for option in ("ca_trust_path", "read_timeout_sec", "operation_timeout_sec"):
            given = value(names[option])
            if given:
                options[option] = given.split(".", 1)[0] if option != "ca_trust_path" else given
        spec = _parse(named, "winrm", address, port, user, options)
        password = value("ansible_password") or value(f"ansible_{connection}_pass" if connection == "winrm" else "ansible_pass")
        return dataclasses.replace(spec, password=password, source=f"inventory {self.path}")


def _parse(named: str, scheme: str, address: str | None, port: str | None, user: str | None,
           options: dict[str, str]) -> HostSpec:
    """A host built from inventory values goes through the checks of a host URL."""
    import urllib.parse

    if scheme == "local":
        query = urllib.parse.urlencode(sorted(options.items()))
        return parse_host("local://" + (f"?{query}" if query else ""), origin=named)
    host = f"[{address}]" if address and ":" in address else (address or "")
    netloc = (urllib.parse.quote(user, safe="") + "@" if user else "") + host + (f":{port}" if port else "")
    query = urllib.parse.urlencode(sorted(options.items()))
    try:
        return parse_host(f"{scheme}://{netloc}" + (f"?{query}" if query else ""), origin=named)
    except HostSpecError as exc:
        raise InventoryError(str(exc)) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def read_vault_password(path: str) -> bytes:
    """The vault password: the first line of a file only its owner can read.

    Ansible runs an executable password file as a script; this suite runs nothing named in its
    options, so such a file is refused rather than read as text.
    """
    shown = repr(str(path))
    file = Path(path)
    try:
        info = file.stat()
    except FileNotFoundError:
        raise InventoryError(f"--ansible-vault-password-file {shown}: no such file") from None
    except OSError as exc:
        raise InventoryError(f"--ansible-vault-password-file {shown}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InventoryError(f"--ansible-vault-password-file {shown} is not a regular file")
    if info.st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
        raise InventoryError(f"--ansible-vault-password-file {shown} is executable: vault password scripts are "
                             f"not run; give a file that holds the password (chmod 600)")
    if info.st_mode & (stat.S_IRGRP | stat.S_IROTH):
        raise InventoryError(f"--ansible-vault-password-file {shown} can be read by its group or others "
                             f"(mode {stat.S_IMODE(info.st_mode):04o}): make it readable by its owner only (chmod 600)")
    lines = file.read_bytes().splitlines()
    if not lines or not lines[0].strip():
        raise InventoryError(f"--ansible-vault-password-file {shown}: its first line (the password) is empty")
    return lines[0].strip()
