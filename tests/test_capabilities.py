"""fixtures/emulator/capabilities.py: what a host's PowerShell has, judged from the script.

Small scripts show each rule and each guard; the shipped probe (bootstrap and standard input,
as PowerShell runs them) must pass on PowerShell 2.0 with .NET 3.5 and on 5.1, and meet
Windows' errors where the host lacks what it uses.
"""

from __future__ import annotations

import pytest

from fixtures.emulator import capabilities as cap
from fixtures.emulator.capabilities import judge
from fixtures.scenario import Scenario, WindowsTraits
from readiness.probe import BOOTSTRAP, ProbeInput, stdin_text

PS2 = Scenario("ps2", os_version="6.1.7601", powershell_version="2.0")
PS2_NO_NET35 = Scenario("ps2-bare", os_version="6.1.7601", powershell_version="2.0",
                        windows=WindowsTraits(get_winevent=False))
PS3 = Scenario("ps3", os_version="6.1.7601", powershell_version="3.0")
PS51 = Scenario("ps51")
CLM = Scenario("clm", windows=WindowsTraits(language_mode="ConstrainedLanguage"))
STOP = "$ErrorActionPreference = 'Stop'\n"


def not_recognized(name: str) -> str:
    return (f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable "
            "program. Check the spelling of the name, or if a path was included, verify that the path is "
            "correct and try again.")


@pytest.mark.parametrize("cmdlet", ["ConvertTo-Json", "ConvertFrom-Json", "Get-CimInstance", "Invoke-WebRequest",
                                    "Invoke-RestMethod", "iwr"])
def test_cmdlets_of_3_0_are_missing_on_2_0(cmdlet):
    script = STOP + f"function Get-It {{ {cmdlet} 'x' }}\nGet-It\n"
    assert judge(script, PS2).unavailable("Get-It") == not_recognized(cmdlet)
    assert judge(script, PS2).fatal == not_recognized(cmdlet)
    assert judge(script, PS3).unavailable("get-it") is None and judge(script, PS3).fatal is None
    assert judge(script, PS51).fatal is None


def test_parameter_of_3_0_is_missing_on_2_0_and_prefixes_count():
    script = "function A { Get-Acl -LiteralPath 'C:\\x' }\nfunction B { Get-Acl -Literal 'C:\\x' }\nfunction C { Get-Acl -Path 'C:\\x' }"
    j = judge(script, PS2)
    assert j.unavailable("A") == "A parameter cannot be found that matches parameter name 'LiteralPath'."
    assert j.unavailable("B") == "A parameter cannot be found that matches parameter name 'Literal'."
    assert j.unavailable("C") is None
    assert judge(script, PS51).unavailable("A") is None


def test_ordered_needs_3_0():
    script = STOP + "$o = [ordered]@{ a = 1 }\n"
    assert judge(script, PS2).fatal == "Unable to find type [ordered]."
    assert judge(script, PS3).fatal is None


def test_get_winevent_on_2_0_needs_net_35():
    script = STOP + "function Read-Log { Get-WinEvent -LogName 'Operations Manager' -MaxEvents 1 }\nRead-Log\n"
    assert judge(script, PS2_NO_NET35).fatal == cap.NO_SYSTEM_CORE
    assert "System.Core, Version=3.5.0.0" in cap.NO_SYSTEM_CORE
    assert judge(script, PS2).fatal is None
    reader = STOP + "$q = New-Object System.Diagnostics.Eventing.Reader.EventLogQuery 'x', 'LogName'\n"
    assert judge(reader, PS2_NO_NET35).fatal == (
        "Cannot find type [System.Diagnostics.Eventing.Reader.EventLogQuery]: verify that the assembly "
        "containing this type is loaded.")
    literal = STOP + "$x = [System.Diagnostics.Eventing.Reader.EventLogSession]::GlobalSession\n"
    assert judge(literal, PS2_NO_NET35).fatal == "Unable to find type [System.Diagnostics.Eventing.Reader.EventLogSession]."
    assert judge(literal, PS2).fatal is None


def test_get_winevent_on_5_1_without_net35_trait_still_works():
    """PowerShell 3.0 and later run on CLR 4, whose System.Core holds the event reader."""
    script = STOP + "Get-WinEvent -ListLog 'Operations Manager'\n"
    assert judge(script, Scenario("x", windows=WindowsTraits(get_winevent=False))).fatal is None


def test_clr4_members_are_missing_on_2_0():
    script = STOP + "$k = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, 256)\n"
    assert judge(script, PS2).fatal == (
        "Method invocation failed because [Microsoft.Win32.RegistryKey] does not contain a method named 'OpenBaseKey'.")
    assert judge(STOP + "$v = [Microsoft.Win32.RegistryView]::Registry64\n", PS2).fatal == (
        "Unable to find type [Microsoft.Win32.RegistryView].")
    assert judge(script, PS51).fatal is None


