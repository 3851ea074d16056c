"""python -m fixtures.emulator as a user runs it: files written, served, stopped by SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import winrm

from fixtures.emulator import free_base_address

ROOT = Path(__file__).resolve().parent.parent


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fixtures.emulator", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _scenario(tmp_path: Path, name: str, password: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nuser: admin\npassword: {password}\n", encoding="utf-8")
    return str(path)


def test_cli_serves_a_fleet_and_stops_on_sigterm(tmp_path):
    base = free_base_address(count=4)  # two scenarios, --fleet 2
    first, second = _scenario(tmp_path, "alpha", "pw-a"), _scenario(tmp_path, "beta", "pw-b")
    hosts, ca, record, stats = tmp_path / "hosts.txt", tmp_path / "ca.pem", tmp_path / "rec", tmp_path / "stats.json"
    process = _start("--scenario", first, "--scenario", second, "--fleet", "2", "--base-address", base,
                     "--hosts-file", str(hosts), "--ca-file", str(ca), "--record", str(record),
                     "--fault", "beta-0002=unauthorized", "--stats", str(stats))
    try:
        deadline = time.monotonic() + 20
        while not hosts.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        prefix = base.rsplit(".", 1)[0]
        assert hosts.read_text().splitlines() == [
            f"winrm://admin@{prefix}.1:5985?no_ssl=true", f"winrm://admin@{prefix}.2:5985?no_ssl=true",
            f"winrm://admin@{prefix}.3:5985?no_ssl=true", f"winrm://admin@{prefix}.4:5985?no_ssl=true",
        ]
        assert "pw-" not in hosts.read_text()
        session = winrm.Session(f"https://{prefix}.3:5986/wsman", auth=("admin", "pw-b"), transport="ntlm",
                                ca_trust_path=str(ca))
        assert session.run_ps("hostname").std_out == b"BETA-0001\r\n"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    entry = json.loads((record / "beta-0001.jsonl").read_text().splitlines()[0])
    assert entry["decoded"] == "hostname" and entry["command"].startswith("powershell -encodedcommand ")
    assert json.loads(stats.read_text())["requests_per_host"]["beta-0001"] >= 5


def test_bad_options_are_one_line_and_exit_2(tmp_path):
    good = _scenario(tmp_path, "gamma", "pw")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nunknown_key: 1\n", encoding="utf-8")
    for args in (["--scenario", str(tmp_path / "missing.yaml")], ["--scenario", str(bad)],
                 ["--scenario", good, "--fault", "gamma=flaky"], ["--scenario", good, "--fault", "nobody=reset"],
                 ["--scenario", good, "--base-address", "192.168.1.1"], ["--scenario", good, "--fleet", "0"]):
        result = subprocess.run([sys.executable, "-m", "fixtures.emulator", *args], cwd=ROOT, capture_output=True,
                                text=True, timeout=30)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
