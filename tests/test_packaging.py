"""What the project installs: the suite (``readiness``, a pytest plugin), and nothing named ``fixtures``.

The emulator and the scenarios in ``fixtures/`` are used from the checkout. Installed, they would
take the top-level import name ``fixtures``, which belongs to another PyPI distribution.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.emulated import ROOT

FIND = '''
import importlib.util, json
found = {}
for name in ("fixtures", "readiness.plugin", "readiness.reports.json_report"):
    spec = importlib.util.find_spec(name)
    found[name] = spec.origin if spec else None
print(json.dumps(found))
'''


def test_outside_the_checkout_fixtures_is_not_ours_and_the_plugin_is(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", FIND], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["fixtures"] is None or not found["fixtures"].startswith(str(ROOT)), found
    assert found["readiness.plugin"] and found["readiness.reports.json_report"], found


def test_in_the_checkout_the_emulator_runs_from_the_fixtures_folder():
    done = subprocess.run([sys.executable, "-m", "fixtures.emulator", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--scenario" in done.stdout
