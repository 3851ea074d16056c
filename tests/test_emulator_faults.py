"""Each fault of fixtures/faults.py as a pywinrm client meets it, and the probe answered."""

from __future__ import annotations

import json

import pytest
import requests
import winrm
from winrm.exceptions import InvalidCredentialsError, WSManFaultError

from fixtures.emulator import EmulatorError, Fleet
from fixtures.faults import FAULTS
from fixtures.scenario import Scenario, Winrm
from readiness import probe

PROBE_FAULTS = sorted(name for name in FAULTS if name.startswith("probe_") and name != "probe_flood")


PROBE_INPUT = probe.ProbeInput(timeout_ms=200)  # unreachable targets make the probe wait this long


def _stdin() -> str:
    return probe.stdin_text(PROBE_INPUT)


@pytest.fixture(scope="module")
def fleet(emulated_fleet):
    scenarios = [Scenario(name="clean")] + [Scenario(name=f"f-{name}") for name in FAULTS]
    faults = {f"f-{name}": [name] for name in FAULTS if name != "refuse"}
    scenarios[FAULTS_INDEX["refuse"]] = Scenario(name="f-refuse", winrm=Winrm(faults=("refuse",)))
    return emulated_fleet(scenarios, faults=faults)


FAULTS_INDEX = {name: i + 1 for i, name in enumerate(FAULTS)}


def _session(fleet, name, transport="ntlm", **kwargs):
    host = fleet.host(name)
    return winrm.Session(host.url("http"), auth=(host.user, host.password), transport=transport, **kwargs)


def _run_probe(fleet, name):
    protocol = _session(fleet, name).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, probe.command_line(), console_mode_stdin=False)
    protocol.send_command_input(shell, command, _stdin(), end=True)
    result = protocol.get_command_output(shell, command)
    protocol.close_shell(shell)
    return result


def test_every_fault_is_covered_here():
    tested = {"refuse", "drop", "reset", "hang", "http500", "unauthorized", "cmd_too_long", "probe_flood", "huge_response",
              *PROBE_FAULTS}
    assert tested == set(FAULTS)


def test_refuse(fleet):
    with pytest.raises(requests.exceptions.ConnectionError, match=r"[Rr]efused"):
        _session(fleet, "f-refuse").run_cmd("hostname")


def test_drop(fleet):
    """pywinrm's timeout is also its connect timeout: a dropped SYN ends in ConnectTimeout, never a connection."""
    session = _session(fleet, "f-drop", transport="basic", read_timeout_sec=2, operation_timeout_sec=1)
    with pytest.raises(requests.exceptions.ConnectTimeout):
        session.run_cmd("hostname")
    assert fleet.requests_per_host()["f-drop"] == 0


def test_reset(fleet):
    with pytest.raises(requests.exceptions.RequestException, match="reset by peer"):
        _session(fleet, "f-reset", transport="basic").run_cmd("hostname")


def test_hang(fleet):
    session = _session(fleet, "f-hang", transport="basic", read_timeout_sec=2, operation_timeout_sec=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.run_cmd("hostname")


def test_http500(fleet):
    with pytest.raises(WSManFaultError) as caught:
        _session(fleet, "f-http500").run_cmd("hostname")
    assert caught.value.code == 500 and caught.value.fault_subcode == "w:InternalError"


def test_unauthorized(fleet):
    with pytest.raises(InvalidCredentialsError):
        _session(fleet, "f-unauthorized").run_cmd("hostname")


def test_cmd_too_long(fleet):
    result = _session(fleet, "f-cmd_too_long").run_cmd("hostname")
    assert (result.status_code, result.std_err) == (1, b"The command line is too long.\r\n")


def test_clean_probe_answers_json(fleet):
    out, err, code = _run_probe(fleet, "clean")
    document = json.loads(out)
    assert (code, err, document["schema"]) == (0, b"", probe.SCHEMA)
    assert out.isascii()


def test_probe_with_other_stdin_is_a_powershell_error(fleet):
    protocol = _session(fleet, "clean").protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, probe.command_line(), console_mode_stdin=False)
    protocol.send_command_input(shell, command, "Write-Output hello", end=True)
    out, err, code = protocol.get_command_output(shell, command)
    protocol.close_shell(shell)
    assert (out, code) == (b"", 1) and err.startswith(b"#< CLIXML")


def test_probe_flood_writes_a_mib_at_a_time_without_end(fleet):
    protocol = _session(fleet, "f-probe_flood").protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, probe.command_line(), console_mode_stdin=False)
    protocol.send_command_input(shell, command, _stdin(), end=True)
    received = 0
    while received < 8 * 2**20:
        out, err, _, done = protocol.get_command_output_raw(shell, command)
        assert len(out) <= 2**20 and not done and err == b""
        received += len(out)
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)


def test_huge_response_is_more_than_a_client_reads(fleet):
    from readiness.connection import MAX_RESPONSE_BYTES, OutputTooLarge, WinRMBackend
    from readiness.hosts import parse_host

    host = fleet.host("f-huge_response")
    backend = WinRMBackend(parse_host(f"winrm://{host.user}:{host.password}@{host.address}:{host.http_port}?no_ssl=true"))
    with pytest.raises(OutputTooLarge, match=f"more than {MAX_RESPONSE_BYTES // 2**20} MiB"):
        backend.shell()


@pytest.mark.parametrize("fault", PROBE_FAULTS)
def test_probe_faults(fleet, fault):
    out, err, code = _run_probe(fleet, f"f-{fault}")
    if fault == "probe_exit":
        assert (out, code) == (b"", 1) and err.startswith(b"#< CLIXML")
        return
    assert code == 0
    if fault == "probe_non_utf8":
        with pytest.raises(UnicodeDecodeError):
            out.decode("utf-8")
        return
    if fault in ("probe_garbage", "probe_truncated"):
        with pytest.raises(json.JSONDecodeError):
            json.loads(out)
        return
    document = json.loads(out)
    if fault == "probe_schema":
        assert document["schema"] != probe.SCHEMA
    elif fault == "probe_missing_fact":
        assert "services" not in document and "registry" in document
    elif fault == "probe_wrong_type":
        assert isinstance(document["os"]["version"], float)


def test_unknown_fault_and_host_are_refused():
    with pytest.raises(EmulatorError, match="unknown fault 'flaky'"):
        Fleet([Scenario(name="a")], base_address="127.200.0.1", faults={"a": ["flaky"]})
    with pytest.raises(EmulatorError, match="host 'b'"):
        Fleet([Scenario(name="a")], base_address="127.200.0.1", faults={"b": ["reset"]})
    with pytest.raises(EmulatorError, match="loopback"):
        Fleet([Scenario(name="a")], base_address="10.0.0.1")


def test_a_slow_probe_does_not_hold_up_other_hosts(fleet):
    import threading
    import time

    slow = threading.Thread(target=_run_probe, args=(fleet, "clean"))
    started = time.monotonic()
    slow.start()
    assert _session(fleet, "f-probe_schema").run_cmd("hostname").status_code == 0
    elapsed = time.monotonic() - started
    slow.join()
    assert elapsed < 0.15 < time.monotonic() - started  # the probe waited 200 ms, the other host did not
