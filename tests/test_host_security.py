"""A hosts list cannot run commands on the runner, leak the shared password, or weaken its transport.

Host lists come from inventories many people edit and reports are published, so each case here
is an entry someone could write: it is refused with a one-line usage error (the real ``pytest``
command, exit 4) that holds no part of a password, or, where the run goes on, the password
travels only as the run's policy allows and the reports say when it was weakened.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import testinfra.backend
from testinfra.backend.ssh import SshBackend

from readiness.hosts import TESTINFRA_REFUSED, HostSpecError, parse_host, password_for, read_password_file
from readiness.reports.json_report import merge_reports, write_report
from readiness.transport_policy import InsecureTransport, apply, weakened
from tests.emulated import display, fleet, host_url, run_suite, suite_process

USAGE_ERROR = 4


def _pytest(cwd: Path, *args: str, password: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The suite as a user runs it, with READINESS_WINRM_PASSWORD set only when given."""
    return suite_process(cwd, "-o", "readiness_html=", *args, password=password, timeout=timeout)


def _one_error(result: subprocess.CompletedProcess) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == USAGE_ERROR, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    errors = [line for line in out.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1, out[-3000:]
    return errors[0]


# 1. Commands on the runner from a hosts list.

def test_kubectl_context_payload_never_runs_and_is_a_usage_error(tmp_path):
    """testinfra's kubectl backend puts ``context`` inside double quotes of a shell command: $(...) would run."""
    marker = tmp_path / "pwned"
    payload = urllib.parse.quote(f"$(id>{marker})", safe="")
    result = _pytest(tmp_path, f"--hosts=kubectl://127.0.0.9?context={payload}", "--connect-timeout", "1")
    line = _one_error(result)
    assert "connection scheme 'kubectl' is not accepted" in line, line
    assert not marker.exists(), "the payload ran on the runner"


@pytest.mark.parametrize("scheme", TESTINFRA_REFUSED)
def test_testinfra_schemes_that_are_not_proved_safe_are_refused(scheme):
    with pytest.raises(HostSpecError, match=f"connection scheme '{scheme}' is not accepted"):
        parse_host(f"{scheme}://127.0.0.9")


@pytest.mark.parametrize(("text", "message"), [
    ("ssh://deploy@127.0.0.7?sudo=true", "unknown option 'sudo' (ssh hosts take: profile, ssh_config, ssh_identity_file, timeout)"),
    ("ssh://deploy@127.0.0.7?controlpersist=1", "unknown option 'controlpersist'"),
    ("ssh://deploy@127.0.0.7?kubeconfig=x", "unknown option 'kubeconfig'"),
    ("paramiko://deploy@127.0.0.7?ansible_inventory=x", "unknown option 'ansible_inventory'"),
    ("local://?sudo=true", "unknown option 'sudo' (local hosts take: profile)"),
    ("ssh://deploy@127.0.0.7?timeout=5;id", "option timeout must be a whole number of seconds"),
    ("ssh://deploy@127.0.0.7?timeout=5&timeout=6", "option timeout is given twice"),
    ("ssh://deploy@127.0.0.7?ssh_config=-oProxyCommand=id", "is not accepted as a path"),
    ("ssh://deploy@127.0.0.7?ssh_identity_file=%24(id)", "is not accepted as a path"),
    ("ssh://deploy@127.0.0.7?ssh_identity_file=%25d/key", "is not accepted as a path"),
    ("ssh://deploy@127.0.0.7?ssh_identity_file=/nonexistent/key", "no such file"),
    ("ssh://-oProxyCommand=id@127.0.0.7", "is not accepted as an ssh user name"),
    ("ssh://-oProxyCommand=id", "is not a host name"),
    ("local://127.0.0.7", "local:// names no host, user or port"),
    ("winrm://admin@127.0.0.7?sudo=true", "unknown option 'sudo'"),
])
def test_only_known_options_with_checked_values_reach_testinfra(text, message):
    with pytest.raises(HostSpecError) as info:
        parse_host(text)
    assert message in str(info.value)


def test_testinfra_receives_the_checked_parts_and_ssh_gets_each_as_one_argument(tmp_path):
    """The spec handed to testinfra is rebuilt from the parsed parts; ssh's command line quotes every value."""
    key = tmp_path / "id key"  # a space: quoted by testinfra, refused by us before it gets there
    key.write_text("k")
    with pytest.raises(HostSpecError, match="not accepted as a path"):
        parse_host(f"ssh://deploy@127.0.0.7?ssh_identity_file={urllib.parse.quote(str(key))}")
    key = tmp_path / "id_ed25519"
    key.write_text("k")
    spec = parse_host(f"ssh://deploy@127.0.0.7:2222?timeout=5&ssh_identity_file={key}")
    host, kwargs = testinfra.backend.parse_hostspec(spec.testinfra_spec())
    assert (host, kwargs) == ("deploy@127.0.0.7:2222", {"connection": "ssh", "timeout": "5",
                                                        "ssh_identity_file": str(key)})
    backend = SshBackend(host, **{k: v for k, v in kwargs.items() if k != "connection"})
    cmd, args = backend._build_ssh_command("uname -s")
    argv = shlex.split(backend.quote(" ".join(cmd), *args))
    assert argv[0] == "ssh" and "sshpass" not in argv
    assert argv[argv.index("-i") + 1] == str(key)
    assert argv[-2:] == ["127.0.0.7", "uname -s"]


# 2. The shared password in clear text, or handed over.

@pytest.mark.parametrize(("hosts", "extra", "named"), [
    ("winrm://admin@127.0.0.5?no_ssl=true&transport=basic", [], "?transport=basic in its URL"),
    ("winrm://admin@127.0.0.5?transport=basic", [], "?transport=basic in its URL"),
    ("winrm://admin@127.0.0.5?transport=credssp", [], "?transport=credssp in its URL"),
    ("winrm://admin@127.0.0.5?no_verify_ssl=true", [], "?no_verify_ssl=true skips the certificate check"),
    ("winrm://admin@127.0.0.5?no_ssl=true", ["--winrm-transport", "basic"], "HTTP Basic without verified HTTPS"),
    ("winrm://admin@127.0.0.5?no_ssl=true&transport=basic", ["--winrm-transport", "basic"],
     "HTTP Basic without verified HTTPS"),
])
def test_a_weakened_transport_is_refused_without_the_flag(tmp_path, hosts, extra, named):
    line = _one_error(_pytest(tmp_path, f"--hosts={hosts}", *extra, password="pw-not-shown"))
    assert named in line and "--allow-insecure-transport" in line and "winrm://admin@127.0.0.5:" in line, line


@pytest.mark.parametrize(("text", "run_transport", "expected"), [
    ("winrm://admin@127.0.0.5?no_ssl=true", "ntlm", ()),  # NTLM with message encryption: Windows' default
    ("winrm://admin@127.0.0.5", "basic", ()),  # Basic chosen for the run, over verified HTTPS
    ("winrm://admin@127.0.0.5?transport=basic", "basic", ()),  # the URL repeats the run's choice
    ("winrm://admin@127.0.0.5", "credssp", ()),  # the run's own choice (README: what it implies)
    ("winrm://admin@127.0.0.5?transport=kerberos", "ntlm", ()),
    ("winrm://admin@127.0.0.5?transport=credssp&no_ssl=true", "ntlm", ("transport=credssp",)),
    ("winrm://admin@127.0.0.5?no_verify_ssl=true", "basic", ("no_verify_ssl", "basic without verified HTTPS")),
    ("winrm://admin@127.0.0.5?no_ssl=true&transport=basic", "ntlm",
     ("transport=basic", "basic without verified HTTPS")),
    ("ssh://deploy@127.0.0.7", "basic", ()),
])
def test_which_settings_weaken_the_run(text, run_transport, expected):
    assert weakened(parse_host(text), run_transport) == expected


def test_the_flag_accepts_weakened_hosts_and_the_reports_name_them(pytester):
    with fleet(["healthy", "warnings"]) as served:
        basic, ntlm = served.hosts
        urls = [host_url(basic) + "&transport=basic", host_url(ntlm)]
        result, data = run_suite(pytester, "--hosts=" + ",".join(urls), "--allow-insecure-transport",
                                 "--connect-timeout", "1", timeout=120)
    assert data is not None, result.stdout.str()[-3000:]
    assert {e["host"] for e in data["hosts"]} == {display(basic), display(ntlm)}
    assert data["insecure_transport"] == {
        "allowed_by": "--allow-insecure-transport",
        "hosts": [{"host": display(basic), "settings": ["transport=basic", "basic without verified HTTPS"]}]}
    page = (pytester.path / "readiness.html").read_text(encoding="utf-8")
    assert "Insecure transport" in page
    assert f"allowed by --allow-insecure-transport: {display(basic)} (transport=basic, basic without verified HTTPS)" in page
    assert f"{display(ntlm)} (" not in page


def test_merged_shard_reports_keep_the_weakened_hosts(tmp_path):
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    write_report(first, [], None, insecure=InsecureTransport((("winrm://a@127.0.0.5:5985", ("no_verify_ssl",)),)))
    write_report(second, [], None)
    merged = merge_reports([first, second])
    assert merged["insecure_transport"]["hosts"] == [{"host": "winrm://a@127.0.0.5:5985", "settings": ["no_verify_ssl"]}]
    assert "insecure_transport" not in merge_reports([second])


def test_without_the_flag_nothing_is_recorded_and_with_it_an_empty_list_says_so():
    specs = [parse_host("winrm://admin@127.0.0.5?no_ssl=true")]
    assert apply(specs, "ntlm", allow=False) is None
    assert apply(specs, "ntlm", allow=True) == InsecureTransport(())


# 3. Passwords in the URLs of testinfra hosts (testinfra logs the sshpass command line).

@pytest.mark.parametrize("scheme", ["ssh", "paramiko"])
def test_a_password_in_an_ssh_url_is_refused_and_the_error_says_to_use_a_key(tmp_path, scheme):
    line = _one_error(_pytest(tmp_path, f"--hosts={scheme}://deploy:Zq8Vw3Kp@127.0.0.7"))
    assert "use a key: ?ssh_identity_file=PATH" in line and f"{scheme}://deploy@127.0.0.7" in line, line
    assert "Zq8" not in line


# 4. Errors never print a part of the password.

CANARIES = {
    "slash": "Jq7Hx/Zx4Mb9", "hash": "Jq7Hx#Zx4Mb9", "comma": "Jq7Hx,Zx4Mb9", "question": "Jq7Hx?Zx4Mb9",
    "at": "Jq7Hx@Zx4Mb9", "all": "Jq7/Zx4#Kv9,Wy3?Vb5@Qj8",
}


def _fragments(canary: str) -> set[str]:
    return {canary[i:i + 3] for i in range(len(canary) - 2)}


@pytest.mark.parametrize("where", ["option", "file"])
@pytest.mark.parametrize("name", list(CANARIES))
def test_no_fragment_of_a_password_appears_in_the_output(tmp_path, name, where):
    canary = CANARIES[name]
    url = f"winrm://admin:{canary}@127.0.0.5"
    if where == "option":
        args = [f"--hosts={url}"]
    else:
        (tmp_path / "fleet.txt").write_text(f"{url}\n", encoding="utf-8")
        args = ["--hosts-file", str(tmp_path / "fleet.txt")]
    # An unencoded '@' alone still parses (the last '@' ends the password): collect only, nothing to check.
    result = _pytest(tmp_path, *args, "--collect-only", "-q", "--winrm-read-timeout", "2")
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out[-3000:]
    leaked = sorted(f for f in _fragments(canary) if f in out)
    assert leaked == [], out[-3000:]
    # / # ? break the URL (in a file, '#' starts a comment and cuts it); ',' splits --hosts, not a file line.
    if name in ("slash", "hash", "question", "all") or (name == "comma" and where == "option"):
        line = _one_error(result)
        assert "winrm://admin" in line, line


def test_a_password_with_a_slash_no_longer_shows_as_a_bad_port():
    with pytest.raises(HostSpecError) as info:
        parse_host("winrm://admin:Pa55/Secret9@127.0.0.5")
    message = str(info.value)
    assert "Pa55" not in message and "Secret9" not in message
    assert "host 'winrm://admin@127.0.0.5'" in message and "percent-encoded (%2F %23 %3F %40 %2C)" in message


def test_a_percent_encoded_password_is_accepted():
    spec = parse_host("winrm://admin:Jq7%2FZx4%23Kv9%2CWy3%3FVb5%40Qj8@127.0.0.5")
    assert spec.password == CANARIES["all"] and spec.display == "winrm://admin@127.0.0.5:5986"


# 5. Control characters in names.

@pytest.mark.parametrize(("text", "shown"), [
    ("winrm://adm%0Ain@127.0.0.5", r"the user name 'adm\nin' holds a control character ('\n')"),
    ("winrm://adm%1B%5B2Jin@127.0.0.5", r"the user name 'adm\x1b[2Jin' holds a control character ('\x1b')"),
    ("winrm://adm%C2%9Bin@127.0.0.5", r"the user name 'adm\x9bin' holds a control character ('\x9b')"),
    ("winrm://admin@web%0d01", r"the host name 'web\r01' holds a control character ('\r')"),
    ("winrm://admin@web%7F01", r"the host name 'web\x7f01' holds a control character ('\x7f')"),
    ("winrm://admin@web\n01", r"holds a control character ('\n')"),
    ("winrm://ad\tmin@127.0.0.5", r"holds a control character ('\t')"),
    ("winrm://admin@127.0.0.5?transport=ntlm%00", r"option transport holds a control character ('\x00')"),
])
def test_control_characters_in_names_are_refused_and_shown_escaped(text, shown):
    with pytest.raises(HostSpecError) as info:
        parse_host(text)
    message = str(info.value)
    assert shown in message, message
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in message), message