def test_try_catch_handles_unless_the_catch_rethrows():
    handled = "function F { try { ConvertTo-Json 1 } catch { 'fallback' } }"
    rethrown = "function F { try { ConvertTo-Json 1 } catch { if ($_.FullyQualifiedErrorId -like 'X*') { return }; throw $_ } }"
    finally_only = "function F { try { ConvertTo-Json 1 } finally { 'done' } }"
    assert judge(handled, PS2).unavailable("F") is None
    assert judge(rethrown, PS2).unavailable("F") == not_recognized("ConvertTo-Json")
    assert judge(finally_only, PS2).unavailable("F") == not_recognized("ConvertTo-Json")
    top = STOP + "try { ConvertTo-Json 1 } catch { $x = 1 }\n"
    assert judge(top, PS2).fatal is None


def test_get_command_guards_that_command_only():
    guarded = "function F { if (Get-Command ConvertTo-Json -ErrorAction SilentlyContinue) { ConvertTo-Json 1 } else { 'old' } }"
    other = "function F { if (Get-Command Get-Foo -ErrorAction SilentlyContinue) { ConvertTo-Json 1 } }"
    named = "function F { if (Get-Command -Name 'ConvertTo-Json' -ErrorAction SilentlyContinue) { ConvertTo-Json 1 } }"
    assert judge(guarded, PS2).unavailable("F") is None
    assert judge(named, PS2).unavailable("F") is None
    assert judge(other, PS2).unavailable("F") == not_recognized("ConvertTo-Json")


def test_version_tests_decide_their_branch():
    script = ("function F { if ($PSVersionTable.PSVersion.Major -ge 3) { Get-Acl -LiteralPath 'C:\\x' } "
              "else { ConvertTo-Json 1 } }")
    assert judge(script, PS51).unavailable("F") is None
    assert judge(script, PS2).unavailable("F") == not_recognized("ConvertTo-Json")
    older = "function F { if ($PSVersionTable.PSVersion.Major -lt 3) { 'two' } elseif ($x) { [ordered]@{} } }"
    assert judge(older, PS2).unavailable("F") is None


def test_failures_reach_callers_transitively_and_script_blocks_fail_where_they_run():
    script = STOP + """
function Inner { ConvertTo-Json 1 }
function Middle { Inner }
function Outer { Middle }
function Safe([scriptblock]$Block) { try { & $Block } catch { 'caught' } }
function Unsafe([scriptblock]$Block) { & $Block }
Safe { Outer }
"""
    j = judge(script, PS2)
    assert j.unavailable("Outer") == j.unavailable("Middle") == j.unavailable("Inner") == not_recognized("ConvertTo-Json")
    assert j.unavailable("Safe") is None and j.fatal is None
    assert judge(script + "Unsafe { Outer }\n", PS2).fatal == not_recognized("ConvertTo-Json")
    assert judge(script + "Unsafe { Outer }\n", PS51).fatal is None
    assert judge("function R { R }\n", PS2).unavailable("R") is None  # recursion ends


def test_without_stop_a_top_level_failure_is_not_fatal():
    assert judge("ConvertTo-Json 1\n", PS2).fatal is None
    assert judge("ConvertTo-Json 1\n$ErrorActionPreference = 'Stop'\n", PS2).fatal is None
    assert judge("$ErrorActionPreference = 'Stop'; ConvertTo-Json 1\n", PS2).fatal == not_recognized("ConvertTo-Json")


