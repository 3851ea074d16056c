"""Access permission checks: the SYSTEM account and the machine keys folder."""

import pytest

from readiness.acl import MODIFY, SYSTEM_SIDS, WRITE, effective_rights, has_rights

pytestmark = pytest.mark.permissions

MACHINE_KEYS = "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"
# The troubleshooter names the folder with doubled backslashes in its messages.
MACHINE_KEYS_SHOWN = MACHINE_KEYS.replace("\\", "\\\\")


def test_CryptoRsaMachineKeysFolderAccessCheck(facts, rule):
    """SYSTEM must have write and modify access to the folder: its effective rights, Deny honoured."""
    args = [MACHINE_KEYS_SHOWN]
    acl = facts.acl(MACHINE_KEYS)
    if acl.exists and has_rights(effective_rights(acl.entries, SYSTEM_SIDS), WRITE | MODIFY):
        rule.passed(f"Have permissions to access {MACHINE_KEYS_SHOWN}", args)
    rule.failed(f"Missing permissions to access {MACHINE_KEYS_SHOWN}", args)
