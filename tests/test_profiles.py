"""Readiness profiles: the options, per-host profiles, ``auto``'s decision, collection of a mixed fleet
over a rules project of the test's own, and the reports (JSON, JUnit XML, terminal) of each profile.

The rules projects here are stand-ins: small rule modules with a ``PROFILE`` (as the azure-vm and arc
rule modules have), whose rules decide from the facts the probe gathers today, so that the machinery
(which host runs which module, in which order, with which result) is tested on its own.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from readiness import catalog, profiles
from readiness.capacity import plan_concurrency
from readiness.capture import capture_document
from readiness.endpoints import Endpoints, probe_input
from readiness.hosts import HostSpecError, parse_host
from readiness.probe_pool import HostFailure, HostProbe
from readiness.reports.gathering import HostReport
from readiness.reports.json_report import build_report, load_report, merge_reports, write_host_files
from readiness.reports.terminal_report import list_heading, profile_line, total_line
from readiness.results import INFORMATION, PASSED, Result
from tests.emulated import ROOT, display, fleet, host_url, scenario, write_hosts
from tests.facts_builder import HostDoc

VM_ID = "8d1c5f0e-4c1a-4a57-9d7e-6f0b9c2a1e11"


# --- options and per-host profiles ------------------------------------------------------------

def test_a_host_names_its_profile():
    spec = parse_host("winrm://admin@127.0.0.5?no_ssl=true&profile=arc")
    assert spec.profile == "arc" and spec.option("no_ssl") == "true"
    assert parse_host("winrm://admin@127.0.0.5").profile is None
    assert parse_host("local://?profile=auto").profile == "auto"
    # The profile is the suite's: it never reaches testinfra's connection spec.
    assert parse_host("ssh://deploy@127.0.0.7?profile=azure-vm&timeout=5").testinfra_spec() == \
        "ssh://deploy@127.0.0.7?timeout=5"


@pytest.mark.parametrize("text, said", [
    ("winrm://admin@127.0.0.5?profile=azure", ("host 'winrm://admin@127.0.0.5' (--hosts entry 1): option profile "
                                              "'azure' is not a readiness profile (use one of: update-management, "
                                              "azure-vm, arc, auto)")),
    ("winrm://admin@127.0.0.5?profile=arc&profile=auto", "option profile is given twice"),
    ("winrm://admin@127.0.0.5?profile=", "option profile '' is not a readiness profile"),
])
def test_a_bad_host_profile_is_an_error_naming_the_host(text, said):
    with pytest.raises(HostSpecError) as error:
        parse_host(text, origin="--hosts entry 1")
    assert said in str(error.value)


def test_check_profile_names_where_it_was_given():
    assert [profiles.check_profile(p, "x") for p in profiles.CHOICES] == list(profiles.CHOICES)
    with pytest.raises(ValueError, match=r"^--readiness-profile: unknown profile 'AUTO' \(use one of: "):
        profiles.check_profile("AUTO", "--readiness-profile")


# --- auto: the decision from facts ---------------------------------------------------------------

def _azure_vm(doc: HostDoc, *services: str) -> HostDoc:
    for name in services:
        doc.service(name)
    return doc


@pytest.mark.parametrize("doc, profile, reason", [
    (HostDoc().imds_compute({"vmId": VM_ID, "azEnvironment": "AzurePublicCloud"}).arc_agent(installed=False)
     .service("WindowsAzureGuestAgent").service("RdAgent").service("himds", exists=False),
     "azure-vm", (f"IMDS answers with compute metadata (vmId {VM_ID}), the WindowsAzureGuestAgent service exists "
                 f"and the RdAgent service exists: an Azure VM")),
    # The guest agent alone (IMDS blocked on the host, e.g. by a proxy that catches it) is an Azure VM too.
    (HostDoc().imds_compute(None).arc_agent(installed=False).service("RdAgent"),
     "azure-vm", "the RdAgent service exists: an Azure VM"),
    (HostDoc().imds_compute(None).arc_agent().service("himds").service("WindowsAzureGuestAgent", exists=False),
     "arc", "the Connected Machine agent is installed and the himds service exists: an Arc-enabled server"),
    # An agent that is not installed, but its service is registered: the service says Arc.
    (HostDoc().imds_compute(None).arc_agent(installed=False).service("himds", status="Stopped"),
     "arc", "the himds service exists: an Arc-enabled server"),
    # Both, on a machine that IMDS answers for: an Azure VM (the Arc agent is for testing there).
    (HostDoc().imds_compute({"vmId": VM_ID}).arc_agent().service("WindowsAzureGuestAgent"),
     "azure-vm", (f"IMDS answers with compute metadata (vmId {VM_ID}) and the WindowsAzureGuestAgent service exists; "
                 f"the Connected Machine agent is installed: an Azure VM (Microsoft supports the Connected Machine "
                 f"agent on an Azure VM only for testing; Update Manager manages the VM through its guest agent)")),
    # Both, IMDS silent: a guest agent left from an Azure image, and Arc decides.
    (HostDoc().imds_compute(None).arc_agent().service("WindowsAzureGuestAgent"),
     "arc", ("the Connected Machine agent is installed; the WindowsAzureGuestAgent service exists but IMDS gives no "
            "compute metadata: not an Azure VM (a guest agent left from an Azure image), an Arc-enabled server")),
    (HostDoc().imds_compute(None).arc_agent(installed=False).service("WindowsAzureGuestAgent", exists=False)
     .service("RdAgent", exists=False).service("himds", exists=False),
     "update-management", ("neither the Azure VM guest agent nor IMDS compute metadata nor the Connected Machine "
                          "agent was found: the Update Management rules")),
])
def test_auto_decides_from_the_facts(doc, profile, reason):
    assert profiles.detect(doc.facts()) == profiles.Detection(profile, reason)


def test_auto_says_what_the_probe_did_not_gather():
    """A probe that gathered none of the agents' facts (an older probe, a capture of the Update
    Management profile): the default profile, and the reason names what was not read."""
    found = profiles.detect(HostDoc().unavailable("network", "imds").facts())
    assert found.profile == "update-management"
    assert found.reason.endswith("(not gathered: IMDS, the Connected Machine agent, the WindowsAzureGuestAgent "
                                 "service, the RdAgent service, the himds service)")


def test_an_auto_host_that_cannot_be_checked_reports_the_default_profile():
    from readiness.outcomes import Settings
    from readiness.plugin import Run
    from readiness.probe_pool import ProbePool, ProbeSettings

    spec = parse_host("winrm://admin@127.0.0.5?profile=auto")
    run = Run([spec], Settings(), ProbeSettings(), ProbePool(ProbeSettings(), 1), plan_concurrency(1, 1), False, lambda i: True,
              host_profiles={spec.display: "auto"})
    try:
        failed = run.profile_of(HostProbe(spec, "windows", failure=HostFailure("HostUnreachable", "refused")))
        assert failed == profiles.Detection(
            "update-management", "winrm://admin@127.0.0.5:5986 could not be checked: the profile could not be "
                                 "detected, the update-management rules report it")
    finally:
        run.pool.shutdown()


def test_the_probe_input_of_each_profile():
    """update-management's input is the base input, unchanged; every profile has one; auto's holds
    all of the base input's (a host auto finds to be of the old agent is judged by those rules)."""
    import dataclasses

    base = probe_input(Endpoints.for_location(None))
    assert profiles.input_for_profile(base, "update-management") == base
    for name in profiles.CHOICES:
        assert profiles.input_for_profile(base, name, "AzureUSGovernment").timeout_ms == base.timeout_ms
    auto = profiles.input_for_profile(base, "auto")
    for field in dataclasses.fields(base):
        ours, theirs = getattr(base, field.name), getattr(auto, field.name)
        if field.name == "registry":
            # auto reads every key the base reads, with at least its value names (and may list subkeys).
            reads = {r.key: r for r in theirs}
            assert all(r.key in reads and set(r.names) <= set(reads[r.key].names) for r in ours)
        elif isinstance(ours, tuple):
            assert set(ours) <= set(theirs), field.name
        elif isinstance(ours, bool):
            assert theirs or not ours, field.name  # auto gathers more facts, never fewer
        elif field.name == "imds":
            # auto asks IMDS for its compute object (a newer api-version, which has azEnvironment):
            # the same service at the same address, so IMDSConnectivity reads the same reachability.
            assert theirs.startswith("http://169.254.169.254/metadata/instance") and ours.startswith(
                "http://169.254.169.254/metadata/instance"), (ours, theirs)
        else:
            assert theirs == ours, field.name


