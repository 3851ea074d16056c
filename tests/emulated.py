"""Emulated fleets for the project's own tests: serve scenarios, write hosts, run the suite."""

from __future__ import annotations

import contextlib
import json
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from fixtures.emulator import Fleet
from fixtures.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
HOSTS = ROOT / "fixtures" / "hosts"
RULES_DIR = ROOT / "tests_readiness"


def scenario(name: str):
    return load_scenario(HOSTS / f"{name}.yaml")


def base_address() -> str:
    """A loopback block no other test (nor a user's emulator on 127.0.1.x) is using."""
    return f"127.{random.randint(20, 250)}.{random.randint(0, 255)}.1"


@contextlib.contextmanager
def fleet(names: Iterable[str], faults: Mapping[str, Iterable[str]] | None = None, **kwargs) -> Iterator[Fleet]:
    with Fleet([scenario(n) for n in names], base_address=base_address(), faults=faults, **kwargs) as served:
        yield served


def host_url(host, scheme: str = "http", password: bool = True) -> str:
    secret = f":{host.password}" if password else ""
    if scheme == "http":
        return f"winrm://{host.user}{secret}@{host.address}:{host.http_port}?no_ssl=true"
    return f"winrm://{host.user}{secret}@{host.address}:{host.https_port}"


def display(host, scheme: str = "http") -> str:
    port = host.http_port if scheme == "http" else host.https_port
    return f"winrm://{host.user}@{host.address}:{port}"


def write_hosts(path: Path, lines: Iterable[str]) -> Path:
    path.write_text("# emulated fleet\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_results() -> dict[str, list[tuple[str, str, str, str]]]:
    """fixtures/hosts/README.md's table: scenario -> [(location, RuleId, CheckResult, id)]."""
    table: dict[str, list[tuple[str, str, str, str]]] = {}
    row = re.compile(r"^\| ([\w-]+) \| ([\w-]+) \| (\w+) \| (\w+) \| `([\w.]+)` \|$")
    for line in (HOSTS / "README.md").read_text(encoding="utf-8").splitlines():
        match = row.match(line.strip())
        if match:
            name, location, rule_id, check, message_id = match.groups()
            table.setdefault(name, []).append((location, rule_id, check, message_id))
    return table


def run_suite(pytester, *args: str, timeout: float = 240):
    """Run the readiness suite (its own rule files) in a subprocess; return the run and its JSON."""
    report = pytester.path / "readiness.json"
    result = pytester.runpytest_subprocess(
        str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider",
        f"--html={pytester.path / 'readiness.html'}", f"--readiness-json={report}", *args,
        timeout=timeout,
    )
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
    return result, data
