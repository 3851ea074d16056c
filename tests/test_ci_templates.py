"""The CI templates of docs/ci/: valid for their CI system (check-jsonschema's vendored schemas),
and their pytest command lines are ones this suite accepts, run as written (collect-only)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.emulated import ROOT

CI = ROOT / "docs" / "ci"
PYTEST = str(Path(sys.executable).with_name("pytest"))
# (file, check-jsonschema's vendored schema). Azure's schema holds patterns that only Python's
# regex engine compiles, hence --regex-variant python for every file alike.
TEMPLATES = [("github-actions.yml", "vendor.github-workflows"), ("azure-pipelines.yml", "vendor.azure-pipelines"),
             ("gitlab-ci.yml", "vendor.gitlab-ci")]
PACKER = "packer-gate.pkr.hcl"


def _validate(path: Path, schema: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--regex-variant", "python",
                           "--builtin-schema", schema, str(path)], capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("name, schema", TEMPLATES)
def test_each_template_validates_against_its_ci_schema(name, schema):
    done = _validate(CI / name, schema)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "ok -- validation done" in done.stdout


@pytest.mark.parametrize("name, schema, break_it", [
    ("github-actions.yml", "vendor.github-workflows", lambda d: d["jobs"]["check"].pop("runs-on")),
    ("azure-pipelines.yml", "vendor.azure-pipelines", lambda d: d["jobs"][0].update(strategy={"paralel": "3"})),
    ("gitlab-ci.yml", "vendor.gitlab-ci", lambda d: d["readiness"].update(parallel=500)),
])
def test_the_validator_rejects_a_broken_copy(tmp_path, name, schema, break_it):
    """The check can fail: the same file with one mistake is refused."""
    data = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    break_it(data)
    broken = tmp_path / name
    broken.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert _validate(broken, schema).returncode == 1


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def pytest_commands(name: str) -> list[str]:
    """The command lines of a template that run the suite (``.venv/bin/pytest ...``)."""
    text = (CI / name).read_text(encoding="utf-8")
    if name == PACKER:
        found = re.findall(r'"(\.venv/bin/pytest [^"]*)"', text)
    else:
        found = [s for s in _strings(yaml.safe_load(text)) if ".venv/bin/pytest" in s]
    return [" ".join(line.split()) for line in found]


# CI expressions in the templates, and what they stand for in a run here.
def _substitute(command: str, hosts: Path, waivers: Path) -> str:
    for pattern, value in [
        (r"\$\{\{ vars\.READINESS_HOSTS_FILE \|\| 'fleet/hosts\.txt' \}\}", str(hosts)),
        (r"\$\(READINESS_HOSTS_FILE\)|\$READINESS_HOSTS_FILE", str(hosts)),
        ((r"\$\{\{ vars\.AUTOMATION_LOCATION \}\}|\$\(AUTOMATION_LOCATION\)|\$AUTOMATION_LOCATION|"
         r"\$\{var\.automation_location\}"), "japaneast"),
        (r"\$\{\{ matrix\.shard \}\}|\$\(System\.JobPositionInPhase\)|\$CI_NODE_INDEX", "1"),
        (r"winrm://\$\{build\.User\}@\$\{build\.Host\}:\$\{build\.Port\}", "winrm://packer@127.0.0.9:5986"),
        (r"fleet/waivers\.yaml", str(waivers)),
    ]:
        command = re.sub(pattern, lambda _m, v=value: v, command)
    assert "${" not in command and "$(" not in command and "$" not in command, command
    return command


@pytest.mark.parametrize("name", [name for name, _ in TEMPLATES] + [PACKER])
def test_the_templates_run_the_suite_as_it_accepts(tmp_path, name):
    commands = pytest_commands(name)
    assert len(commands) == 1, commands
    command = commands[0]
    for option in ("--readiness-json", "--junitxml", "--html", "--wait-for-hosts", "--readiness-waivers"):
        assert option in command, (name, option)
    if name != PACKER:
        assert "--shard auto" in command
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("".join(f"winrm://admin@127.0.0.{i}:5985?no_ssl=true\n" for i in range(2, 8)), encoding="utf-8")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers: []\n", encoding="utf-8")
    args = shlex.split(_substitute(command, hosts, waivers))
    assert args[0] == ".venv/bin/pytest"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI_NODE", "SYSTEM_", "READINESS_"))}
    env.update({"READINESS_WINRM_PASSWORD": "not-used", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3",
                "SYSTEM_JOBPOSITIONINPHASE": "1", "SYSTEM_TOTALJOBSINPHASE": "3",
                "READINESS_SHARD_INDEX": "1", "READINESS_SHARD_TOTAL": "3"})
    # Collect only: every option and value is parsed and checked, no host is contacted, no readiness
    # JSON written (pytest-html and junitxml write their files even when only collecting).
    done = subprocess.run([PYTEST, *args[1:], "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    # "60/87 tests collected (27 deselected)": the rules of profiles no host has are deselected.
    assert re.search(r"^\d+(/\d+)? tests collected", done.stdout, re.MULTILINE), done.stdout[-1000:]
    assert not list(tmp_path.glob("reports/*.json"))


@pytest.mark.parametrize("name", [name for name, _ in TEMPLATES])
def test_the_templates_merge_the_shards_with_the_projects_command(name):
    text = (CI / name).read_text(encoding="utf-8")
    assert "python -m readiness.reports.json_report merge reports/readiness.json" in text
    assert "reports/shard-" in text
    # and publish one page for the whole fleet, rendered from the merged JSON
    assert ".venv/bin/python -m readiness.report_html reports/readiness.json -o reports/readiness.html" in text
    assert text.index("json_report merge") < text.index("readiness.report_html")


def test_the_readme_links_every_template():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [n for n, _ in TEMPLATES] + [PACKER]:
        assert f"(docs/ci/{name})" in readme, name

