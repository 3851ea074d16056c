"""How the probe reaches a host: the bootstrap command line and the input header.

The probe is one PowerShell script (``probe.ps1`` beside this file) sent on standard input,
never on the command line: cmd.exe refuses command lines over 8,191 characters. The command
line carries only a short bootstrap that reads standard input and runs it. See CONTRACT.md.

>>> text = render_input(ProbeInput(tcp=("a.example:443",), https="https://a.example"))
>>> parse_input(text).tcp
('a.example:443',)
"""

from __future__ import annotations

import base64
import dataclasses
import re
from importlib import resources

SCHEMA = "readiness-probe/1"
INPUT_SCHEMA = "readiness-probe-input/1"
INPUT_END = "# readiness-probe-input-end"

IMDS_URL = "http://169.254.169.254/metadata/instance?api-version=2018-02-01"
HTTPS_URL = "https://eus2-jobruntimedata-prod-su1.azure-automation.net"

# Reads the whole of standard input and runs it as one script block. `$input | Out-String`
# works from Windows PowerShell 2.0 on. chcp is left alone: the probe writes ASCII only.
BOOTSTRAP = (
    "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; "
    "$readinessProbe = $input | Out-String; "
    "& ([scriptblock]::Create($readinessProbe))"
)

POWERSHELL = "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand"


def encode_command(script: str) -> str:
    """Base64 of UTF-16LE, as ``powershell -EncodedCommand`` expects."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def command_line() -> str:
    """The command line that starts the probe (the bootstrap, encoded)."""
    return f"{POWERSHELL} {encode_command(BOOTSTRAP)}"


def script_text() -> str:
    """The probe script itself, as shipped beside this module."""
    return resources.files(__package__).joinpath("probe.ps1").read_text(encoding="ascii")


@dataclasses.dataclass(frozen=True)
class ProbeInput:
    """What the probe tests on the network; everything else it gathers unasked."""

    tcp: tuple[str, ...] = ()
    workspace_tcp: tuple[str, ...] = ()
    https: str = HTTPS_URL
    imds: str = IMDS_URL
    timeout_ms: int = 5000


def _ps_literal(value: str) -> str:
    if not value.isascii() or "\n" in value or "\r" in value:
        raise ValueError(f"probe input must be one line of ASCII: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def _ps_array(values: tuple[str, ...]) -> str:
    return "@(" + ", ".join(_ps_literal(v) for v in values) + ")"


def render_input(probe_input: ProbeInput) -> str:
    """The header of standard input: PowerShell assignments the probe script reads."""
    if not isinstance(probe_input.timeout_ms, int) or probe_input.timeout_ms <= 0:
        raise ValueError("timeout_ms must be a positive integer")
    return "\n".join(
        [
            f"# {INPUT_SCHEMA}",
            f"$ProbeTcp = {_ps_array(probe_input.tcp)}",
            f"$ProbeWorkspaceTcp = {_ps_array(probe_input.workspace_tcp)}",
            f"$ProbeHttps = {_ps_literal(probe_input.https)}",
            f"$ProbeImds = {_ps_literal(probe_input.imds)}",
            f"$ProbeTimeoutMs = {probe_input.timeout_ms}",
            INPUT_END,
            "",
        ]
    )


def stdin_text(probe_input: ProbeInput) -> str:
    """All of standard input: the header, then the script."""
    return render_input(probe_input) + script_text()


class NotAProbe(ValueError):
    """Standard input does not start with the probe's input header."""


_LITERAL = r"'(?:[^']|'')*'"
_ARRAY = re.compile(rf"^@\(\s*((?:{_LITERAL}\s*,\s*)*(?:{_LITERAL})?)\s*\)$")
_LINE = re.compile(r"^\$(ProbeTcp|ProbeWorkspaceTcp|ProbeHttps|ProbeImds|ProbeTimeoutMs) = (.*)$")


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("''", "'")


def parse_input(text: str) -> ProbeInput:
    """Read back the header that :func:`render_input` wrote (the emulator's side)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != f"# {INPUT_SCHEMA}":
        raise NotAProbe("standard input is not the readiness probe")
    fields: dict[str, object] = {}
    for line in lines[1:]:
        if line.strip() == INPUT_END:
            break
        match = _LINE.match(line.strip())
        if not match:
            raise NotAProbe(f"unexpected line in the probe input header: {line[:80]!r}")
        name, value = match.groups()
        if name in ("ProbeTcp", "ProbeWorkspaceTcp"):
            array = _ARRAY.match(value)
            if not array:
                raise NotAProbe(f"${name} is not an array of string literals")
            fields[name] = tuple(_unquote(v) for v in re.findall(_LITERAL, array.group(1)))
        elif name == "ProbeTimeoutMs":
            if not value.isdigit():
                raise NotAProbe("$ProbeTimeoutMs is not a number")
            fields[name] = int(value)
        else:
            if not re.fullmatch(_LITERAL, value):
                raise NotAProbe(f"${name} is not a string literal")
            fields[name] = _unquote(value)
    else:
        raise NotAProbe("the probe input header has no end line")
    missing = {"ProbeTcp", "ProbeWorkspaceTcp", "ProbeHttps", "ProbeImds", "ProbeTimeoutMs"} - fields.keys()
    if missing:
        raise NotAProbe(f"the probe input header lacks {', '.join(sorted(missing))}")
    return ProbeInput(
        tcp=fields["ProbeTcp"],  # type: ignore[arg-type]
        workspace_tcp=fields["ProbeWorkspaceTcp"],  # type: ignore[arg-type]
        https=fields["ProbeHttps"],  # type: ignore[arg-type]
        imds=fields["ProbeImds"],  # type: ignore[arg-type]
        timeout_ms=fields["ProbeTimeoutMs"],  # type: ignore[arg-type]
    )
