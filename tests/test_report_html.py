"""The HTML report: readiness columns, the host x rule matrix, remediation, escaping, and the page in Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import websocket

from readiness.catalog import RULES
from readiness.reports.html_report import matrix_html, remediation_html
from readiness.results import FAILED, PASSED, WARNING, HostResult
from tests.report_suite import EVIL_HOST, EVIL_WSUS, QUOTE_HOST, host_report, make_suite, result, showcase_plan

ROOT = Path(__file__).resolve().parents[1]
NO_ENTRY_POINT = ("-p", "no:readiness.plugin")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars"]


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (Debian package 'chromium')")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


class Page:
    """A page in headless Chromium, driven over the DevTools protocol; records console errors."""

    def __init__(self, user_data_dir: Path):
        self.proc = subprocess.Popen(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "--remote-debugging-port=0",
             "--remote-debugging-address=127.0.0.1", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        browser_url = self._devtools_url()
        self.ws = websocket.create_connection(browser_url, timeout=30, suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable", session=True)

    def _devtools_url(self) -> str:
        deadline = time.monotonic() + 30
        assert self.proc.stderr is not None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                return found.group(1)
        raise AssertionError("chromium did not start its DevTools endpoint")

    def send(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("id") == self._id:
                assert "error" not in answer, answer
                return answer.get("result", {})
            self._event(answer)

    def _event(self, event: dict) -> None:
        self.events.append(event)
        if event.get("method") == "Page.javascriptDialogOpening":
            self.ws.send(json.dumps({"id": 10**6 + len(self.events), "sessionId": self.session,
                                     "method": "Page.handleJavaScriptDialog", "params": {"accept": True}}))

    def open(self, path: Path, settle: float = 0.5) -> None:
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session=True)
        self.wait_for("Page.loadEventFired")
        end = time.monotonic() + settle
        self.ws.settimeout(0.1)
        while time.monotonic() < end:
            try:
                self._event(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                pass
        self.ws.settimeout(30)

    def wait_for(self, method: str) -> dict:
        if any(e.get("method") == method for e in self.events):
            return next(e for e in self.events if e.get("method") == method)
        while True:
            event = json.loads(self.ws.recv())
            self._event(event)
            if event.get("method") == method:
                return event

    def evaluate(self, expression: str):
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        assert "exceptionDetails" not in answer, answer
        return answer["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions, failed loads and dialogs (an alert is markup that ran)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text", ""))
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog opened: {params.get('message')}")
        return found

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_report(pytester, plan=None, *args) -> Path:
    make_suite(pytester, plan)
    pytester.runpytest(*NO_ENTRY_POINT, "-p", "no:cacheprovider", "--html", "reports/readiness.html",
                       "--self-contained-html", *args)
    path = pytester.path / "reports" / "readiness.html"
    assert path.exists()
    return path


# --- the parts, from results we build -------------------------------------------------------


def test_matrix_cells_follow_the_results():
    hosts = [host_report("web-01", {"OperatingSystemCheck": PASSED, "TlsVersionCheck": FAILED,
                                    "ProxySettings": WARNING, "IMDSConnectivity": None}),
             host_report("db-02", {})]
    page = matrix_html(hosts)
    cells = re.findall(r'data-rule-id="(\w+)" data-check-result="([^"]+)"', page)
    assert len(cells) == 2 * len(RULES)
    first = dict(cells[:len(RULES)])
    assert first["OperatingSystemCheck"] == "Passed" and first["TlsVersionCheck"] == "Failed"
    assert first["ProxySettings"] == "PassedWithWarning" and first["IMDSConnectivity"] == "not applicable"
    assert first["DotNetFrameworkInstalledCheck"] == "not run"
    # a host that could not be checked is Failed in every cell, and says so
    assert {c for _, c in cells[len(RULES):]} == {"Failed"}
    assert "db-02 <span class=\"readiness-check check-failed\">Failed (not checked)</span>" in page


@pytest.mark.parametrize("host", [EVIL_HOST, QUOTE_HOST])
def test_matrix_and_remediation_escape_what_comes_from_hosts(host):
    entry = host_report(host, {"WSUSServerConfigured": WARNING}, messages={"WSUSServerConfigured": EVIL_WSUS},
                        args={"WSUSServerConfigured": [EVIL_WSUS]})
    page = matrix_html([entry]) + remediation_html(HostResult("WSUSServerConfigured", host, "windows", entry.results[0]))
    for raw in (host, EVIL_WSUS, "<script>", "<img", "<b>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&quot;&gt;&lt;img" in page


def test_remediation_block_has_the_four_passages():
    found = HostResult("TlsVersionCheck", "web-01", "windows", result("TlsVersionCheck", FAILED, "TLS off"))
    block = remediation_html(found)
    for head in ("What it checks", "Why it matters", "How to fix", "How to verify"):
        assert f"<h4>{head}</h4>" in block
    assert "<pre>foreach ($side in" in block  # the indented fix is code
    assert "<code>DisabledByDefault</code>" in block


# --- a real run ----------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_report_columns_and_escaping(pytester, workers):
    text = run_report(pytester, None, *workers).read_text(encoding="utf-8")
    # pytest-html's own script is the only script; no host markup survives anywhere, in our
    # cells, in the test id column, or in the JSON blob pytest-html embeds.
    assert text.count("<script") == 1
    for raw in ("<script>alert(1)", "<img src=x", "onerror=\"window", "<b>wsus</b>", "<i>said</i>"):
        assert raw not in text
    for header in ("Host", "RuleId", "Group", "CheckResult", "Message"):
        assert f'data-column-type="{header.lower()}">{header}</th>' in text
    assert 'id="readiness-matrix"' in text and "Failed (not checked)" in text
    # one remediation per rule result that is not Passed, whichever process ran the test
    assert text.count("readiness-remediation failed") == 21
    assert text.count("readiness-remediation warning") == 1


@pytest.fixture
def page(tmp_path):
    opened = Page(tmp_path / "chromium-profile")
    yield opened
    opened.close()


def test_report_in_chromium(pytester, page):
    path = run_report(pytester)
    page.open(path)
    assert page.errors() == []
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("window.__pwned === undefined")
    assert page.evaluate("document.querySelectorAll('img[onerror], b, i').length") == 0
    # escaped exactly once: the page shows the host names as they are
    hosts = page.evaluate("[...document.querySelectorAll('#readiness-matrix tbody tr')].map(r => r.dataset.host)")
    assert hosts == ["web-01", EVIL_HOST, QUOTE_HOST, "never-checked"]
    shown = page.evaluate("[...new Set([...document.querySelectorAll('#results-table td.col-host')]"
                          ".map(td => td.textContent))].sort()")
    assert shown == sorted(["", "web-01", EVIL_HOST, QUOTE_HOST])
    checks = page.evaluate("[...document.querySelectorAll('#results-table td.col-checkresult')]"
                           ".map(td => td.textContent)")
    assert sorted(set(checks)) == ["", "Failed", "Passed", "PassedWithWarning", "not applicable"]
    # every non-passing rule row carries its remediation; passing rows do not
    rows = page.evaluate(
        "[...document.querySelectorAll('#results-table tbody.results-table-row')].map(b => ["
        "(b.querySelector('td.col-checkresult') || {}).textContent, !!b.querySelector('.readiness-remediation')])")
    assert rows and all(has == (check in (FAILED, WARNING)) for check, has in rows)
    wsus = page.evaluate("[...document.querySelectorAll('.readiness-remediation h3')].map(h => h.textContent)"
                         ".filter(t => t.startsWith('WSUSServerConfigured'))")
    assert sorted(wsus) == sorted([f"WSUSServerConfigured: PassedWithWarning on {EVIL_HOST}",
                                   f"WSUSServerConfigured: Failed on {QUOTE_HOST}"])


def _non_blank(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        assert rgb.size[0] >= 1000
        colors = rgb.getcolors(maxcolors=1 << 20) or []
    assert len(colors) > 50, "the screenshot is blank"
    # the matrix's Failed and Passed cell colours are on the page
    palette = {c for _, c in colors}
    assert (0xF8, 0xC9, 0xC9) in palette and (0xD8, 0xF0, 0xDC) in palette


def test_screenshot(pytester, tmp_path):
    """The showcase report makes a screenshot with colour (docs/report.png comes from a real run:
    ``UPDATE_SCREENSHOT=1 pytest tests/test_reports_e2e.py``)."""
    path = run_report(pytester, showcase_plan())
    target = tmp_path / "report.png"
    shot(path, target, tmp_path / "profile", size="1400,1500")
    _non_blank(target)


def shot(page: Path, target: Path, profile: Path, size: str = "1600,1000") -> None:
    """A screenshot of the top of a report page (the summary and the matrix), by headless Chromium."""
    target.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={target}",
         f"--window-size={size}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