def test_constrained_language_allows_core_types_only():
    ok = STOP + ("$h = @{}; $h.Add('a', 1); $s = 'x'.Replace('x', 'y'); $r = [regex]::Matches('a', 'a'); "
                 "[void]$h.Remove('a'); $n = [int]'5'; $d = [decimal]::Parse('1'); $t = (New-Object System.Text.StringBuilder) -is [string]\n")
    assert judge(ok.replace("$t = (New-Object System.Text.StringBuilder) -is [string]", "$t = 1"), CLM).fatal is None
    assert judge(STOP + "$l = New-Object System.Collections.ArrayList\n", CLM).fatal == (
        "Cannot create type. Only core types are supported in this language mode.")
    assert judge(STOP + "$l = New-Object -TypeName System.Collections.Hashtable\n", CLM).fatal is None
    assert judge(STOP + "$o = New-Object -ComObject 'AgentConfigManager.MgmtSvcCfg'\n", CLM).fatal == cap.CLM_NEW_OBJECT
    assert judge(STOP + "[System.Net.ServicePointManager]::SecurityProtocol = 3072\n", CLM).fatal == (
        "Cannot set property. Property setting is supported only on core types in this language mode.")
    assert judge(STOP + "$x = [System.Net.ServicePointManager]::SecurityProtocol\n", CLM).fatal is None  # reading is allowed
    assert judge(STOP + "$c = [System.Convert]::ToBase64String([byte[]]@(1))\n", CLM).fatal == (
        "Cannot invoke method. Method invocation is supported only on core types in this language mode.")
    # ToString is allowed on any type, static or not (Binders.cs, IsAllowedInConstrainedLanguage).
    assert judge(STOP + "$c = [System.BitConverter]::ToString([byte[]]@(1))\n", CLM).fatal is None
    assert judge(STOP + "$e = [System.Enum]::ToObject([System.Net.SecurityProtocolType], 3072)\n", CLM).fatal == cap.CLM_METHOD
    assert judge(STOP + "$w = [System.Net.WebProxy]'http://p:8080'\n", CLM).fatal == (
        'Cannot convert value to type "System.Net.WebProxy". Only core types are supported in this language mode.')
    assert judge(STOP + "Add-Type -TypeDefinition 'public class A {}'\n", CLM).fatal == (
        "Cannot add type. Definition of new types is not supported in this language mode.")
    assert judge(STOP + "$u = [System.Uri]'http://a'; $u.ToString(); $u.GetLeftPart(0)\n", CLM).fatal is None


def test_constrained_language_instance_calls_on_known_types():
    script = ("function New-Doc { New-Object System.Collections.Specialized.OrderedDictionary }\n"
              "function Use { $d = New-Doc; $d.Contains('a') }\n"
              "function Text { $t = [string]'a'; $t.ToUpper() }\n"
              "function Show { $d = New-Doc; $d.ToString() }\n")
    clm = judge(script, CLM)
    assert clm.unavailable("New-Doc") == cap.CLM_NEW_OBJECT  # OrderedDictionary is not core in 5.1
    assert clm.unavailable("Use") == cap.CLM_NEW_OBJECT
    assert clm.unavailable("Text") is None
    assert judge(script, PS51).unavailable("Use") is None


def test_restricted_and_no_language():
    restricted = Scenario("r", windows=WindowsTraits(language_mode="RestrictedLanguage"))
    none = Scenario("n", windows=WindowsTraits(language_mode="NoLanguage"))
    assert judge("$a = 1", restricted).fatal == (
        "Assignment statements are not allowed in restricted language mode or a Data section.")
    assert judge("Get-Service wuauserv", restricted).fatal is None
    assert judge("Get-Service wuauserv", none).fatal == (
        "The syntax is not supported by this runspace. This can occur if the runspace is in no-language mode.")


# --- the shipped probe, as PowerShell runs it -------------------------------------------------

PROBE = BOOTSTRAP + "\n" + stdin_text(ProbeInput())
PROBE_FUNCTIONS = ("Get-ProbeFact", "Get-ProbeRegistryKey", "Get-ProbeService", "Get-ProbeAgent",
                   "Get-ProbeEventLog", "Get-ProbeAcl", "Get-ProbeNetwork", "Add-ProbeJson")


@pytest.mark.parametrize("scenario", [PS2, PS3, PS51], ids=["2.0 with .NET 3.5", "3.0", "5.1"])
def test_the_probe_runs_on_2_0_with_net35_and_on_5_1(scenario):
    j = judge(PROBE, scenario)
    assert j.fatal is None
    assert {name: j.unavailable(name) for name in PROBE_FUNCTIONS} == dict.fromkeys(PROBE_FUNCTIONS)


def test_the_probe_on_2_0_without_net35_reads_event_logs_with_wevtutil():
    # Only the EventLogReader path needs System.Core; on 2.0 the probe reads with wevtutil.
    j = judge(PROBE, PS2_NO_NET35)
    assert j.fatal is None
    assert j.unavailable("Read-ProbeEventsWithReader") == cap.NO_TYPE.format("System.Diagnostics.Eventing.Reader.PathType")
    assert all(j.unavailable(name) is None for name in PROBE_FUNCTIONS)


def test_the_probe_dies_at_once_in_constrained_language_mode():
    """The bootstrap's [scriptblock]::Create is a static method of a type that is not core."""
    j = judge(PROBE, CLM)
    assert j.fatal == cap.CLM_METHOD
    assert j.unavailable("Get-ProbeObject") == cap.CLM_NEW_OBJECT
    # A script run another way still dies at its first top-level New-Object of a non-core type.
    assert judge(stdin_text(ProbeInput()), CLM).fatal == cap.CLM_NEW_OBJECT
