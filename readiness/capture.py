"""Captured hosts: the probe run anywhere, its output brought back in a file and judged here.

A *capture* is one JSON document (``readiness-capture/1``)::

    {"capture": "readiness-capture/1", "computer_name": "WS01", "captured_at": "2026-11-26T12:00:00Z",
     "probe_version": "readiness-probe/2 3f2a9c1e0b7d", "location": "japaneast",
     "endpoints": {"tcp": [...], "workspace_tcp": [...], "https": "...", "imds": "..."},
     "probe": {<the probe's document, readiness-probe/2>}}

``python -m readiness.probe export`` writes a self-contained script (:func:`export_script`) that
prints it; ``--save-captures DIR`` writes one per live host (:func:`capture_document`). The
reader (:func:`read_capture_file`) accepts what the ways of bringing it back produce: UTF-8 with
or without a BOM, UTF-16 with a BOM (Windows PowerShell 5.1's ``>`` writes UTF-16 LE), the
compact form (one line, gzip then base64: Azure Run Command keeps only the last 4,096 bytes of
output) and the JSON that ``az vm run-command invoke`` or ``az connectedmachine run-command``
prints. A file that cannot be a capture is :class:`CaptureFileError` (a usage error); a capture
that is wrong for this run (another format or probe schema, another location, too old) is judged
by :func:`judge` as Failed with the reason ``CaptureError``.

>>> text = export_script("japaneast")
>>> parse_export(text).location, parse_export(text).probe_input.tcp
('japaneast', ('jpe-jobruntimedata-prod-su1.azure-automation.net:443',))
"""

from __future__ import annotations

import base64
import binascii
import codecs
import dataclasses
import datetime
import gzip
import hashlib
import json
import re
import zlib
from pathlib import Path
from typing import Any

from readiness import probe as contract
from readiness.catalog import DEFAULT_PROFILE
from readiness.endpoints import Endpoints
from readiness.endpoints import probe_input as endpoints_input
from readiness.printable import printable

CAPTURE_SCHEMA = "readiness-capture/1"
EXPORT_MARK = "# readiness-probe-export/1"
COMPACT_PREFIX = "readiness-capture-gzip:"
# Azure Run Command (action) keeps the last 4,096 bytes of a script's output ("Restrictions" in
# https://learn.microsoft.com/azure/virtual-machines/windows/run-command).
RUN_COMMAND_OUTPUT_LIMIT = 4096
# Failed reason of a capture that is wrong for this run.
CAPTURE_ERROR = "CaptureError"
DEFAULT_MAX_AGE_HOURS = 72.0
# A capture from up to this far in the future is clock skew between the host and the runner.
CLOCK_SKEW = datetime.timedelta(minutes=10)
MAX_FILE_BYTES = 64 * 2**20  # 4.7 times the probe's largest legitimate output, in UTF-16

# The probe's last statements (it prints its document and exits): the export replaces them with
# the capture's. Checked at export time, so a change of the probe cannot silently break it.
PROBE_TAIL = """$ProbeJson = New-Object System.Text.StringBuilder
Add-ProbeJson $ProbeJson $ProbeDoc
[Console]::Out.Write($ProbeJson.ToString())
[Console]::Out.Flush()
exit 0
"""

