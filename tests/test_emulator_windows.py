"""Windows behaviour that clients trip over: the 8,191 limit, CLIXML errors, honest failures."""

from __future__ import annotations

import pytest
import winrm

from fixtures.scenario import Scenario


@pytest.fixture(scope="module")
def session(emulated_fleet):
    scenario = Scenario(name="win", os_version="10.0.17763", powershell_version="5.1.17763.316")
    host = emulated_fleet([scenario]).hosts[0]
    return winrm.Session(host.url("http"), auth=(host.user, host.password), transport="ntlm")


def test_cmd_refuses_a_command_line_over_8191_characters(session):
    result = session.run_cmd("echo " + "x" * 8187)  # 8,192 characters
    assert (result.status_code, result.std_out, result.std_err) == (1, b"", b"The command line is too long.\r\n")
    result = session.run_cmd("echo " + "x" * 8186)  # 8,191 characters: still fine
    assert result.status_code == 0 and result.std_out == b"x" * 8186 + b"\r\n"


def test_long_encoded_powershell_hits_the_limit(session):
    result = session.run_ps("Write-Output '" + "y" * 3100 + "'")
    assert result.status_code == 1
    assert result.std_err == b"The command line is too long.\r\n"


def test_unknown_cmd_command_is_not_recognized(session):
    result = session.run_cmd("ipconfig", ["/all"])
    assert result.status_code == 1
    assert result.std_err == (b"'ipconfig' is not recognized as an internal or external command,\r\n"
                              b"operable program or batch file.\r\n")


def test_unknown_cmdlet_is_a_clixml_error(session):
    protocol = session.protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "powershell -EncodedCommand " + winrm.b64encode("Get-Foo".encode("utf-16-le")).decode())
    out, err, code = protocol.get_command_output(shell, command)
    protocol.close_shell(shell)
    assert (out, code) == (b"", 1)
    assert err.startswith(b"#< CLIXML\r\n<Objs ")
    result = session.run_ps("Get-Foo -Name x")
    assert result.status_code == 1
    assert result.std_err.startswith(b"Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet")
    assert b"CommandNotFoundException" in result.std_err


def test_write_error_is_clixml_and_exit_1(session):
    result = session.run_ps("Write-Output before; Write-Error 'it broke'")
    assert (result.status_code, result.std_out) == (1, b"before\r\n")
    assert b"it broke" in result.std_err and b"WriteErrorException" in result.std_err


def test_statements_it_cannot_evaluate_fail(session):
    result = session.run_ps("Get-Service | Where-Object { $_.Status -eq 'Running' }")
    assert result.status_code == 1 and result.std_out == b""
    result = session.run_cmd("dir > out.txt")
    assert result.status_code == 1


def test_answers_from_the_host_state(session):
    assert session.run_cmd("ver").std_out == b"\r\nMicrosoft Windows [Version 10.0.17763]\r\n"
    assert session.run_cmd("echo hello & exit /b 3").status_code == 3
    assert session.run_cmd("whoami && hostname").std_out == b"win\\vagrant\r\nWIN\r\n"
    result = session.run_ps("[Environment]::OSVersion.Version.ToString(); $env:COMPUTERNAME; exit 4")
    assert (result.status_code, result.std_out) == (4, b"10.0.17763\r\nWIN\r\n")


def test_powershell_switches_are_case_insensitive(session):
    encoded = winrm.b64encode("Write-Output ok".encode("utf-16-le")).decode()
    for line in (f"POWERSHELL.EXE -NOLOGO -noprofile -NonInteractive -executionpolicy Bypass -ENC {encoded}",
                 f"powershell -ec {encoded}", 'powershell.exe -c "Write-Output ok"'):
        result = session.run_cmd(line)
        assert (line, result.status_code, result.std_out) == (line, 0, b"ok\r\n")
    result = session.run_cmd("powershell -EncodedCommand not-base64!")
    assert result.status_code == 1 and b"Base64" in result.std_err
