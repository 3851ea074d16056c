"""Endpoints by Automation account location, and what the probe is asked to test."""

import pytest

from readiness.endpoints import MONIKERS, Endpoints, probe_input
from readiness.probe import HTTPS_URL, IMDS_URL, parse_input, render_input

WS = "0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60"


@pytest.mark.parametrize(("location", "registration", "operations", "ods", "oms"), [
    ("usgovvirginia", f"{WS}.agentsvc.azure-automation.us", "usge-jobruntimedata-prod-su1.azure-automation.us",
     f"{WS}.ods.opinsights.azure.us", f"{WS}.oms.opinsights.azure.us"),
    ("usgovarizona", f"{WS}.agentsvc.azure-automation.us", "phx-jobruntimedata-prod-su1.azure-automation.us",
     f"{WS}.ods.opinsights.azure.us", f"{WS}.oms.opinsights.azure.us"),
    ("chinaeast2", f"{WS}.agentsvc.azure-automation.cn", "sha2-jobruntimedata-prod-su1.azure-automation.cn",
     f"{WS}.ods.opinsights.azure.cn", f"{WS}.oms.opinsights.azure.cn"),
    ("ChinaEast2", f"{WS}.agentsvc.azure-automation.cn", "sha2-jobruntimedata-prod-su1.azure-automation.cn",
     f"{WS}.ods.opinsights.azure.cn", f"{WS}.oms.opinsights.azure.cn"),
    (None, f"{WS}.agentsvc.azure-automation.net", "eus2-jobruntimedata-prod-su1.azure-automation.net",
     f"{WS}.ods.opinsights.azure.com", f"{WS}.oms.opinsights.azure.com"),
    ("westus2", f"{WS}.agentsvc.azure-automation.net", "wus2-jobruntimedata-prod-su1.azure-automation.net",
     f"{WS}.ods.opinsights.azure.com", f"{WS}.oms.opinsights.azure.com"),
    ("eastus", f"{WS}.agentsvc.azure-automation.net", "eus2-jobruntimedata-prod-su1.azure-automation.net",
     f"{WS}.ods.opinsights.azure.com", f"{WS}.oms.opinsights.azure.com"),
])
def test_endpoints_by_location(location, registration, operations, ods, oms):
    e = Endpoints.for_location(location)
    assert (e.registration_for(WS), e.operations, e.ods_for(WS), e.oms_for(WS)) == (registration, operations, ods, oms)


@pytest.mark.parametrize(("location", "moniker"), sorted(MONIKERS.items()))
def test_every_moniker(location, moniker):
    assert Endpoints.for_location(location).operations == f"{moniker}-jobruntimedata-prod-su1.azure-automation.net"


def test_monikers_are_the_references_twelve():
    assert MONIKERS == {
        "australiasoutheast": "ase", "canadacentral": "cc", "centralindia": "cid", "eastus2": "eus2",
        "japaneast": "jpe", "northeurope": "ne", "southcentralus": "scus", "southeastasia": "sea",
        "uksouth": "uks", "westcentralus": "wcus", "westeurope": "we", "westus2": "wus2",
    }


@pytest.mark.parametrize("location", [None, "eastus", "East US 2", "mars"])
def test_locations_without_a_moniker_get_the_default_endpoints(location):
    e = Endpoints.for_location(location)
    assert e.operations == "eus2-jobruntimedata-prod-su1.azure-automation.net"
    assert (e.registration, e.ods, e.oms) == ("{ws}.agentsvc.azure-automation.net", "{ws}.ods.opinsights.azure.com",
                                              "{ws}.oms.opinsights.azure.com")


def test_usgovarizona_log_analytics_is_in_the_us_government_cloud():
    e = Endpoints.for_location("usgovarizona")
    assert (e.ods, e.oms) == ("{ws}.ods.opinsights.azure.us", "{ws}.oms.opinsights.azure.us")


def test_probe_input_for_endpoints():
    pi = probe_input(Endpoints.for_location("japaneast"), timeout_ms=3000)
    assert pi.tcp == ("jpe-jobruntimedata-prod-su1.azure-automation.net:443",)
    assert pi.workspace_tcp == ("{ws}.agentsvc.azure-automation.net:443", "{ws}.ods.opinsights.azure.com:443",
                                "{ws}.oms.opinsights.azure.com:443")
    assert (pi.https, pi.imds, pi.timeout_ms) == (HTTPS_URL, IMDS_URL, 3000)
    assert parse_input(render_input(pi)) == pi
