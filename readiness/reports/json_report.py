"""The troubleshooter JSON of a readiness run, one file per host, and merging of shard reports.

A pytest plugin (loaded with the readiness plugin): its options, and a writer registered on
the controller that writes at the end of the session.

``--readiness-json PATH`` writes one report of all hosts; ``--readiness-json-dir DIR`` writes
one file per host holding exactly what the troubleshooter prints with ``-returnAsJson``.
``python -m readiness.reports.json_report merge OUT IN...`` merges the reports of shards of a fleet.

>>> host_file_name("winrm://admin@web-01:5986")
'winrm_admin_web-01_5986-218e34f9.json'
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from readiness.catalog import DEFAULT_PROFILE
from readiness.reports.gathering import COLLECTOR_KEY, HostReport
from readiness.results import CHECK_RESULTS, INFORMATION, Result
from readiness.transport_policy import INSECURE_KEY, InsecureTransport

SCHEMA = "readiness-report/1"


class ReportError(Exception):
    """A report that cannot be read or merged; the message names the file or the host."""


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def result_objects(results: Iterable[Result], compact: bool = False) -> list[dict[str, Any]]:
    """The result objects as the troubleshooter prints them, full or compact."""
    return [r.compact() if compact else r.full() for r in results]


def host_object(entry: HostReport, compact: bool = False) -> dict[str, Any]:
    """A host of the report: the suite's wrapper (profile, and why ``auto`` chose it) around the
    result objects, which are exactly those of the profile's troubleshooter."""
    found = {
        "host": entry.host,
        "platform": entry.platform,
        "profile": entry.profile,
        "results": result_objects(entry.results, compact),
        "not_applicable": list(entry.not_applicable),
        "routes": dict(entry.routes),
    }
    if entry.profile_reason:
        found["profile_reason"] = entry.profile_reason
    return found


