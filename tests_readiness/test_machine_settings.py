"""Machine override checks: Windows Update policies that change what the agent's runs do."""

import pytest

pytestmark = pytest.mark.machine_settings

WU_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"
AU_POLICY = WU_POLICY + "\\AU"
AUTO_DOWNLOAD_AND_INSTALL = 4


def test_AlwaysAutoRebootCheck(facts, rule):
    """No policy that reboots at the scheduled time whatever the update configuration says."""
    by_schedule = facts.registry_number(AU_POLICY, "AlwaysAutoRebootAtScheduledTime")
    by_duration = facts.registry_number(AU_POLICY, "AlwaysAutoRebootAtScheduledTimeMinutes")
    if by_schedule == 1 or by_duration:
        rule.warned("Windows Update reboot registry keys are set. This can cause unexpected reboots when installing updates")
    rule.passed("Windows Update reboot registry keys are not set to automatically reboot")


def test_WSUSServerConfigured(facts, rule):
    """Whether updates come from a WSUS server rather than Windows Update."""
    server = facts.registry_value(WU_POLICY, "WUServer")
    if server is not None:
        server = " ".join(server) if isinstance(server, tuple) else str(server)
        rule.warned(
            f"Windows Updates are downloading from a configured WSUS Server {server}. "
            "Ensure the WSUS server is accessible and updates are being approved for installation",
            [server],
        )
    rule.passed("Windows Updates are downloading from the default Windows Update location. "
                "Ensure the server has access to the Windows Update service")


def test_AutomaticUpdateCheck(facts, rule):
    """Automatic Updates must not download and install updates on their own (AUOptions 4)."""
    if facts.registry_number(AU_POLICY, "AUOptions") == AUTO_DOWNLOAD_AND_INSTALL:
        rule.warned("Windows Update will automatically download and install new updates as they become available")
    rule.passed("Windows Update is not set to automatically install updates as they become available")
