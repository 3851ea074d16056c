"""The reports' languages: every rule and every message id in English and Japanese, the English
text today's, the Japanese text Japanese, and the remediation command line in both."""

from __future__ import annotations

import ast
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from readiness import capture, lang, plugin, probe_pool, remediation
from readiness.catalog import PROFILE_RULES, PROFILES, RULES
from readiness.lang import messages_aum
from readiness.lang.messages import MESSAGES, REASON_EXPLANATIONS, VARIANTS
from readiness.lang.remediation_aum_ja import REMEDIATIONS as AUM_JA_REMEDIATIONS
from readiness.lang.remediation_ja import REMEDIATIONS as JA_REMEDIATIONS
from readiness.lang.ui import UI
from readiness.results import CHECK_RESULTS
from tests.test_rules_doc import rows, sections

ROOT = Path(__file__).resolve().parents[1]

# --- What counts as Japanese -------------------------------------------------------------------

JAPANESE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff]")

# Names that stay as they are in Japanese technical text, removed whole before looking for words.
PRODUCT_PHRASES = (
    "Azure Update Manager", "Update Manager", "Azure Connected Machine", "Connected Machine", "Azure Arc",
    "Microsoft Update", "Hybrid Instance Metadata Service", "Azure Resource Manager", "Entra ID", "Windows Patch",
    "SQL Server", "Windows Server 2012 R2", "Windows Server 2012", "Windows Server 2008",
    "Azure Instance Metadata Service", "Job Runtime Data Service", "Microsoft Monitoring Agent",
    "Windows Management Framework", "Windows PowerShell", "Hybrid Runbook Worker", "Health Service Modules",
    "Operations Manager", "Azure Log Analytics", "Log Analytics", "Azure Automation", "Update Management",
    "Windows Update", "Windows Server 2008 R2", "US Government", ".NET Framework", "WS-Management",
    "Crypto RSA MachineKeys", "Monitoring Agent", "403 Forbidden", ".NET",
)
# Single identifiers: products and protocols, accounts, services, registry values, PowerShell
# properties and values, region monikers.
IDENTIFIERS = {
    "Azure", "Windows", "PowerShell", "Microsoft", "Automation", "Runbook", "Worker", "Updates", "WSUS", "WMF",
    "TLS", "TCP", "HTTP", "HTTPS", "GET", "IMDS", "VM", "OS", "ID", "CA", "ODS", "OMS", "DWORD", "SChannel",
    "WinHTTP", "WinRM", "SYSTEM", "HealthService", "wuauserv", "MachineKeys", "WinHttpSettings", "Client",
    "Server", "Enabled", "DisabledByDefault", "Allow", "Deny", "Modify", "FullControl", "Disabled", "Running",
    "Status", "StartType", "StartMode", "Id", "True", "Major.Minor", "jpe", "we", "scus", "eus2",
    # ...and those of the azure-vm and arc profiles.
    "Arc", "RdAgent", "WindowsAzureGuestAgent", "himds", "WireServer", "Passed", "CheckResult", "AUOptions",
    "NoAutoUpdate", "UseWUServer", "WUServer", "IsRegisteredWithAU", "RegisteredWithAU", "StartPending",
    "Stopped", "Paused", "System", "Tls12", "KB4019276", "Office", "R2", "SP1", "SP2",
    "JSON", "HTML",  # the reports' formats
}
SPANS = (
    re.compile(r"`[^`]*`"),                                  # code
    re.compile(r"https?://\S+"),                             # URLs
    re.compile(r"HKLM:?\\\S+|HKCU:?\\\S+|C:\\\S+"),          # registry and file paths
    re.compile(r"\{\w+\}|<[^<>]*>"),                         # placeholders
    re.compile(r"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b"),           # cmdlets (Verb-Noun)
    re.compile(r"\bS-1-5-\d+\b"),                            # SIDs
    re.compile(r"\b\d+(?:\.[\dx]+)+\+?"),                    # versions
)
IDS = ({r for p in PROFILES for r in PROFILE_RULES[p]} | {i.split(".")[-1] for p in PROFILES for i in lang.message_ids(p)}
       | set(lang.HOST_REASONS))
# Every (profile, RuleId): a RuleId of several profiles is a rule of each, with its own texts.
PROFILE_RULE_IDS = [(p, r) for p in PROFILES for r in PROFILE_RULES[p]]
GROUP_NAMES = {i.group_name for p in PROFILES for i in PROFILE_RULES[p].values()}


