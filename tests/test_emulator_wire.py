"""pywinrm against the emulator over real sockets: transports, auth, TLS trust, WS-Man faults."""

from __future__ import annotations

import pytest
import requests
import winrm
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WSManFaultError

from fixtures.emulator import Fleet
from fixtures.scenario import Scenario, Winrm


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, emulated_fleet):
    ca = tmp_path_factory.mktemp("ca") / "ca.pem"
    scenarios = [
        Scenario(name="wire", user="operator", password="Corr3ct-horse", powershell_version="5.1.17763.1"),
        Scenario(name="basiconly", password="pw-basic", winrm=Winrm(auth=("basic",))),
        Scenario(name="ntlmonly", password="pw-ntlm", winrm=Winrm(auth=("ntlm",))),
    ]
    running = emulated_fleet(scenarios, ca_file=str(ca))
    running.ca_path = str(ca)
    return running


def _session(fleet, scheme, transport, password=None, host="wire", **kwargs):
    target = fleet.host(host)
    return winrm.Session(target.url(scheme), auth=(target.user, password or target.password), transport=transport,
                         ca_trust_path=fleet.ca_path, **kwargs)


@pytest.mark.parametrize("scheme,transport", [("http", "basic"), ("http", "ntlm"), ("https", "basic"), ("https", "ntlm")])
def test_session_runs_cmd_and_powershell(fleet, scheme, transport):
    session = _session(fleet, scheme, transport)
    result = session.run_cmd("hostname")
    assert (result.status_code, result.std_out, result.std_err) == (0, b"WIRE\r\n", b"")
    result = session.run_ps("Write-Output 'a b'; $PSVersionTable.PSVersion.ToString()")
    assert (result.status_code, result.std_out) == (0, b"a b\r\n5.1.17763.1\r\n")


def test_ntlm_over_http_seals_every_message(fleet):
    protocol = winrm.Protocol(fleet.host("wire").url("http"), transport="ntlm", username="operator",
                              password="Corr3ct-horse")
    shell = protocol.open_shell()
    assert protocol.transport.encryption is not None  # pywinrm only decrypts multipart/encrypted answers now
    command = protocol.run_command(shell, "whoami")
    assert protocol.get_command_output(shell, command) == (b"wire\\operator\r\n", b"", 0)
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)


def test_ntlm_over_https_binds_the_channel(fleet):
    target = fleet.host("wire")
    protocol = winrm.Protocol(target.url("https"), transport="ntlm", username=target.user, password=target.password,
                              ca_trust_path=fleet.ca_path)
    shell = protocol.open_shell()
    assert protocol.transport.encryption is None  # TLS protects it; NTLM carried the certificate's binding
    protocol.close_shell(shell)


def test_ntlm_with_a_foreign_channel_binding_is_rejected(fleet):
    from requests_ntlm import HttpNtlmAuth

    target = fleet.host("wire")

    class WrongBinding(HttpNtlmAuth):
        def _get_server_cert(self, response):
            return b"\x00" * 32

    session = requests.Session()
    session.auth = WrongBinding(target.user, target.password)
    response = session.post(target.url("https"), data=b"", verify=fleet.ca_path,
                            headers={"Content-Type": "application/soap+xml"})
    assert response.status_code == 401  # the acceptor refused the bindings, not the password
    session.auth = HttpNtlmAuth(target.user, target.password)
    response = session.post(target.url("https"), data=b"", verify=fleet.ca_path)
    assert response.status_code == 200


def test_https_without_the_ca_fails_verification(fleet):
    session = winrm.Session(fleet.host("wire").url("https"), auth=("operator", "Corr3ct-horse"), transport="ntlm",
                            ca_trust_path=None)
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        session.run_cmd("hostname")


@pytest.mark.parametrize("scheme,transport", [("http", "basic"), ("http", "ntlm"), ("https", "ntlm")])
def test_wrong_password_is_401(fleet, scheme, transport):
    with pytest.raises(InvalidCredentialsError):
        _session(fleet, scheme, transport, password="wrong").run_cmd("hostname")


def test_wrong_user_is_401(fleet):
    session = winrm.Session(fleet.host("wire").url("http"), auth=("vagrant", "Corr3ct-horse"), transport="basic")
    with pytest.raises(InvalidCredentialsError):
        session.run_cmd("hostname")


def test_each_host_has_its_own_account(fleet):
    assert _session(fleet, "http", "basic", host="basiconly").run_cmd("whoami").std_out == b"basiconly\\vagrant\r\n"
    assert _session(fleet, "http", "ntlm", host="ntlmonly").run_cmd("whoami").std_out == b"ntlmonly\\vagrant\r\n"
    with pytest.raises(InvalidCredentialsError):  # the same user name with another host's password
        _session(fleet, "http", "ntlm", host="ntlmonly", password="pw-basic").run_cmd("hostname")


