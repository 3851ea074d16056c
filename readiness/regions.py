"""Azure location names, to tell a real location from a typo in ``--automation-account-location``.

The troubleshooter maps a dozen locations to their own operations endpoint and sends every
other location to the default one (``eus2``). A real location outside that dozen is fine; a
misspelt one would silently test the wrong endpoints, so the suite refuses it.

>>> is_azure_location("JapanEast"), is_azure_location("japan-east")
(True, False)
"""

from __future__ import annotations

PUBLIC = ["eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus", "westcentralus", "canadacentral", "canadaeast", "brazilsouth", "brazilsoutheast", "mexicocentral", "chilecentral", "northeurope", "westeurope", "uksouth", "ukwest", "francecentral", "francesouth", "germanywestcentral", "germanynorth", "switzerlandnorth", "switzerlandwest", "norwayeast", "norwaywest", "swedencentral", "swedensouth", "polandcentral", "italynorth", "spaincentral", "austriaeast", "belgiumcentral", "denmarkeast", "israelcentral", "qatarcentral", "uaenorth", "uaecentral", "southafricanorth", "southafricawest", "centralindia", "southindia", "westindia", "jioindiawest", "jioindiacentral", "japaneast", "japanwest", "koreacentral", "koreasouth", "eastasia", "southeastasia", "australiaeast", "australiasoutheast", "australiacentral", "australiacentral2", "newzealandnorth", "indonesiacentral", "malaysiawest", "taiwannorth"]
GOVERNMENT = ["usgovvirginia", "usgovarizona", "usgovtexas", "usdodeast", "usdodcentral"]
CHINA = ["chinaeast", "chinaeast2", "chinaeast3", "chinanorth", "chinanorth2", "chinanorth3"]

LOCATIONS = frozenset(PUBLIC + GOVERNMENT + CHINA)


def is_azure_location(name: str) -> bool:
    return name.strip().lower() in LOCATIONS
