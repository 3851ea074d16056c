"""Every fault an emulated host can inject fails that host's 20 rules, and only that host's.

One suite run serves a fleet of healthy hosts, each but two with one fault, plus a seed-sample
host; every faulty host must report ``<RuleId>.Failed.<Reason>`` for every rule with a one-line
message naming the host and the cause, and the others exactly their expected results. A second
suite run shows a probe that never finishes is Failed with Timeout at ``--probe-timeout``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import time

from fixtures.emulator import Fleet
from fixtures.faults import FAULTS
from readiness.catalog import RULES
from readiness.connection import WinRMOptions
from readiness.endpoints import Endpoints, probe_input
from readiness.hosts import parse_host
from readiness.probe_pool import ProbeSettings, probe_host
from tests.emulated import display, expected, fleet, host_url, run_suite, write_hosts

# No case here ends on the probe timeout; it bounds the flood, whose 32 MiB the emulator (in this
# process, beside every other host) takes several seconds to send on 2 busy cores.
READ_TIMEOUT, OPERATION_TIMEOUT, CONNECT_TIMEOUT, PROBE_TIMEOUT = 3, 2, 1, 20
WINRM_CONNECT_TIMEOUT = 2  # a host that drops the connection attempt waits this, not the read timeout
TIMEOUT_ARGS = ("--winrm-read-timeout", str(READ_TIMEOUT), "--winrm-operation-timeout", str(OPERATION_TIMEOUT),
                "--connect-timeout", str(CONNECT_TIMEOUT), "--probe-timeout", str(PROBE_TIMEOUT),
                "--winrm-connect-timeout", str(WINRM_CONNECT_TIMEOUT))
# Longest wait a fault may cause (the read timeout), three times over, plus pytest's own start and
# twenty rules for each of twenty hosts.
RUN_BOUND = 3 * (READ_TIMEOUT + OPERATION_TIMEOUT + CONNECT_TIMEOUT) + 20

# Fault -> (reason, words the message must hold). "tls" and "wrong_password" are not emulator
# faults but ways of reaching a healthy host: over HTTPS without its CA, with a wrong password.
CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "refuse": ("HostUnreachable", ("refused",)),
    "drop": ("HostUnreachable", ("no answer connecting to", f"within {WINRM_CONNECT_TIMEOUT} s",
                                 "--winrm-connect-timeout")),
    "reset": ("ConnectionLost", ("closed in the middle of a response",)),
    "hang": ("Timeout", (f"did not answer within {READ_TIMEOUT} s",)),
    "tls": ("TlsError", ("not trusted", "--winrm-ca-trust", "no_verify_ssl=true")),
    "wrong_password": ("AccessDenied", ("rejected the credentials", "'vagrant'")),
    "unauthorized": ("AccessDenied", ("rejected the credentials",)),
    "http500": ("WinRMFault", ("WS-Management fault", "internal error")),
    "cmd_too_long": ("ProbeError", ("exited with code 1", "command line is too long")),
    "probe_exit": ("ProbeError", ("exited with code 1", "The probe failed")),
    "probe_garbage": ("ProbeError", ("not JSON",)),
    "probe_truncated": ("ProbeError", ("truncated",)),
    "probe_non_utf8": ("ProbeError", ("not UTF-8",)),
    "probe_schema": ("ProbeError", ("schema", "readiness-probe/999")),
    "probe_missing_fact": ("ProbeError", ("services", "missing")),
    "probe_wrong_type": ("ProbeError", ("os.version", "expected string")),
    "probe_flood": ("ProbeError", ("the probe on", "wrote more than 32 MiB of output", "abandoned")),
    "huge_response": ("ProbeError", ("WinRM on", "HTTP response of more than 48 MiB", "abandoned")),
}
INJECTED = [name for name in CASES if name in FAULTS]


def test_every_emulator_fault_has_a_case():
    assert set(FAULTS) <= set(CASES), sorted(set(FAULTS) - set(CASES))


def _faulty_fleet() -> contextlib.AbstractContextManager[Fleet]:
    """healthy-0001.. with one fault each, then two healthy hosts reached over TLS and a wrong password."""
    count = len(INJECTED) + 3
    faults = {f"healthy-{i:04d}": [name] for i, name in enumerate(INJECTED, start=1)}
    return fleet(["healthy"], fleet=count, faults=faults)


def _urls(served: Fleet) -> dict[str, str]:
    """Case -> the host URL that shows it; "none" is a healthy host reached normally."""
    hosts = served.hosts
    urls = {name: host_url(host) for name, host in zip(INJECTED, hosts, strict=False)}
    tls, wrong, clean = hosts[len(INJECTED):]
    urls["tls"] = host_url(tls, "https")
    urls["wrong_password"] = f"winrm://{wrong.user}:not-{wrong.password}@{wrong.address}:{wrong.http_port}?no_ssl=true"
    urls["none"] = host_url(clean)
    return urls


def _shown(url: str) -> str:
    return parse_host(url).display


def test_each_fault_fails_only_its_host_with_a_named_reason_in_bounded_time(pytester):
    with _faulty_fleet() as served, fleet(["seed-sample"]) as seed:
        urls = _urls(served)
        lines = list(urls.values()) + [host_url(seed.hosts[0])]
        hosts_file = write_hosts(pytester.path / "fleet.txt", lines)
        started = time.monotonic()
        result, data = run_suite(pytester, "--hosts-file", str(hosts_file), *TIMEOUT_ARGS)
        elapsed = time.monotonic() - started
    print(f"fault matrix suite run: {len(lines)} hosts in {elapsed:.1f} s")
    assert data is not None, result.stdout.str()[-3000:]
    assert result.ret == 1
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    reports = {entry["host"]: entry["results"] for entry in data["hosts"]}
    assert list(reports) == [_shown(u) for u in lines]

    for case, (reason, words) in CASES.items():
        host = _shown(urls[case])
        results = reports[host]
        assert [r["RuleId"] for r in results] == list(RULES), case
        for r in results:
            assert r["CheckResult"] == "Failed", (case, r)
            assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.{reason}", (case, r)
            message = r["CheckResultMessage"]
            assert "\n" not in message and "\r" not in message, (case, message)
            assert host in message, (case, message)
            for word in words:
                assert word in message, (case, word, message)

    def got(host: str) -> list[tuple[str, str, str]]:
        return [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"]) for r in reports[host]]

    for name, host in (("healthy", _shown(urls["none"])), ("seed-sample", display(seed.hosts[0]))):
        assert got(host) == list(expected(name).results), name
    assert elapsed < RUN_BOUND, f"the run took {elapsed:.1f} s"


def test_each_fault_fails_its_probe_within_its_bound():
    """Time to Failed per fault, one probe each, all at once: waits only where a timeout must fire."""
    settings = ProbeSettings(
        winrm=WinRMOptions(read_timeout_sec=READ_TIMEOUT, operation_timeout_sec=OPERATION_TIMEOUT,
                           connect_timeout_sec=WINRM_CONNECT_TIMEOUT),
        probe_input=probe_input(Endpoints.for_location(None), CONNECT_TIMEOUT * 1000),
        probe_timeout_sec=PROBE_TIMEOUT)

    def probe(url: str):
        started = time.monotonic()
        return probe_host(parse_host(url), settings), time.monotonic() - started

    with _faulty_fleet() as served:
        urls = _urls(served)
        with concurrent.futures.ThreadPoolExecutor(len(urls)) as pool:
            done = dict(zip(urls, pool.map(probe, urls.values()), strict=False))
    timings = {case: elapsed for case, (_, elapsed) in done.items()}
    print("time to Failed per fault (s):", ", ".join(f"{c} {t:.2f}" for c, t in timings.items()))
    assert done["none"][0].failure is None and done["none"][0].facts is not None
    for case, (reason, _) in CASES.items():
        result, elapsed = done[case]
        assert result.failure is not None and result.failure.reason == reason, (case, result.failure)
        # The flood is 32 MiB received and unsealed before it is abandoned: bounded by the probe timeout.
        bound = READ_TIMEOUT + 2 if case == "hang" else PROBE_TIMEOUT if case == "probe_flood" else 3
        assert elapsed < bound, (case, elapsed)
        if case in ("hang", "drop"):  # each waits its own timeout, no less
            assert elapsed >= (READ_TIMEOUT if case == "hang" else WINRM_CONNECT_TIMEOUT) - 0.1, (case, elapsed)


def test_a_probe_that_never_finishes_is_failed_with_timeout_at_the_probe_timeout(pytester):
    """seed-sample's IMDS test waits for --connect-timeout (here 600 s): the probe runs past --probe-timeout."""
    with fleet(["seed-sample", "healthy"]) as served:
        slow, healthy = served.hosts
        started = time.monotonic()
        result, data = run_suite(pytester, f"--hosts={host_url(slow)},{host_url(healthy)}",
                                 "--winrm-read-timeout", str(READ_TIMEOUT),
                                 "--winrm-operation-timeout", str(OPERATION_TIMEOUT),
                                 "--connect-timeout", "600", "--probe-timeout", "4")
        elapsed = time.monotonic() - started
    assert data is not None, result.stdout.str()[-3000:]
    reports = {entry["host"]: entry["results"] for entry in data["hosts"]}
    results = reports[display(slow)]
    assert [r["RuleId"] for r in results] == list(RULES)
    for r in results:
        assert r["CheckResultMessageId"] == f"{r['RuleId']}.Failed.Timeout", r
        assert f"{display(slow)}: the probe on" in r["CheckResultMessage"]
        assert "did not finish within 4 s" in r["CheckResultMessage"]
    assert all(r["CheckResult"] == "Passed" for r in reports[display(healthy)])
    # The probe gives up at 4 s (plus at most one long poll); pytest's start and the rules take the rest.
    assert elapsed < 4 + OPERATION_TIMEOUT + READ_TIMEOUT + 15, f"the run took {elapsed:.1f} s"


def test_a_hanging_host_does_not_hold_up_the_others():
    """Probes run concurrently: a healthy host's facts arrive while the hanging one still waits."""
    settings = ProbeSettings(winrm=WinRMOptions(read_timeout_sec=READ_TIMEOUT, operation_timeout_sec=OPERATION_TIMEOUT),
                             probe_input=probe_input(Endpoints.for_location(None), CONNECT_TIMEOUT * 1000))
    with fleet(["healthy"], fleet=2,
               faults={"healthy-0001": ["hang"]}) as served:
        hanging, healthy = (parse_host(host_url(h)) for h in served.hosts)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            slow = pool.submit(probe_host, hanging, settings)
            fast = pool.submit(probe_host, healthy, settings)
            assert fast.result(timeout=READ_TIMEOUT).facts is not None
            assert not slow.done()
            assert slow.result().failure.reason == "Timeout"