def summarize(hosts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts of a report's hosts and results; a host without any result counts as not ready."""
    summary: dict[str, Any] = {"hosts": len(hosts)}
    summary.update(dict.fromkeys((*CHECK_RESULTS, INFORMATION), 0))
    summary["not_applicable"] = 0
    not_ready = []
    for host in hosts:
        checks = [r["CheckResult"] for r in host["results"]]
        for check in checks:
            summary[check] = summary.get(check, 0) + 1
        summary["not_applicable"] += len(host.get("not_applicable", ()))
        if "Failed" in checks or not (checks or host.get("not_applicable")):
            not_ready.append(host["host"])
    summary["hosts_not_ready"] = not_ready
    return summary


def build_report(hosts: Sequence[HostReport], location: str | None, compact: bool = False,
                 insecure: InsecureTransport | None = None, cloud: str | None = None) -> dict[str, Any]:
    """The whole report of a run; with ``--allow-insecure-transport``, the hosts that used it; with
    ``--azure-cloud``, the cloud of the Update Manager endpoints (``azure_cloud``)."""
    objects = [host_object(entry, compact) for entry in hosts]
    report = {
        "schema": SCHEMA,
        "generated_at": _now(),
        "automation_account_location": location,
        "hosts": objects,
        "summary": summarize(objects),
    }
    if cloud is not None:
        report["azure_cloud"] = cloud
    if insecure is not None:
        report["insecure_transport"] = insecure.to_json()
    return report


def host_file_name(host: str) -> str:
    """A file name for a host: its safe characters, plus a digest of the host when any were replaced."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", host).strip("._-")[:80] or "host"
    if safe != host:
        safe += "-" + hashlib.sha256(host.encode("utf-8")).hexdigest()[:8]
    return safe + ".json"


def _dump(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_report(path: str | os.PathLike[str], hosts: Sequence[HostReport], location: str | None,
                 compact: bool = False, insecure: InsecureTransport | None = None,
                 config: pytest.Config | None = None, cloud: str | None = None) -> dict[str, Any]:
    report = build_report(hosts, location, compact, insecure, cloud)
    extend = getattr(config.hook, "pytest_readiness_json_report", None) if config is not None else None
    if extend is not None:  # readiness.hookspecs: other plugins add to the report (waits, waivers)
        extend(config=config, report=report)
    _dump(report, Path(path))
    return report


def write_host_files(directory: str | os.PathLike[str], hosts: Sequence[HostReport],
                     compact: bool = False) -> list[Path]:
    """One ``-returnAsJson`` array per host; returns the paths written, in host order."""
    paths = []
    for entry in hosts:
        path = Path(directory) / host_file_name(entry.host)
        _dump(result_objects(entry.results, compact), path)
        paths.append(path)
    return paths


def load_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ReportError(f"{path}: not a readiness report (schema is not {SCHEMA!r})")
    hosts = data.get("hosts")
    if not isinstance(hosts, list) or not all(
        isinstance(h, dict) and isinstance(h.get("host"), str) and isinstance(h.get("results"), list)
        and all(isinstance(r, dict) and "CheckResult" in r for r in h["results"])
        for h in hosts
    ):
        raise ReportError(f"{path}: 'hosts' must be a list of {{host, results}} objects")
    for host in hosts:
        # Reports written before profiles existed are of the Update Management rules.
        host.setdefault("profile", DEFAULT_PROFILE)
        for result in host["results"]:
            args = result.get("CheckResultMessageArguments")
            if args is not None and not isinstance(args, list):  # null (a script's unset variable) or a list
                raise ReportError(f"{path}: host {host['host']!r}, {result.get('RuleId')}: CheckResultMessageArguments "
                                  f"must be a list or null")
    return data


def merge_reports(paths: Sequence[str | os.PathLike[str]]) -> dict[str, Any]:
    """One report of the hosts of several (shard) reports; a host in two of them is an error."""
    if not paths:
        raise ReportError("no report to merge")
    hosts: list[dict[str, Any]] = []
    loaded: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    locations: dict[str | None, str] = {}
    clouds: dict[str | None, str] = {}
    insecure: list[Any] | None = None
    for path in paths:
        data = load_report(path)
        loaded.append(data)
        locations.setdefault(data.get("automation_account_location"), str(path))
        clouds.setdefault(data.get("azure_cloud"), str(path))
        if isinstance(data.get("insecure_transport"), dict):
            insecure = (insecure or []) + list(data["insecure_transport"].get("hosts") or [])
        for host in data["hosts"]:
            if host["host"] in seen:
                raise ReportError(f"host {host['host']!r} is in both {seen[host['host']]} and {path}")
            seen[host["host"]] = str(path)
            hosts.append(host)
    if len(locations) > 1:
        (a, pa), (b, pb) = list(locations.items())[:2]
        raise ReportError(f"reports of different automation account locations: {a!r} ({pa}) and {b!r} ({pb})")
    if len(clouds) > 1:
        (a, pa), (b, pb) = list(clouds.items())[:2]
        raise ReportError(f"reports of different Azure clouds (--azure-cloud): {a or 'AzureCloud (default)'} ({pa}) "
                          f"and {b or 'AzureCloud (default)'} ({pb})")
    merged = {
        "schema": SCHEMA,
        "generated_at": _now(),
        "automation_account_location": next(iter(locations)),
        "hosts": hosts,
        "summary": summarize(hosts),
    }
    if next(iter(clouds)) is not None:
        merged["azure_cloud"] = next(iter(clouds))
    if insecure is not None:  # a shard that accepted weakened settings: the merged report says so
        merged["insecure_transport"] = InsecureTransport(()).to_json() | {"hosts": insecure}
    from readiness.waivers import merge_json as merge_waivers

    merge_waivers(loaded, merged)
    return merged


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--readiness-json", default=None, metavar="PATH",
                    help="write the troubleshooter JSON of every host to PATH")
    group.addoption("--readiness-json-compact", action="store_true", default=False,
                    help="results as compact objects (the troubleshooter's -returnCompactFormat)")
    group.addoption("--readiness-json-dir", default=None, metavar="DIR",
                    help="write one file per host to DIR: the JSON array the troubleshooter prints with -returnAsJson")
    parser.addini("readiness_json", "default troubleshooter JSON of a readiness run (relative to the rootdir)",
                  default="")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """On the controller, the report writer; it writes only for a run that gathered results."""
    if not hasattr(config, "workerinput") and not config.pluginmanager.has_plugin("readiness-json"):
        config.pluginmanager.register(JsonReport(), "readiness-json")


def report_path(config: pytest.Config) -> Path | None:
    """``--readiness-json`` (from the invocation directory), else the ini's ``readiness_json`` (from the rootdir)."""
    given = config.getoption("readiness_json", None)
    if given:
        return Path(config.invocation_params.dir, given)
    default = config.getini("readiness_json")
    return Path(config.rootpath, default) if default else None


class JsonReport:
    """Plugin object: writes the JSON reports at the end of the session, on the controller."""

    def __init__(self) -> None:
        self.written: list[Path] = []
        self.error: str | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            return
        collector = config.stash.get(COLLECTOR_KEY, None)
        if collector is None:  # not a readiness run, or only collecting
            return
        path = report_path(config)
        directory = config.getoption("readiness_json_dir", None)
        if not (path or directory):
            return
        compact = bool(config.getoption("readiness_json_compact", False))
        hosts = collector.hosts()
        location = config.getoption("automation_account_location", None)
        cloud = config.getoption("azure_cloud", None)
        try:
            if path:
                target = Path(config.invocation_params.dir, path)
                write_report(target, hosts, location, compact, config.stash.get(INSECURE_KEY, None), config, cloud)
                self.written.append(target)
            if directory:
                self.written += write_host_files(Path(config.invocation_params.dir, directory), hosts, compact)
        except OSError as exc:
            self.error = f"readiness JSON: cannot write {exc.filename}: {exc.strerror}"
            session.exitstatus = pytest.ExitCode.USAGE_ERROR

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.error:
            terminalreporter.write_line(self.error, red=True, bold=True)
        if self.written:
            where = self.written[0] if len(self.written) == 1 else f"{len(self.written)} files"
            terminalreporter.write_sep("-", f"readiness JSON: {where}")


USAGE = "usage: python -m readiness.reports.json_report merge OUT IN [IN ...]"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3 or args[0] != "merge":
        print(USAGE, file=sys.stderr)
        return 2
    out, inputs = args[1], args[2:]
    try:
        merged = merge_reports(inputs)
        _dump(merged, Path(out))
    except ReportError as exc:
        print(f"readiness.reports.json_report: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"readiness.reports.json_report: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 1
    summary = merged["summary"]
    print(f"{out}: {summary['hosts']} hosts, {summary['Failed']} Failed, "
          f"{summary['PassedWithWarning']} PassedWithWarning, {summary['Passed']} Passed"
          + (f", {summary[INFORMATION]} Information" if summary[INFORMATION] else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
