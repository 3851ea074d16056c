"""The readiness plugin: hosts in, one probe per host, rule tests over facts, results out.

Installed as a pytest plugin (entry point ``readiness.plugin``) so that its options are known
before pytest looks at paths: ``--hosts-file /tmp/fleet.txt`` works from any directory.

    pytest --hosts=winrm://admin@10.0.0.5,winrm://admin@10.0.0.6 --automation-account-location=japaneast
"""

from __future__ import annotations

import dataclasses
import gc
import os
import traceback
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import pytest

from readiness import catalog, probe_process, profiles, redact, scheduling
from readiness.capacity import Plan, plan_concurrency
from readiness.connection import (
    NEEDS_PASSWORD,
    TRANSPORTS,
    WinRMOptions,
    kerberos_target_problem,
    missing_transport_library,
)
from readiness.hosts import (
    PASSWORD_ENV,
    HostSpec,
    HostSpecError,
    collect_hosts,
    password_for,
    read_password_file,
    select_shard,
)
from readiness.inventory import AnsibleInventory
from readiness.options import seconds, whole_number
from readiness.outcomes import Decision, Inconclusive, NoDecision, Rule, Settings, outcome_line
from readiness.printable import printable
from readiness.probe_pool import PROBE_ERROR, HostProbe, ProbePool, ProbeSettings
from readiness.probe_process import SUITE_ERROR
from readiness.reports.gathering import COLLECTOR_KEY, ResultCollector, record
from readiness.results import INFORMATION, PASSED, WARNING, HostResult, Result
from readiness.sharding import resolve_shard
from readiness.transport_policy import ALLOW_FLAG, INSECURE_KEY
from readiness.transport_policy import apply as apply_transport_policy
from readiness.waiting import wait_settings

if TYPE_CHECKING:
    from readiness.facts import Facts

# The report writers, each a pytest plugin with its own options and hooks, loaded with this one.
# They write what the run's ResultCollector (registered in pytest_configure) gathered.
pytest_plugins = ["readiness.reports.language", "readiness.reports.json_report", "readiness.reports.terminal_report",
                  "readiness.reports.html_report"]

HOST_FIXTURE = "readiness_host"


@dataclasses.dataclass
class Run:
    """The state of one readiness run, kept on ``config.stash``."""

    hosts: list[HostSpec]
    settings: Settings
    probe_settings: ProbeSettings
    pool: ProbePool
    concurrency: Plan  # how many hosts are probed at once, and what bounds it
    strict_warnings: bool
    owned: Callable[[int], bool]  # which hosts (by index) this process probes up front
    # Host display -> the profile asked for it (its ?profile=, else --readiness-profile; may be "auto").
    host_profiles: dict[str, str] = dataclasses.field(default_factory=dict)
    _settings: dict[str, ProbeSettings] = dataclasses.field(default_factory=dict)
    _detected: dict[str, profiles.Detection] = dataclasses.field(default_factory=dict)

    def requested(self, spec: HostSpec) -> str:
        return self.host_profiles.get(spec.display, profiles.DEFAULT)

    def probe_settings_for(self, spec: HostSpec) -> ProbeSettings:
        """The probe settings of a host: the probe input of its profile (``auto``: of them all)."""
        profile = self.requested(spec)
        if profile not in self._settings:
            made = profiles.input_for_profile(self.probe_settings.probe_input, profile, self.settings.cloud)
            self._settings[profile] = dataclasses.replace(self.probe_settings, probe_input=made, profile=profile)
        return self._settings[profile]

    def profile_of(self, probe: HostProbe) -> profiles.Detection:
        """The profile a probed host is checked against; for ``auto``, detected from its facts, with the reason."""
        spec = probe.spec
        asked = self.requested(spec)
        if asked != profiles.AUTO:
            return profiles.Detection(asked, "")
        if spec.display not in self._detected:
            if probe.failure is not None:
                found = profiles.undecided(f"{spec.display} could not be checked")
            elif probe.platform != "windows" or probe.facts is None:
                found = profiles.undecided(f"{spec.display} runs {probe.platform}, not Windows")
            else:
                found = profiles.detect(probe.facts)  # type: ignore[arg-type]
            self._detected[spec.display] = found
        return self._detected[spec.display]