# What the exported script does once the probe's document is built: the capture around it, as
# JSON or compact, to stdout or to -OutFile. Windows PowerShell 2.0 .NET only: GZipStream and
# MemoryStream are .NET 2.0 (System.dll, mscorlib); PathIntrinsics.GetUnresolvedProviderPathFromPSPath
# resolves -OutFile against PowerShell's location, not the process's working directory.
CAPTURE_TAIL = """$CaptureDoc = Get-ProbeObject
$CaptureDoc['capture'] = $CaptureSchema
$CaptureDoc['computer_name'] = [string]$env:COMPUTERNAME
$CaptureDoc['captured_at'] = $ProbeDoc['collected_at']
$CaptureDoc['probe_version'] = $CaptureProbeVersion
$CaptureDoc['location'] = $CaptureLocation
$CaptureDoc['profile'] = $CaptureProfile
$CaptureEndpoints = Get-ProbeObject
$CaptureEndpoints['tcp'] = $ProbeTcp
$CaptureEndpoints['workspace_tcp'] = $ProbeWorkspaceTcp
$CaptureEndpoints['https'] = $ProbeHttps
$CaptureEndpoints['imds'] = $ProbeImds
$CaptureDoc['endpoints'] = $CaptureEndpoints
$CaptureDoc['probe'] = $ProbeDoc
$CaptureJson = New-Object System.Text.StringBuilder
Add-ProbeJson $CaptureJson $CaptureDoc
$CaptureText = $CaptureJson.ToString()
if ($CaptureCompact) {
    $CaptureBytes = [System.Text.Encoding]::ASCII.GetBytes($CaptureText)
    $CaptureBuffer = New-Object System.IO.MemoryStream
    $CaptureZip = New-Object System.IO.Compression.GZipStream -ArgumentList $CaptureBuffer, ([System.IO.Compression.CompressionMode]::Compress)
    [void]$CaptureZip.Write($CaptureBytes, 0, $CaptureBytes.Length)
    [void]$CaptureZip.Close()
    $CaptureText = $CapturePrefix + [System.Convert]::ToBase64String($CaptureBuffer.ToArray())
}
if ($OutFile) {
    $CapturePath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
    [void][System.IO.File]::WriteAllText($CapturePath, $CaptureText + "`r`n", [System.Text.Encoding]::ASCII)
} else {
    [Console]::Out.Write($CaptureText + "`r`n")
}
[Console]::Out.Flush()
exit 0
"""

# Under Constrained Language Mode (an AppLocker or WDAC policy runs untrusted scripts so) the
# probe's .NET calls are blocked: the script says so in a capture of its own, built from strings
# only (about_Language_Modes: reading $ExecutionContext.SessionState.LanguageMode works in every
# mode; DateTime is one of the core types CLM allows), and the reader reports every rule Failed
# with ProbeError, as for a live host. A NetBIOS computer name holds no character JSON escapes.
LANGUAGE_MODE_BRANCH = """if ([string]$ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    $CaptureText = '{"capture":"' + $CaptureSchema + '","computer_name":"' + $env:COMPUTERNAME + '","captured_at":"' + [DateTime]::UtcNow.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'") + '",' + $CaptureStatic + ',"probe":{"schema":"' + $CaptureProbeSchema + '","language_mode":"' + [string]$ExecutionContext.SessionState.LanguageMode + '"}}'
    if ($OutFile) { $CaptureText | Out-File -FilePath $OutFile -Encoding ASCII } else { $CaptureText }
    exit 0
}
"""

_USAGE = "powershell -NoProfile -ExecutionPolicy Bypass -File readiness-probe.ps1 [-OutFile PATH]"


def probe_version() -> str:
    """The probe's schema and a digest of the script sent: which probe made a capture."""
    digest = hashlib.sha256(contract.script_text().encode("ascii")).hexdigest()[:12]
    return f"{contract.SCHEMA} {digest}"


def _literal(value: str | None) -> str:
    return "$null" if value is None else contract._ps_literal(value)


def export_script(location: str | None = None, compact: bool = False, timeout_ms: int = 5000,
                  profile: str = DEFAULT_PROFILE, cloud: str | None = None) -> str:
    """The self-contained script: the probe with its input for ``location`` and the readiness
    ``profile`` (and ``cloud``), printing a capture that names the profile.

    ASCII, LF line ends (PowerShell reads either). ``location`` must already be checked."""
    from readiness.profiles import input_for_profile

    script = contract.script_text()
    if not script.endswith(PROBE_TAIL):
        raise RuntimeError("probe.ps1 no longer ends with the statements the export replaces (PROBE_TAIL)")
    probe_input = input_for_profile(endpoints_input(Endpoints.for_location(location), timeout_ms), profile, cloud)
    shown = location or "(none: the default endpoints)"
    if profile != "update-management":
        shown += f"; readiness profile: {profile}"
    head = "\n".join([
        EXPORT_MARK,
        "# The readiness probe with its input, for a machine checked offline: it reads, changes nothing,",
        "# and prints one capture (JSON, ASCII) to judge with pytest --hosts=capture://FILE.",
        f"# Automation account location: {shown}",
        f"# Readiness profile: {profile}",
        f"# Run: {_USAGE}",
        "param([string]$OutFile = '')",
        "",
    ])
    settings = "\n".join([
        f"$CaptureSchema = {_literal(CAPTURE_SCHEMA)}",
        f"$CaptureProbeVersion = {_literal(probe_version())}",
        f"$CaptureLocation = {_literal(location)}",
        f"$CaptureProfile = {_literal(profile)}",
        f"$CaptureCompact = {'$true' if compact else '$false'}",
        f"$CapturePrefix = {_literal(COMPACT_PREFIX)}",
        f"$CaptureProbeSchema = {_literal(contract.SCHEMA)}",
        f"$CaptureStatic = {_literal(_static_json(probe_input, location, profile))}",
        "",
    ])
    return (head + contract.render_input(probe_input) + settings + LANGUAGE_MODE_BRANCH
            + script[: -len(PROBE_TAIL)] + CAPTURE_TAIL)


