"""``--wait-for-hosts SECONDS``: hosts that are still booting are waited for, and the reports say so.

A machine just created, sysprepped, joined to a domain or restarted answers WinRM minutes
later: until then its connections are refused (the WinRM service is not running yet, as the
Ruby WinRM client's README puts it for machines being provisioned), time out or are reset, or
HTTP.sys answers 503. With this option such a host is probed again with backoff
(``readiness.probe_pool.probe_waiting``) until the run's start plus SECONDS; the last try is made
at the deadline, and a host that never answers is Failed then, its message saying how many tries
over how long. Credentials refused, TLS errors, WS-Man faults and probe errors are not tried again.

The reports say, per host, how long it took to answer and how many tries: JUnit properties
``probe_tries``, ``probe_seconds`` and ``probe_answered`` on each of its tests, a ``wait``
object per host in the troubleshooter JSON, a table in the HTML report and lines in the
terminal summary. Without the option nothing of this happens: one probe per host, as always.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Generator
from html import escape
from typing import Any

import pytest

from readiness.options import seconds
from readiness.probe_pool import HostProbe

OPTION = "wait_for_hosts"
PROPERTIES = ("probe_tries", "probe_seconds", "probe_answered")




def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--wait-for-hosts", type=seconds, default=None, metavar="SECONDS",
                    help="probe a host that cannot be reached yet (refused, no route, connect timeout, reset, "
                         "HTTP 503) again with backoff until SECONDS after the run starts; the reports say how "
                         "long each host took and how many tries")


def wait_settings(config: pytest.Config) -> dict[str, float]:
    """The ``ProbeSettings`` fields of the option: none without it."""
    seconds = config.getoption(OPTION, None)
    if not seconds:
        return {}
    return {"wait_for_hosts_sec": seconds, "wait_until": time.monotonic() + seconds}


@dataclasses.dataclass(frozen=True)
class Wait:
    """How one host was waited for."""

    tries: int
    seconds: float
    answered: bool

    def to_json(self) -> dict[str, Any]:
        return {"tries": self.tries, "seconds": self.seconds, "answered": self.answered}

    def describe(self) -> str:
        tries = f"{self.tries} {'try' if self.tries == 1 else 'tries'}"
        if self.answered:
            return f"answered after {self.seconds:.1f} s ({tries})"
        return f"did not answer in {self.seconds:.1f} s ({tries})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """On whichever process ran the test: the host's tries, as properties its reports carry."""
    if call.when == "call" and item.config.getoption(OPTION, None):
        from readiness.plugin import RUN_KEY  # the plugin imports this module: import here

        spec = getattr(item, "funcargs", {}).get("readiness_host")
        run = item.config.stash.get(RUN_KEY, None)
        probe = run.pool.result(spec) if run is not None and spec is not None else None
        if isinstance(probe, HostProbe) and probe.tries is not None:
            answered = probe.failure is None or not probe.failure.transient
            item.user_properties.extend([("probe_tries", probe.tries), ("probe_seconds", probe.seconds),
                                         ("probe_answered", answered)])
    return (yield)


class WaitReport:
    """On the controller: each host's wait, from its tests' reports, into the reports."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.hosts: dict[str, Wait] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        host = props.get("host")
        if isinstance(host, str) and host not in self.hosts and "probe_tries" in props:
            self.hosts[host] = Wait(int(str(props["probe_tries"])), float(str(props["probe_seconds"])),
                                    props["probe_answered"] in (True, "True"))

    def pytest_readiness_json_report(self, config: pytest.Config, report: dict[str, Any]) -> None:
        report["wait_for_hosts"] = {"seconds": self.seconds}
        for entry in report.get("hosts", []):
            wait = self.hosts.get(entry.get("host"))
            if wait is not None:
                entry["wait"] = wait.to_json()

    def lines(self) -> list[str]:
        return [f"{host}  {wait.describe()}" for host, wait in self.hosts.items()]

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.hosts:
            return
        terminalreporter.write_sep("-", f"readiness: waiting for hosts (--wait-for-hosts {self.seconds:g})")
        for (_host, wait), line in zip(self.hosts.items(), self.lines(), strict=False):
            terminalreporter.write_line(line, red=not wait.answered, yellow=wait.answered and wait.tries > 1)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        if not self.hosts:
            return
        rows = "".join(
            f"<tr><td>{escape(host)}</td><td>{wait.tries}</td><td>{wait.seconds:.1f}</td>"
            f"<td>{'yes' if wait.answered else 'no'}</td></tr>" for host, wait in self.hosts.items())
        prefix.append(f'<h2>Waiting for hosts (--wait-for-hosts {self.seconds:g})</h2>'
                      f'<table class="readiness-wait" id="readiness-wait"><thead><tr><th>Host</th><th>Tries</th>'
                      f'<th>Seconds</th><th>Answered</th></tr></thead><tbody>{rows}</tbody></table>')


def pytest_configure(config: pytest.Config) -> None:
    seconds = config.getoption(OPTION, None)
    if not seconds or hasattr(config, "workerinput") or config.getoption("collectonly"):
        return
    config.pluginmanager.register(WaitReport(seconds), "readiness-wait")