RUN_KEY = pytest.StashKey[Run]()
OTHER_PROFILE = profiles.OTHER_PROFILE




def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--hosts-file", action="append", default=[], metavar="PATH",
                    help="file of hosts, one per line (# comments); with or instead of --hosts")
    group.addoption("--automation-account-location", default=None, metavar="LOCATION",
                    help="Azure location of the Automation account (e.g. japaneast): selects the endpoints")
    group.addoption("--strict-warnings", action="store_true", default=False,
                    help="PassedWithWarning fails the run")
    group.addoption("--winrm-transport", default="ntlm", choices=TRANSPORTS,
                    help="WinRM authentication (default ntlm); a host's ?transport= wins unless it is "
                         "basic or credssp (then it needs --allow-insecure-transport)")
    group.addoption("--winrm-password-file", default=None, metavar="PATH",
                    help="file (readable by its owner only) whose first line is the WinRM password; "
                         "a URL's password comes first, READINESS_WINRM_PASSWORD last")
    group.addoption(ALLOW_FLAG, action="store_true", default=False,
                    help="accept host settings that weaken how the password travels (a URL's transport=basic "
                         "or credssp, no_verify_ssl=true, Basic without verified HTTPS); the reports name the hosts")
    # --ansible-inventory PATH is testinfra's own option: --hosts=ansible://GROUP reads that inventory.
    group.addoption("--ansible-vault-password-file", default=None, metavar="PATH",
                    help="file (readable by its owner only) whose first line is the inventory's vault password")
    group.addoption("--winrm-ca-trust", default=None, metavar="PATH",
                    help="CA certificate(s) (PEM) that WinRM HTTPS certificates must chain to")
    group.addoption("--winrm-cert-pem", default=None, metavar="PATH", help="client certificate (transport certificate)")
    group.addoption("--winrm-cert-key-pem", default=None, metavar="PATH", help="its key (transport certificate)")
    group.addoption("--winrm-read-timeout", type=whole_number, default=30, metavar="SECONDS",
                    help="seconds to wait for any WinRM HTTP answer (default 30)")
    group.addoption("--winrm-operation-timeout", type=whole_number, default=20, metavar="SECONDS",
                    help="WS-Man OperationTimeout of each long poll (default 20, less than the read timeout)")
    group.addoption("--connect-timeout", type=seconds, default=5.0, metavar="SECONDS",
                    help="bound of each network test run on the target (default 5)")
    group.addoption("--probe-timeout", type=seconds, default=120.0, metavar="SECONDS",
                    help="bound of one host's whole probe (default 120; checked between WinRM long polls, "
                         "so it can run over by up to --winrm-read-timeout)")
    group.addoption("--probe-concurrency", type=whole_number, default=None, metavar="N",
                    help="hosts probed at once (default: every host, up to 1024 and what the open-file limit "
                         "and memory allow)")
    group.addoption("--probe-process", default="auto", choices=("auto", "on", "off"),
                    help="probe WinRM hosts in a process beside pytest's, so that their CPU work runs on "
                         "another core (default auto: from 200 hosts, on a runner with two cores or more)")
    group.addoption("--winrm-connect-timeout", type=seconds, default=5.0, metavar="SECONDS",
                    help="seconds to wait for a WinRM host to accept a connection (default 5)")
    group.addoption("--shard", default=None, metavar="K/N|auto",
                    help="check only shard K of N of the hosts (stable split for CI matrix jobs); auto: K and N "
                         "from the CI system (GitLab CI_NODE_INDEX/CI_NODE_TOTAL, Azure Pipelines "
                         "SYSTEM_JOBPOSITIONINPHASE/SYSTEM_TOTALJOBSINPHASE, or READINESS_SHARD_INDEX/_TOTAL)")
    group.addoption("--readiness-profile", default=profiles.DEFAULT, metavar="NAME",
                    help="the troubleshooter whose rules check the hosts: update-management (the Update Management "
                         "agent; default), azure-vm (Azure Update Manager on an Azure VM), arc (on an Arc-enabled "
                         "server) or auto (detected per host from its agents and IMDS); a host's ?profile= wins")
    group.addoption("--azure-cloud", default=None, choices=profiles.CLOUDS,
                    help="the Azure cloud of the azure-vm and arc endpoints (default: AzureCloud, the public cloud)")


