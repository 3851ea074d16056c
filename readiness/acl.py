"""File system rights as numbers: names to flags, generic rights mapped, effective access.

>>> rights_from_names("Write, Read") == WRITE | READ
True
>>> has_rights(effective_rights([AccessEntry("S-1-5-18", FULL_CONTROL, "Allow")], SYSTEM_SIDS), MODIFY)
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

# System.Security.AccessControl.FileSystemRights
NAMES = {
    "ReadData": 0x1, "ListDirectory": 0x1,
    "WriteData": 0x2, "CreateFiles": 0x2,
    "AppendData": 0x4, "CreateDirectories": 0x4,
    "ReadExtendedAttributes": 0x8,
    "WriteExtendedAttributes": 0x10,
    "ExecuteFile": 0x20, "Traverse": 0x20,
    "DeleteSubdirectoriesAndFiles": 0x40,
    "ReadAttributes": 0x80,
    "WriteAttributes": 0x100,
    "Write": 0x116,
    "Delete": 0x10000,
    "ReadPermissions": 0x20000,
    "Read": 0x20089,
    "ReadAndExecute": 0x200A9,
    "Modify": 0x301BF,
    "ChangePermissions": 0x40000,
    "TakeOwnership": 0x80000,
    "Synchronize": 0x100000,
    "FullControl": 0x1F01FF,
}
WRITE = NAMES["Write"]
READ = NAMES["Read"]
MODIFY = NAMES["Modify"]
FULL_CONTROL = NAMES["FullControl"]

# Generic access bits, as an ACE may carry them, mapped the way NTFS maps them for files.
GENERIC = {
    0x80000000: 0x120089,  # GENERIC_READ -> FILE_GENERIC_READ
    0x40000000: 0x120116,  # GENERIC_WRITE -> FILE_GENERIC_WRITE
    0x20000000: 0x1200A0,  # GENERIC_EXECUTE -> FILE_GENERIC_EXECUTE
    0x10000000: 0x1F01FF,  # GENERIC_ALL -> FILE_ALL_ACCESS
}

# The groups in the token of the local SYSTEM account that folder ACLs commonly name.
SYSTEM_SIDS = frozenset({
    "S-1-5-18",      # NT AUTHORITY\SYSTEM
    "S-1-1-0",       # Everyone
    "S-1-5-11",      # Authenticated Users
    "S-1-5-32-544",  # BUILTIN\Administrators
})


class RightsError(ValueError):
    """A rights name that FileSystemRights does not have."""


def rights_from_names(text: str) -> int:
    """``"Write, Read"`` (as PowerShell prints FileSystemRights) to its number."""
    value = 0
    for part in text.split(","):
        name = part.strip()
        if name not in NAMES:
            raise RightsError(f"unknown file system right {name!r}")
        value |= NAMES[name]
    return value


def map_generic(rights: int) -> int:
    """Replace generic bits with the specific rights they stand for."""
    for bit, specific in GENERIC.items():
        if rights & bit:
            rights = (rights & ~bit) | specific
    return rights


@dataclasses.dataclass(frozen=True)
class AccessEntry:
    sid: str
    rights: int
    type: str  # "Allow" or "Deny"
    inherit_only: bool = False


def effective_rights(entries: Iterable[AccessEntry], sids: Iterable[str]) -> int:
    """Rights granted to a token holding ``sids``: allowed ones, less any denied.

    Every Deny entry counts, wherever it stands. Windows stops at the first entry that decides
    each right, so an explicit Allow placed before an inherited Deny would still grant; taking
    every Deny can only make the answer stricter, never a false grant.
    """
    members = frozenset(sids)
    allowed = denied = 0
    for entry in entries:
        if entry.inherit_only or entry.sid not in members:
            continue
        if entry.type == "Deny":
            denied |= map_generic(entry.rights)
        elif entry.type == "Allow":
            allowed |= map_generic(entry.rights)
    return allowed & ~denied


def has_rights(effective: int, wanted: int) -> bool:
    return effective & wanted == wanted