def test_each_host_is_probed_with_its_profiles_input():
    from readiness.outcomes import Settings
    from readiness.plugin import Run
    from readiness.probe_pool import ProbePool, ProbeSettings

    base = ProbeSettings(probe_input=probe_input(Endpoints.for_location(None)))
    specs = [parse_host(f"winrm://admin@127.0.0.{n}") for n in (5, 6)]
    run = Run(specs, Settings(cloud="AzureChinaCloud"), base, ProbePool(base, 1), plan_concurrency(2, 1), False, lambda i: True,
              host_profiles={specs[0].display: "arc"})
    try:
        arc, default = (run.probe_settings_for(spec) for spec in specs)
        assert (arc.profile, default.profile) == ("arc", "update-management")
        assert arc.probe_input == profiles.input_for_profile(base.probe_input, "arc", "AzureChinaCloud")
        assert default.probe_input == base.probe_input
        assert run.probe_settings_for(specs[0]) is arc  # made once per profile
    finally:
        run.pool.shutdown()


# --- a rules project of the test's own ----------------------------------------------------------

OLD_RULES = '''
"""Stand-in Update Management rules (no PROFILE: the default profile)."""


def test_TlsVersionCheck(facts, rule):
    if facts.os_version >= (6, 2, 9200):
        rule.passed("TLS 1.2 is enabled by default on the Operating System.", reason="EnabledByDefault")
    rule.failed("Your OS does not support TLS 1.2", reason="NoDefaultSupport")


def test_OperatingSystemCheck(facts, rule):
    if facts.os_version >= (6, 1, 7600):
        rule.passed("Operating System version is supported")
    rule.failed("Operating System version is not supported")
'''

