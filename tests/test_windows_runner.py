"""The Windows workflow's helper (scripts/windows_runner.py) and the workflow file itself.

The workflow runs on GitHub-hosted Windows runners only; what can be proved here is that its
helper judges probe documents and reports rightly (documents from tests/facts_builder.py,
reports from real suite runs over the emulator, made the way the workflow makes them), that
every helper command the workflow calls parses, and that the workflow passes a real validator
that does catch a broken one.
"""

from __future__ import annotations

import base64
import doctest
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from readiness import capture, probe, probe_pool
from readiness.catalog import RULES
from readiness.hosts import parse_host
from readiness.reports.gathering import HostReport
from readiness.reports.json_report import build_report
from readiness.results import Result
from tests.emulated import ROOT, run_suite
from tests.facts_builder import MACHINE_KEYS, NDP_FULL, HostDoc

SCRIPT = ROOT / "scripts" / "windows_runner.py"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"

_spec = importlib.util.spec_from_file_location("windows_runner", SCRIPT)
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)


def cli(*args: str) -> subprocess.CompletedProcess:
    """The helper as the workflow calls it: ``python scripts/windows_runner.py ...``."""
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)


def test_docstring_examples():
    failures, tried = doctest.testmod(runner)
    assert tried > 0 and failures == 0


# --- the probe's input and command lines -------------------------------------------------------

def test_write_stdin_writes_the_suites_bytes_unchanged(tmp_path):
    path = tmp_path / "probe-stdin.txt"
    done = cli("write-stdin", str(path))
    assert done.returncode == 0, done.stderr
    expected = probe.stdin_text(probe.ProbeInput()).encode("ascii")
    assert path.read_bytes() == expected
    assert b"\r\n" not in path.read_bytes()  # no newline translation, as pywinrm sends it
    assert done.stdout.strip() == f"wrote {len(expected)} bytes of probe input to {path}"


def test_command_lines_are_the_suites_under_each_shell():
    desktop = cli("command-line", "powershell")
    core = cli("command-line", "pwsh")
    assert desktop.returncode == core.returncode == 0
    assert desktop.stdout.strip() == probe.command_line()
    assert core.stdout.strip().startswith("pwsh.exe ")
    # Same flags and the same encoded bootstrap; only the executable differs.
    assert core.stdout.strip()[len("pwsh.exe"):] == probe.command_line()[len("powershell.exe"):]
    encoded = core.stdout.split()[-1]
    assert base64.b64decode(encoded).decode("utf-16-le") == probe.BOOTSTRAP


def test_a_command_line_that_is_not_powershell_is_refused():
    with pytest.raises(runner.RunnerCheckError, match=r"does not start with powershell\.exe"):
        runner.pwsh_command_line("cmd.exe /c whoami")


# --- validate ----------------------------------------------------------------------------------

def write_doc(tmp_path: Path, doc: HostDoc | dict, name: str = "probe.json") -> Path:
    path = tmp_path / name
    document = doc.doc if isinstance(doc, HostDoc) else doc
    # ensure_ascii: the probe writes every character above 0x7E as \uXXXX.
    path.write_bytes(json.dumps(document).encode("ascii") + b"\r\n")
    return path


