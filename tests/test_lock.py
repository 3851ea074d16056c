"""Every package the suite installs is locked, with hashes, and this environment is the lock.

``requirements.in`` names the direct dependencies; ``requirements.txt`` is pip-tools' lock of
them (``pip-compile --generate-hashes``): each package, transitive ones and the build backend
included, at one version, with the hashes pip checks on install.
"""

from __future__ import annotations

import importlib.metadata
import re

from packaging.utils import canonicalize_name

from tests.emulated import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _pins(text: str) -> dict[str, str]:
    return {canonicalize_name(m.group(1)): m.group(2) for line in text.splitlines() if (m := PIN.match(line))}


def _entries(text: str) -> list[str]:
    """The lock's entries, each with its continuation lines joined."""
    return [e for e in re.sub(r"\\\n\s*", " ", text).splitlines() if e and not e.startswith(("#", " "))]


def test_the_lock_pins_every_package_with_hashes_and_holds_the_direct_ones_as_given():
    direct = _pins((ROOT / "requirements.in").read_text(encoding="utf-8"))
    lock_text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    lock = _pins(lock_text)
    entries = _entries(lock_text)
    assert entries and all(PIN.match(e) and "--hash=sha256:" in e for e in entries), \
        [e for e in entries if "--hash=sha256:" not in e]
    assert len(entries) == len(lock)
    assert {name: lock.get(name) for name in direct} == direct
    for name in ("urllib3", "certifi", "jinja2", "setuptools", "check-jsonschema", "ruff", "mypy"):
        assert name in lock, name
    assert "-e" not in lock_text.split()  # hash-checking mode refuses editable installs


def test_this_environment_is_the_lock():
    lock = _pins((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    assert {name: installed.get(name) for name in lock} == lock