AZURE_VM_RULES = '''
"""Stand-in azure-vm rules, written out of the profile's order on purpose."""

import pytest

PROFILE = "azure-vm"
NDP = "HKLM\\\\SOFTWARE\\\\Microsoft\\\\NET Framework Setup\\\\NDP\\\\v4\\\\Full"
WU_POLICY = "HKLM\\\\SOFTWARE\\\\Policies\\\\Microsoft\\\\Windows\\\\WindowsUpdate"


def test_MUEnableCheck(facts, rule):
    rule.informed("Microsoft Update registration is known to Azure only.")


def test_WUEndpointConnectivityCheck(facts, rule):
    if facts.registry_value(WU_POLICY, "WUServer") is None:
        pytest.skip("not applicable: a stand-in that prints nothing here")
    rule.passed("All endpoints are reachable.")


def test_WSUSServerConfiguredCheck(facts, rule):
    server = facts.registry_value(WU_POLICY, "WUServer")
    if server is not None:
        rule.warned(f"Windows Updates are downloading from a configured WSUS Server {server}.", [server])
    rule.passed("Windows Updates are downloading from the default Windows Update location.", None)


def test_DotNetFrameworkInstalledCheck(facts, rule):
    if (facts.registry_number(NDP, "Release") or 0) >= 378389:
        rule.passed(".NET Framework version 4.0+ is found")
    rule.failed(".NET Framework version 4.0 or higher is required")
'''

ARC_RULES = '''
"""Stand-in arc rules."""

PROFILE = "arc"


def test_HimdsServiceCheck(facts, rule):
    try:
        running = facts.service("himds").running
    except KeyError:  # not gathered by this probe: the stand-in counts it as absent
        running = False
    if running:
        rule.passed("himds is running.")
    rule.failed("himds is not running.")


def test_OSSupportedCheck(facts, rule):
    if facts.os_version >= (6, 3, 9600):
        rule.passed("Operating System version is supported.")
    rule.failed("Operating System version is not supported.")


def test_TlsVersionCheck(facts, rule):
    rule.warned("A stand-in warning of the arc profile's TlsVersionCheck.")
'''


def rules_project(root: Path) -> Path:
    """A project whose rules directory holds one module per profile (and the project's pytest.ini)."""
    (root / "pytest.ini").write_text((ROOT / "pytest.ini").read_text(encoding="utf-8"), encoding="utf-8")
    rules = root / "rules"
    rules.mkdir()
    for name, text in (("test_old", OLD_RULES), ("test_azure_vm", AZURE_VM_RULES), ("test_arc", ARC_RULES)):
        (rules / f"{name}.py").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return rules


def run_rules(pytester, *args: str, timeout: float = 240):
    rules = rules_project(pytester.path) if not (pytester.path / "rules").exists() else pytester.path / "rules"
    return pytester.runpytest_subprocess(str(rules), "-c", "pytest.ini", f"--rootdir={pytester.path}",
                                         "-p", "no:cacheprovider", *args, timeout=timeout)


def collected(result) -> list[tuple[str, str]]:
    """(module, test id with its host) of every collected test, in run order."""
    lines = [line for line in result.stdout.lines if "::test_" in line]
    return [(line.split("::")[0].rsplit("/", 1)[-1], line.split("::")[1]) for line in lines]