def _static_json(probe_input: contract.ProbeInput, location: str | None, profile: str = DEFAULT_PROFILE) -> str:
    """The capture's members known at export time, as JSON members (for the language-mode capture)."""
    members = {"probe_version": probe_version(), "location": location, "profile": profile,
               "endpoints": endpoints_of(probe_input)}
    return json.dumps(members, ensure_ascii=True, separators=(",", ":"))[1:-1]


@dataclasses.dataclass(frozen=True)
class Export:
    """An exported script read back (the emulator runs it this way)."""

    probe_input: contract.ProbeInput
    location: str | None
    probe_version: str
    compact: bool
    profile: str = DEFAULT_PROFILE  # the readiness profile it was exported for


_SETTING = re.compile(r"^\$(CaptureSchema|CaptureProbeVersion|CaptureLocation|CaptureProfile|CaptureCompact|CapturePrefix|"
                      r"CaptureProbeSchema|CaptureStatic) = (.*)$")


def is_export(text: str) -> bool:
    return text.lstrip("\ufeff").startswith(EXPORT_MARK)


def parse_export(text: str) -> Export:
    """The input and settings of an exported script (``contract.NotAProbe`` if it is not one)."""
    if not is_export(text):
        raise contract.NotAProbe("not an exported readiness probe")
    start = text.find(f"# {contract.INPUT_SCHEMA}")
    end = text.find(contract.INPUT_END)
    if start < 0 or end < 0:
        raise contract.NotAProbe("the exported probe has no input header")
    probe_input = contract.parse_input(text[start:])
    settings: dict[str, Any] = {}
    for line in text[end:].split("\n")[1:]:
        match = _SETTING.match(line.strip())
        if not match:
            break
        name, value = match.groups()
        if value in ("$true", "$false", "$null"):
            settings[name] = {"$true": True, "$false": False, "$null": None}[value]
        else:
            settings[name] = contract._literal(value, name)
    if settings.get("CaptureSchema") != CAPTURE_SCHEMA or "CaptureProbeVersion" not in settings:
        raise contract.NotAProbe("the exported probe lacks its capture settings")
    return Export(probe_input, settings.get("CaptureLocation"), settings["CaptureProbeVersion"],
                  bool(settings.get("CaptureCompact")), settings.get("CaptureProfile") or DEFAULT_PROFILE)


def endpoints_of(probe_input: contract.ProbeInput) -> dict[str, Any]:
    return {"tcp": list(probe_input.tcp), "workspace_tcp": list(probe_input.workspace_tcp),
            "https": probe_input.https, "imds": probe_input.imds}


