"""Host text with control characters never drives the CI log that prints it.

An emulated host's WSUS server value (a registry string the host controls) carries lines that
GitHub Actions and Azure Pipelines run as workflow commands, and ANSI/OSC escape sequences;
a host URL whose percent-decoded user name does the same is refused as a usage error that shows
the name escaped. The suite runs as a user runs it (a real pytest process, every output on); no
line of its output starts with the host's commands, no ESC byte from the host reaches it, and the
JSON report keeps the value.
"""

from __future__ import annotations

import json
import subprocess
import urllib.parse

from fixtures.scenario import load_scenario
from tests.emulated import HOSTS, fleet, suite_process

# What a hostile host puts in WUServer: workflow commands on lines of their own (LF, CR LF, CR,
# NEL), an OSC title, a screen clear, colours, an 8-bit CSI, and DEL.
PAYLOAD = ("http://wsus.contoso.local:8530\n::warning title=Readiness::All hosts passed\r\n"
           "##vso[task.setvariable variable=DEPLOY_RING]production\r::error::forged\x85##vso[task.complete]done"
           "\x1b]0;owned\x07\x1b[2J\x1b[1;32mPASSED\x1b[0m\x9b31m\x7f")
USER = "admin\n::warning::user\x1b[2J"


def _scenario(tmp_path):
    text = (HOSTS / "healthy.yaml").read_text(encoding="utf-8").replace("name: healthy", "name: hostile-controls")
    text = text.replace("registry:\n", "registry:\n  'HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate':\n"
                                      f"    WUServer: {json.dumps(PAYLOAD)}\n", 1)
    path = tmp_path / "hostile-controls.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.registry.get("HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate", "WUServer").value == PAYLOAD
    return scenario


def _run(tmp_path, hosts: list[str], fmt: str, name: str) -> tuple[subprocess.CompletedProcess, dict]:
    run = _pytest(tmp_path, hosts, fmt, name)
    return run, json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))


def _pytest(tmp_path, hosts: list[str], fmt: str, name: str) -> subprocess.CompletedProcess:
    report = tmp_path / f"{name}.json"
    return suite_process(
        tmp_path, "-vv", "-rA", "--tb=long", "--color=yes", "--strict-warnings", "--readiness-format", fmt,
        f"--html={tmp_path / f'{name}.html'}", f"--junitxml={tmp_path / f'{name}.xml'}",
        f"--readiness-json={report}", "--connect-timeout", "1", "--hosts=" + ",".join(hosts), text=False, timeout=180)


def _forged(output: bytes) -> list[str]:
    """Lines a CI service would run, and ESC bytes that are not pytest's own colours."""
    text = output.decode("utf-8", "replace")
    found = []
    for line in text.splitlines():  # splitlines also splits on CR, NEL, and the Unicode separators
        bare = line.replace("\x1b[0m", "").replace("\x1b[1m", "").replace("\x1b[31m", "").replace("\x1b[32m", "")
        bare = bare.replace("\x1b[33m", "").replace("\x1b[1;31m", "").replace("\x1b[1;32m", "").replace("\x1b[1;33m", "")
        bare = bare.replace("\x1b[36m", "").replace("\x1b[90m", "").replace("\x1b[91m", "").replace("\x1b[92m", "")
        if bare.lstrip().startswith(("::", "##vso[")):
            found.append(line)
    for marker in ("\x1b]0;owned", "\x1b[2J", "\x1b[1;32mPASSED", "\x9b31m", "\x07"):
        if marker in text:
            found.append(repr(marker))
    return found


def test_host_text_with_control_characters_is_escaped_in_every_printed_line(tmp_path):
    with fleet([_scenario(tmp_path)]) as served:
        host = served.hosts[0]
        good = f"winrm://{host.user}:{host.password}@{host.address}:{host.http_port}?no_ssl=true"
        forged_user = urllib.parse.quote(USER, safe="")
        bad = f"winrm://{forged_user}:x@{host.address}:{host.http_port}?no_ssl=true"
        runs = [_run(tmp_path, [good], fmt, fmt) for fmt in ("summary", "list")]
        refused = _pytest(tmp_path, [good, bad], "summary", "refused")
    for run, data in runs:
        out = run.stdout + run.stderr
        assert run.returncode == 1, out.decode(errors="replace")[-3000:]
        assert _forged(out) == []
        # The host's text is there, escaped, and the value itself is what the JSON keeps.
        assert b"::warning title=Readiness::All hosts passed" in out
        assert b"\\n::warning title=Readiness" in out and b"\\x1b]0;owned\\x07" in out
        entry = data["hosts"][0]
        wsus = next(r for r in entry["results"] if r["RuleId"] == "WSUSServerConfigured")
        assert wsus["CheckResultMessageArguments"] == [PAYLOAD]
    summary = runs[0][0].stdout.decode()
    assert "WSUSServerConfigured  PassedWithWarning" in summary
    # A user name with control characters is not a host: a usage error that shows it escaped.
    out = refused.stdout + refused.stderr
    assert refused.returncode == 4, out.decode(errors="replace")[-3000:]
    assert _forged(out) == []
    assert b"the user name 'admin\\n::warning::user\\x1b[2J' holds a control character" in out
    assert not (tmp_path / "refused.json").exists()
