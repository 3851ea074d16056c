"""Machine override checks: Windows Update policies that change what the agent's runs do."""

import pytest

pytestmark = pytest.mark.machine_settings

WU_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"
AU_POLICY = WU_POLICY + "\\AU"
AUTO_DOWNLOAD_AND_INSTALL = 4


def test_AlwaysAutoRebootCheck(facts, rule):
    """No policy that reboots at the scheduled time whatever the update configuration says."""
    # As the troubleshooter reads them: the schedule value equal to 1, or any minutes value set
    # (PowerShell's truth: not 0, not empty), whatever kind of value holds it.
    if (facts.registry_equals(AU_POLICY, "AlwaysAutoRebootAtScheduledTime", 1)
            or facts.registry_is_set(AU_POLICY, "AlwaysAutoRebootAtScheduledTimeMinutes")):
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
    if facts.registry_equals(AU_POLICY, "AUOptions", AUTO_DOWNLOAD_AND_INSTALL):  # REG_SZ "4" too
        rule.warned("Windows Update will automatically download and install new updates as they become available")
    rule.passed("Windows Update is not set to automatically install updates as they become available")
