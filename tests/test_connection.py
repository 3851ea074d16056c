"""The WinRM backend as testinfra code uses it: one shell per host, commands run in it."""

from readiness.connection import WinRMBackend, WinRMOptions
from readiness.hosts import parse_host
from tests.emulated import fleet, host_url


def test_testinfra_run_reuses_one_shell_and_reports_exit_codes():
    with fleet(["healthy"]) as served:
        host = served.hosts[0]
        backend = WinRMBackend(parse_host(host_url(host)), WinRMOptions(transport="ntlm"))
        try:
            first = backend.run("hostname")
            missing = backend.run("no-such-command")
            shell = backend.shell()
        finally:
            backend.close()
        after = served.requests_per_host()[host.name]
    assert first.rc == 0 and first.stdout.strip() != ""
    assert missing.rc == 1 and "is not recognized" in missing.stderr
    assert shell is not None
    # NTLM (3) + open shell once + two commands (command, receive each) + delete shell.
    assert after <= 3 + 1 + 2 * 2 + 1, after