def _hosts(config: pytest.Config) -> tuple[list[HostSpec], str | None] | None:
    """The run's hosts and the password of ``--winrm-password-file``, checked; None without hosts."""
    hosts_option = config.getoption("hosts", None)
    files = config.getoption("hosts_file") or []
    if hosts_option is None and not files:
        return None
    password_file = config.getoption("winrm_password_file")
    inventory_path = config.getoption("ansible_inventory", None)
    inventory = None
    if inventory_path:
        vault_file = config.getoption("ansible_vault_password_file")
        inventory = AnsibleInventory(_path(config, inventory_path) or "", _path(config, vault_file) if vault_file else None).hosts
    try:
        specs = collect_hosts(hosts_option, files, inventory)
        specs = select_shard(specs, resolve_shard(config.getoption("shard")))
        file_password = read_password_file(_path(config, password_file) or "") if password_file else None
    except HostSpecError as exc:
        raise pytest.UsageError(str(exc)) from None
    transport = config.getoption("winrm_transport")
    for spec in specs:
        if not spec.is_winrm:
            continue
        host_transport = spec.option("transport") or transport
        if host_transport not in TRANSPORTS:
            raise pytest.UsageError(f"host {spec.display}: unknown transport {host_transport!r} "
                                    f"(use one of: {', '.join(TRANSPORTS)})")
        missing = missing_transport_library(host_transport) or kerberos_target_problem(spec, host_transport)
        if missing:
            raise pytest.UsageError(f"host {spec.display}: {missing}")
        from_inventory = spec.source != "url"
        if host_transport in NEEDS_PASSWORD and not spec.user:
            raise pytest.UsageError(f"host {spec.display} names no user "
                                    + (f"(set ansible_user for it in {spec.source})" if from_inventory
                                       else "(winrm://USER@HOST)"))
        if host_transport in NEEDS_PASSWORD and password_for(spec, file_password) is None:
            raise pytest.UsageError(f"no password for {spec.display}: give --winrm-password-file PATH, "
                                    f"the environment variable {PASSWORD_ENV} or "
                                    + (f"ansible_password for it in {spec.source}" if from_inventory
                                       else "put it in the URL"))
    try:
        insecure = apply_transport_policy(specs, transport, config.getoption("allow_insecure_transport"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if insecure is not None:
        config.stash[INSECURE_KEY] = insecure
    return specs, file_password


def _location(config: pytest.Config) -> str | None:
    from readiness.endpoints import Endpoints
    from readiness.regions import is_azure_location

    location = config.getoption("automation_account_location")
    if location is None:
        return None
    if not is_azure_location(location):
        fallback = Endpoints.for_location(None)
        raise pytest.UsageError(
            f"--automation-account-location {location!r} is not an Azure location (e.g. japaneast, "
            f"usgovvirginia, chinaeast2). The troubleshooter would fall back to the default endpoints "
            f"({fallback.operations}, {fallback.registration.format(ws='<workspace>')}); to test those, "
            f"leave the option out")
    return location


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """``--dist=loadgroup`` for a readiness run with pytest-xdist, placed before every argument given.

    pytest calls this hook of installed plugins with the arguments to parse (the ini's
    ``addopts`` included); what is put first here loses to any value the user gives later
    (``--dist no``), so it is a default and never an override. With ``-n``, each host's rules
    then stay on one worker (xdist's own default, ``load``, would probe a host on every worker
    that runs one of its rules). Only for a readiness run (hosts given), so other suites this
    plugin is installed beside are untouched.
    """
    known = early_config.known_args_namespace
    if not (getattr(known, "hosts", None) or getattr(known, "hosts_file", None) or getattr(known, "captures", None)):
        return
    if early_config.pluginmanager.hasplugin("xdist"):
        args[:0] = ["--dist=loadgroup"]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    redact.install()  # before any host is contacted: no authentication token reaches a log
    for marker in sorted(set(catalog.MARKERS.values())):
        config.addinivalue_line("markers", f"{marker}: readiness rules of that group")
    default_profile = config.getoption("readiness_profile", profiles.DEFAULT)
    try:
        profiles.check_profile(default_profile, "--readiness-profile")
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    given = _hosts(config)
    if given is None:
        return
    specs, file_password = given
    from readiness.endpoints import Endpoints, probe_input

    location = _location(config)
    timeout_ms = int(config.getoption("connect_timeout") * 1000)
    probe_settings = ProbeSettings(
        winrm=_winrm_options(config, file_password),
        probe_input=probe_input(Endpoints.for_location(location), timeout_ms),
        probe_timeout_sec=config.getoption("probe_timeout"),
        profile=profiles.DEFAULT,  # the base input; each host's is Run.probe_settings_for
        **wait_settings(config),
    )
    concurrency = plan_concurrency(len(specs), config.getoption("probe_concurrency"))
    owned = _owned_hosts(config)
    in_process = probe_process.wanted(config.getoption("probe_process"),
                                      sum(1 for i, spec in enumerate(specs) if spec.is_winrm and owned(i)))
    run = Run(
        hosts=specs,
        settings=Settings(location=location, cloud=config.getoption("azure_cloud")),
        probe_settings=probe_settings,
        pool=ProbePool(probe_settings, max_workers=1),  # replaced below, once the run can say each host's input
        concurrency=concurrency,
        strict_warnings=config.getoption("strict_warnings"),
        owned=owned,
        host_profiles={spec.display: spec.profile or default_profile for spec in specs},
    )
    run.pool = ProbePool(probe_settings, max_workers=concurrency.bound, settings_for=run.probe_settings_for,
                         in_process=in_process)
    config.stash[RUN_KEY] = run
    if config.getoption("collectonly"):
        return  # collecting checks no host and gathers no result: the report plugins write nothing
    # Undone after pytest's own cleanups (this hook runs first, so this cleanup runs last): see
    # pytest_collection_finish.
    config.add_cleanup(gc.unfreeze)
    run.pool.start()  # the probe process, if any, imports while pytest collects
    config.add_cleanup(run.pool.shutdown)  # also when the session never finishes (an error in collection)
    collector = ResultCollector([s.display for s in specs], run.host_profiles)
    config.stash[COLLECTOR_KEY] = collector
    config.pluginmanager.register(collector, "readiness-collector")


def _winrm_options(config: pytest.Config, password: str | None = None) -> WinRMOptions:
    read_timeout = config.getoption("winrm_read_timeout")
    options = WinRMOptions(
        transport=config.getoption("winrm_transport"),
        ca_trust_path=_path(config, config.getoption("winrm_ca_trust")),
        read_timeout_sec=read_timeout,
        connect_timeout_sec=min(float(read_timeout), config.getoption("winrm_connect_timeout")),
        # pywinrm requires the long poll to end before the read timeout.
        operation_timeout_sec=min(config.getoption("winrm_operation_timeout"), max(1, read_timeout - 1)),
        cert_pem=_path(config, config.getoption("winrm_cert_pem")),
        cert_key_pem=_path(config, config.getoption("winrm_cert_key_pem")),
        password=password,
    )
    if options.ca_trust_path and not os.path.isfile(options.ca_trust_path):
        raise pytest.UsageError(f"--winrm-ca-trust {options.ca_trust_path!r}: no such file")
    return options


def _owned_hosts(config: pytest.Config) -> Callable[[int], bool]:
    """Without xdist, every host; on a worker, the hosts dealt to it (others only if asked)."""
    if not hasattr(config, "workerinput"):
        return lambda index: True
    slot = scheduling.worker_slot(config.workerinput)
    if slot is None:
        return lambda index: False
    return lambda index: scheduling.owns(slot, index)


def _deals_hosts(config: pytest.Config) -> bool:
    return RUN_KEY in config.stash and getattr(config.option, "dist", "no") == "loadgroup"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist, on the controller: each worker learns how the controller schedules."""
    if _deals_hosts(node.config):
        node.workerinput["readiness_schedule"] = scheduling.DEALT


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist, on the controller: each host's rules to one worker, all hosts dealt out at once."""
    return scheduling.make_scheduler(config, log) if _deals_hosts(config) else None


def _path(config: pytest.Config, value: str | None) -> str | None:
    if not value:
        return None
    return os.path.abspath(os.path.expanduser(value))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if HOST_FIXTURE not in metafunc.fixturenames:
        return
    run = metafunc.config.stash.get(RUN_KEY, None)
    if run is None:  # no hosts: pytest_collection_modifyitems says so, once
        metafunc.parametrize(HOST_FIXTURE, [], scope="function")
        return
    profile = module_profile(metafunc.module)
    # The hosts of the module's profile, and the hosts whose profile ``auto`` decides once probed.
    params = [
        pytest.param(spec, id=spec.display, marks=[pytest.mark.xdist_group(scheduling.group_name(index))])
        for index, spec in enumerate(run.hosts)
        if run.requested(spec) in (profile, profiles.AUTO)
    ]
    metafunc.parametrize(HOST_FIXTURE, params, scope="function")


def module_profile(module: Any) -> str:
    """The profile of a rules module: its ``PROFILE`` (``update-management`` when it has none)."""
    profile = getattr(module, "PROFILE", profiles.DEFAULT)
    if profile not in catalog.PROFILE_RULES:
        pytest.fail(f"{getattr(module, '__file__', module)}: PROFILE {profile!r} is not a rule profile "
                    f"(one of: {', '.join(catalog.PROFILES)})", pytrace=False)
    return str(profile)


def _item_profile(item: pytest.Item) -> str:
    module = getattr(item, "module", None)
    return module_profile(module) if module is not None else profiles.DEFAULT


def _rule_id(item: pytest.Item) -> str | None:
    name = getattr(item, "originalname", None) or item.name
    rule_id = name[len("test_"):] if name.startswith("test_") else None
    return rule_id if rule_id in catalog.PROFILE_RULES[_item_profile(item)] else None


def _is_rule_item(item: pytest.Item) -> bool:
    return isinstance(item, pytest.Function) and HOST_FIXTURE in item.fixturenames and _rule_id(item) is not None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        if any(HOST_FIXTURE in getattr(item, "fixturenames", ()) for item in items):
            raise pytest.UsageError(
                "no hosts to check: give --hosts=winrm://USER@HOST[,...] or --hosts-file PATH "
                "(to try the suite on emulated hosts: scripts/try-emulated)")
        return
    # A rule module of a profile no host has: pytest made one item of an empty parameter set.
    # Not a rule of this run: deselected, never a skip of every such rule (nor of every rule of a
    # shard that got no host: pytest_sessionfinish says why that run succeeds).
    hostless = [item for item in items if HOST_FIXTURE in getattr(item, "fixturenames", ())
                and not isinstance(getattr(getattr(item, "callspec", None), "params", {}).get(HOST_FIXTURE), HostSpec)]
    if hostless:
        dropped = set(map(id, hostless))
        items[:] = [item for item in items if id(item) not in dropped]
        config.hook.pytest_deselected(items=hostless)
    order = {spec.display: i for i, spec in enumerate(run.hosts)}
    rank = {profile: i for i, profile in enumerate(catalog.PROFILES)}

    def key(item: pytest.Item) -> tuple[int, int, int, int]:
        if not _is_rule_item(item):
            return (0, 0, 0, 0)
        spec = item.callspec.params[HOST_FIXTURE]  # type: ignore[attr-defined]
        profile = _item_profile(item)
        return (1, order[spec.display], rank[profile], profiles.rule_order(profile, _rule_id(item) or ""))

    items.sort(key=key)  # stable: other tests keep their order, rules go host by host


def pytest_collection_finish(session: pytest.Session) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    if run is None or session.config.getoption("collectonly"):
        return
    index = {spec.display: i for i, spec in enumerate(run.hosts)}
    for item in session.items:
        if _is_rule_item(item):
            spec = item.callspec.params[HOST_FIXTURE]  # type: ignore[attr-defined]
            if run.owned(index[spec.display]):
                run.pool.submit(spec)
    # What collection made (a test item per host and rule, thousands at fleet scale) lives to the
    # end of the run: kept out of the garbage collector's full passes, which otherwise walk it
    # again and again as results accumulate, and five times more at pytest's cleanup (7 % of
    # pytest's main thread at 900 hosts, py-spy). gc.freeze() moves them to the collector's permanent
    # generation; gc.unfreeze() returns them when the run ends (pytest_configure), so that a run
    # inside another process (pytester) leaves nothing uncollectable behind.
    gc.freeze()


def _probe(item: pytest.Item) -> HostProbe:
    """The probe of a rule test's host: started at collection's end, awaited here."""
    run = item.config.stash[RUN_KEY]
    return run.pool.result(item.callspec.params[HOST_FIXTURE])  # type: ignore[attr-defined]


@pytest.fixture
def facts(request: pytest.FixtureRequest, readiness_host: HostSpec) -> Facts | None:
    """What the probe of this test's host found (:class:`readiness.facts.Facts`).

    None when there is nothing to read (the host could not be checked, or is not Windows):
    the rule is then not called, it is Failed or skipped before (``pytest_pyfunc_call``).
    """
    return request.config.stash[RUN_KEY].pool.result(readiness_host).facts  # type: ignore[return-value]


@pytest.fixture
def rule(request: pytest.FixtureRequest) -> Rule:
    """The rule this test decides: its identity, the run's settings, the outcome helpers."""
    return _rule_of(request.node)


def _rule_of(item: pytest.Item) -> Rule:
    run = item.config.stash[RUN_KEY]
    rule_id = _rule_id(item)
    if rule_id is None:
        raise pytest.UsageError(f"{item.name}: a rule test is named test_<RuleId>")
    return Rule(catalog.rule(rule_id, _item_profile(item)), run.settings)


def _failure_description(rule: Rule) -> str:
    if "{endpoint}" not in rule.info.description:
        return rule.info.description
    if rule.info.rule_id == "AutomationJobRuntimeDataServiceConnectivityCheck":
        from readiness.endpoints import Endpoints

        endpoint = Endpoints.for_location(rule.settings.location).operations
        return rule.info.description.format(endpoint=endpoint)
    return ""


def _record(item: pytest.Item, spec: HostSpec, platform: str, result: Result | None, route: str | None,
            detection: profiles.Detection | None = None) -> None:
    """JUnit gets the documented properties; the report writers get the whole result."""
    rule_id = _rule_id(item) or ""
    profile = detection.profile if detection is not None else _item_profile(item)
    reason = detection.reason if detection is not None and detection.reason else None
    props = item.user_properties
    props.append(("host", spec.display))
    props.append(("RuleId", rule_id))
    props.append(("profile", profile))
    if reason:
        props.append(("profile_reason", reason))
    if result is not None:
        props.append(("CheckResult", result.CheckResult))
        props.append(("CheckResultMessageId", result.CheckResultMessageId))
        if route:
            props.append(("route", route))
    record(item, HostResult(rule_id, spec.display, platform, result, route, profile, reason))


def _failed(rule: Rule, reason: str, message: str) -> Decision:
    """The Failed decision of a rule that could not decide (the host's failure, or the suite's)."""
    try:
        rule.failed(message, [], reason=reason, description=_failure_description(rule))
    except Decision as decision:
        return decision
    raise AssertionError("unreachable")


def _suite_error_message(rule: Rule, spec: HostSpec, exc: BaseException) -> str:
    """One line that names the exception and says whose error it is."""
    what = str(exc) if isinstance(exc, NoDecision) else f"{type(exc).__name__}: {exc}"
    what = " ".join(what.split())
    return (f"Suite error: the rule {rule.info.rule_id} broke on {spec.display} with {what} "
            f"(a bug in the suite, not a fault of the host; the traceback is in the test's report)")


def _traceback(error: BaseException, function: Any) -> str:
    """The traceback of a rule's error from the rule's own frame on (pytest's and pluggy's frames cut)."""
    code = getattr(function, "__code__", None)
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code is not code:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))


