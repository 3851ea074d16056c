"""The run's WinRM transport policy: no host's URL may weaken how the credentials travel.

The runner sends one administrator password to every WinRM host. A host list is edited by many
people, so a host's URL may not, on its own, choose a transport that hands the password over
(Basic, CredSSP), skip the certificate check, or send Basic where no verified TLS protects it.
``--allow-insecure-transport`` accepts such settings, and the reports name the hosts that used
them. NTLM over HTTP with message encryption (Windows' default listener) stays allowed.

>>> from readiness.hosts import parse_host
>>> weakened(parse_host("winrm://admin@127.0.0.5?no_ssl=true&transport=basic"), "ntlm")
('transport=basic', 'basic without verified HTTPS')
>>> weakened(parse_host("winrm://admin@127.0.0.5?no_ssl=true"), "ntlm")
()
"""

from __future__ import annotations

import dataclasses

import pytest

from readiness.hosts import HostSpec

ALLOW_FLAG = "--allow-insecure-transport"

# Transports that give the host what it needs to reuse the password: Basic sends it as is;
# CredSSP, once authenticated, delegates the user's whole credentials to the server without
# constraint (Microsoft's "Credential Security Support Provider" page; [MS-CSSP] TSCredentials).
PASSWORD_REVEALING = ("basic", "credssp")
BASIC_UNVERIFIED = "basic without verified HTTPS"
NO_VERIFY = "no_verify_ssl"

_WHY = {
    "transport=basic": "?transport=basic in its URL would send the password itself (HTTP Basic) "
                       "instead of the run's --winrm-transport",
    "transport=credssp": "?transport=credssp in its URL would delegate the password to the host "
                         "instead of the run's --winrm-transport",
    NO_VERIFY: "?no_verify_ssl=true skips the certificate check: anyone on the path could pose as the "
               "host and receive the credentials",
    BASIC_UNVERIFIED: "HTTP Basic without verified HTTPS would send the password readable by anyone on the path",
}


@dataclasses.dataclass(frozen=True)
class InsecureTransport:
    """The weakened settings a run accepted with ``--allow-insecure-transport``: host -> settings."""

    hosts: tuple[tuple[str, tuple[str, ...]], ...]

    def to_json(self) -> dict[str, object]:
        return {"allowed_by": ALLOW_FLAG,
                "hosts": [{"host": host, "settings": list(settings)} for host, settings in self.hosts]}

    def summary(self) -> str:
        """One line for the HTML report's environment table."""
        if not self.hosts:
            return f"allowed by {ALLOW_FLAG}; no host used a weakened setting"
        used = "; ".join(f"{host} ({', '.join(settings)})" for host, settings in self.hosts)
        return f"allowed by {ALLOW_FLAG}: {used}"


INSECURE_KEY = pytest.StashKey[InsecureTransport]()


def weakened(spec: HostSpec, run_transport: str) -> tuple[str, ...]:
    """The settings of a WinRM host that weaken the run's policy (empty when none do)."""
    if not spec.is_winrm:
        return ()
    found = []
    url_transport = spec.option("transport")
    if url_transport in PASSWORD_REVEALING and url_transport != run_transport:
        found.append(f"transport={url_transport}")
    if spec.flag("no_verify_ssl"):
        found.append(NO_VERIFY)
    if (url_transport or run_transport) == "basic" and (spec.flag("no_ssl") or spec.flag("no_verify_ssl")):
        found.append(BASIC_UNVERIFIED)
    return tuple(found)


def apply(specs: list[HostSpec], run_transport: str, allow: bool) -> InsecureTransport | None:
    """Refuse the first weakened host (``ValueError``) unless ``allow``; then what was accepted."""
    used = []
    for spec in specs:
        settings = weakened(spec, run_transport)
        if settings and not allow:
            raise ValueError(f"host {spec.display}: {_WHY[settings[0]]}; refused unless you pass {ALLOW_FLAG} "
                             f"(the reports then name the host)")
        if settings:
            used.append((spec.display, settings))
    return InsecureTransport(tuple(used)) if allow else None
