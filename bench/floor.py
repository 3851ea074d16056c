"""The floor of a fleet run: what any pytest run of that shape, and any WinRM client, must pay.

Two parts, measured separately and added up:

- :func:`write_floor_project`: a pytest project of N hosts x 20 trivial tests, one per
  RuleId, each recording what a rule test records and ending as the rule's result does (pass,
  xfail for PassedWithWarning, fail for Failed), with the same report writers (pytest-html
  self-contained, the troubleshooter JSON, the terminal summary). Given the results of a suite
  run, it gives the same outcomes and writes the same reports; without, every test passes.
- :func:`shell_cycles`: one bare pywinrm shell cycle per host (NTLM with message encryption,
  open shell, the probe's command line with its standard input, receive to the end, delete
  the shell) at a given concurrency, against the same emulator.

    >>> folder = write_floor_project(Path(tempfile.mkdtemp()), ["winrm://a@127.0.0.1:5985"])  # doctest: +SKIP
"""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import winrm

from readiness import catalog
from readiness import probe as probe_transport
from readiness.connection import _build_session
from readiness.endpoints import Endpoints, probe_input

CONFTEST = '''\
"""Floor of a readiness run: the readiness report writers over trivially passing tests."""
import json
from pathlib import Path

import pytest

from readiness.reports.gathering import COLLECTOR_KEY, ResultCollector

# The report plugins, loaded as the readiness plugin loads them.
pytest_plugins = ["readiness.reports.json_report", "readiness.reports.terminal_report", "readiness.reports.html_report"]

HOSTS = json.loads((Path(__file__).parent / "hosts.json").read_text())
# host -> the profile asked for it (a profile, or "auto": the rules of every profile are collected)
ASKED = json.loads((Path(__file__).parent / "asked.json").read_text())


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    collector = ResultCollector(HOSTS)
    config.stash[COLLECTOR_KEY] = collector
    config.pluginmanager.register(collector, "readiness-collector")


def pytest_generate_tests(metafunc):
    if "host" in metafunc.fixturenames:
        profile = getattr(metafunc.function, "profile", "update-management")
        hosts = [h for h in HOSTS if ASKED.get(h, "update-management") in (profile, "auto")]
        metafunc.parametrize("host", hosts, ids=hosts)


def pytest_collection_modifyitems(config, items):
    # As the suite: a profile's rules that no host has are deselected, not collected as nothing.
    kept = [item for item in items if "[" in item.nodeid]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if "[" not in item.nodeid])
        items[:] = kept
'''

TEST_HEAD = '''\
"""Trivial tests, one per RuleId and host, that record what a rule test records and end as it does."""
import json
from pathlib import Path

import pytest

from readiness import catalog
from readiness.outcomes import outcome_line
from readiness.reports.gathering import record
from readiness.results import HostResult, Result

PASSED = {
    (profile, info.rule_id): Result(info.rule_id, info.group_id, info.name, info.group_name, info.description,
                                    "Passed", "Passed", f"{info.rule_id}.Passed", [])
    for profile, rules in catalog.PROFILE_RULES.items() for info in rules.values()
}
# host -> the full result objects to report for it (a suite run's); a host not here passes every rule.
GIVEN = json.loads((Path(__file__).parent / "results.json").read_text())
RESULTS = {(host, r["RuleId"]): Result.from_dict(r) for host, results in GIVEN.items() for r in results}
# host -> the profile whose rules report it (the suite's, after auto decided)
PROFILE = json.loads((Path(__file__).parent / "profiles.json").read_text())


def _record(request, host, rule_id, profile="update-management"):
    if PROFILE.get(host, "update-management") != profile:  # as the suite skips auto's other profiles
        pytest.skip(f"other profile: {host} is checked with the {PROFILE[host]} rules")
    result = RESULTS.get((host, rule_id)) or PASSED[(profile, rule_id)]
    props = request.node.user_properties
    props.append(("host", host))
    props.append(("RuleId", rule_id))
    props.append(("CheckResult", result.CheckResult))
    props.append(("CheckResultMessageId", result.CheckResultMessageId))
    record(request.node, HostResult(rule_id, host, "windows", result, None, profile))
    if result.CheckResult == "PassedWithWarning":
        pytest.xfail(outcome_line(result))
    if result.CheckResult == "Failed":
        pytest.fail(outcome_line(result), pytrace=False)
'''

TEST = '''

def test_{name}(request, host):
    _record(request, host, "{rule_id}", "{profile}")


test_{name}.profile = "{profile}"
'''


def write_floor_project(folder: Path, hosts: list[str], results: Mapping[str, list[dict[str, Any]]] | None = None,
                        profiles: Mapping[str, str] | None = None, asked: Mapping[str, str] | None = None) -> Path:
    """Write the floor project into ``folder``; returns the folder (run pytest there).

    ``results``: host -> its full result objects (the ``results`` of a host in the troubleshooter
    JSON of a suite run), for the same outcomes and reports; a host without passes every rule.
    ``profiles``: host -> the profile that reported it (default update-management); ``asked``:
    host -> the profile asked for it, ``auto`` collecting every profile's rules as the suite does.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (folder / "hosts.json").write_text(json.dumps(hosts), encoding="utf-8")
    (folder / "results.json").write_text(json.dumps(dict(results or {})), encoding="utf-8")
    (folder / "profiles.json").write_text(json.dumps(dict(profiles or {})), encoding="utf-8")
    (folder / "asked.json").write_text(json.dumps(dict(asked or profiles or {})), encoding="utf-8")
    (folder / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    # The rules of the profiles some host is asked for (auto: all), as the suite collects them.
    wanted = set((asked or profiles or {}).values()) or {catalog.DEFAULT_PROFILE}
    shown = catalog.PROFILES if "auto" in wanted else [p for p in catalog.PROFILES if p in wanted]
    body = TEST_HEAD + "".join(
        TEST.format(name=rule_id if profile == catalog.DEFAULT_PROFILE else f"{profile.replace('-', '_')}_{rule_id}",
                    rule_id=rule_id, profile=profile)
        for profile in shown for rule_id in catalog.PROFILE_RULES[profile])
    (folder / "test_floor.py").write_text(body, encoding="utf-8")
    return folder


def _cycle(url: str, user: str, password: str, command: str, stdin: bytes) -> int:
    protocol = winrm.Protocol(url, transport="ntlm", username=user, password=password, proxy=None)
    # As the suite builds its sessions: requests reading os.environ from many threads at once
    # (proxy settings, on every request) fails with KeyError; the session is built without it.
    _build_session(protocol)
    shell = protocol.open_shell()
    command_id = protocol.run_command(shell, command, console_mode_stdin=False)  # stdin as a pipe, as the suite does
    protocol.send_command_input(shell, command_id, stdin, end=True)
    while True:
        _, _, rc, done = protocol.get_command_output_raw(shell, command_id)
        if done:
            break
    protocol.close_shell(shell, close_session=True)
    return rc


def shell_cycles(urls: list[str], user: str, password: str, concurrency: int) -> float:
    """Seconds for one probe-sized shell cycle on every host, ``concurrency`` hosts at once."""
    command = probe_transport.command_line()
    stdin = probe_transport.stdin_text(probe_input(Endpoints.for_location(None), 5000)).encode("ascii")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        codes = list(pool.map(lambda url: _cycle(url, user, password, command, stdin), urls))
    elapsed = time.monotonic() - started
    bad = [url for url, rc in zip(urls, codes, strict=False) if rc != 0]
    if bad:
        raise RuntimeError(f"the probe exited non-zero on {len(bad)} host(s), e.g. {bad[0]}")
    return elapsed
