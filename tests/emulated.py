"""Emulated fleets for the project's own tests: serve scenarios, write hosts, run the suite.

The fixtures built on these (``emulated_fleet``, ``loopback_address``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from fixtures.emulator import Fleet, free_base_address
from fixtures.scenario import Expected, Scenario, load_scenario, parse_scenario, shipped_for
from readiness.catalog import DEFAULT_PROFILE

ROOT = Path(__file__).resolve().parent.parent
HOSTS = ROOT / "fixtures" / "hosts"
RULES_DIR = ROOT / "tests_readiness"


def scenario(name: str):
    return load_scenario(HOSTS / f"{name}.yaml")


@contextlib.contextmanager
def fleet(names: Iterable[str | Scenario], faults: Mapping[str, Iterable[str]] | None = None,
          **kwargs) -> Iterator[Fleet]:
    """Serve shipped scenarios (by name) or scenarios of the caller's own until the block ends."""
    scenarios = [scenario(n) if isinstance(n, str) else n for n in names]
    base = free_base_address(count=len(scenarios) * kwargs.get("fleet", 1))
    with Fleet(scenarios, base_address=base, faults=faults, **kwargs) as served:
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


def expected(name: str) -> Expected:
    """A shipped scenario's ``expected:`` block: the one source of the results it must give."""
    found = scenario(name).expected
    assert found is not None, f"fixtures/hosts/{name}.yaml has no expected: block"
    return found


def expected_results(profile: str = DEFAULT_PROFILE) -> dict[str, list[tuple[str, str, str, str]]]:
    """Every shipped scenario's ``expected:`` block for ``profile`` as rows: name -> [(location
    or "-", RuleId, CheckResult, CheckResultMessageId)], in report order."""
    rows = {}
    for path in shipped_for(profile):
        found = expected(path.stem)
        rows[path.stem] = [(found.location or "-", *r) for r in found.results]
    return rows


def leaks(root: Path, texts: list[str], forms: list[str]) -> list[str]:
    """The outputs (by index) and the files under ``root`` that hold any of ``forms`` of a secret."""
    found = [f"output #{i}" for i, text in enumerate(texts) if any(f in text for f in forms)]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(f.encode() in data for f in forms):
                found.append(str(path.relative_to(root)))
    return found


def reported(entry: Mapping) -> list[tuple[str, str, str]]:
    """(RuleId, CheckResult, CheckResultMessageId) of each result of one host of the JSON report."""
    return [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"]) for r in entry["results"]]


def documented_example() -> Scenario:
    """The example of fixtures/README.md ("Writing your own scenario"), as a scenario."""
    return parse_scenario(documented_example_text(), "fixtures/README.md")


def documented_example_text() -> str:
    text = (ROOT / "fixtures" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Writing your own scenario", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def suite_process(cwd: Path, *args: str, password: str | None = None, text: bool = True,
                  timeout: float = 60) -> subprocess.CompletedProcess:
    """The suite over its own rule files in a child process, as a user runs it: no ``PYTEST_``
    or ``READINESS_`` variable inherited, ``READINESS_WINRM_PASSWORD`` set only when given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "READINESS_"))}
    env["PYTHONPATH"] = str(ROOT)
    if password is not None:
        env["READINESS_WINRM_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider",
                           *args], cwd=cwd, env=env, capture_output=True, text=text, timeout=timeout)


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