# 6. The password file, and the warning for passwords in URLs.

def _secret_file(path: Path, text: str, mode: int) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_the_password_file_logs_in_in_place_of_the_environment(pytester, tmp_path):
    with fleet(["healthy"]) as served:
        host = served.hosts[0]
        secret = _secret_file(tmp_path / "winrm-password", f"{host.password}\nignored second line\n", 0o600)
        result, data = run_suite(pytester, f"--hosts={host_url(host, password=False)}",
                                 "--winrm-password-file", str(secret), "--connect-timeout", "1", timeout=120)
    assert result.ret == 0, result.stdout.str()[-3000:]
    (entry,) = data["hosts"]
    assert {r["CheckResult"] for r in entry["results"]} == {"Passed"}
    assert "carry a password" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(("mode", "named"), [
    (0o640, "can be read by its group or others (mode 0640): make it readable by its owner only (chmod 600)"),
    (0o604, "can be read by its group or others (mode 0604)"),
])
def test_a_password_file_others_can_read_is_refused(tmp_path, mode, named):
    secret = _secret_file(tmp_path / "pw", "Hk4Tz9Qa\n", mode)
    line = _one_error(_pytest(tmp_path, "--hosts=winrm://admin@127.0.0.5", "--winrm-password-file", str(secret)))
    assert named in line and str(secret) in line, line
    assert "Hk4" not in line