def test_validate_accepts_a_probe_document(tmp_path):
    path = write_doc(tmp_path, HostDoc())
    facts = runner.validate(path)
    assert facts.os_version == (10, 0, 20348, 0)
    done = cli("validate", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{path}: valid {probe.SCHEMA}, PowerShell 5.1.20348.1"


@pytest.mark.parametrize("change, words", [
    (lambda d: d.pop("os"), "os: missing"),
    (lambda d: d.update(schema="readiness-probe/0"), f"expected '{probe.SCHEMA}'"),
    (lambda d: d["services"]["wuauserv"].update(start="Manual"), "services.wuauserv.start"),
])
def test_validate_refuses_a_document_the_suite_refuses(tmp_path, change, words):
    doc = HostDoc().doc
    change(doc)
    path = write_doc(tmp_path, doc)
    done = cli("validate", str(path))
    assert done.returncode == 1
    assert words in done.stderr and str(path) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_validate_refuses_bytes_beyond_ascii(tmp_path):
    doc = HostDoc().doc
    doc["services"]["wuauserv"]["status"] = "Running"
    path = tmp_path / "probe.json"
    text = json.dumps(doc, ensure_ascii=False).replace('"Running"', '"Runn\u00efng"', 1)
    path.write_bytes(text.encode("utf-8"))
    offset = path.read_bytes().index(b"\xc3")
    with pytest.raises(runner.RunnerCheckError, match=f"byte {offset} is 0xC3; the probe writes printable ASCII only"):
        runner.validate(path)


@pytest.mark.parametrize("content, words", [
    (None, "cannot read the probe output"),
    (b"", "probe output is empty"),
    (b"WARNING: something\r\n", "probe output is not JSON"),
])
def test_validate_names_output_that_is_not_a_document(tmp_path, content, words):
    path = tmp_path / "probe.json"
    if content is not None:
        path.write_bytes(content)
    done = cli("validate", str(path))
    assert done.returncode == 1 and words in done.stderr and "Traceback" not in done.stderr


# --- assert-fresh-runner -----------------------------------------------------------------------

def core_doc() -> HostDoc:
    doc = HostDoc()
    doc.doc["powershell"] = {"version": "7.4.6", "edition": "Core"}
    return doc


def test_a_fresh_windows_server_2022_runner_under_each_edition(tmp_path):
    desktop = cli("assert-fresh-runner", str(write_doc(tmp_path, HostDoc(), "ps51.json")), "--edition", "Desktop")
    assert desktop.returncode == 0, desktop.stderr
    assert desktop.stdout.strip().endswith(
        "Windows Server 2022 10.0.20348.0, .NET Framework Release 533320, PowerShell Desktop 5.1.20348.1, wuauserv present")
    core = cli("assert-fresh-runner", str(write_doc(tmp_path, core_doc(), "pwsh.json")), "--edition", "Core")
    assert core.returncode == 0, core.stderr
    assert "PowerShell Core 7.4.6" in core.stdout


def test_a_fresh_windows_server_2025_runner():
    facts = HostDoc().os("10.0.26100.0").powershell("5.1.26100.2161").facts()
    assert runner.assert_fresh_runner(facts, "Desktop").startswith("Windows Server 2025 10.0.26100.0")


def test_net_48_is_the_least_release_accepted():
    assert runner.fresh_runner_problems(HostDoc().registry(NDP_FULL, Release=528040).facts(), "Desktop") == []
    problems = runner.fresh_runner_problems(HostDoc().registry(NDP_FULL, Release=528039).facts(), "Desktop")
    assert problems == [".NET Framework Release is 528039, expected 528040 (4.8) or more"]


@pytest.mark.parametrize("doc, edition, problem", [
    (HostDoc().os("10.0.17763.0"), "Desktop",
     "OS version 10.0.17763.0 is none of the runner images: 10.0.20348 (Windows Server 2022), 10.0.26100 (Windows Server 2025)"),
    (HostDoc().registry(NDP_FULL, Release=461814), "Desktop", ".NET Framework Release is 461814, expected 528040 (4.8) or more"),
    (HostDoc().no_registry_key(NDP_FULL), "Desktop", ".NET Framework Release is None, expected 528040 (4.8) or more"),
    (HostDoc().service("wuauserv", exists=False), "Desktop", "the wuauserv service is not present"),
    (HostDoc(), "Core", "PowerShell edition is Desktop, expected Core; PowerShell version is 5.1.20348.1, expected 7.x"),
    (core_doc(), "Desktop", "PowerShell edition is Core, expected Desktop; PowerShell version is 7.4.6, expected 5.1.x"),
    (HostDoc().powershell("5.0.10586.117"), "Desktop", "PowerShell version is 5.0.10586.117, expected 5.1.x"),
    (HostDoc().unavailable("acl", MACHINE_KEYS), "Desktop", f"the probe could not read acl.{MACHINE_KEYS}: Access is denied."),
])
def test_what_a_fresh_runner_does_not_have(doc, edition, problem):
    assert runner.fresh_runner_problems(doc.facts(), edition) == problem.split("; ")


def test_a_fact_the_probe_could_not_read_is_named(tmp_path):
    doc = HostDoc().unavailable("services", "wuauserv", message="Cannot open Service Control Manager")
    problems = runner.fresh_runner_problems(doc.facts(), "Desktop")
    assert "the probe could not read services.wuauserv: Cannot open Service Control Manager" in problems


def test_every_difference_is_reported_in_one_line(tmp_path):
    doc = HostDoc().os("6.1.7601.65536").service("wuauserv", exists=False)
    done = cli("assert-fresh-runner", str(write_doc(tmp_path, doc)), "--edition", "Core")
    assert done.returncode == 1
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("windows_runner: not a fresh runner: OS version 6.1.7601.65536")
    assert "the wuauserv service is not present; PowerShell edition is Desktop, expected Core" in line


def test_assert_fresh_runner_validates_first(tmp_path):
    doc = HostDoc().doc
    del doc["network"]
    done = cli("assert-fresh-runner", str(write_doc(tmp_path, doc)), "--edition", "Desktop")
    assert done.returncode == 1 and "network: missing" in done.stderr


# --- check-report: built reports ---------------------------------------------------------------

def result(rule_id: str, check: str = "Passed", reason: str | None = None) -> Result:
    info = RULES[rule_id]
    message_id = f"{rule_id}.{check}" + (f".{reason}" if reason else "")
    return Result(rule_id, info.group_id, info.name, info.group_name, info.description, check,
                  f"{check} for a test", message_id, [])


def report_file(tmp_path: Path, *hosts: HostReport) -> Path:
    path = tmp_path / "readiness.json"
    path.write_text(json.dumps(build_report(list(hosts), None)), encoding="utf-8")
    return path


def host(name: str = "winrm://readiness@127.0.0.1:5985", platform: str = "windows", **changed: Result | None) -> HostReport:
    results = [changed.get(rule_id, result(rule_id)) for rule_id in RULES]
    return HostReport(name, platform, [r for r in results if r is not None])


def test_rules_failed_on_the_facts_pass_the_check(tmp_path):
    fresh = host(MonitoringAgentServiceRunningCheck=result("MonitoringAgentServiceRunningCheck", "Failed"),
                 WUServiceRunningCheck=result("WUServiceRunningCheck", "Failed", "NotInstalled"),
                 AutomaticUpdateCheck=result("AutomaticUpdateCheck", "PassedWithWarning"))
    assert runner.check_report(report_file(tmp_path, fresh)) == (
        "1 host(s) checked, no host failure: 17 Passed, 1 PassedWithWarning, 2 Failed")


def test_the_reasons_are_the_suites():
    constants = {name: value for name, value in vars(probe_pool).items()
                 if name.isupper() and isinstance(value, str) and value[:1].isupper() and value.isalpha()}
    assert set(runner.HOST_FAILURE_REASONS) == set(constants.values()) | {capture.CAPTURE_ERROR}, constants


@pytest.mark.parametrize("reason", runner.HOST_FAILURE_REASONS)
def test_each_host_failure_reason_fails_the_check(tmp_path, reason):
    path = report_file(tmp_path, host(TlsVersionCheck=result("TlsVersionCheck", "Failed", reason)))
    with pytest.raises(runner.RunnerCheckError) as caught:
        runner.check_report(path)
    assert str(caught.value) == (f"{path}: winrm://readiness@127.0.0.1:5985: TlsVersionCheck.Failed.{reason}: "
                                 "Failed for a test")


@pytest.mark.parametrize("hosts, words", [
    ((), "the report lists no host"),
    ((host(platform="linux"),), "platform is linux, not windows"),
    ((host(OperatingSystemCheck=None),), "no result for OperatingSystemCheck"),
])
def test_a_report_without_every_rule_of_a_windows_host_fails(tmp_path, hosts, words):
    with pytest.raises(runner.RunnerCheckError, match=words):
        runner.check_report(report_file(tmp_path, *hosts))


def test_a_rule_reported_twice_fails(tmp_path):
    doubled = host()
    doubled.results.append(result("OperatingSystemCheck"))
    with pytest.raises(runner.RunnerCheckError, match="more than one result for OperatingSystemCheck"):
        runner.check_report(report_file(tmp_path, doubled))


def test_problems_are_counted_on_one_line(tmp_path):
    bad = host("winrm://readiness@127.0.0.2:5985", **{r: result(r, "Failed", "AccessDenied") for r in RULES})
    done = cli("check-report", str(report_file(tmp_path, bad)))
    assert done.returncode == 1
    assert done.stderr.strip().endswith("OperatingSystemCheck.Failed.AccessDenied: Failed for a test (and 19 more)")
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_or_broken_reports_are_named(tmp_path):
    good = report_file(tmp_path, host())
    (tmp_path / "junit.xml").write_text("<testsuites><testsuite>", encoding="utf-8")
    (tmp_path / "empty.xml").write_text("<testsuites><testsuite/></testsuites>", encoding="utf-8")
    (tmp_path / "page.html").write_text("not a page", encoding="utf-8")
    cases = [
        ((tmp_path / "none.json",), "the readiness report"),
        ((tmp_path / "junit.xml",), "is not JSON"),
        ((good, tmp_path / "none.xml"), "the JUnit report"),
        ((good, tmp_path / "junit.xml"), "is not XML"),
        ((good, tmp_path / "empty.xml"), "has no testcase"),
        ((good, None, tmp_path / "none.html"), "the HTML report"),
        ((good, None, tmp_path / "page.html"), "is not an HTML page"),
    ]
    for args, words in cases:
        with pytest.raises(runner.RunnerCheckError, match=words):
            runner.check_report(*args)


# --- check-report: the suite run as the workflow runs it, over the emulator --------------------

@pytest.fixture(scope="module")
def seed_host(emulated_fleet):
    """The seed sample machine (rules fail on its facts, as on a runner without the agent)."""
    return emulated_fleet(["seed-sample"]).hosts[0]


def workflow_run(pytester, monkeypatch, host, password: str):
    """The workflow's suite step: user in the URL, password from READINESS_WINRM_PASSWORD,
    HTTP with NTLM (message encryption), the JSON, JUnit and HTML reports."""
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", password)
    junit = pytester.path / "junit.xml"
    result, _ = run_suite(pytester, f"--hosts=winrm://{host.user}@{host.address}:{host.http_port}?no_ssl=true",
                          f"--junitxml={junit}", "--connect-timeout", "1")
    return result, [pytester.path / "readiness.json", "--junitxml", junit, "--html", pytester.path / "readiness.html"]


def test_a_run_whose_rules_fail_on_facts_passes_the_check(pytester, monkeypatch, seed_host):
    result, reports = workflow_run(pytester, monkeypatch, seed_host, seed_host.password)
    assert result.ret == 1  # Failed rules, as on a runner without the monitoring agent
    done = cli("check-report", *map(str, reports))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"1 host\(s\) checked, no host failure: \d+ Passed, \d+ PassedWithWarning, [1-9]\d* Failed",
                        done.stdout.strip())


