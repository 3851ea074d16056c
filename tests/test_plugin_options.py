"""How the plugin behaves as a pytest plugin: collecting only, defaults of other plugins' options.

Each test runs the suite in a subprocess from a directory holding a copy of the project's
pytest.ini, as a user would.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.emulator import free_base_address
from readiness.catalog import RULES
from tests.emulated import ROOT, RULES_DIR


@contextlib.contextmanager
def silent_listener() -> Iterator[tuple[str, int, list[socket.socket]]]:
    """A TCP listener on 127.0.0.x that accepts connections and never answers.

    Yields its address, its port and the list of connections it accepted.
    """
    address = free_base_address()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind((address, 0))
    server.listen(16)
    server.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(conn)  # held open, never read from, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield address, server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(5)
        for conn in accepted:
            conn.close()
        server.close()


def project_dir(path: Path) -> Path:
    """A directory with a copy of the project's pytest.ini, as the root of a run."""
    (path / "pytest.ini").write_text((ROOT / "pytest.ini").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def run_in(pytester, *args: str, timeout: float = 120):
    # pytester adds --basetemp, so no ini is found from the arguments: name the copy.
    return pytester.runpytest_subprocess(str(RULES_DIR), "-c", "pytest.ini", f"--rootdir={pytester.path}",
                                         "-p", "no:cacheprovider", *args, timeout=timeout)


def test_collect_only_touches_no_host_and_no_report(pytester):
    root = project_dir(pytester.path)
    reports = root / "reports"
    reports.mkdir()
    html, report = reports / "readiness.html", reports / "readiness.json"
    html.write_bytes(b"<html>an earlier run's report</html>\n")
    report.write_bytes(b'{"hosts": [], "earlier": true}\n')
    before = {p: p.read_bytes() for p in (html, report)}
    with silent_listener() as (address, port, accepted):
        started = time.monotonic()
        result = run_in(pytester, "--collect-only", "-q", f"--hosts=winrm://admin:pw@{address}:{port}?no_ssl=true",
                        "--winrm-read-timeout", "60", "--probe-timeout", "60")
        took = time.monotonic() - started
        time.sleep(0.3)  # a probe started late would have connected by now
        touched = len(accepted)
    assert result.ret == 0, result.stdout.str()[-3000:]
    collected = [line for line in result.stdout.lines if "::test_" in line]
    assert len(collected) == len(RULES)
    assert touched == 0, "collecting connected to the host"
    assert {p: p.read_bytes() for p in (html, report)} == before
    assert sorted(p.name for p in reports.iterdir()) == ["readiness.html", "readiness.json"]
    # A probe of this host would wait for the 60 s read timeout; collecting waits for nothing
    # (the bound leaves room for a loaded machine, where starting pytest alone can take 10 s).
    assert took < 30, f"collecting took {took:.1f} s"


SEEN_OPTIONS = '''
import json
from pathlib import Path


def pytest_sessionstart(session):
    """What the other plugins' options hold once every plugin is configured (controller only)."""
    option = session.config.option
    if not hasattr(session.config, "workerinput"):
        Path("seen-options.json").write_text(json.dumps(
            {"dist": option.dist, "htmlpath": option.htmlpath, "self_contained_html": option.self_contained_html}))
'''


def refused_host() -> str:
    """A WinRM URL on 127.0.0.x where nothing listens: every probe is refused at once."""
    address = free_base_address()
    with socket.socket() as probe:
        probe.bind((address, 0))
        port = probe.getsockname()[1]
    return f"winrm://admin:pw@{address}:{port}?no_ssl=true"


def seen_options(pytester, *args: str, ini: str = "pytest.ini") -> dict:
    pytester.makepyfile(seen_options=SEEN_OPTIONS)
    result = pytester.runpytest_subprocess(str(RULES_DIR), "-c", ini, f"--rootdir={pytester.path}",
                                           "-p", "no:cacheprovider", "-p", "seen_options",
                                           f"--hosts={refused_host()}", "--connect-timeout", "1", *args, timeout=120)
    assert result.ret == 1, result.stdout.str()[-3000:]  # every rule Failed: the host refused
    return json.loads((pytester.path / "seen-options.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("args, dist", [
    (["-n", "2", "--dist", "load"], "load"),
    # xdist itself turns "no" into "load" when -n is given; the plugin leaves the result alone.
    (["-n", "2", "--dist", "no"], "load"),
    (["--dist", "no"], "no"),
    # Nothing given (pytest.ini's addopts says loadgroup, and so does the plugin's default).
    (["-n", "2"], "loadgroup"),
])
def test_the_users_dist_wins(pytester, args, dist):
    project_dir(pytester.path)
    assert seen_options(pytester, *args)["dist"] == dist


def test_without_an_ini_the_default_dist_groups_by_host(pytester):
    (pytester.path / "empty.ini").write_text("[pytest]\n", encoding="utf-8")
    assert seen_options(pytester, "-n", "2", ini="empty.ini")["dist"] == "loadgroup"


def test_the_users_html_report_wins_and_is_not_made_self_contained(pytester):
    project_dir(pytester.path)
    mine = pytester.path / "out" / "mine.html"
    seen = seen_options(pytester, f"--html={mine}")
    assert seen == {"dist": "loadgroup", "htmlpath": str(mine), "self_contained_html": False}
    assert mine.is_file()
    # pytest-html writes the style sheet beside a report that is not self-contained.
    assert (mine.parent / "assets" / "style.css").is_file()
    assert not (pytester.path / "reports" / "readiness.html").exists()


def test_without_html_the_readiness_report_is_the_default(pytester):
    project_dir(pytester.path)
    seen = seen_options(pytester)
    default = pytester.path / "reports" / "readiness.html"
    assert seen["htmlpath"] == str(default) and seen["self_contained_html"] is True
    assert default.is_file() and not (default.parent / "assets").exists()