def test_collection_parametrizes_each_profile_over_its_hosts(pytester):
    hosts = ["winrm://admin:pw@127.0.0.5?no_ssl=true",
             "winrm://admin:pw@127.0.0.6?no_ssl=true&profile=azure-vm",
             "winrm://admin:pw@127.0.0.7?no_ssl=true&profile=auto"]
    result = run_rules(pytester, "--collect-only", "-q", "--readiness-profile", "arc", f"--hosts={','.join(hosts)}")
    assert result.ret == 0, result.stdout.str()[-3000:]
    found = collected(result)
    first, second, third = (f"winrm://admin@127.0.0.{n}:5985" for n in (5, 6, 7))
    # Host by host; per host the rules of its profile in the profile's order; an auto host gets
    # every profile's rules (update-management, azure-vm, arc), run time keeps one profile's.
    assert found == [
        ("test_arc.py", f"test_OSSupportedCheck[{first}]"),
        ("test_arc.py", f"test_TlsVersionCheck[{first}]"),
        ("test_arc.py", f"test_HimdsServiceCheck[{first}]"),
        ("test_azure_vm.py", f"test_DotNetFrameworkInstalledCheck[{second}]"),
        ("test_azure_vm.py", f"test_WSUSServerConfiguredCheck[{second}]"),
        ("test_azure_vm.py", f"test_WUEndpointConnectivityCheck[{second}]"),
        ("test_azure_vm.py", f"test_MUEnableCheck[{second}]"),
        ("test_old.py", f"test_OperatingSystemCheck[{third}]"),
        ("test_old.py", f"test_TlsVersionCheck[{third}]"),
        ("test_azure_vm.py", f"test_DotNetFrameworkInstalledCheck[{third}]"),
        ("test_azure_vm.py", f"test_WSUSServerConfiguredCheck[{third}]"),
        ("test_azure_vm.py", f"test_WUEndpointConnectivityCheck[{third}]"),
        ("test_azure_vm.py", f"test_MUEnableCheck[{third}]"),
        ("test_arc.py", f"test_OSSupportedCheck[{third}]"),
        ("test_arc.py", f"test_TlsVersionCheck[{third}]"),
        ("test_arc.py", f"test_HimdsServiceCheck[{third}]"),
    ]


@pytest.mark.parametrize("args, said", [
    (["--readiness-profile", "azure"], ("ERROR: --readiness-profile: unknown profile 'azure' (use one of: "
                                       "update-management, azure-vm, arc, auto)")),
    (["--hosts=winrm://admin:pw@127.0.0.5?no_ssl=true&profile=arc-server"],
     "ERROR: host 'winrm://admin@127.0.0.5' (--hosts entry 1): option profile 'arc-server' is not a readiness profile"),
    (["--azure-cloud", "AzureGermanCloud", "--hosts=winrm://admin:pw@127.0.0.5?no_ssl=true"],
     "argument --azure-cloud: invalid choice: 'AzureGermanCloud'"),
])
def test_bad_profiles_and_clouds_are_usage_errors(pytester, args, said):
    result = run_rules(pytester, "--collect-only", "-q", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert said in result.stderr.str(), result.stderr.str()[-2000:]
    assert "Traceback" not in result.stderr.str()


def test_a_shard_without_hosts_checks_nothing_and_succeeds(pytester):
    """More shards than hosts: a shard with no host deselects every rule and exits 0."""
    from readiness.hosts import select_shard

    host = "winrm://admin:pw@127.0.0.5?no_ssl=true&profile=arc"
    empty = next(f"{k}/2" for k in (1, 2) if not select_shard([parse_host(host)], f"{k}/2"))
    result = run_rules(pytester, f"--hosts={host}", "--shard", empty)
    assert result.ret == 0, result.stdout.str()[-2000:]
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*9 deselected*"])  # every rule of the three stand-in modules


def test_a_module_with_an_unknown_profile_is_named(pytester):
    rules = rules_project(pytester.path)
    (rules / "test_typo.py").write_text('PROFILE = "azure_vm"\n\n\ndef test_MUEnableCheck(facts, rule):\n'
                                        '    rule.passed("x")\n', encoding="utf-8")
    result = run_rules(pytester, "--collect-only", "-q", "--hosts=winrm://admin:pw@127.0.0.5?no_ssl=true")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # a collection error
    out = result.stdout.str()
    assert "test_typo.py: PROFILE 'azure_vm' is not a rule profile (one of: update-management, azure-vm, arc)" in out
    assert "Traceback" not in out and "plugin.py" not in out


def test_an_inventory_host_variable_names_the_profile(tmp_path):
    pytest.importorskip("ansible")
    from readiness.inventory import AnsibleInventory

    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[vms]\n127.0.0.5 ansible_connection=winrm ansible_user=admin readiness_profile=azure-vm\n"
                         "127.0.0.6 ansible_connection=winrm ansible_user=admin\n"
                         "127.0.0.7 ansible_connection=winrm ansible_user=admin readiness_profile=vm\n", encoding="utf-8")
    hosts = AnsibleInventory(str(inventory)).hosts
    assert hosts("127.0.0.5", "--hosts entry 1")[0].profile == "azure-vm"
    assert hosts("127.0.0.6", "--hosts entry 1")[0].profile is None
    with pytest.raises(HostSpecError, match=r"inventory host '127\.0\.0\.7'.*option profile 'vm' is not a readiness"):
        hosts("127.0.0.7", "--hosts entry 1")


