"""The gate as CI invokes it: option paths outside the checkout, both option forms, any directory.

pytest picks its rootdir from path-like arguments before plugins load (``_pytest/config/findpaths.py``),
so ``--hosts-file /build/hosts.txt`` once made it miss ``pytest.ini`` and collect the project's own
tests. Every form here must run exactly the 20 readiness rules for the one emulated host, with the
same test ids, and write each report where its option says (relative to the starting directory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from readiness.catalog import RULES
from tests.emulated import ROOT, display, fleet, host_url, write_hosts

PYTEST = str(Path(sys.executable).with_name("pytest"))
# The default profile's rule modules (the Update Manager profiles' modules name theirs in PROFILE).
RULE_FILES = sorted(p.name for p in (ROOT / "tests_readiness").glob("test_*.py")
                    if "\nPROFILE = " not in p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def healthy_host():
    with fleet(["healthy"]) as served:
        yield served.hosts[0]


def _gate(cwd: Path, args: list[str], password: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "READINESS_"))}
    env["READINESS_WINRM_PASSWORD"] = password
    return subprocess.run([PYTEST, "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def _option(form: str, name: str, value: str) -> list[str]:
    return [name, value] if form == "space" else [f"{name}={value}"]


@pytest.mark.parametrize("form", ["space", "equals"])
@pytest.mark.parametrize("paths", ["absolute", "relative"])
@pytest.mark.parametrize("where", ["checkout", "elsewhere"])
def test_every_form_runs_exactly_the_twenty_rules(tmp_path, healthy_host, form, paths, where):
    build = tmp_path / "build"  # what a CI job writes: outside the checkout
    build.mkdir()
    cwd = ROOT if where == "checkout" else tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    hosts = write_hosts(build / "hosts.txt", [host_url(healthy_host, password=False)])

    def spell(path: Path) -> str:
        return str(path) if paths == "absolute" else os.path.relpath(path, cwd)

    html, junit, report = build / "report.html", build / "junit.xml", build / "readiness.json"
    args = (_option(form, "--hosts-file", spell(hosts)) + _option(form, "--html", spell(html))
            + _option(form, "--junitxml", spell(junit)) + _option(form, "--readiness-json", spell(report))
            + _option(form, "--connect-timeout", "1"))
    done = _gate(cwd, args, healthy_host.password)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "20 passed" in out, out[-3000:]
    # JUnit: exactly the rules, under the project's rootdir whatever the starting directory.
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "20", out[-2000:]
    cases = suite.findall("testcase")
    assert sorted(c.get("name") for c in cases) == sorted(
        f"test_{rule}[{display(healthy_host)}]" for rule in RULES)
    assert {c.get("classname") for c in cases} == {f"tests_readiness.{name[:-3]}" for name in RULE_FILES}
    # The troubleshooter JSON: one host, its 20 results.
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [h["host"] for h in data["hosts"]] == [display(healthy_host)]
    assert [r["RuleId"] for r in data["hosts"][0]["results"]] == list(RULES)
    # The HTML report was written where asked, with the host's results in it.
    assert display(healthy_host) in html.read_text(encoding="utf-8")
    assert f"rootdir: {ROOT}" in done.stdout, done.stdout[:2000]


def test_collect_only_from_the_checkout_lists_only_rules(tmp_path, healthy_host):
    """The case that collected the project's own tests: space form, absolute paths, from the checkout."""
    hosts = write_hosts(tmp_path / "hosts.txt", [host_url(healthy_host, password=False)])
    done = _gate(ROOT, ["--collect-only", "-q", "--hosts-file", str(hosts), "--html", str(tmp_path / "r.html")],
                 healthy_host.password)
    assert done.returncode == 0, done.stdout[-3000:]
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(ids) == 20, done.stdout[-3000:]
    assert all(line.startswith("tests_readiness/") for line in ids), ids


def test_a_test_path_given_is_kept(tmp_path, healthy_host):
    """Naming rule files still selects them: the plugin adds the rules only when no path is given."""
    hosts = write_hosts(tmp_path / "hosts.txt", [host_url(healthy_host, password=False)])
    done = _gate(tmp_path, ["--collect-only", "-q", "--hosts-file", str(hosts),
                            str(ROOT / "tests_readiness" / "test_permissions.py")], healthy_host.password)
    assert done.returncode == 0, done.stdout[-3000:]
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    assert ids and all("test_permissions.py::" in line for line in ids), done.stdout[-2000:]
    defined = (ROOT / "tests_readiness" / "test_permissions.py").read_text(encoding="utf-8").count("\ndef test_")
    assert len(ids) == defined >= 1


def test_from_elsewhere_under_xdist(tmp_path, healthy_host):
    """The workers are started with the same arguments: they anchor at the project too."""
    hosts = write_hosts(tmp_path / "hosts.txt", [host_url(healthy_host, password=False)])
    report = tmp_path / "out" / "readiness.json"
    done = _gate(tmp_path, ["-n", "2", "--hosts-file", str(hosts), "--readiness-json", "out/readiness.json",
                            "--html", "out/report.html", "--connect-timeout", "1"], healthy_host.password)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "20 passed" in done.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [r["CheckResult"] for r in data["hosts"][0]["results"]] == ["Passed"] * 20