def english_words(text: str) -> list[str]:
    """The Latin words of ``text`` that are not code, names, identifiers or ids."""
    text = "\n".join(line for line in text.split("\n") if not line.startswith("    "))  # code blocks
    for span in SPANS:
        text = span.sub(" ", text)
    for phrase in PRODUCT_PHRASES:
        text = text.replace(phrase, " ")
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]", text)
    return [w for w in words if w not in IDENTIFIERS and w not in IDS]


def verify_comments(script: str) -> list[str]:
    """The comments of a PowerShell snippet (a comment that is itself code, indented, left out)."""
    found = []
    for line in script.splitlines():
        if "#" not in line:
            continue
        comment = line.split("#", 1)[1]
        if not comment.startswith("   "):
            found.append(comment)
    return found


def assert_japanese(text: str, where: str) -> None:
    assert JAPANESE.search(text), f"{where}: no Japanese in {text!r}"
    assert not english_words(text), f"{where}: English words {english_words(text)} in {text!r}"


def test_the_checker_catches_english():
    assert english_words("Please restart the service") == ["Please", "restart", "the", "service"]
    assert english_words("`Restart-Service` を実行し、HealthService を Update Management で確認します") == []
    with pytest.raises(AssertionError):
        assert_japanese("The agent は動作しています", "example")
    with pytest.raises(AssertionError):
        assert_japanese("Enabled", "example")


# --- Languages and the UI catalog --------------------------------------------------------------

def test_languages():
    assert lang.LANGUAGES == ("en", "ja") and lang.DEFAULT_LANGUAGE == "en"
    assert lang.check_language(None) == "en"
    with pytest.raises(lang.UnknownLanguage, match=r"'de'.*en, ja"):
        lang.ui("matrix.heading", "de")
    with pytest.raises(KeyError, match=r"no\.such"):
        lang.ui("no.such", "ja")


@pytest.mark.parametrize("key", list(UI))
def test_every_ui_string_has_both_languages(key):
    assert set(UI[key]) == set(lang.LANGUAGES)
    en, ja = UI[key]["en"], UI[key]["ja"]
    assert sorted(re.findall(r"\{(\w+)\}", en)) == sorted(re.findall(r"\{(\w+)\}", ja)), key
    if JAPANESE.search(ja) or english_words(ja):
        assert_japanese(ja, key)
    else:  # no words at all: symbols, ids and placeholders the same in both
        assert ja == en or key == "terminal.separator", (key, ja)
        assert key in ("label.not run", "terminal.separator", "matrix.title", "matrix.title_state", "legend.entry",
                       "terminal.problem", "rule.WindowsManagementFrameworkInstalledCheck",
                       "rule.TlsVersionCheck"), (key, ja)


# Keys whose English is new with the languages (no writer shows it yet).
NEW_KEYS = {"report.language", "column.explanation", "remediation.message", "remediation.explanation",
            "terminal.explanation", "terminal.separator", "terminal.problem", "terminal.count",
            "terminal.total", "matrix.title", "matrix.title_state", "html.generated", "html.run_count",
            "html.tests", "html.test", "terminal.profile_auto", "fleet.profile_heading"}


def _sources() -> str:
    import pytest_html

    html_dir = Path(pytest_html.__file__).parent
    files = [ROOT / "readiness" / name for name in ("reports/html_report.py", "reports/terminal_report.py", "remediation.py")]
    files += [html_dir / "report_data.py", html_dir / "resources" / "index.jinja2"]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def _english_output(directory: Path) -> str:
    """What the report writers print in English (the default): the HTML page and the terminal
    output, in both terminal formats, of a real run of the stand-in report suite."""
    from tests.report_suite import CONFTEST, RULE_TESTS, fleet_plan

    (directory / "plan.json").write_text(json.dumps(fleet_plan()), encoding="utf-8")
    (directory / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (directory / "test_rules.py").write_text(RULE_TESTS, encoding="utf-8")
    out = []
    for fmt in ("summary", "list", "fleet"):
        page = directory / f"{fmt}.html"
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:readiness.plugin", "-p", "no:cacheprovider",
                               f"--rootdir={directory}", f"--html={page}", "--self-contained-html",
                               "--readiness-format", fmt, str(directory)],
                              cwd=directory, capture_output=True, timeout=240)
        assert done.returncode == 1, done.stdout[-3000:]
        out += [done.stdout.decode("utf-8"), html.unescape(page.read_text(encoding="utf-8"))]
    # The stand-in suite decides no network route: a result the rules' route came with.
    from readiness.reports.terminal_report import problem_lines
    from tests.report_suite import host_report

    routed = host_report("web-01", {"HttpsConnection": "Failed"})
    routed.routes["HttpsConnection"] = "proxy"
    out += [line for _, line in problem_lines(routed)]
    out += [html.unescape(_fleet_pages(directory))]
    return "\n".join(out)


