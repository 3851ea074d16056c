"""Headless Chromium for the tests of the HTML report: a page driven over the DevTools protocol,
and screenshots."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import websocket

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
            with contextlib.suppress(websocket.WebSocketTimeoutException):
                self._event(json.loads(self.ws.recv()))
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


def non_blank(png: Path) -> None:
    """The screenshot shows the report: many colours, the matrix's Failed and Passed cells among them."""
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        assert rgb.size[0] >= 1000
        colors = rgb.getcolors(maxcolors=1 << 20) or []
    assert len(colors) > 50, "the screenshot is blank"
    # the matrix's Failed and Passed cell colours are on the page
    palette = {c for _, c in colors}
    assert (0xF8, 0xC9, 0xC9) in palette and (0xD8, 0xF0, 0xDC) in palette


def shot(page: Path, target: Path, profile: Path, size: str = "1600,1000") -> None:
    """A screenshot of the top of a report page (the summary and the matrix), by headless Chromium."""
    target.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={target}",
         f"--window-size={size}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