# --- end to end: a mixed fleet of emulated hosts, and captured machines -------------------------

def _capture(path: Path, doc: HostDoc, profile: str) -> Path:
    base = probe_input(Endpoints.for_location(None))
    # A profile that does not exist (a capture edited by hand) is gathered as the default's.
    made_for = profile if profile in profiles.CHOICES else profiles.DEFAULT
    capture = capture_document(doc.doc, "VM01", profiles.input_for_profile(base, made_for), None)
    capture["profile"] = profile
    path.write_text(json.dumps(capture), encoding="utf-8")
    return path


def test_a_mixed_fleet_end_to_end(pytester):
    """Four emulated hosts, one per way of choosing a profile, checked with two workers; every report."""
    # The auto host is on premises (IMDS unreachable, no Azure agent): seed-sample. The healthy
    # scenario's IMDS answers, which is an Azure VM's evidence.
    with fleet([scenario("healthy").renamed(f"healthy-{i}") for i in (1, 2, 3)] + ["seed-sample"]) as served:
        default, vm, arc, auto = served.hosts
        hosts = write_hosts(pytester.path / "fleet.txt", [
            host_url(default), host_url(vm) + "&profile=azure-vm", host_url(arc) + "&profile=arc",
            host_url(auto) + "&profile=auto"])
        # The arc host's HimdsServiceCheck is waived by a waiver of the arc profile; a waiver of the
        # azure-vm profile for the same host stays unused (TlsVersionCheck is a rule of both).
        waivers = pytester.path / "waivers.yaml"
        waivers.write_text(textwrap.dedent(f"""
            waivers:
              - hosts: ["{arc.address}"]
                rule: HimdsServiceCheck
                profile: arc
                justification: the agent is reinstalled next week
                expires: 2099-01-01
              - hosts: ["{arc.address}"]
                rule: TlsVersionCheck.Failed
                profile: azure-vm
                justification: not this host's profile
                expires: 2099-01-01
        """), encoding="utf-8")
        result = run_rules(pytester, "-n", "2", f"--hosts-file={hosts}", f"--readiness-json={pytester.path / 'r.json'}",
                           f"--readiness-json-dir={pytester.path / 'per-host'}", f"--junitxml={pytester.path / 'j.xml'}",
                           f"--readiness-waivers={waivers}", "--azure-cloud", "AzureCloud", "-rs")
    out = result.stdout.str()
    assert result.ret == 0, out[-3000:]  # the arc host's himds is not running, and waived
    report = json.loads((pytester.path / "r.json").read_text(encoding="utf-8"))
    assert report["azure_cloud"] == "AzureCloud"
    assert "readiness: profiles: 1 update-management, 1 azure-vm, 1 arc, 1 auto; Azure cloud AzureCloud" in out
    by_host = {h["host"]: h for h in report["hosts"]}
    assert list(by_host) == [display(h) for h in served.hosts]

    def rows(host) -> list[tuple[str, str, str]]:
        return [(r["RuleId"], r["CheckResult"], r["CheckResultMessageId"]) for r in by_host[display(host)]["results"]]

    assert by_host[display(default)]["profile"] == "update-management"
    assert rows(default) == [("OperatingSystemCheck", "Passed", "OperatingSystemCheck.Passed"),
                             ("TlsVersionCheck", "Passed", "TlsVersionCheck.Passed.EnabledByDefault")]
    # azure-vm: the profile's order, WUEndpointConnectivityCheck left out (the script prints nothing),
    # Information kept as such, WSUSServerConfiguredCheck's arguments null as the script prints them.
    vm_host = by_host[display(vm)]
    assert vm_host["profile"] == "azure-vm" and "profile_reason" not in vm_host
    assert rows(vm) == [("DotNetFrameworkInstalledCheck", "Passed", "DotNetFrameworkInstalledCheck.Passed"),
                        ("WSUSServerConfiguredCheck", "Passed", "WSUSServerConfiguredCheck.Passed"),
                        ("MUEnableCheck", "Information", "MUEnableCheck.Information")]
    assert vm_host["results"][1]["CheckResultMessageArguments"] is None
    assert vm_host["results"][0]["RuleGroupName"] == "Prerequisites Checks"
    assert vm_host["not_applicable"] == []
    assert rows(arc) == [("OSSupportedCheck", "Passed", "OSSupportedCheck.Passed"),
                         ("TlsVersionCheck", "PassedWithWarning", "TlsVersionCheck.PassedWithWarning"),
                         ("HimdsServiceCheck", "Failed", "HimdsServiceCheck.Failed")]
    assert by_host[display(arc)]["results"][2]["Waiver"]["profile"] == "arc"
    assert report["summary"]["waived"] == 1
    assert [w["rule"] for w in report["waivers"]["unused"]] == ["TlsVersionCheck.Failed"]
    # auto: the on-premises host has no Azure agent and no IMDS: the Update Management rules, and why.
    auto_host = by_host[display(auto)]
    assert auto_host["profile"] == "update-management"
    assert auto_host["profile_reason"].startswith("neither the Azure VM guest agent nor IMDS compute metadata nor "
                                                  "the Connected Machine agent was found")
    assert rows(auto) == rows(default)
    assert report["summary"]["Information"] == 1 and report["summary"]["not_applicable"] == 0
    assert report["summary"]["hosts_not_ready"] == [display(arc)]
    # The per-host files are the troubleshooter's arrays, nothing of the suite's wrapper.
    files = write_host_files(pytester.path / "again", [HostReport(display(vm))])
    assert json.loads(files[0].read_text(encoding="utf-8")) == []
    per_host = sorted((pytester.path / "per-host").iterdir())
    arrays = [json.loads(p.read_text(encoding="utf-8")) for p in per_host]
    assert sorted(len(a) for a in arrays) == [2, 2, 3, 3]
    assert all(isinstance(a, list) and all("profile" not in r for r in a) for a in arrays)
    # pytest: Information passes, the not-applicable rule and the other profiles' rules are skips.
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == 2 + 3 + 1 + 2 and outcomes["xfailed"] == 2 and "failed" not in outcomes
    assert outcomes["skipped"] == 1 + 4 + 3  # WUEndpointConnectivityCheck; the auto host's azure-vm and arc rules
    assert f"other profile: {display(auto)} is checked with the update-management rules (neither" in out
    # JUnit: every rule test carries its profile; the auto host's its reason too.
    cases = ET.parse(pytester.path / "j.xml").getroot().iter("testcase")
    props = [{p.get("name"): p.get("value") for p in case.iter("property")} for case in cases]
    props = [p for p in props if "RuleId" in p]
    assert {(p["host"], p["profile"]) for p in props} == {
        (display(default), "update-management"), (display(vm), "azure-vm"), (display(arc), "arc"),
        (display(auto), "update-management")}
    assert all(("profile_reason" in p) == (p["host"] == display(auto)) for p in props)
    # The terminal summary names the profile of each host that is not of the default one.
    assert f"{display(vm)}  profile azure-vm" in out
    assert f"{display(auto)}  profile update-management (auto: neither the Azure VM guest agent" in out
    assert f"{display(vm)}  Passed  3 rules: 2 Passed, 1 Information" in out
    # The HTML report (pytest.ini's default path under the root): a fleet summary per profile the
    # hosts have, each with its own ids; the matrix of the hosts needing attention has a column per
    # rule of their profile (here only the arc host: its waived himds and its TLS warning).
    page = (pytester.path / "reports" / "readiness.html").read_text(encoding="utf-8")
    for profile, section in (("update-management", "readiness-fleet"), ("azure-vm", "readiness-fleet-azure-vm"),
                             ("arc", "readiness-fleet-arc")):
        assert f'id="{section}" data-profile="{profile}"' in page
        assert f"Fleet readiness: profile {profile}" in page
    for rule_id in ("OSSupportedCheck", "HimdsServiceCheck"):
        assert f'title="{rule_id}"' in page
    assert 'title="OperatingSystemCheck"' not in page  # no host of update-management needs attention
    assert 'data-rule-id="HimdsServiceCheck" data-check-result="Failed"' in page
    assert 'id="rule-arc-TlsVersionCheck"' in page and 'href="#rule-arc-TlsVersionCheck"' in page
    # Information is a pass: not listed among the results; auto's other profiles' rules not at all.
    assert "MUEnableCheck" not in page.split('id="readiness-fleet-azure-vm"')[1].split('id="readiness-fleet-arc"')[0]
    assert "other profile:" not in page


