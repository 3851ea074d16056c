"""Fixtures shared by the project's tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from fixtures.emulator import Fleet, free_base_address
from tests.chromium import Page
from tests.emulated import fleet

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def emulated_fleet() -> Iterator[Callable[..., Fleet]]:
    """Serve emulated Windows hosts until the test module ends.

    ``emulated_fleet(["healthy", my_scenario], faults={"healthy": ["refuse"]}, ca_file=...)``
    serves shipped scenarios (by name) and scenarios of the test's own on a free loopback block
    and returns the running :class:`~fixtures.emulator.Fleet`. Inside one test, ``with
    tests.emulated.fleet(...)`` serves hosts for part of it.
    """
    with contextlib.ExitStack() as stack:
        yield lambda names, **kwargs: stack.enter_context(fleet(names, **kwargs))


@pytest.fixture
def loopback_address() -> str:
    """A loopback address (127.A.B.1, A >= 20) where nothing listens on the WinRM ports now."""
    return free_base_address()


@pytest.fixture
def page(tmp_path) -> Iterator[Page]:
    """A blank page in headless Chromium (skipped without Chromium, failed under CI)."""
    opened = Page(tmp_path / "chromium-profile")
    yield opened
    opened.close()