def _conclude(item: pytest.Function, spec: HostSpec, platform: str, decision: Decision,
              error: BaseException | None = None, detection: profiles.Detection | None = None) -> None:
    """Record a rule's decision and end the test in its outcome (pass, xfail, fail)."""
    result = decision.result
    _record(item, spec, platform, result, decision.route, detection)
    line = outcome_line(result)
    if error is not None:
        pytest.fail(line + "\n\n" + _traceback(error, item.obj), pytrace=False)
    if result.CheckResult in (PASSED, INFORMATION):  # Information asks for no action: a pass
        return
    if result.CheckResult == WARNING and not item.config.stash[RUN_KEY].strict_warnings:
        # pytest.xfail(line), without the traceback pytest would build for it: an xfail is a
        # Failed to pytest's report maker, which represents it with the source of every frame it
        # went through (this plugin's and pluggy's, parsed anew for each result: a quarter of the
        # runner's time at 1,000 hosts); the message is the whole of what a warning says.
        raise pytest.xfail.Exception(line, pytrace=False)
    pytest.fail(line, pytrace=False)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """A rule's outcome is represented by its message alone: only the traceback's last entry is kept.

    ``_conclude`` ends a rule with ``pytrace=False``, for which pytest represents the failure
    (or xfail) by the exception's message and the place it was raised (the traceback's last entry
    that is not hidden) and nothing else; but it first filters the whole traceback, checking the
    file of each of its frames (this plugin's, pluggy's, pytest's) on disk: 12 % of pytest's main
    thread at 900 hosts with Failed rules (py-spy). The traceback is cut to its last entry
    that is not hidden (``__tracebackhide__``), which is that place, so the report is what it was.
    """
    excinfo = call.excinfo
    if (excinfo is not None and isinstance(excinfo.value, pytest.fail.Exception) and not excinfo.value.pytrace
            and _is_rule_item(item)):
        entries = excinfo.traceback
        last = next((i for i in range(len(entries) - 1, -1, -1) if not entries[i].ishidden(excinfo)), 0)
        excinfo.traceback = entries[last:]
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
    """Around pytest's own call of a rule test (its fixtures, the user's too, as pytest gives them).

    A host that could not be checked fails the rule without calling it; a host that is not
    Windows skips it. Else the rule's decision (an outcome helper's :class:`Decision`) becomes
    the result and the test's outcome; a rule that cannot decide (:class:`Inconclusive`) is the
    probe's error; anything else the rule raises, or no decision at all, is the suite's error,
    Failed with the rule's traceback in the test's detail.
    """
    if not _is_rule_item(pyfuncitem):
        return (yield)
    probe = _probe(pyfuncitem)
    spec = probe.spec
    detection = pyfuncitem.config.stash[RUN_KEY].profile_of(probe)
    if detection.profile != _item_profile(pyfuncitem):
        pytest.skip(printable(f"{OTHER_PROFILE} {spec.display} is checked with the {detection.profile} rules "
                              f"({detection.reason})"))
    rule = pyfuncitem.funcargs.get("rule")
    if not isinstance(rule, Rule):
        rule = _rule_of(pyfuncitem)
    if probe.failure is not None:
        decision = _failed(rule, probe.failure.reason, f"Could not check {spec.display}: {probe.failure.message}")
        _conclude(pyfuncitem, spec, probe.platform, decision, detection=detection)
    if probe.platform != "windows":
        _record(pyfuncitem, spec, probe.platform, None, None, detection)
        pytest.skip(printable(f"not applicable: {rule.info.rule_id} is a Windows rule and {spec.display} "
                              f"runs {probe.platform}"))
    error: BaseException | None = None
    try:
        yield
    except Decision as decided:
        decision = decided
    except Inconclusive as exc:
        decision = _failed(rule, PROBE_ERROR, f"Could not check {spec.display}: {exc}")
    except Exception as exc:  # noqa: BLE001 -- a bug in a rule: Failed, never Passed, never the host's fault
        error = exc
        decision = _failed(rule, SUITE_ERROR, _suite_error_message(rule, spec, exc))
    else:
        error = NoDecision(f"{pyfuncitem.obj.__name__} returned without a decision")
        decision = _failed(rule, SUITE_ERROR, _suite_error_message(rule, spec, error))
    _conclude(pyfuncitem, spec, probe.platform, decision, error, detection)
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    if run is not None:
        run.pool.shutdown()
        if not run.hosts and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            # A --shard that got none of the hosts (more shards than hosts): nothing to check is
            # its whole, correct answer, and must not fail its CI job.
            session.exitstatus = pytest.ExitCode.OK
        if run.pool.degraded:
            _warn(session.config, f"readiness: warning: {run.pool.degraded}")


