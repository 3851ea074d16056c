"""The endpoints an Automation account's location implies, and what the probe tests of them.

Templates hold ``{ws}`` where the workspace id goes.

>>> e = Endpoints.for_location("westeurope")
>>> e.operations, e.registration_for("0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60")
('we-jobruntimedata-prod-su1.azure-automation.net', '0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60.agentsvc.azure-automation.net')
>>> Endpoints.for_location("eastus").operations  # no moniker of its own: the default
'eus2-jobruntimedata-prod-su1.azure-automation.net'
"""

from __future__ import annotations

import dataclasses

from readiness.probe import ProbeInput

PORT = 443

# Location -> job runtime data service moniker, for the public cloud.
MONIKERS = {
    "australiasoutheast": "ase",
    "canadacentral": "cc",
    "centralindia": "cid",
    "eastus2": "eus2",
    "japaneast": "jpe",
    "northeurope": "ne",
    "southcentralus": "scus",
    "southeastasia": "sea",
    "uksouth": "uks",
    "westcentralus": "wcus",
    "westeurope": "we",
    "westus2": "wus2",
}
DEFAULT_MONIKER = "eus2"

@dataclasses.dataclass(frozen=True)
class Endpoints:
    """The endpoints of one location: registration, operations, Log Analytics ODS and OMS."""

    location: str | None
    registration: str  # template with {ws}
    operations: str
    ods: str  # template with {ws}
    oms: str  # template with {ws}

    @classmethod
    def for_location(cls, location: str | None) -> Endpoints:
        """The endpoints for ``location`` (compared case-insensitively, as PowerShell's ``-eq``)."""
        key = location.strip().lower() if location else None
        if key == "usgovvirginia":
            return cls(location, "{ws}.agentsvc.azure-automation.us", "usge-jobruntimedata-prod-su1.azure-automation.us",
                       "{ws}.ods.opinsights.azure.us", "{ws}.oms.opinsights.azure.us")
        if key == "usgovarizona":
            # Log Analytics under .opinsights.azure.us, where US Government workspaces live (the
            # troubleshooter script uses .opinsights.azure.com here; see the README).
            return cls(location, "{ws}.agentsvc.azure-automation.us", "phx-jobruntimedata-prod-su1.azure-automation.us",
                       "{ws}.ods.opinsights.azure.us", "{ws}.oms.opinsights.azure.us")
        if key == "chinaeast2":
            return cls(location, "{ws}.agentsvc.azure-automation.cn", "sha2-jobruntimedata-prod-su1.azure-automation.cn",
                       "{ws}.ods.opinsights.azure.cn", "{ws}.oms.opinsights.azure.cn")
        moniker = MONIKERS.get(key or "", DEFAULT_MONIKER)
        return cls(location, "{ws}.agentsvc.azure-automation.net", f"{moniker}-jobruntimedata-prod-su1.azure-automation.net",
                   "{ws}.ods.opinsights.azure.com", "{ws}.oms.opinsights.azure.com")

    def registration_for(self, workspace: str) -> str:
        return self.registration.format(ws=workspace)

    def ods_for(self, workspace: str) -> str:
        return self.ods.format(ws=workspace)

    def oms_for(self, workspace: str) -> str:
        return self.oms.format(ws=workspace)


def target(endpoint: str) -> str:
    """The ``host:port`` that the probe tests for an endpoint."""
    return f"{endpoint}:{PORT}"


def probe_input(endpoints: Endpoints, timeout_ms: int = 5000) -> ProbeInput:
    """What the probe must test for these endpoints: the operations endpoint, and per workspace
    the registration, ODS and OMS endpoints."""
    return ProbeInput(
        tcp=(target(endpoints.operations),),
        workspace_tcp=(target(endpoints.registration), target(endpoints.ods), target(endpoints.oms)),
        timeout_ms=timeout_ms,
    )