def test_a_password_file_that_is_not_a_regular_file_is_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)  # opened without blocking: the check answers at once
    for path in (tmp_path, fifo):
        with pytest.raises(HostSpecError, match="is not a regular file"):
            read_password_file(str(path))
    with pytest.raises(HostSpecError, match="no such file"):
        read_password_file(str(tmp_path / "missing"))
    with pytest.raises(HostSpecError, match=r"first line .* is empty"):
        read_password_file(str(_secret_file(tmp_path / "empty", "\nsecond\n", 0o600)))
    assert read_password_file(str(_secret_file(tmp_path / "ok", "a b#c\r\n", 0o400))) == "a b#c"
    assert stat.S_IMODE((tmp_path / "ok").stat().st_mode) == 0o400


def test_password_precedence_is_url_then_file_then_environment(monkeypatch):
    monkeypatch.setenv("READINESS_WINRM_PASSWORD", "from-env")
    assert password_for(parse_host("winrm://a:from-url@127.0.0.5"), "from-file") == "from-url"
    assert password_for(parse_host("winrm://a@127.0.0.5"), "from-file") == "from-file"
    assert password_for(parse_host("winrm://a@127.0.0.5"), None) == "from-env"


def test_a_password_in_a_url_is_warned_about_once_without_the_password(tmp_path):
    hosts = "winrm://admin:Rm5Lq8Tc@127.0.0.5?no_ssl=true,winrm://admin:Rm5Lq8Tc@127.0.0.6?no_ssl=true"
    for quiet in ([], ["-q"]):
        result = _pytest(tmp_path, f"--hosts={hosts}", "--collect-only", *quiet)
        out = result.stdout + result.stderr
        assert result.returncode == 0, out[-3000:]
        assert out.count("carry a password") == 1, out[-3000:]
        assert "2 host URL(s) carry a password" in out and "--winrm-password-file" in out
        assert "Rm5" not in out
    plain = _pytest(tmp_path, "--hosts=winrm://admin@127.0.0.5?no_ssl=true", "--collect-only", password="x")
    assert plain.returncode == 0 and "carry a password" not in plain.stdout + plain.stderr