def pytest_sessionstart(session: pytest.Session) -> None:
    """On the controller: warn of passwords in host URLs, and record accepted insecure transports."""
    config = session.config
    run = config.stash.get(RUN_KEY, None)
    if run is None or hasattr(config, "workerinput"):
        return
    insecure = config.stash.get(INSECURE_KEY, None)
    if insecure is not None:
        try:
            from pytest_metadata.plugin import metadata_key
        except ImportError:  # pytest-metadata absent: the JSON report still records it
            metadata_key = None
        if metadata_key is not None and metadata_key in config.stash:
            config.stash[metadata_key]["Insecure transport"] = insecure.summary()
    plan = run.concurrency
    if plan.limited_by in ("open files", "memory"):
        _warn(config, f"readiness: warning: probe concurrency {plan.describe()}; the other hosts wait their turn")
    with_password = sum(1 for spec in run.hosts if spec.password is not None and spec.source == "url")
    if with_password:
        _warn(config, f"readiness: warning: {with_password} host URL(s) carry a password, which other users of "
                      f"this machine can read in the process list (ps) when given with --hosts, and anyone who "
                      f"reads the hosts file; prefer --winrm-password-file PATH or {PASSWORD_ENV}")


def _warn(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line, yellow=True, bold=True)
    else:
        import sys

        print(line, file=sys.stderr)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return None
    location = run.settings.location or "(none: default endpoints)"
    asked: dict[str, int] = {}
    for spec in run.hosts:
        asked[run.requested(spec)] = asked.get(run.requested(spec), 0) + 1
    lines = [(f"readiness: {len(run.hosts)} host(s), automation account location {location}, "
              f"probe concurrency {run.concurrency.describe()}"
              f"{', in a probe process (--probe-process)' if run.pool.in_process and not getattr(config.option, 'numprocesses', None) else ''}")]
    if set(asked) != {profiles.DEFAULT} or run.settings.cloud:
        shown = ", ".join(f"{n} {profile}" for profile, n in asked.items())
        lines.append(f"readiness: profiles: {shown}; Azure cloud {run.settings.cloud or 'AzureCloud (default)'}")
    return lines
