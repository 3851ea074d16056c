"""The hosts the Azure Update Manager troubleshooters test, per cloud.

Microsoft's scripts (the Azure VM and the Arc-enabled server ``WindowsTroubleshooter.ps1``) know
only the public cloud; ``AzureCloud`` here is their list, byte for byte and in their order,
duplicate included (``dl.delivery.mp.microsoft.com`` is tested twice and, when unreachable,
reported twice). The US Government and China (21Vianet) hosts follow Microsoft's Arc network
requirements (learn.microsoft.com/azure/azure-arc/servers/network-requirements): Entra ID, ARM,
the hybrid identity service and guest configuration. The two concrete hosts for the last two
(``gbl.his.arc.azure.*`` and ``agentserviceapi.guestconfiguration.azure.*``) are named after the
public cloud's; ``azcmagent check --cloud ...`` on the machine is the agent's own list. No
sovereign variants of the Windows Update hosts are documented: they stay as they are.
"""

from __future__ import annotations

import dataclasses

# The names the Connected Machine agent uses for them (``azcmagent show``: cloud); --azure-cloud takes these.
CLOUDS = ("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")

# WireServer (the Azure platform's host endpoint) and IMDS are the same in every cloud.
WIRESERVER = "168.63.129.16"
WIRESERVER_PORTS = (80, 32526)

WINDOWS_UPDATE = (
    "windowsupdate.microsoft.com",
    "dl.delivery.mp.microsoft.com",
    "download.windowsupdate.com",
    "download.microsoft.com",
    "ntservicepack.microsoft.com",
    "go.microsoft.com",
    "dl.delivery.mp.microsoft.com",
)


@dataclasses.dataclass(frozen=True)
class AumEndpoints:
    """The hosts of one cloud, each tested on port 443 (TCP only, as the scripts do)."""

    cloud: str
    login: str
    arc_required: tuple[str, ...]
    windows_update: tuple[str, ...] = WINDOWS_UPDATE

    @classmethod
    def for_cloud(cls, cloud: str | None = None) -> AumEndpoints:
        """The endpoints of ``cloud`` (None: the public cloud, the scripts' own list)."""
        name = cloud or "AzureCloud"
        if name not in _BY_CLOUD:
            raise ValueError(f"unknown Azure cloud {name!r}: expected one of {', '.join(CLOUDS)}")
        return _BY_CLOUD[name]

    def targets(self, hosts: tuple[str, ...], port: int = 443) -> tuple[str, ...]:
        """``host:port`` for each distinct host, in first-seen order (each is probed once)."""
        return tuple(dict.fromkeys(f"{host}:{port}" for host in hosts))


def _cloud(cloud: str, login: str, arm: str, his: str, guest_config: str) -> AumEndpoints:
    return AumEndpoints(cloud, login, (login, arm, guest_config, his))


_BY_CLOUD = {
    e.cloud: e for e in (
        _cloud("AzureCloud", "login.microsoftonline.com", "management.azure.com",
               "gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com"),
        _cloud("AzureUSGovernment", "login.microsoftonline.us", "management.usgovcloudapi.net",
               "gbl.his.arc.azure.us", "agentserviceapi.guestconfiguration.azure.us"),
        _cloud("AzureChinaCloud", "login.chinacloudapi.cn", "management.chinacloudapi.cn",
               "gbl.his.arc.azure.cn", "agentserviceapi.guestconfiguration.azure.cn"),
    )
}