def test_a_run_with_rejected_credentials_fails_the_check(pytester, monkeypatch, seed_host):
    result, reports = workflow_run(pytester, monkeypatch, seed_host, "not-" + seed_host.password)
    assert result.ret == 1
    done = cli("check-report", *map(str, reports))
    assert done.returncode == 1
    assert "OperatingSystemCheck.Failed.AccessDenied" in done.stderr and "(and 19 more)" in done.stderr


# --- the workflow file -------------------------------------------------------------------------

def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps() -> list[dict]:
    (job,) = workflow()["jobs"].values()
    return job["steps"]


def test_every_helper_call_in_the_workflow_parses():
    calls = [line.split("scripts/windows_runner.py", 1)[1].split()
             for step in steps() for line in step.get("run", "").splitlines() if "scripts/windows_runner.py" in line]
    assert {c[0] for c in calls} == {"write-stdin", "command-line", "validate", "assert-fresh-runner", "check-report"}
    for args in calls:
        runner._parser().parse_args(args)  # exits (SystemExit) on a call the helper would refuse


def test_the_workflow_runs_where_it_says():
    (job,) = workflow()["jobs"].values()
    assert set(job["strategy"]["matrix"]["os"]) == {"windows-latest", "windows-2022"}
    assert job["runs-on"] == "${{ matrix.os }}"
    # yaml reads the key `on` as True
    assert set(workflow()[True]) == {"push", "pull_request", "workflow_dispatch"}