def _fleet_pages(directory: Path) -> str:
    """The fleet summary of the states the stand-in suite's run does not show (a host with warnings
    only, one no rule applies to, one not reached, a waived result, a fleet without a problem), and a
    page rendered from a JSON report (``python -m readiness.report_html``)."""
    from readiness.reports.fleet import FleetView
    from readiness.reports.fleet_html import fleet_html
    from readiness.results import Result
    from tests.report_suite import host_report

    warned = host_report("app-03", {"ProxySettings": "PassedWithWarning", "TlsVersionCheck": "Failed"})
    linux = host_report("linux-01", {"ProxySettings": None})
    gone = host_report("gone-04", {})
    gone.results = [Result(r, "g", "n", "gn", "d", "Failed", "Could not check gone-04: refused",
                           f"{r}.Failed.HostUnreachable", []) for r in ("ProxySettings", "TlsVersionCheck")]
    fleet = [warned, linux, gone]
    pages = [fleet_html(FleetView.build(fleet, [("app-03", "TlsVersionCheck")]), fleet)]
    healthy = [host_report("web-01", {"ProxySettings": "Passed"})]
    pages.append(fleet_html(FleetView.build(healthy), healthy))
    report = directory / "fleet.json"
    from readiness.reports.json_report import build_report

    report.write_text(json.dumps(build_report(fleet, None)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "readiness.report_html", str(report), "-o",
                           str(directory / "fleet.html")], cwd=ROOT, capture_output=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    pages.append((directory / "fleet.html").read_text(encoding="utf-8"))
    from readiness.reports.terminal_report import fleet_lines

    pages += [line for _, line in fleet_lines(FleetView.build(fleet), limit=0)]  # "... and N more hosts"
    return "\n".join(pages)


@pytest.fixture(scope="module")
def english_text(tmp_path_factory) -> str:
    """The writers' sources and their English output: today's text is in one or the other."""
    return _sources() + "\n" + _english_output(tmp_path_factory.mktemp("english"))


@pytest.mark.parametrize("key", sorted(set(UI) - NEW_KEYS))
def test_english_ui_strings_are_todays_text(key, english_text):
    en = UI[key]["en"]
    if key.startswith("rule."):
        assert en == RULES[key.removeprefix("rule.")].name
        return
    if key.startswith("group."):
        assert en == key.removeprefix("group.") and en in GROUP_NAMES
        return
    for piece in re.split(r"\{\w+\}", en):
        chunk = piece.strip()
        if chunk:
            assert chunk in english_text, (key, chunk)


def test_the_writers_own_labels_are_in_the_catalog():
    from readiness.reports import html_report as report_html

    for column, header in report_html.COLUMNS:
        assert lang.ui(f"column.{column}") == header
    for state, label in report_html._LABELS.items():
        assert lang.ui(f"label.{state}") == label
        assert lang.check_result_name(state) == state
    for check in CHECK_RESULTS:
        assert lang.check_result_name(check, "en") == check
        assert_japanese(lang.check_result_name(check, "ja"), check)
    for info in (i for p in PROFILES for i in PROFILE_RULES[p].values()):
        assert lang.group_name(info.group_id, info.group_name, "en") == info.group_name
        assert_japanese(lang.group_name(info.group_id, info.group_name, "ja"), info.group_name)
    assert lang.check_result_name("SomethingNew", "ja") == "SomethingNew"


def test_pytest_html_filters_are_in_the_catalog():
    from pytest_html import report_data

    text = Path(report_data.__file__).read_text(encoding="utf-8")
    labels = dict(re.findall(r'"(\w+)": \{"label": "([^"]+)"', text))
    assert labels, "pytest-html's outcome labels not found"
    for outcome, label in labels.items():
        assert lang.ui(f"filter.{outcome}") == label


# --- Rules: remediation in both languages ------------------------------------------------------

@pytest.mark.parametrize("profile, rule_id", PROFILE_RULE_IDS)
def test_every_rule_has_both_languages(profile, rule_id):
    en, ja = remediation.for_rule(rule_id, "en", profile), remediation.for_rule(rule_id, "ja", profile)
    assert en is remediation.for_rule(rule_id, profile=profile)
    for name in ("what", "why", "fix"):
        assert_japanese(getattr(ja, name), f"{rule_id}.{name}")
    name = lang.rule_name(rule_id, "ja", profile)
    if english_words(name) or JAPANESE.search(name):
        assert_japanese(name, f"{rule_id} name")
    else:  # a name that is only identifiers (TLS 1.2, WMF 5.1) stays as it is
        assert name == PROFILE_RULES[profile][rule_id].name
    assert lang.rule_name(rule_id, "en", profile) == PROFILE_RULES[profile][rule_id].name


@pytest.mark.parametrize("profile, rule_id", PROFILE_RULE_IDS)
def test_japanese_verify_is_the_same_powershell(profile, rule_id):
    en = remediation.for_rule(rule_id, "en", profile).verify
    ja = remediation.for_rule(rule_id, "ja", profile).verify

    def code(script):
        return [line.split("  #")[0].rstrip() for line in script.splitlines() if not line.lstrip().startswith("#")]

    assert code(ja) == code(en)
    comments = verify_comments(ja)
    assert len(comments) == len(verify_comments(en))
    for comment in comments:
        assert_japanese(comment, f"{rule_id}.verify")
    # Code blocks and inline code of the fix are the English one's.
    assert re.findall(r"^    .*$", ja_fix := remediation.for_rule(rule_id, "ja", profile).fix, flags=re.MULTILINE) == \
        re.findall(r"^    .*$", remediation.for_rule(rule_id, "en", profile).fix, flags=re.MULTILINE), ja_fix


def test_japanese_catalog_covers_exactly_the_rules():
    assert set(JA_REMEDIATIONS) == set(RULES)
    for profile in ("azure-vm", "arc"):
        assert set(AUM_JA_REMEDIATIONS[profile]) == set(PROFILE_RULES[profile])
    assert set(AUM_JA_REMEDIATIONS) == set(PROFILES) - {"update-management"}
    with pytest.raises(KeyError, match="NoSuchCheck"):
        remediation.for_rule("NoSuchCheck", "ja")
    with pytest.raises(KeyError, match=r"OSSupportedCheck.*azure-vm"):
        remediation.for_rule("OSSupportedCheck", "ja", "azure-vm")
    with pytest.raises(lang.UnknownLanguage):
        remediation.for_rule("TlsVersionCheck", "xx")


def test_a_rule_id_of_several_profiles_has_each_profiles_texts():
    names = {p: lang.rule_name("TlsVersionCheck", "ja", p) for p in PROFILES}
    assert names["update-management"] == "TLS 1.2" and names["azure-vm"] == names["arc"] != "TLS 1.2"
    assert remediation.for_rule("TlsVersionCheck", "ja", "arc").what != remediation.for_rule("TlsVersionCheck", "ja").what
    proxy = {p: remediation.for_rule("ProxySettingsCheck", "ja", p).fix for p in ("azure-vm", "arc")}
    assert "azcmagent" in proxy["arc"] and "azcmagent" not in proxy["azure-vm"]
    with pytest.raises(KeyError, match="no-such-profile"):
        lang.rule_name("TlsVersionCheck", "ja", "no-such-profile")


def test_english_text_keeps_its_headings():
    text = remediation.for_rule("TlsVersionCheck").text("TlsVersionCheck", "en")
    assert text == remediation.for_rule("TlsVersionCheck").text("TlsVersionCheck")
    for head in ("# TlsVersionCheck (TLS 1.2)\n", "## What it checks\n", "## Why it matters\n", "## How to fix\n",
                 "## How to verify\n"):
        assert head in text


# --- Message ids: the troubleshooter's message and an explanation -------------------------------

def documented() -> list[tuple[str, str]]:
    """(message id, message) of every row of docs/rules.md's per-rule tables."""
    return [(i, m) for _, section in sections().values() for _, i, m in rows(section)]


def test_every_documented_message_id_is_in_the_catalog():
    for message_id, message in documented():
        known = [MESSAGES[message_id]["en"]] + [m for m, _ in VARIANTS.get(message_id, [])]
        assert message in known, (message_id, message)
    assert set(MESSAGES) == {i for i, _ in documented()}
    for message_id, variants in VARIANTS.items():
        assert message_id in MESSAGES
        for message, texts in variants:
            assert (message_id, message) in documented() and texts["en"] == message


def test_host_reasons_are_the_suites():
    tree = ast.parse(Path(probe_pool.__file__).read_text(encoding="utf-8"))
    used = {vars(probe_pool)[node.args[0].id] for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "HostFailure"
            and isinstance(node.args[0], ast.Name)}
    assert set(lang.HOST_REASONS) == used | {probe_pool.PROBE_ERROR, plugin.SUITE_ERROR, capture.CAPTURE_ERROR}
    assert set(REASON_EXPLANATIONS) == set(lang.HOST_REASONS)


def test_message_ids_are_every_id_of_every_rule():
    ids = lang.message_ids()
    assert len(ids) == len(set(ids))
    for rule_id in RULES:
        for reason in lang.HOST_REASONS:
            assert f"{rule_id}.Failed.{reason}" in ids
    assert {i for i, _ in documented()} <= set(ids)
    assert all(lang.known_message_id(i) for i in ids)
    assert not lang.known_message_id("NoSuchCheck.Failed.ProbeError")
    assert not lang.known_message_id("ProxySettings.Failed.NoSuchReason")


@pytest.mark.parametrize("profile, message_id", [(p, i) for p in PROFILES for i in lang.message_ids(p)])
def test_every_message_id_has_both_languages(profile, message_id):
    assert lang.explain(message_id, "en", profile=profile) is None  # the English message says it
    explanation = lang.explain(message_id, "ja", profile=profile)
    assert explanation, message_id
    assert_japanese(explanation, message_id)


def test_every_update_manager_message_id_is_documented_and_explained():
    from tests.test_update_manager_rules_doc import RULE_IDS
    from tests.test_update_manager_rules_doc import documented as documented_aum

    rows_ = {(i, m) for rule_id in RULE_IDS for _, i, m in documented_aum(rule_id)}
    for message_id, message in rows_:
        known = [messages_aum.MESSAGES[message_id]["en"]] + [m for m, _ in messages_aum.VARIANTS.get(message_id, [])]
        assert message in known, (message_id, message)
    assert set(messages_aum.MESSAGES) == {i for i, _ in rows_}
    assert set(messages_aum.RULE_NAMES) == set(RULE_IDS)
    for profile in ("azure-vm", "arc"):
        ids = lang.message_ids(profile)
        assert len(ids) == len(set(ids))
        assert {i for i in messages_aum.MESSAGES if i.split(".")[0] in PROFILE_RULES[profile]} <= set(ids)
        assert all(lang.known_message_id(i, profile) for i in ids)
    assert lang.known_message_id("WUServiceRunningCheck.Failed.ServiceNotFound", "arc")
    assert not lang.known_message_id("WUServiceRunningCheck.Failed.ServiceNotFound")
    assert not lang.known_message_id("OSSupportedCheck.Passed", "azure-vm")


def test_the_explanation_follows_the_profile():
    """The same id is another rule's in another profile; ProxySettingsCheck's two warnings differ."""
    assert lang.explain("TlsVersionCheck.Failed", "ja") != lang.explain("TlsVersionCheck.Failed", "ja", profile="arc")
    azure = lang.explain("ProxySettingsCheck.PassedWithWarning", "ja",
                         "Proxy is set. Ensure all required endpoints are reachable.", profile="azure-vm")
    arc = lang.explain("ProxySettingsCheck.PassedWithWarning", "ja", "Proxy is set.", profile="arc")
    assert azure and arc and azure != arc and "Connected Machine" in arc
    assert lang.explain("OSSupportedCheck.Failed.ProbeError", "ja", profile="arc") == REASON_EXPLANATIONS["ProbeError"]["ja"]
    assert lang.explain("OSSupportedCheck.Failed.ProbeError", "ja", profile="azure-vm") is None
    assert lang.message_en("ArcRequiredEndpointsCheck.Failed", "arc") == "Failed to reach the following endpoints: <hosts>"


def test_the_explanation_follows_the_case():
    tcp = lang.explain("LAOdsEndpointConnectivity.Failed", "ja", "TCP Test for x.ods.opinsights.azure.com (port 443) failed")
    none = lang.explain("LAOdsEndpointConnectivity.Failed", "ja", "Unable to find Workspace registration information")
    several = lang.explain("LAOmsEndpointConnectivity.Failed", "ja", "VM connected to multiple workspaces.")
    assert len({tcp, none, several}) == 3
    assert tcp == lang.explain("LAOdsEndpointConnectivity.Failed", "ja")
    assert lang.explain("NoSuchCheck.Passed", "ja") is None
    assert lang.explain("NoSuchCheck.Failed.Timeout", "ja") is None
    assert lang.message_en("ProxySettings.Passed") == "Proxy is not set."


def test_an_emulated_run_only_gives_known_ids():
    """Every message id in the fixtures' expected results has an explanation."""
    found = set()
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".json", ".txt"):
            found |= set(re.findall(r"\b([A-Za-z0-9]+\.(?:Passed|PassedWithWarning|Failed|Information)(?:\.[A-Za-z0-9]+)*)\b",
                                    path.read_text(encoding="utf-8", errors="replace")))
    found = {i for i in found if any(i.split(".")[0] in PROFILE_RULES[p] for p in PROFILES)}
    assert found
    for message_id in found:
        assert any(lang.known_message_id(message_id, p) for p in PROFILES), message_id


