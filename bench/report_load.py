"""How fast a fleet's HTML report opens: the suite's report against plain pytest-html, same results, same run.

    .venv/bin/python bench/report_load.py --hosts 1000
    .venv/bin/python bench/report_load.py --hosts 100 --keep reports/report-load

Steps, all in one run:

1. **Real results.** The emulator serves one host of each kind of a realistic fleet and the suite
   runs over them as a user runs it (``pytest --hosts-file ... --readiness-json``): an
   on-premises host (healthy, but IMDS unreachable, as on every machine outside Azure: a
   warning), a host with WSUS, a proxy and update policies (warnings), five hosts with Failed
   rules (``seed-sample``, ``agent-missing``, ``tls-disabled``, ``old-os``, ``proxy``), and an
   address where nothing listens (every rule ``Failed.HostUnreachable``).
2. **The fleet.** Those hosts' results are dealt out to N hosts in the mix 60 % on-premises,
   10 % WSUS and proxy, 20 % Failed rules, 10 % not answering, each host under its own name
   (``winrm://vagrant@10.<i>:5985``, the name also replaced in the messages that hold it): the
   troubleshooter JSON of an N-host run, every result one the suite really gave a host of that kind.
3. **The suite's report** of that JSON: ``python -m readiness.report_html`` (what a sharded
   fleet publishes), which replays the results through pytest and pytest-html with the readiness
   hooks: the page a live run of those N hosts writes, byte for byte but for times and the
   environment table.
4. **Plain pytest-html** for the same results: a generated pytest project with one test per host
   and rule, named as the rule tests are (``test_<RuleId>[host]``), ending in the outcome the
   suite gives (pass, xfail with the message, fail with the message, skip), written by
   pytest-html alone (self-contained, no readiness plugin).
5. **Load time** of each page in headless Chromium, a fresh browser per page: from the DevTools
   ``Page.navigate`` of the file until the page's ``load`` event has fired and two animation
   frames have run after it. pytest-html builds its results table in a script that runs while the
   page loads, so the load event comes after the table is built; the two frames make sure a frame
   with it has been laid out and painted. Chromium's own navigation timing (``loadEventEnd``) is
   printed beside it. Each page is loaded ``--repeat`` times; the best time counts.

It prints the sizes, the times and the ratio suite / plain against the target (at most 0.25).
:func:`measure_report_load` does it all and returns the numbers (``bench/fleet.py`` can call it).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.emulator import Fleet, free_base_address  # noqa: E402
from fixtures.scenario import load_scenario, parse_scenario  # noqa: E402
from readiness.outcomes import outcome_line  # noqa: E402
from readiness.report_html import render  # noqa: E402
from readiness.reports.fleet import host_reports  # noqa: E402
from readiness.reports.json_report import summarize  # noqa: E402
from tests.chromium import Page  # noqa: E402

HOSTS_DIR = ROOT / "fixtures" / "hosts"
RULES_DIR = ROOT / "tests_readiness"
PASSWORD = "vagrant"
TARGET = 0.25  # the suite's page loads in at most a quarter of plain pytest-html's time
FAILING = ("seed-sample", "agent-missing", "tls-disabled", "old-os", "proxy")
# The fleet's mix: kind -> share of the hosts.
MIX = (("on-premises", 0.6), ("warnings", 0.1), ("failing", 0.2), ("unreachable", 0.1))


def on_premises_scenario() -> Any:
    """``healthy``, but outside Azure: the instance metadata service answers on neither route."""
    text = (HOSTS_DIR / "healthy.yaml").read_text(encoding="utf-8")
    text = text.replace("name: healthy", "name: on-premises", 1)
    text = re.sub(r"\n  imds: ok\n", "\n  imds: {proxy: unreachable, direct: unreachable}\n", text, count=1)
    return parse_scenario(text.split("\nexpected:")[0] + "\n", "on-premises (healthy without IMDS)")


def real_results(folder: Path, timeout: float = 300) -> dict[str, Any]:
    """The suite's JSON report of one live host of each kind, run over WinRM against the emulator."""
    kinds = kind_scenarios()
    scenarios = [*kinds["on-premises"], *kinds["warnings"], *kinds["failing"]]
    dead = free_base_address(count=1)  # nothing listens there: connection refused
    with Fleet(scenarios, base_address=free_base_address(count=len(scenarios))) as served:
        lines = [f"winrm://{h.user}@{h.address}:{h.http_port}?no_ssl=true" for h in served.hosts]
        lines.append(f"winrm://vagrant@{dead}:5985?no_ssl=true")
        hosts_file = folder / "kinds.txt"
        hosts_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = folder / "kinds.json"
        env = dict(os.environ, READINESS_WINRM_PASSWORD=PASSWORD)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider", "-q",
             "--hosts-file", str(hosts_file), "--connect-timeout", "1", f"--readiness-json={report}",
             f"--html={folder / 'kinds.html'}", "--readiness-format=none"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if not report.exists():
        raise SystemExit(f"bench/report_load.py: the suite wrote no report:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    if len(data["hosts"]) != len(lines):
        raise SystemExit(f"bench/report_load.py: {len(data['hosts'])} hosts in the report, not {len(lines)}")
    return data


def mix_plan(hosts: int) -> list[str]:
    """The kind of each of ``hosts`` hosts, in :data:`MIX`'s shares, mixed as a real hosts file mixes them."""
    plan: list[str] = []
    for kind, share in MIX:
        plan += [kind] * round(hosts * share)
    plan = (plan + ["on-premises"] * hosts)[:hosts]
    plan.sort(key=[k for k, _ in MIX].index)
    # host i takes the (i x 7919 mod N)-th: a stride by a prime deals the kinds out evenly
    return [plan[(i * 7919) % hosts] for i in range(hosts)] if hosts > 1 and hosts % 7919 else plan


def kind_scenarios() -> dict[str, list[Any]]:
    """The scenarios of each kind of host that answers."""
    return {"on-premises": [on_premises_scenario()], "warnings": [load_scenario(HOSTS_DIR / "warnings.yaml")],
            "failing": [load_scenario(HOSTS_DIR / f"{name}.yaml") for name in FAILING]}


def live_page(hosts: int, folder: Path, timeout: float = 1800) -> tuple[Path, dict[str, Any], float]:
    """The suite's own page of a live run over ``hosts`` emulated hosts of the mix; (page, JSON, seconds)."""
    plan = mix_plan(hosts)
    kinds = kind_scenarios()
    scenarios = []
    for index, kind in enumerate(plan):
        if kind != "unreachable":
            choices = kinds[kind]
            scenarios.append(choices[index % len(choices)].renamed(f"{kind}-{index:05d}"))
    dead = plan.count("unreachable")
    first_dead = ipaddress.IPv4Address(free_base_address(count=max(dead, 1)))
    with Fleet(scenarios, base_address=free_base_address(count=len(scenarios))) as served:
        answering = iter(served.hosts)
        lines = []
        for index, kind in enumerate(plan):
            if kind == "unreachable":
                lines.append(f"winrm://vagrant@{first_dead + plan[:index].count('unreachable')}:5985?no_ssl=true")
            else:
                host = next(answering)
                lines.append(f"winrm://{host.user}@{host.address}:{host.http_port}?no_ssl=true")
        hosts_file = folder / "live-hosts.txt"
        hosts_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        page, report = folder / "live.html", folder / "live.json"
        env = dict(os.environ, READINESS_WINRM_PASSWORD=PASSWORD)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(RULES_DIR), f"--rootdir={ROOT}", "-p", "no:cacheprovider", "-q",
             "--hosts-file", str(hosts_file), f"--readiness-json={report}", f"--html={page}",
             "--self-contained-html"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        seconds = time.monotonic() - started
    if not (page.exists() and report.exists()):
        raise SystemExit(f"bench/report_load.py: the live run wrote no report:\n{done.stdout[-3000:]}")
    return page, json.loads(report.read_text(encoding="utf-8")), seconds


def fleet_document(kinds: Mapping[str, Any], hosts: int) -> dict[str, Any]:
    """The JSON report of ``hosts`` hosts dealt out in :data:`MIX` from the live hosts of ``kinds``."""
    by_kind: dict[str, list[dict[str, Any]]] = {"on-premises": [], "warnings": [], "failing": [], "unreachable": []}
    order = ["on-premises", "warnings", *(["failing"] * len(FAILING)), "unreachable"]
    for kind, host in zip(order, kinds["hosts"], strict=True):
        by_kind[kind].append(host)
    plan = mix_plan(hosts)
    out = []
    counters = dict.fromkeys(by_kind, 0)
    for index, kind in enumerate(plan):
        source = by_kind[kind][counters[kind] % len(by_kind[kind])]
        counters[kind] += 1
        name = f"winrm://vagrant@127.{200 + index // 65536}.{index // 256 % 256}.{index % 256}:5985"  # a name only
        text = json.dumps(source).replace(json.dumps(source["host"])[1:-1], name)
        out.append(json.loads(text))
    return {"schema": kinds["schema"], "generated_at": kinds["generated_at"],
            "automation_account_location": kinds.get("automation_account_location"), "hosts": out,
            "summary": summarize(out)}


PLAIN_CONFTEST = '''\
"""Plain pytest-html over the same results: one test per host and rule, the suite's outcome, no readiness plugin."""
import json
from pathlib import Path

import pytest

ROWS = json.loads((Path(__file__).parent / "rows.json").read_text(encoding="utf-8"))


def pytest_generate_tests(metafunc):
    rule_id = metafunc.function.__name__.removeprefix("test_")
    rows = ROWS.get(rule_id, [])
    metafunc.parametrize("row", rows, ids=[r[0] for r in rows])
'''

PLAIN_TEST = '''
def test_{rule_id}(row):
    _conclude(row)
'''

PLAIN_HEAD = '''\
import pytest


def _conclude(row):
    host, check, line = row
    if check is None:
        pytest.skip("not applicable")
    if check == "PassedWithWarning":
        pytest.xfail(line)
    if check == "Failed":
        pytest.fail(line, pytrace=False)
'''


def write_plain_project(folder: Path, document: Mapping[str, Any]) -> Path:
    """A pytest project whose tests end as the suite's rule tests did for ``document``'s results."""
    rows: dict[str, list[list[Any]]] = {}
    for entry in host_reports(document):
        for result in entry.results:
            rows.setdefault(result.RuleId, []).append([entry.host, result.CheckResult, outcome_line(result)])
        for rule_id in entry.not_applicable:
            rows.setdefault(rule_id, []).append([entry.host, None, ""])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (folder / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    (folder / "conftest.py").write_text(PLAIN_CONFTEST, encoding="utf-8")
    body = PLAIN_HEAD + "".join(PLAIN_TEST.format(rule_id=rule_id) for rule_id in rows)
    (folder / "test_plain.py").write_text(body, encoding="utf-8")
    return folder


def render_plain(document: Mapping[str, Any], folder: Path, timeout: float = 900) -> Path:
    """Plain pytest-html's page of ``document``'s results."""
    project = write_plain_project(folder, document)
    page = project / "plain.html"
    plugins = ("readiness.plugin", "readiness.capture_plugin", "readiness.invocation", "readiness.waiting",
               "readiness.waivers", "cacheprovider")
    args = [sys.executable, "-m", "pytest", f"--rootdir={project}", "-q", "--tb=no", "-rN",
            *(x for name in plugins for x in ("-p", f"no:{name}")), f"--html={page}", "--self-contained-html"]
    done = subprocess.run(args, cwd=project, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode not in (0, 1) or not page.exists():
        raise SystemExit(f"bench/report_load.py: plain pytest-html failed:\n{done.stdout[-3000:]}")
    return page


def load_time(path: Path, profile: Path, timeout: float = 600) -> dict[str, float]:
    """Seconds from navigating to ``path`` until its load event and two frames after; Chromium's loadEventEnd too."""
    page = Page(profile)
    try:
        page.ws.settimeout(timeout)
        started = time.monotonic()
        page.send("Page.navigate", {"url": path.resolve().as_uri()}, session=True)
        page.wait_for("Page.loadEventFired")
        frames = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(1))))"
        page.send("Runtime.evaluate", {"expression": frames, "awaitPromise": True, "returnByValue": True},
                  session=True)
        seconds = time.monotonic() - started
        timing = page.evaluate("(() => { const t = performance.getEntriesByType('navigation')[0];"
                               " return [t.domContentLoadedEventEnd, t.loadEventEnd]; })()")
        rows = page.evaluate("document.querySelectorAll('#results-table tbody.results-table-row').length")
        errors = page.errors()
    finally:
        page.close()
    if errors:
        raise SystemExit(f"bench/report_load.py: {path.name} has errors in Chromium: {errors[:3]}")
    return {"seconds": seconds, "dom_content_loaded_s": timing[0] / 1000, "load_event_end_s": timing[1] / 1000,
            "rows": rows}


