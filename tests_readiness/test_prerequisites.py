"""Prerequisite checks: operating system, .NET Framework, Windows Management Framework, TLS 1.2."""

import pytest

from readiness.schannel import Tls12Settings

pytestmark = pytest.mark.prerequisites

OSREQ = "https://docs.microsoft.com/en-Us/azure/automation/update-management/operating-system-requirements"
NETDL = "https://www.microsoft.com/net/download/dotnet-framework-runtime"
WMFDL = "https://www.microsoft.com/download/details.aspx?id=54616"
TLSKB = "https://support.microsoft.com/help/4019276/update-to-add-support-for-tls-1-1-and-tls-1-2-in-windows"
TLSREG = "https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12"

# Versions compare as .NET's System.Version does: a missing part sorts before any number,
# so (6, 1, 8400, 0) > (6, 1, 8400). Python's tuple order is the same.
MIN_OS = (6, 1, 7600)

NDP_FULL = "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
DOTNET_462_RELEASE = 394802


def test_OperatingSystemCheck(facts, rule):
    """The OS version must be 6.1.7600 (Windows Server 2008 R2) or higher."""
    if facts.os_version >= MIN_OS:
        rule.passed("Operating System version is supported")
    rule.failed(f"Operating System version is not supported. Supported versions listed here: {OSREQ}", [OSREQ])


def test_DotNetFrameworkInstalledCheck(facts, rule):
    """.NET Framework 4.6.2 (Release 394802) or higher must be installed."""
    release = facts.registry_number(NDP_FULL, "Release")
    if release is not None and release >= DOTNET_462_RELEASE:
        rule.passed(".NET Framework version 4.6.2+ is found")
    rule.failed(f".NET Framework version 4.6.2 or higher is required: {NETDL}", [NETDL])


def test_WindowsManagementFrameworkInstalledCheck(facts, rule):
    """Windows PowerShell 5.1 passes, 4.0 warns, anything older fails."""
    version = facts.powershell_version
    if version.parts >= (5, 1):
        rule.passed(f"Detected Windows Management Framework version: {version}", [version])
    if version.parts >= (4,):
        rule.warned(
            f"Detected Windows Management Framework version: {version}. "
            f"Consider upgrading to version 5.1 or higher for increased reliability: {WMFDL}",
            [version, WMFDL],
        )
    rule.failed(
        f"Detected Windows Management Framework version: {version}. "
        f"Version 4.0 or higher is required (version 5.1 or higher is preferable): {WMFDL}",
        [version, WMFDL],
    )


def test_TlsVersionCheck(facts, rule):
    """TLS 1.2 must be enabled for SCHANNEL clients and servers; the branches go in this order."""
    os_version = facts.os_version
    settings = Tls12Settings.of(facts)  # read before the version decides, as the troubleshooter does

    # The operating system check (rule 1) did not pass.
    if os_version < MIN_OS and os_version >= (6, 0, 6001):
        rule.failed(f"TLS 1.2 is not enabled by default on the Operating System. Follow the instructions to enable it: {TLSKB}")
    if (6, 1, 7601) <= os_version <= (6, 1, 8400):
        if settings.switched_on:
            rule.passed("TLS 1.2 is enabled on the Operating System.")
        rule.failed(
            f"TLS 1.2 is not enabled by default on the Operating System. Follow the instructions to enable it: {TLSREG}",
            reason="NotExplicitlyEnabled",
        )
    if os_version >= (6, 2, 9200):
        if settings.switched_off:
            rule.failed(
                f"TLS 1.2 is supported by the Operating System, but currently disabled. Follow the instructions to re-enable: {TLSREG}",
                reason="ExplicitlyDisabled",
            )
        rule.passed("TLS 1.2 is enabled by default on the Operating System.", reason="EnabledByDefault")
    rule.failed("Your OS does not support TLS 1.2 by default.", reason="NoDefaultSupport")