def test_auth_methods_follow_the_scenario(fleet):
    with pytest.raises(InvalidCredentialsError):
        _session(fleet, "http", "ntlm", host="basiconly").run_cmd("hostname")
    with pytest.raises(InvalidCredentialsError):
        _session(fleet, "http", "basic", host="ntlmonly").run_cmd("hostname")
    response = requests.post(fleet.host("basiconly").url("http"), data=b"")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="WSMAN"'


def test_stdin_feeds_powershell_command_dash(fleet):
    target = fleet.host("wire")
    protocol = winrm.Protocol(target.url("http"), transport="ntlm", username=target.user, password=target.password)
    shell = protocol.open_shell()
    # Standard input as a pipe: with pywinrm's default (a console) powershell.exe would not read
    # it (tests/test_console_mode.py).
    command = protocol.run_command(shell, "PowerShell.exe", ["-noprofile", "-NONINTERACTIVE", "-command", "-"],
                                   console_mode_stdin=False)
    protocol.send_command_input(shell, command, "Write-Output one\r\n")
    protocol.send_command_input(shell, command, "hostname\r\n", end=True)
    assert protocol.get_command_output(shell, command) == (b"one\r\nWIRE\r\n", b"", 0)
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)


def test_receive_answers_timed_out_while_the_command_runs(fleet):
    target = fleet.host("wire")
    protocol = winrm.Protocol(target.url("http"), transport="basic", username=target.user, password=target.password,
                              operation_timeout_sec=1, read_timeout_sec=5)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "powershell -Command -", console_mode_stdin=False)  # waits for stdin
    with pytest.raises(WinRMOperationTimeoutError):
        protocol.get_command_output_raw(shell, command)
    protocol.send_command_input(shell, command, "Write-Output late", end=True)
    assert protocol.get_command_output(shell, command) == (b"late\r\n", b"", 0)
    protocol.close_shell(shell)


def test_signal_terminates_a_running_command(fleet):
    target = fleet.host("wire")
    protocol = winrm.Protocol(target.url("http"), transport="basic", username=target.user, password=target.password)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "powershell -Command -", console_mode_stdin=False)
    protocol.cleanup_command(shell, command)  # Signal terminate
    with pytest.raises(WSManFaultError) as caught:
        protocol.get_command_output_raw(shell, command)
    assert caught.value.wsman_fault_code == 2150858843
    protocol.close_shell(shell)


def test_unknown_shell_is_the_windows_fault(fleet):
    target = fleet.host("wire")
    protocol = winrm.Protocol(target.url("http"), transport="ntlm", username=target.user, password=target.password)
    with pytest.raises(WSManFaultError) as caught:
        protocol.run_command("00000000-0000-0000-0000-000000000000", "hostname")
    assert caught.value.code == 500
    assert caught.value.wsman_fault_code == 2150858843
    assert caught.value.fault_subcode == "w:InvalidSelectors"
    assert "shell was not found" in caught.value.reason


def test_unknown_action_is_the_windows_fault(fleet):
    target = fleet.host("wire")
    protocol = winrm.Protocol(target.url("http"), transport="basic", username=target.user, password=target.password)
    header = protocol.build_wsman_header("http://schemas.xmlsoap.org/ws/2004/09/transfer/Get",
                                         "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd")
    import xmltodict

    with pytest.raises(WSManFaultError) as caught:
        protocol.send_message(xmltodict.unparse({"env:Envelope": dict(header, **{"env:Body": {}})}))
    assert caught.value.wsman_fault_code == 2150858771


def test_a_cycle_is_five_requests_on_one_connection(fleet):
    target = fleet.host("basiconly")
    before = fleet.requests_per_host()[target.name], fleet.connections_per_host()[target.name]
    session = winrm.Session(target.url("http"), auth=(target.user, target.password), transport="basic")
    session.run_cmd("echo", ["hello"])
    after = fleet.requests_per_host()[target.name], fleet.connections_per_host()[target.name]
    assert (after[0] - before[0], after[1] - before[1]) == (5, 1)


def test_an_address_in_use_is_a_one_line_error(fleet):
    from fixtures.emulator import EmulatorError

    with pytest.raises(EmulatorError, match=r"host wire: cannot listen on 127\.\d+\.\d+\.1: .*in use"):
        Fleet([Scenario(name="wire")], base_address=fleet.host("wire").address).start()