def _best(path: Path, folder: Path, repeat: int) -> dict[str, float]:
    runs = [load_time(path, folder / f"profile-{path.stem}-{i}") for i in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def measure_report_load(hosts: int, folder: Path | None = None, repeat: int = 1,
                        kinds: Mapping[str, Any] | None = None, live: bool = False) -> dict[str, Any]:
    """Both pages of an N-host fleet, rendered and loaded in Chromium; their sizes, times and ratio.

    ``kinds``: the live run's JSON report of one host of each kind (default: run it now). ``live``:
    also run the suite live over N emulated hosts of the mix, and load its own page against plain
    pytest-html for that run's results (``live_*`` keys).
    """
    with tempfile.TemporaryDirectory(prefix="report-load-") as scratch:
        where = Path(folder or scratch)
        where.mkdir(parents=True, exist_ok=True)
        kinds = kinds or real_results(where)
        document = fleet_document(kinds, hosts)
        (where / "fleet.json").write_text(json.dumps(document), encoding="utf-8")
        started = time.monotonic()
        suite_page = where / "suite.html"
        render(document, suite_page, sources=[str(where / "fleet.json")])
        suite_render = time.monotonic() - started
        started = time.monotonic()
        plain_page = render_plain(document, where / "plain")
        plain_render = time.monotonic() - started
        suite = _best(suite_page, where, repeat)
        plain = _best(plain_page, where, repeat)
        summary = document["summary"]
        row: dict[str, Any] = {
            "hosts": hosts, "results": sum(len(h["results"]) for h in document["hosts"]),
            "failed": summary["Failed"], "warnings": summary["PassedWithWarning"], "passed": summary["Passed"],
            "hosts_not_ready": len(summary["hosts_not_ready"]),
            "suite_bytes": suite_page.stat().st_size, "plain_bytes": plain_page.stat().st_size,
            "suite_render_s": suite_render, "plain_render_s": plain_render,
            "suite_load_s": suite["seconds"], "plain_load_s": plain["seconds"],
            "suite_load_event_end_s": suite["load_event_end_s"], "plain_load_event_end_s": plain["load_event_end_s"],
            "suite_rows": suite["rows"], "plain_rows": plain["rows"],
            "ratio": suite["seconds"] / plain["seconds"], "target": TARGET,
        }
        if live:
            live_html, live_json, row["live_run_s"] = live_page(hosts, where)
            live_plain = render_plain(live_json, where / "live-plain")
            loaded, plain_loaded = _best(live_html, where, repeat), _best(live_plain, where, repeat)
            row.update({"live_bytes": live_html.stat().st_size, "live_plain_bytes": live_plain.stat().st_size,
                        "live_load_s": loaded["seconds"], "live_plain_load_s": plain_loaded["seconds"],
                        "live_rows": loaded["rows"], "live_plain_rows": plain_loaded["rows"],
                        "live_failed": live_json["summary"]["Failed"],
                        "live_warnings": live_json["summary"]["PassedWithWarning"],
                        "live_ratio": loaded["seconds"] / plain_loaded["seconds"]})
        return row


def report(row: Mapping[str, Any]) -> str:
    mib = 1024 * 1024
    lines = [
        (f"{row['hosts']} hosts, {row['results']} results: {row['failed']} Failed, {row['warnings']} "
        f"PassedWithWarning, {row['passed']} Passed; {row['hosts_not_ready']} hosts not ready"),
        f"{'page':<14} {'MiB':>7} {'rows':>7} {'written s':>9} {'load s':>7} {'(loadEventEnd s)':>17}",
        (f"{'suite':<14} {row['suite_bytes'] / mib:>7.2f} {row['suite_rows']:>7} {row['suite_render_s']:>9.1f} "
        f"{row['suite_load_s']:>7.2f} {row['suite_load_event_end_s']:>17.2f}"),
        (f"{'plain pytest-html':<14} {row['plain_bytes'] / mib:>7.2f} {row['plain_rows']:>7} "
        f"{row['plain_render_s']:>9.1f} {row['plain_load_s']:>7.2f} {row['plain_load_event_end_s']:>17.2f}"),
        (f"load ratio suite / plain: {row['ratio']:.3f} (target <= {row['target']}): "
        f"{'met' if row['ratio'] <= row['target'] else 'NOT met'}"),
    ]
    if "live_ratio" in row:
        lines += [
            (f"live run of the same mix ({row['live_run_s']:.0f} s; {row['live_failed']} Failed, "
             f"{row['live_warnings']} PassedWithWarning):"),
            (f"{'suite (live)':<14} {row['live_bytes'] / mib:>7.2f} {row['live_rows']:>7} {'':>9} "
             f"{row['live_load_s']:>7.2f}"),
            (f"{'plain pytest-html':<14} {row['live_plain_bytes'] / mib:>7.2f} {row['live_plain_rows']:>7} {'':>9} "
             f"{row['live_plain_load_s']:>7.2f}"),
            (f"live load ratio suite / plain: {row['live_ratio']:.3f} (target <= {row['target']}): "
             f"{'met' if row['live_ratio'] <= row['target'] else 'NOT met'}"),
        ]
    return "\n".join(lines)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/report_load.py", description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=_positive, default=1000, help="hosts in the fleet (default 1000)")
    parser.add_argument("--repeat", type=_positive, default=1, help="loads of each page; the best counts (default 1)")
    parser.add_argument("--keep", metavar="DIR", help="keep the pages and the JSON in DIR")
    parser.add_argument("--live", action="store_true",
                        help="also run the suite live over N emulated hosts of the mix and load its own page")
    parser.add_argument("--output", metavar="PATH", help="also write the numbers as JSON")
    args = parser.parse_args(argv)
    row = measure_report_load(args.hosts, Path(args.keep) if args.keep else None, args.repeat, live=args.live)
    print(report(row), flush=True)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps({"cpus": os.cpu_count(), **row}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
