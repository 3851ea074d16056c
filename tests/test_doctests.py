"""The runnable examples in the docstrings stay true: every module of the installed packages
(``readiness``, ``fixtures``) and of the project's scripts and helpers that has one is found here
and run, so a new module's examples run without being listed."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

import fixtures
import readiness

ROOT = Path(__file__).resolve().parent.parent
# Folders of modules outside the two packages, importable from the checkout's root (test
# modules themselves are pytest's to run).
OTHER = ("scripts", "bench", "tests")


def _other() -> list[str]:
    return [f"{folder}.{path.stem}" for folder in OTHER for path in sorted((ROOT / folder).glob("*.py"))
            if not path.name.startswith(("test_", "_", "conftest")) and ">>> " in path.read_text(encoding="utf-8")]


def _modules() -> list[str]:
    names = []
    for package in (readiness, fixtures):
        names.append(package.__name__)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
                  if not m.name.endswith(".__main__")]
    return sorted(names) + _other()


def _import(name: str) -> ModuleType:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(name)


def _runnable(module: ModuleType) -> list[doctest.DocTest]:
    """The module's docstring examples that doctest runs (not all marked ``+SKIP``)."""
    found = doctest.DocTestFinder().find(module, module.__name__)
    return [t for t in found if any(not e.options.get(doctest.SKIP) for e in t.examples)]


WITH_EXAMPLES = [name for name in _modules() if _runnable(_import(name))]


def test_discovery_finds_the_modules_with_examples():
    # A module with examples that discovery missed would be silently untested.
    assert {"readiness.acl", "readiness.facts", "readiness.probe", "fixtures.scenario", "fixtures.emulator.xpath",
            "fixtures.seed_sample", "fixtures.expected_table", "scripts.windows_runner",
            "readiness.capture"} <= set(WITH_EXAMPLES)
    for path in [*ROOT.glob("readiness/**/*.py"), *ROOT.glob("fixtures/**/*.py"),
                 *(p for folder in OTHER for p in ROOT.glob(f"{folder}/*.py") if not p.name.startswith("test_"))]:
        if ">>> " in path.read_text(encoding="utf-8") and path.name != "__main__.py":
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            module = _import(name)
            assert name in WITH_EXAMPLES or not _runnable(module), name


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    failures, tried = doctest.testmod(_import(name), optionflags=doctest.ELLIPSIS)
    assert tried > 0, f"{name} has no example"
    assert failures == 0