# --- The command line --------------------------------------------------------------------------

def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "readiness.remediation", *args], cwd=ROOT,
                          capture_output=True, timeout=60, env=env)


def test_cli_japanese_one_rule():
    done = _cli("--lang", "ja", "WUServiceRunningCheck")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert out.startswith("# WUServiceRunningCheck (Windows Update サービスの状態)\n")
    heads = re.findall(r"^## (.+)$", out, flags=re.MULTILINE)
    assert heads == ["チェックの内容", "重要な理由", "修正方法", "確認方法"]
    assert "Set-Service -Name wuauserv" in out and "```powershell" in out
    assert "# TlsVersionCheck" not in out


def test_cli_japanese_all_rules_and_equals_form():
    done = _cli("--lang=ja")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert re.findall(r"^# ([A-Za-z0-9]+) \(", out, flags=re.MULTILINE) == list(RULES)
    assert out.count("## 修正方法\n") == len(RULES)
    assert "What it checks" not in out


def test_cli_english_is_unchanged():
    default, english = _cli(), _cli("--lang", "en")
    assert default.returncode == english.returncode == 0
    assert english.stdout == default.stdout
    expected = "\n".join(remediation._REMEDIATIONS[r].text(r) for r in RULES)
    assert default.stdout.decode("utf-8") == expected
    assert re.findall(rb"^## (.+)$", default.stdout, flags=re.MULTILINE)[:4] == [
        b"What it checks", b"Why it matters", b"How to fix", b"How to verify"]


