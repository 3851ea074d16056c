"""The code is lint- and type-clean, as pyproject.toml configures it: ``ruff check .`` and ``mypy``.

Both run from this environment (the lock pins them), in the project's root, so that ``.ci/run``
(``pytest tests``) enforces them. mypy keeps its cache in ``.mypy_cache`` (git-ignored), so a
second run takes a second or two.
"""

from __future__ import annotations

import subprocess
import sys

from tests.emulated import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check_is_clean():
    result = _run("ruff", "check", "--no-fix", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    # The packages and the options are pyproject.toml's [tool.mypy].
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
