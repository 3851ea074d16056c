"""The runnable examples in the engine's docstrings stay true."""

import doctest
import importlib

import pytest

MODULES = ["readiness.acl", "readiness.hosts", "readiness.outcomes", "readiness.probe", "readiness.regions",
           "readiness.results", "readiness.scheduling", "readiness.winhttp", "readiness.endpoints",
           "readiness.redact", "readiness.printable", "readiness.report_terminal", "fixtures.seed_sample",
           "fixtures.scenario", "fixtures.emulator.capabilities", "fixtures.emulator.powershell", "readiness.facts",
           "readiness.probe.gather", "fixtures.emulator.xpath", "fixtures.emulator.eventread", "fixtures.emulator.hostprobe",
           "readiness.lang", "readiness.remediation"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    failures, tried = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert tried > 0, f"{name} has no example"
    assert failures == 0