def test_cli_japanese_on_a_console_that_cannot_encode_it():
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    done = _cli("--lang", "ja", "ProxySettings", env=env)
    assert done.returncode == 0, done.stderr
    assert "プロキシ設定" in done.stdout.decode("utf-8")


@pytest.mark.parametrize("args, needle", [
    (("--lang", "fr"), "unknown language 'fr' (known: en, ja)"),
    (("--lang", "ja", "NoSuchCheck"), "unknown RuleId 'NoSuchCheck'"),
    (("--lang=", "TlsVersionCheck"), "unknown language ''"),
    (("--lang",), "--lang needs a language"),
    (("--language", "ja"), "unknown option '--language'"),
])
def test_cli_usage_errors(args, needle):
    done = _cli(*args)
    assert done.returncode == 2
    assert done.stdout == b""
    err = done.stderr.decode("utf-8")
    assert len(err.strip().splitlines()) == 1 and needle in err, err
    assert "Traceback" not in err


def test_cli_help_names_the_option():
    done = _cli("--help")
    assert done.returncode == 0
    assert b"--lang" in done.stdout and b"en, ja" in done.stdout


def test_docs_list_every_key_and_the_option():
    page = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")
    for key in UI:
        if not key.startswith(("group.", "rule.")):
            assert f"`{key}`" in page, key
    for name in lang.__all__:
        if name[0].islower():
            assert f"`{name}(" in page, name
    assert "--lang ja" in (ROOT / "README.md").read_text(encoding="utf-8")