def test_auto_over_captured_machines(pytester, tmp_path):
    """An Azure VM, an Arc-enabled server and an old-agent machine, captured, judged with auto."""
    vm = HostDoc().imds_compute({"vmId": VM_ID}).arc_agent(installed=False).service("WindowsAzureGuestAgent") \
        .service("RdAgent")
    arc = HostDoc().imds_compute(None).arc_agent().service("himds")
    old = HostDoc().imds_compute(None).arc_agent(installed=False).service("WindowsAzureGuestAgent", exists=False) \
        .service("RdAgent", exists=False).service("himds", exists=False)
    files = [_capture(tmp_path / f"{name}.json", doc, "auto") for name, doc in (("vm", vm), ("arc", arc), ("old", old))]
    result = run_rules(pytester, "--readiness-profile", "auto", "--max-capture-age", "100000",
                       f"--hosts={','.join(f'capture://{f}' for f in files)}", "--readiness-format", "list",
                       f"--readiness-json={pytester.path / 'r.json'}", "--readiness-lang", "ja")
    out = result.stdout.str()
    assert result.ret == 0, out[-3000:]
    report = json.loads((pytester.path / "r.json").read_text(encoding="utf-8"))
    got = [(h["profile"], [r["RuleId"] for r in h["results"]]) for h in report["hosts"]]
    assert got == [("azure-vm", ["DotNetFrameworkInstalledCheck", "WSUSServerConfiguredCheck", "MUEnableCheck"]),
                   ("arc", ["OSSupportedCheck", "TlsVersionCheck", "HimdsServiceCheck"]),
                   ("update-management", ["OperatingSystemCheck", "TlsVersionCheck"])]
    assert report["hosts"][0]["profile_reason"].startswith("IMDS answers with compute metadata")
    assert report["hosts"][1]["profile_reason"].startswith("the Connected Machine agent is installed and the himds")
    # The list format: the troubleshooter's Name : Value list under each host, with its profile.
    assert f"準備状況: capture://{files[0]} (プロファイル azure-vm)" in out
    assert f"capture://{files[1]}  プロファイル arc (自動判定: the Connected Machine agent is installed" in out
    assert "CheckResult : Information" in out


