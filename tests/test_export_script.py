"""The exported script (``python -m readiness.probe export``) under the probe's own static audit
(tests/test_probe_script.py: tree-sitter-powershell, PowerShell 2.0 syntax, read-only allowlists).

The export is the probe script unchanged except its last statements (which print the probe's
document), with the input before it and the capture around the document after it. Its additions
are held to an exact list: each one the audit reports is named below with why it is there, and
anything else it reports fails the test.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from readiness import capture
from readiness.capture import export_script
from readiness.endpoints import Endpoints, probe_input
from readiness.probe import render_input, script_text
from tests.test_probe_script import CHECKS, broken_nodes, parse

# What the audit reports of the export and not of the probe, with "line N" left out.
EXPORT_ADDS = {
    "commands": {
        # -OutFile under Constrained Language Mode, where .NET file writes are blocked: the one
        # file the user names, written with the cmdlet CLM allows.
        "command outside the read-only allowlist: Out-File",
        "command with a writing verb: Out-File",
    },
    "dotnet": {
        # The compact form: gzip (System.dll, .NET 2.0) into memory, then base64.
        "type outside the allowlist: System.IO.Compression.CompressionMode",
        "type outside the allowlist: System.IO.Compression.GZipStream",
        "type outside the allowlist: System.IO.MemoryStream",
        "static member outside the allowlist: System.IO.Compression.CompressionMode::Compress",
        "method outside the allowlist: ToArray",
        # -OutFile: the path resolved against PowerShell's location, the capture written there
        # (System.IO.File itself the probe names too, for File.Exists).
        "static member outside the allowlist: System.IO.File::WriteAllText",
        "method outside the allowlist: GetUnresolvedProviderPathFromPSPath",
        "forbidden method: WriteAllText",
    },
    "output": {
        # GZipStream.Write writes into the MemoryStream, not to stdout; the capture is the one
        # [Console]::Out.Write.
        ("writes to stdout: ['$CaptureZip.Write($CaptureBytes, 0, $CaptureBytes.Length)', "
        "'[Console]::Out.Write($CaptureText + \"`r`n\")']"),
        # The Constrained Language capture: PowerShell's own output (CLM blocks [Console]), or Out-File.
        "would write to stdout: $CaptureText | Out-File -FilePath $OutFile -Encoding ASCII",
        "would write to stdout: $CaptureText",
        # Its exit, and the probe's.
        "exits: ['exit 0', 'exit 0']",
    },
}


@cache
def _tree(location: str | None, compact: bool):
    return parse(export_script(location, compact=compact))


def _without_lines(problems: list[str]) -> set[str]:
    return {re.sub(r"^line \d+ ", "", p) for p in problems}


@pytest.mark.parametrize("compact", [False, True], ids=["json", "compact"])
@pytest.mark.parametrize("location", [None, "japaneast", "usgovvirginia"])
@pytest.mark.parametrize("check", CHECKS)
def test_the_export_passes_the_probe_audit_but_for_its_listed_additions(check, location, compact):
    tree = _tree(location, compact)
    assert broken_nodes(tree) == []
    assert _without_lines(CHECKS[check](tree)) == EXPORT_ADDS.get(check, set())


def test_the_export_is_the_probe_with_its_input_and_the_capture_around_it():
    text = export_script("japaneast")
    body = script_text()[: -len(capture.PROBE_TAIL)]
    assert text.count(body) == 1
    head, tail = text.split(body)
    assert tail == capture.CAPTURE_TAIL
    assert render_input(probe_input(Endpoints.for_location("japaneast"))) in head
    assert head.endswith(capture.LANGUAGE_MODE_BRANCH)
    # param() is the script's first statement (comments may precede it), as -File requires.
    assert next(line for line in head.splitlines() if not line.startswith("#")) == "param([string]$OutFile = '')"


def test_each_listed_addition_is_needed():
    """A list that grew stale would hide nothing: every addition is still reported somewhere."""
    tree = _tree(None, True)
    for check, expected in EXPORT_ADDS.items():
        assert expected <= _without_lines(CHECKS[check](tree)), check