def capture_document(probe_document: dict[str, Any], computer_name: str, probe_input: contract.ProbeInput,
                     location: str | None, version: str | None = None,
                     profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
    """A capture around a probe document: what the exported script prints, and what
    ``--save-captures`` writes for a live host; ``profile``, the readiness profile it is for."""
    return {
        "capture": CAPTURE_SCHEMA,
        "computer_name": computer_name,
        "captured_at": probe_document.get("collected_at"),
        "probe_version": version or probe_version(),
        "location": location,
        "profile": profile,
        "endpoints": endpoints_of(probe_input),
        "probe": probe_document,
    }


def compact_form(capture_text: str) -> str:
    """One line: the prefix, then base64 of the gzip of the capture's JSON."""
    return COMPACT_PREFIX + base64.b64encode(gzip.compress(capture_text.encode("ascii"))).decode("ascii")


# --- reading ------------------------------------------------------------------------------------


class CaptureFileError(ValueError):
    """A file that cannot be a capture; the message names the file and why."""


@dataclasses.dataclass(frozen=True)
class CaptureFile:
    """A capture as read from its file, before it is judged for this run."""

    path: str
    document: dict[str, Any]
    form: str  # "json", "compact", "az run-command"

    @property
    def computer_name(self) -> str | None:
        name = self.document.get("computer_name")
        return name if isinstance(name, str) else None

    @property
    def captured_at(self) -> str | None:
        value = self.document.get("captured_at")
        return value if isinstance(value, str) else None

    @property
    def probe_version(self) -> str | None:
        value = self.document.get("probe_version")
        return value if isinstance(value, str) else None

    def summary(self) -> str:
        """``WS01, captured 2026-11-26T12:00:00Z by probe readiness-probe/2 3f2a9c1e0b7d``."""
        return printable(f"{self.computer_name or '(no computer name)'}, captured {self.captured_at or '(unknown time)'} "
                         f"by probe {self.probe_version or '(unknown version)'}")


def _decode(data: bytes, shown: str) -> str:
    """Text of a capture file: UTF-16 with a BOM, UTF-8 with or without one."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            body, name = data[len(bom):], f"{encoding.upper()} with a BOM"
            break
    else:
        body, encoding, name = data, "utf-8", "UTF-8"
        if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:4:2] != b"\x00\x00":
            encoding, name = "utf-16-le", "UTF-16 LE"  # no BOM, but ASCII text in UTF-16 LE
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        raise CaptureFileError(f"{shown} is not text ({name}): undecodable at byte {error.start}") from None


def _json(text: str, shown: str, what: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError) and (error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated")):
            raise CaptureFileError(f"{shown} is truncated: {what} ends after {len(text)} characters, "
                                   f"in the middle of the document") from None
        where = f" (line {error.lineno}, column {error.colno}: {error.msg})" if isinstance(error, json.JSONDecodeError) else ""
        raise CaptureFileError(f"{shown}: {what} is not JSON{where}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]{16,}$")


_COMPACT_LINE = re.compile(r"^[ \t]*" + re.escape(COMPACT_PREFIX) + r"(\S*)[ \t]*$", re.MULTILINE)


def _uncompact(payload: str, shown: str) -> str:
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise CaptureFileError(f"{shown} is truncated or altered: the compact capture is not valid base64") from None
    try:
        return gzip.decompress(raw).decode("ascii")
    except (EOFError, OSError, zlib.error, UnicodeDecodeError):
        raise CaptureFileError(f"{shown} is truncated: the compact capture does not decompress "
                               f"(its gzip data is cut or altered)") from None


def _run_command_output(document: dict[str, Any], shown: str) -> str | None:
    """The standard output of a Run Command's JSON, or None when it is not one.

    ``az vm run-command invoke`` prints ``{"value": [{"code": "ComponentStatus/StdOut/succeeded",
    "message": ...}, {"code": "ComponentStatus/StdErr/succeeded", ...}]}``; managed Run Command
    (``az vm run-command show --instance-view``, ``az connectedmachine run-command create`` for
    Arc-enabled servers) prints ``{"instanceView": {"output": ..., "error": ...}}``."""
    value = document.get("value")
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = [v for v in value if "StdOut" in str(v.get("code", ""))]
        err = [v for v in value if "StdErr" in str(v.get("code", ""))]
        if not out:
            raise CaptureFileError(f"{shown}: Run Command output without a StdOut entry")
        stdout = str(out[0].get("message") or "")
        stderr = str(err[0].get("message") or "") if err else ""
    elif isinstance(document.get("instanceView") or (document.get("properties") or {}).get("instanceView"), dict):
        view = document.get("instanceView") or document["properties"]["instanceView"]
        stdout, stderr = str(view.get("output") or ""), str(view.get("error") or "")
    else:
        return None
    if not stdout.strip():
        said = printable(" ".join(stderr.split())[:200]) or "(nothing on stderr)"
        raise CaptureFileError(f"{shown}: the Run Command printed nothing on standard output; stderr: {said}")
    return stdout


def parse_capture_text(text: str, shown: str, form: str = "json", depth: int = 0) -> tuple[dict[str, Any], str]:
    """A capture's JSON document and its form, from the text of a file (or of Run Command output)."""
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise CaptureFileError(f"{shown} is empty")
    compact = _COMPACT_LINE.search(text)
    if compact is not None and depth < 2:
        return parse_capture_text(_uncompact(compact.group(1), shown), shown, "compact" if form == "json" else form,
                                  depth + 1)
    if text.startswith(("{", "[")):
        document = _json(text, shown, "its JSON")
    elif _BASE64_LINE.match(text.splitlines()[-1].strip()):
        raise CaptureFileError(
            f"{shown} is truncated: a compact capture without its start ({COMPACT_PREFIX}...); Azure Run "
            f"Command keeps only the last {RUN_COMMAND_OUTPUT_LIMIT:,} bytes of output: write the capture to a "
            f"file with -OutFile, or use managed Run Command (docs/captures.md)")
    else:
        raise CaptureFileError(f"{shown} is not a capture: it is not JSON ({' '.join(text[:40].split())!r}...)")
    if not isinstance(document, dict):
        raise CaptureFileError(f"{shown} is not a capture: its JSON is not an object")
    if depth < 2:
        stdout = _run_command_output(document, shown)
        if stdout is not None:
            return parse_capture_text(stdout, shown, "az run-command", depth + 1)
    if "capture" not in document:
        if str(document.get("schema", "")).startswith("readiness-probe/"):
            raise CaptureFileError(
                f"{shown} is a probe document, not a capture (no computer name, time of capture or endpoints): "
                f"make one with the script of python -m readiness.probe export")
        raise CaptureFileError(f"{shown} is not a capture: its JSON has no 'capture' key")
    if not isinstance(document["capture"], str) or not document["capture"].startswith("readiness-capture/"):
        raise CaptureFileError(f"{shown} is not a capture: 'capture' is {document['capture']!r}")
    if document["capture"] == CAPTURE_SCHEMA:
        for key, kind in (("computer_name", str), ("captured_at", str), ("probe_version", str), ("probe", dict),
                          ("endpoints", dict)):
            if not isinstance(document.get(key), kind):
                raise CaptureFileError(f"{shown} is not a valid capture: '{key}' is missing or not a "
                                       f"{'string' if kind is str else 'JSON object'}")
    return document, form


def read_capture_file(path: str | Path, shown: str | None = None) -> CaptureFile:
    """Read and decode one capture file; :class:`CaptureFileError` when it cannot be one."""
    shown = shown or f"capture {str(path)!r}"
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CaptureFileError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise CaptureFileError(f"{shown} is a directory (give a directory with --captures DIR)") from None
    except OSError as error:
        raise CaptureFileError(f"{shown} cannot be read ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise CaptureFileError(f"{shown} is larger than {MAX_FILE_BYTES // 2**20} MiB: not a capture")
    document, form = parse_capture_text(_decode(data, shown), shown)
    return CaptureFile(str(path), document, form)


CAPTURE_SUFFIXES = (".json", ".txt")


def captures_in(directory: str | Path) -> list[Path]:
    """The capture files of ``--captures DIR``: its ``*.json`` and ``*.txt`` files, by name."""
    folder = Path(directory)
    if not folder.is_dir():
        raise CaptureFileError(f"--captures {str(directory)!r}: no such directory")
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CAPTURE_SUFFIXES
                   and not p.name.startswith("."))
    if not found:
        raise CaptureFileError(f"--captures {str(directory)!r} holds no capture (*.json or *.txt)")
    return found


# --- judging for this run -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A capture judged for this run: its facts, or the reason and message of its Failed results."""

    facts: Any = None
    reason: str | None = None
    message: str | None = None


def _time(value: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _age(hours: float) -> str:
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


def judge(capture: CaptureFile, probe_input: contract.ProbeInput, location: str | None, max_age_hours: float,
          now: datetime.datetime | None = None) -> Verdict:
    """Whether this capture can be judged by this run, and its facts when it can."""
    from readiness.facts import LanguageModeRefused, ProbeOutputError, parse_facts
    from readiness.probe_pool import PROBE_ERROR

    doc = capture.document
    name = capture.path
    if doc["capture"] != CAPTURE_SCHEMA:
        return Verdict(reason=CAPTURE_ERROR, message=(
            f"the capture {name} is in format {doc['capture']!r}; this suite reads {CAPTURE_SCHEMA!r}: judge it "
            f"with the version of the suite that exported its script, or capture the machine again"))
    probe_doc = doc["probe"]
    schema = probe_doc.get("schema")
    if schema != contract.SCHEMA:
        return Verdict(reason=CAPTURE_ERROR, message=(
            f"the capture {name} holds a probe document of schema {schema!r} (probe {printable(str(capture.probe_version))}); "
            f"this suite reads {contract.SCHEMA!r}: export the script again (python -m readiness.probe export) "
            f"and capture the machine again"))
    want = endpoints_of(probe_input)
    got = doc["endpoints"]
    if any(got.get(key) != want[key] for key in ("tcp", "workspace_tcp", "https")):
        theirs = printable(str(doc.get("location") or "(none: the default endpoints)"))
        ours = location or "(none: the default endpoints)"
        return Verdict(reason=CAPTURE_ERROR, message=(
            f"the capture {name} was made for automation account location {theirs} (endpoints "
            f"{printable(', '.join(map(str, got.get('tcp') or [])))}), this run checks {ours} "
            f"({', '.join(want['tcp'])}): its network tests are of other endpoints; give "
            f"--automation-account-location {theirs if doc.get('location') else '(left out)'}, or export for {ours} "
            f"and capture again"))
    captured = _time(capture.captured_at or "")
    if captured is None:
        return Verdict(reason=CAPTURE_ERROR, message=(
            f"the capture {name}: captured_at {capture.captured_at!r} is not a time (ISO 8601, UTC)"))
    now = now or datetime.datetime.now(datetime.UTC)
    hours = (now - captured).total_seconds() / 3600
    if captured - now > CLOCK_SKEW:
        return Verdict(reason=CAPTURE_ERROR, message=(
            f"the capture {name} was made at {capture.captured_at}, {_age(-hours)} in the future of this runner's "
            f"clock: the host's or the runner's clock is wrong"))
    if hours > max_age_hours:
        return Verdict(reason=CAPTURE_ERROR, message=(
            f"the capture {name} was made at {capture.captured_at}, {_age(hours)} ago, more than "
            f"--max-capture-age {max_age_hours:g} hours: capture the machine again (or raise --max-capture-age)"))
    try:
        facts = parse_facts(probe_doc)
    except LanguageModeRefused as exc:
        return Verdict(reason=PROBE_ERROR, message=f"the probe on {printable(str(capture.computer_name))} did not run: {exc}")
    except ProbeOutputError as exc:
        return Verdict(reason=PROBE_ERROR, message=f"the probe document of capture {name} is not valid: {exc}")
    if probe_doc.get("collected_at") != capture.captured_at:
        return Verdict(reason=CAPTURE_ERROR, message=(
            f"the capture {name}: captured_at {capture.captured_at} is not the probe's collected_at "
            f"{probe_doc.get('collected_at')}: the capture was altered"))
    return Verdict(facts=facts)


def capture_host(text: str, where: str) -> Any:
    """``capture://PATH`` as a host of the run (``readiness.hosts.parse_host`` hands it here)."""
    from readiness.hosts import HostSpec, HostSpecError

    path = text[len("capture://"):]
    if not path.strip():
        raise HostSpecError(f"{where}: capture:// names no file (capture://PATH)")
    if "?" in path or "#" in path:
        raise HostSpecError(f"{where}: a capture:// host takes no options ('?' or '#' in {path!r})")
    return HostSpec("capture", path, None, None, None)


def is_capture(spec: Any) -> bool:
    return getattr(spec, "scheme", None) == "capture"


def main(argv: list[str] | None = None) -> int:
    """``python -m readiness.capture FILE``: the capture in FILE, whatever its form, as indented JSON
    (to read or redact it; the output is itself a capture)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m readiness.capture FILE", file=sys.stderr)
        return 2
    try:
        found = read_capture_file(args[0])
    except CaptureFileError as exc:
        print(f"readiness.capture: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(found.document, indent=2, ensure_ascii=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
