"""A stand-in readiness suite for the report tests: real pytest runs whose rule tests record results.

The report plugins are loaded the way the readiness plugin loads them (``pytest_plugins``); each rule test
hands its result to the collector (``readiness.reports.gathering.record``) and ends in the outcome the plugin maps it to
(Passed: pass, PassedWithWarning: xfail, Failed: fail, not applicable: skip).
"""

from __future__ import annotations

import json
from pathlib import Path

from readiness.catalog import RULES
from readiness.reports.gathering import HostReport
from readiness.results import FAILED, PASSED, WARNING, Result

EVIL_HOST = "<script>alert(1)</script>"
QUOTE_HOST = "\"><img src=x onerror=\"window.__pwned=1\">'web&01"
EVIL_WSUS = "http://<b>wsus</b>\"'&:8530"

CONFTEST = '''
import json
from pathlib import Path

import pytest

from readiness.reports.gathering import COLLECTOR_KEY, ResultCollector

# The report plugins, loaded as the readiness plugin loads them.
pytest_plugins = ["readiness.reports.language", "readiness.reports.json_report", "readiness.reports.terminal_report",
                  "readiness.reports.html_report"]

PLAN = json.loads(Path(__file__).with_name("plan.json").read_text(encoding="utf-8"))


def pytest_addoption(parser):
    parser.getgroup("readiness").addoption("--automation-account-location", default=None)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """The run's state, as the readiness plugin keeps it: the collector of the plan's hosts."""
    collector = ResultCollector(PLAN["hosts"])
    config.stash[COLLECTOR_KEY] = collector
    config.pluginmanager.register(collector, "readiness-collector")
'''

RULE_TESTS = '''
import json
from pathlib import Path

import pytest

from readiness.catalog import RULES
from readiness.reports.gathering import record
from readiness.results import HostResult, Result

PLAN = json.loads(Path(__file__).with_name("plan.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", PLAN["rows"], ids=[f"{r[0]}-{r[1]}" for r in PLAN["rows"]])
def test_rule(row, request):
    host, rule_id, check, message, args = row
    info = RULES[rule_id]
    result = None if check is None else Result(
        info.rule_id, info.group_id, info.name, info.group_name, info.description, check, message,
        f"{rule_id}.{check}", args)
    record(request.node, HostResult(rule_id, host, "windows", result))
    if check is None:
        pytest.skip("not applicable")
    if check == "Failed":
        pytest.fail(message, pytrace=False)
    if check == "PassedWithWarning":
        pytest.xfail(message)


def test_not_a_rule():
    pass
'''


def result(rule_id: str, check: str, message: str = "", args: list[str] | None = None) -> Result:
    info = RULES[rule_id]
    return Result(info.rule_id, info.group_id, info.name, info.group_name, info.description, check,
                  message or f"{rule_id} is {check}", f"{rule_id}.{check}", list(args or []))


def host_report(host: str, checks: dict[str, str | None], messages: dict[str, str] | None = None,
                args: dict[str, list[str]] | None = None) -> HostReport:
    """A HostReport from ``{RuleId: CheckResult or None (not applicable)}``, in rule order."""
    entry = HostReport(host, "windows")
    for rule_id in RULES:
        if rule_id not in checks:
            continue
        if checks[rule_id] is None:
            entry.not_applicable.append(rule_id)
        else:
            entry.results.append(result(rule_id, checks[rule_id], (messages or {}).get(rule_id, ""),
                                        (args or {}).get(rule_id)))
    return entry


def fleet_plan() -> dict:
    """Three checked hosts (one healthy, two with markup in their names) and one never checked."""
    rows = []
    for rule_id in RULES:
        rows.append(["web-01", rule_id, PASSED, f"{rule_id} ok", []])
    for rule_id in RULES:
        check = {"WSUSServerConfigured": WARNING, "TlsVersionCheck": FAILED,
                 "IMDSConnectivity": None}.get(rule_id, PASSED)
        message = (f"Windows Updates are downloading from a configured WSUS Server {EVIL_WSUS}. Ensure"
                   if rule_id == "WSUSServerConfigured" else f"{rule_id} <i>said</i> so")
        args = [EVIL_WSUS] if rule_id == "WSUSServerConfigured" else []
        rows.append([EVIL_HOST, rule_id, check, message, args])
    for rule_id in RULES:
        rows.append([QUOTE_HOST, rule_id, FAILED, f"host {QUOTE_HOST} unreachable", []])
    return {"hosts": ["web-01", EVIL_HOST, QUOTE_HOST, "never-checked"], "rows": rows}


def make_suite(pytester, plan: dict | None = None) -> dict:
    """Write the stand-in suite into a pytester directory; returns the plan it runs."""
    plan = plan or fleet_plan()
    Path(pytester.path, "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_rules=RULE_TESTS)
    return plan


def showcase_plan() -> dict:
    """A small fleet as a person would meet it: the picture in the README is made from it."""
    wsus = "Windows Updates are downloading from a configured WSUS Server http://wsus01:8530. Ensure the WSUS server is accessible and updates are being approved for installation"
    special = {
        "sql-02": {
            "TlsVersionCheck": (FAILED, "TLS 1.2 is supported by the Operating System, but currently disabled. Follow the instructions to re-enable: https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12", []),
            "WSUSServerConfigured": (WARNING, wsus, ["http://wsus01:8530"]),
        },
        "app-03": {
            "ProxySettings": (WARNING, "Proxy is set.", []),
            "IMDSConnectivity": (WARNING, "VM is not able to reach IMDS server. Consider this as a Failure if this is an Azure VM.", []),
            "AutomaticUpdateCheck": (WARNING, "Windows Update will automatically download and install new updates as they become available", []),
        },
        "legacy-04": {
            "WindowsManagementFrameworkInstalledCheck": (FAILED, "Detected Windows Management Framework version: 3.0. Version 4.0 or higher is required (version 5.1 or higher is preferable): https://www.microsoft.com/download/details.aspx?id=54616", ["3.0"]),
            "WUServiceRunningCheck": (FAILED, "Windows Update service (wuauserv) is disabled. Please set it to automatic or manual. You can run 'sc config wuauserv start= demand' to set it to manual.", ["Windows Update", "wuauserv"]),
            "LinkedWorkspaceCheck": (FAILED, "VM is not reporting to any workspace.", []),
        },
    }
    rows = []
    hosts = ["web-01", "sql-02", "app-03", "legacy-04", "branch-05"]
    for host in hosts[:4]:
        for rule_id in RULES:
            check, message, args = special.get(host, {}).get(rule_id, (PASSED, f"{RULES[rule_id].name}: ok", []))
            rows.append([host, rule_id, check, message, args])
    for rule_id in RULES:
        rows.append(["branch-05", rule_id, FAILED,
                     "Host could not be checked: WinRM connection to branch-05:5986 timed out after 30 s", []])
    return {"hosts": hosts, "rows": rows}
