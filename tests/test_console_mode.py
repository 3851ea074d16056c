"""Standard input in console mode or as a pipe (WINRS_CONSOLEMODE_STDIN), on both sides of the wire.

powershell.exe reads standard input as pipeline input (``$input``, ``-Command -``) only when it is
redirected. pywinrm's ``Protocol.run_command`` asks for a console unless told
``console_mode_stdin=False``; MS-WSMV 3.1.4.11 makes a pipe the default when the option is absent.
The suite feeds the probe on standard input, so it must ask for a pipe (as Ansible's winrm
connection plugin does whenever it sends input); a host given a console sees no probe, prints
nothing and exits 0, and the suite must then report every rule ``Failed.ProbeError``.
"""

from __future__ import annotations

import json
import textwrap

import winrm

from readiness import probe
from readiness.catalog import RULES
from readiness.connection import WinRMBackend, WinRMOptions
from readiness.hosts import parse_host
from tests.emulated import display, fleet, host_url, run_suite, write_hosts

PROBE_STDIN = probe.stdin_text(probe.ProbeInput()).encode("ascii")


def _run(host, command: str, args: list[str], stdin: bytes, console: bool | None):
    protocol = winrm.Protocol(host.url("http"), transport="ntlm", username=host.user, password=host.password)
    shell = protocol.open_shell()
    try:
        kwargs = {} if console is None else {"console_mode_stdin": console}
        command_id = protocol.run_command(shell, command, args, **kwargs)
        protocol.send_command_input(shell, command_id, stdin, end=True)
        out, err, rc = protocol.get_command_output(shell, command_id)
        protocol.cleanup_command(shell, command_id)
        return out, err, rc
    finally:
        protocol.close_shell(shell)


def test_powershell_reads_stdin_only_from_a_pipe(tmp_path):
    with fleet(["healthy"], record_dir=str(tmp_path)) as served:
        host = served.hosts[0]
        bootstrap = probe.command_line().split()
        console = _run(host, bootstrap[0], bootstrap[1:], PROBE_STDIN, console=True)
        default = _run(host, bootstrap[0], bootstrap[1:], PROBE_STDIN, console=None)  # pywinrm's default: console
        piped = _run(host, bootstrap[0], bootstrap[1:], PROBE_STDIN, console=False)
        dash_console = _run(host, "powershell.exe", ["-NoProfile", "-Command", "-"], b"hostname\r\n", console=True)
        dash_pipe = _run(host, "powershell.exe", ["-NoProfile", "-Command", "-"], b"hostname\r\n", console=False)
    assert console == (b"", b"", 0)
    assert default == (b"", b"", 0)
    assert json.loads(piped[0])["schema"] == probe.SCHEMA and piped[2] == 0
    assert dash_console == (b"", b"", 0)
    assert dash_pipe == (b"HEALTHY\r\n", b"", 0)
    modes = [json.loads(line)["stdin_mode"] for line in (tmp_path / "healthy.jsonl").read_text().splitlines()]
    assert modes == ["console", "console", "pipe", "console", "pipe"]


def test_the_suite_feeds_stdin_through_a_pipe(tmp_path):
    """The Command request of every stdin-fed command carries WINRS_CONSOLEMODE_STDIN FALSE."""
    with fleet(["healthy"], record_dir=str(tmp_path)) as served:
        backend = WinRMBackend(parse_host(host_url(served.hosts[0])), WinRMOptions(transport="ntlm"))
        try:
            rc, out, _ = backend.run_with_stdin(probe.command_line(), PROBE_STDIN, 1e12)
            piped_rc, piped, _ = backend.run_with_stdin("powershell.exe -NoProfile -Command -", b"hostname\r\n", 1e12)
        finally:
            backend.close()
    assert rc == 0 and json.loads(out)["schema"] == probe.SCHEMA
    assert (piped_rc, piped) == (0, b"HEALTHY\r\n")
    entries = [json.loads(line) for line in (tmp_path / "healthy.jsonl").read_text().splitlines()]
    assert [e["stdin_mode"] for e in entries] == ["pipe", "pipe"]


CONSOLE_CLIENT = textwrap.dedent('''
    """Makes every WinRM command ask for a console on standard input, as pywinrm does by default."""
    import winrm.protocol

    _run_command = winrm.protocol.Protocol.run_command


    def _console(self, shell_id, command, arguments=(), console_mode_stdin=True, skip_cmd_shell=False):
        return _run_command(self, shell_id, command, arguments, True, skip_cmd_shell)


    winrm.protocol.Protocol.run_command = _console
''')


def test_a_probe_sent_in_console_mode_fails_every_rule_with_probe_error(pytester):
    pytester.makepyfile(console_client=CONSOLE_CLIENT)
    with fleet(["healthy"]) as served:
        host = served.hosts[0]
        hosts_file = write_hosts(pytester.path / "fleet.txt", [host_url(host)])
        result, data = run_suite(pytester, "-p", "console_client", "--hosts-file", str(hosts_file),
                                 "--connect-timeout", "1")
    assert result.ret == 1, result.stdout.str()[-3000:]
    results = data["hosts"][0]["results"]
    assert data["hosts"][0]["host"] == display(host)
    assert [r["RuleId"] for r in results] == list(RULES)
    assert [(r["CheckResult"], r["CheckResultMessageId"]) for r in results] == [
        ("Failed", f"{rule}.Failed.ProbeError") for rule in RULES]
    assert all("probe output" in r["CheckResultMessage"] and "not valid" in r["CheckResultMessage"] for r in results)