def test_a_capture_keeps_the_profile_it_was_made_for(pytester, tmp_path):
    arc = _capture(tmp_path / "arc.json", HostDoc().arc_agent().service("himds"), "arc")
    old = tmp_path / "old.json"
    document = json.loads(_capture(old, HostDoc(), "update-management").read_text(encoding="utf-8"))
    del document["profile"]  # made before profiles existed: an Update Management capture
    old.write_text(json.dumps(document), encoding="utf-8")
    result = run_rules(pytester, "--max-capture-age", "100000", f"--hosts=capture://{arc},capture://{old}",
                       f"--readiness-json={pytester.path / 'r.json'}")
    assert result.ret == 0, result.stdout.str()[-3000:]
    report = json.loads((pytester.path / "r.json").read_text(encoding="utf-8"))
    assert [h["profile"] for h in report["hosts"]] == ["arc", "update-management"]
    bad = _capture(tmp_path / "bad.json", HostDoc(), "azure")
    result = run_rules(pytester, "--collect-only", f"--hosts=capture://{bad}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"capture '{bad}': profile 'azure' is not a readiness profile" in result.stderr.str()


def test_an_exported_probe_names_its_profile(pytester, tmp_path):
    """``python -m readiness.probe export --readiness-profile arc``: the probe gathers the arc
    profile's facts, the capture says arc, and the run judges it with the arc rules."""
    from readiness.capture import export_script, parse_export, read_capture_file
    from readiness.probe.__main__ import main as export_main
    from tests.capturing import run_export

    for name in profiles.CHOICES:
        export = parse_export(export_script(None, profile=name))
        assert export.profile == name
        assert export.probe_input == profiles.input_for_profile(probe_input(Endpoints.for_location(None)), name)
    assert parse_export(export_script(None)).profile == "update-management"
    script = tmp_path / "probe.ps1"
    assert export_main(["export", "--readiness-profile", "arc", "--azure-cloud", "AzureChinaCloud",
                        "--out", str(script)]) == 0
    assert "$CaptureProfile = 'arc'" in script.read_text(encoding="ascii")
    with pytest.raises(SystemExit) as refused:
        export_main(["export", "--readiness-profile", "azure"])
    assert refused.value.code == 2
    with fleet(["healthy"]) as served:
        code, out, err = run_export(served, served.hosts[0], script.read_text(encoding="ascii"))
    assert code == 0, err
    captured = tmp_path / "arc.json"
    captured.write_bytes(out)
    assert read_capture_file(captured).document["profile"] == "arc"
    result = run_rules(pytester, f"--hosts=capture://{captured}", f"--readiness-json={pytester.path / 'r.json'}")
    report = json.loads((pytester.path / "r.json").read_text(encoding="utf-8"))
    (host,) = report["hosts"]
    assert host["profile"] == "arc", result.stdout.str()[-2000:]
    assert [r["RuleId"] for r in host["results"]] == ["OSSupportedCheck", "TlsVersionCheck", "HimdsServiceCheck"]


# --- reports of each profile ------------------------------------------------------------------

def _result(profile: str, rule_id: str, check: str, args: list[str] | None) -> Result:
    info = catalog.rule(rule_id, profile)
    return Result(rule_id, info.group_id, info.name, info.group_name, info.description, check, "m",
                  f"{rule_id}.{check}", args)


def test_reports_order_each_host_by_its_profile_and_read_back_null_arguments(tmp_path):
    vm = HostReport("vm-01", "windows", [_result("azure-vm", "MUEnableCheck", INFORMATION, []),
                                         _result("azure-vm", "AlwaysAutoRebootCheck", PASSED, None),
                                         _result("azure-vm", "DotNetFrameworkInstalledCheck", PASSED, [])],
                    profile="azure-vm", profile_reason="the RdAgent service exists: an Azure VM")
    from readiness.reports.gathering import ResultCollector

    collector = ResultCollector(["vm-01"], {"vm-01": "auto"})
    from readiness.results import HostResult

    class Report:
        nodeid = ""

    for i, result in enumerate(vm.results):
        report = Report()
        report.nodeid = f"t{i}"
        report.readiness_result = HostResult(result.RuleId, "vm-01", "windows", result, None, "azure-vm",  # type: ignore[attr-defined]
                                             vm.profile_reason)
        collector.pytest_runtest_logreport(report)  # type: ignore[arg-type]
    (entry,) = collector.hosts()
    assert [r.RuleId for r in entry.results] == ["DotNetFrameworkInstalledCheck", "AlwaysAutoRebootCheck",
                                                 "MUEnableCheck"]
    assert (entry.profile, entry.profile_reason) == ("azure-vm", vm.profile_reason)
    built = build_report([entry], None)
    host = built["hosts"][0]
    assert list(host) == ["host", "platform", "profile", "results", "not_applicable", "routes", "profile_reason"]
    assert [r["CheckResultMessageArguments"] for r in host["results"]] == [[], None, []]
    assert built["summary"]["Information"] == 1 and built["summary"]["Passed"] == 2
    # Read back (shard merge): null and [] both, and a report of before profiles is update-management.
    (tmp_path / "a.json").write_text(json.dumps(built), encoding="utf-8")
    older = build_report([HostReport("db-01", "windows", [_result("update-management", "AlwaysAutoRebootCheck",
                                                                  PASSED, None)])], None)
    del older["hosts"][0]["profile"]
    (tmp_path / "b.json").write_text(json.dumps(older), encoding="utf-8")
    merged = merge_reports([tmp_path / "a.json", tmp_path / "b.json"])
    assert [h["profile"] for h in merged["hosts"]] == ["azure-vm", "update-management"]
    assert merged["summary"]["Information"] == 1 and merged["summary"]["Passed"] == 3
    assert load_report(tmp_path / "a.json")["hosts"][0]["results"][1]["CheckResultMessageArguments"] is None
    older["hosts"][0]["results"][0]["CheckResultMessageArguments"] = "x"
    (tmp_path / "c.json").write_text(json.dumps(older), encoding="utf-8")
    with pytest.raises(Exception, match=r"c\.json: host 'db-01', AlwaysAutoRebootCheck: CheckResultMessageArguments "
                                        r"must be a list or null"):
        load_report(tmp_path / "c.json")


def test_the_cloud_in_the_report_and_a_merge_of_two_clouds(tmp_path):
    entry = HostReport("vm-01", "windows", [_result("azure-vm", "MUEnableCheck", PASSED, [])], profile="azure-vm")
    gov = build_report([entry], None, cloud="AzureUSGovernment")
    assert gov["azure_cloud"] == "AzureUSGovernment"
    assert "azure_cloud" not in build_report([entry], None)  # a run without --azure-cloud: as before
    (tmp_path / "gov.json").write_text(json.dumps(gov), encoding="utf-8")
    other = build_report([HostReport("vm-02", "windows", [], profile="azure-vm")], None)
    (tmp_path / "public.json").write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(Exception, match=r"reports of different Azure clouds \(--azure-cloud\): AzureUSGovernment "
                                        r"\(.*gov\.json\) and AzureCloud \(default\) \(.*public\.json\)"):
        merge_reports([tmp_path / "gov.json", tmp_path / "public.json"])
    assert merge_reports([tmp_path / "gov.json"])["azure_cloud"] == "AzureUSGovernment"


def test_the_terminal_lines_of_a_profile():
    entry = HostReport("vm-01", "windows", [_result("azure-vm", "MUEnableCheck", INFORMATION, [])], profile="azure-vm")
    assert profile_line(entry) == "vm-01  profile azure-vm"
    assert list_heading(entry) == "readiness: vm-01 (profile azure-vm)"
    assert total_line(entry) == "vm-01  Passed  1 rules: 1 Information"
    assert profile_line(entry, "ja") == "vm-01  プロファイル azure-vm"
    plain = HostReport("db-01", "windows", [_result("update-management", "OperatingSystemCheck", PASSED, [])])
    assert profile_line(plain) is None and list_heading(plain) == "readiness: db-01"
