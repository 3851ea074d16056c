"""Connectivity checks: the Automation and Log Analytics endpoints, HTTPS, the proxy, IMDS.

Every network fact comes from the probe, which tested it from the host with a timeout; each
result says which route the test took (``direct`` or ``proxy <server>``).
"""

import pytest

from readiness import workspace
from readiness.catalog import ENDPOINT_DESCRIPTION
from readiness.endpoints import Endpoints, target
from readiness.winhttp import WinHttpSettingsError

pytestmark = pytest.mark.connectivity

NO_REGISTRATION = "Unable to find Workspace registration information"
TLS12_NOT_OFFERED = ("the probe's .NET runtime could not offer TLS 1.2 (PowerShell 2.0 without the .NET 3.5.1 "
                     "TLS 1.2 update): the HTTPS test is inconclusive")


def endpoint_test(facts, rule, endpoint, description=None):
    """A TCP connection to port 443 of ``endpoint``, from the host."""
    tcp = facts.tcp(target(endpoint))
    description = ENDPOINT_DESCRIPTION.format(endpoint=endpoint) if description is None else description
    if tcp.ok:
        rule.passed(f"TCP Test for {endpoint} (port 443) succeeded", [endpoint], description=description, route=tcp.route)
    rule.failed(f"TCP Test for {endpoint} (port 443) failed", [endpoint], description=description, route=tcp.route)


def test_AutomationAgentServiceConnectivityCheck1(facts, rule):
    """The registration endpoint of the workspace with the updates solution must be reachable."""
    ws = workspace.from_facts(facts)
    if ws.reason in (workspace.NONE, workspace.MULTIPLE):
        rule.failed(NO_REGISTRATION, reason="NoRegistrationFound", description="")
    endpoints = Endpoints.for_location(rule.settings.location)
    endpoint_test(facts, rule, endpoints.registration_for(ws.valid))


def test_AutomationJobRuntimeDataServiceConnectivityCheck(facts, rule):
    """The operations (job runtime data) endpoint of the location must be reachable."""
    endpoints = Endpoints.for_location(rule.settings.location)
    endpoint_test(facts, rule, endpoints.operations)


def _answered(answer, *statuses):
    return answer.status is not None and (answer.status in statuses or 200 <= answer.status < 300)


def test_HttpsConnection(facts, rule):
    """A GET of the operations URL: through the proxy settings, else bypassing them."""
    https = facts.https
    # Through the proxy settings: any success, or 403 (the service refuses anonymous
    # requests, but the request went through).
    if _answered(https.proxy, 403):
        rule.passed("VM is able to make https requests.", route=https.proxy.route)
    # Bypassing the proxy: the troubleshooter accepts 200 or 403 only.
    if https.direct.status in (200, 403):
        rule.warned("Please check if the proxy server is configured properly to allow https requests.",
                    route=https.direct.route)
    if not facts.tls12_offered and "tls" in (https.proxy.error, https.direct.error):
        # The probe's own runtime could not offer TLS 1.2: the failure says nothing of the VM.
        rule.inconclusive("network.https", TLS12_NOT_OFFERED)
    rule.failed(
        f"VM is not able to make https requests. Please check your network connection. Unable to reach {https.url}.",
        [https.url],
        route=https.direct.route,
    )


def test_ProxySettings(facts, rule):
    """Whether a WinHTTP proxy is set, read from the registry rather than from localized netsh text."""
    try:
        proxy = facts.winhttp_proxy
    except WinHttpSettingsError as error:
        # Unreadable settings are not "no proxy": say so rather than pass.
        rule.failed(f"The WinHTTP proxy settings (registry value WinHttpSettings) cannot be read: {error}",
                    reason="UnreadableSettings")
    if proxy.proxy is None:
        rule.passed("Proxy is not set.")
    rule.warned("Proxy is set.")


def test_IMDSConnectivity(facts, rule):
    """A GET of the instance metadata service, through the proxy settings and bypassing them."""
    imds = facts.imds
    if _answered(imds.proxy):
        rule.passed("VM is able to reach IMDS server", route=imds.proxy.route)
    if _answered(imds.direct):
        rule.failed("VM is likely behind a proxy and UM may not be able to query IMDS to get VM info.",
                    route=imds.direct.route)
    rule.warned("VM is not able to reach IMDS server. Consider this as a Failure if this is an Azure VM.",
                route=imds.direct.route)


def _log_analytics_test(facts, rule, template_for):
    ws = workspace.from_facts(facts)
    if ws.reason == workspace.NONE:
        rule.failed(NO_REGISTRATION)
    if ws.reason == workspace.MULTIPLE:
        rule.failed("VM connected to multiple workspaces.")
    endpoint_test(facts, rule, template_for(ws.valid), description=rule.info.description)


def test_LAOdsEndpointConnectivity(facts, rule):
    """The Log Analytics ODS endpoint of the workspace must be reachable."""
    endpoints = Endpoints.for_location(rule.settings.location)
    _log_analytics_test(facts, rule, endpoints.ods_for)


def test_LAOmsEndpointConnectivity(facts, rule):
    """The Log Analytics OMS endpoint of the workspace must be reachable."""
    endpoints = Endpoints.for_location(rule.settings.location)
    _log_analytics_test(facts, rule, endpoints.oms_for)
