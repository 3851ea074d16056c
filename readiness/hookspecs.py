"""Hooks of the readiness plugin that other plugins implement.

Registered through the ``pytest11`` entry point ``readiness.hookspecs`` (and the checkout's
``conftest.py``), so any plugin, the project's own or another, can add to the reports.
"""

from __future__ import annotations

from typing import Any

import pytest


class ReadinessHookspecs:
    @pytest.hookspec
    def pytest_readiness_json_report(self, config: pytest.Config, report: dict[str, Any]) -> None:
        """Add to the troubleshooter JSON report (``--readiness-json``) before it is written.

        ``report`` is the whole document: ``report["hosts"]`` holds one object per host (``host``,
        ``results``, ...). Implementations add keys; they never change a result.
        """


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(ReadinessHookspecs)