def test_the_probe_runs_in_cmd_under_both_shells_with_stdin_from_the_file():
    probes = [s for s in steps() if s.get("shell") == "cmd"]
    assert [s["run"].splitlines()[0] for s in probes] == [
        "%PROBE_POWERSHELL% < probe-stdin.txt > probe-powershell.json 2> probe-powershell.err",
        "%PROBE_PWSH% < probe-stdin.txt > probe-pwsh.json 2> probe-pwsh.err",
    ]


def test_the_suite_step_reaches_the_runner_over_winrm_on_loopback():
    (suite,) = [s for s in steps() if "python -m pytest" in s.get("run", "") and "--hosts=" in s["run"]]
    hosts = re.search(r'"--hosts=([^"]+)"', suite["run"]).group(1)
    spec = parse_host(hosts.replace("$($env:READINESS_WINRM_USER)", "readiness"))
    assert (spec.user, spec.hostname, spec.port, spec.flag("no_ssl")) == ("readiness", "127.0.0.1", 5985, True)
    for option in ("--readiness-json=reports/readiness.json", "--junitxml=reports/junit.xml",
                   "--html=reports/readiness.html"):
        assert option in suite["run"]
    (upload,) = [s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "always()" and "reports/" in upload["with"]["path"]


def test_the_password_is_masked_before_it_is_shared():
    (setup,) = [s for s in steps() if "New-LocalUser" in s.get("run", "")]
    text = setup["run"]
    assert text.index("::add-mask::$password") < text.index("READINESS_WINRM_PASSWORD=$password")
    assert "LocalAccountTokenFilterPolicy" in text and "Enable-PSRemoting -Force -SkipNetworkProfileCheck" in text


def check_jsonschema() -> str:
    found = shutil.which("check-jsonschema", path=os.path.dirname(sys.executable)) or shutil.which("check-jsonschema")
    assert found, "check-jsonschema is not installed (pip install check-jsonschema)"
    return found


def validate_workflow(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([check_jsonschema(), "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_the_workflow_passes_githubs_workflow_schema():
    done = validate_workflow(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_validator_catches_a_broken_workflow(tmp_path):
    text = WORKFLOW.read_text(encoding="utf-8")
    broken = tmp_path / "windows.yml"
    # A key that GitHub does not know, beside timeout-minutes.
    assert "    timeout-minutes: 30\n" in text
    broken.write_text(text.replace("    timeout-minutes: 30\n", "    timeout-minutes: 30\n    run-on-windows: true\n"),
                      encoding="utf-8")
    done = validate_workflow(broken)
    assert done.returncode == 1
    assert "run-on-windows" in done.stdout + done.stderr


def test_each_step_condition_names_an_earlier_step():
    """The schema does not check ``steps.<id>`` references; a misspelt id would skip a stage."""
    seen: set[str] = set()
    for step in steps():
        for name in re.findall(r"steps\.([\w-]+)\.outcome", step.get("if", "")):
            assert name in seen, f"{step['name']}: no earlier step has id {name}"
        if "id" in step:
            seen.add(step["id"])
    assert {"install", "input", "probe-desktop", "probe-core", "winrm", "suite"} <= seen


def test_the_runner_is_captured_with_the_exported_probe_under_both_shells_and_judged():
    run = {s.get("id"): s.get("run", "") for s in steps()}
    capture_step = run["capture"]
    assert "python -m readiness.probe export --out readiness-probe.ps1" in capture_step
    for shell in ("powershell.exe", "pwsh.exe"):
        assert f"{shell} -NoProfile -ExecutionPolicy Bypass -File readiness-probe.ps1 -OutFile captures/" in capture_step
    assert "--captures captures" in run["judge-captures"]
