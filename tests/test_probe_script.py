"""Static checks of the probe script, from its syntax tree (tree-sitter-powershell).

No Windows machine is reachable from here, so the probe is proven by reading it: it parses, it
only reads (every command, .NET type, method and property write it uses is listed and held to
an allowlist), it keeps to what Windows PowerShell 2.0 understands, and it writes every key of
the contract. The inventory is printed in failure messages so a reviewer sees what the probe
touches.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import re
import shutil
import subprocess
from functools import cache, lru_cache
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell

from readiness.probe import BOOTSTRAP, INPUT_END, ProbeInput, script_text, stdin_text

CONTRACT = Path(__file__).resolve().parents[1] / "readiness" / "probe" / "CONTRACT.md"
SIZE_BUDGET = 32 * 1024  # bytes; the script travels on standard input with every probe

# Cmdlets the probe may call: each only reads.
READ_ONLY_CMDLETS = {"Get-Service", "Get-WinEvent", "Get-Acl", "New-Object"}

# .NET types the probe may name (type literals and New-Object), each used only to read or to
# hold the probe's own data.
ALLOWED_TYPES = {
    "bool", "byte[]", "char", "DateTime", "decimal", "Environment", "int", "int64", "int[]",
    "regex", "ref", "scriptblock", "string", "string[]", "void", "Console",
    "System.BitConverter", "System.Collections.ArrayList", "System.Collections.IDictionary",
    "System.Collections.IEnumerable", "System.Collections.Specialized.OrderedDictionary",
    "System.Convert", "System.Diagnostics.Stopwatch", "System.Enum", "System.Exception",
    "System.Globalization.CultureInfo", "System.IO.Directory", "System.IO.DirectoryInfo",
    "System.IO.IOException", "System.Management.Automation.ActionPreferenceStopException",
    "System.Management.Automation.ErrorRecord",
    "System.Management.Automation.MethodInvocationException", "System.Net.Dns",
    "System.Net.IPAddress", "System.Net.SecurityProtocolType", "System.Net.ServicePointManager",
    "System.Net.Sockets.SocketException", "System.Net.Sockets.TcpClient", "System.Net.WebException",
    "System.Net.WebProxy", "System.Net.WebRequest", "System.Runtime.InteropServices.COMException",
    "System.Runtime.InteropServices.Marshal", "System.Security.AccessControl.AccessControlSections",
    "System.Security.Principal.NTAccount", "System.Security.Principal.SecurityIdentifier",
    "System.Text.Encoding", "System.Text.StringBuilder", "System.Threading.Thread", "System.Uri",
    "Microsoft.Win32.Registry", "Microsoft.Win32.RegistryHive", "Microsoft.Win32.RegistryKey",
    "Microsoft.Win32.RegistryValueOptions", "Microsoft.Win32.RegistryView",
}

# Static members, as Type::Member.
ALLOWED_STATIC = {
    "System.Globalization.CultureInfo::InvariantCulture", "regex::Matches", "regex::Replace",
    "System.BitConverter::ToString", "System.BitConverter::ToUInt32",
    "System.Text.Encoding::BigEndianUnicode", "System.Text.Encoding::ASCII",
    "Microsoft.Win32.RegistryKey::OpenBaseKey", "Microsoft.Win32.RegistryHive::LocalMachine",
    "Microsoft.Win32.RegistryView::Registry64", "Microsoft.Win32.Registry::LocalMachine",
    "Microsoft.Win32.RegistryValueOptions::DoNotExpandEnvironmentNames", "decimal::Parse",
    "System.Convert::ToBase64String", "System.Runtime.InteropServices.Marshal::ReleaseComObject",
    "System.IO.Directory::Exists", "System.Security.AccessControl.AccessControlSections::Access",
    "int::Parse", "System.Net.IPAddress::TryParse", "System.Net.Dns::BeginGetHostAddresses",
    "System.Net.Dns::EndGetHostAddresses", "System.Net.WebRequest::Create",
    "System.Net.ServicePointManager::SecurityProtocol", "System.Enum::ToObject",
    "System.Diagnostics.Stopwatch::StartNew", "System.Threading.Thread::Sleep",
    "DateTime::UtcNow", "DateTime::Now", "Environment::OSVersion", "Console::Out",
}

# Instance methods (the receiver's type is not known statically, so the names are held tight).
ALLOWED_METHODS = {
    # strings, builders, collections, dates: the probe's own data
    "Append", "ToString", "Replace", "Substring", "Trim", "IndexOf", "LastIndexOf", "StartsWith",
    "EndsWith", "Add", "Contains", "GetBytes", "GetString", "GetEnumerator", "GetType", "AddHours", "ToUniversalTime",
    # registry: read-only overloads (OpenSubKey is checked to take one argument)
    "OpenSubKey", "GetValueNames", "GetValueKind", "GetValue",
    # ACL, identities, the agent's COM object
    "GetAccessControl", "GetAccessRules", "Translate", "GetCloudWorkspaces",
    # network tests: connect, GET, release
    "BeginConnect", "EndConnect", "BeginGetResponse", "EndGetResponse", "Abort", "Close",
    # the one write to stdout
    "Write", "Flush",
}

# Properties the probe assigns: request settings of its own HttpWebRequests, the process's own
# TLS offer, and keys of its own bookkeeping hashtables.
ALLOWED_PROPERTY_WRITES = {
    "Method", "AllowAutoRedirect", "KeepAlive", "UserAgent", "ConnectionGroupName", "Proxy",
    "System.Net.ServicePointManager::SecurityProtocol",
    "done", "client", "pending", "request", "phase", "proxyServer",
}

FORBIDDEN_VERBS = (
    "Set", "New", "Remove", "Start", "Stop", "Restart", "Clear", "Register", "Unregister",
    "Enable", "Disable", "Suspend", "Resume", "Install", "Uninstall", "Rename", "Move", "Copy",
    "Write", "Out", "Export", "Invoke", "Add", "Update", "Reset", "Grant", "Revoke", "Limit",
)
FORBIDDEN_METHODS = {
    "SetValue", "CreateSubKey", "DeleteSubKey", "DeleteSubKeyTree", "DeleteValue",
    "SetAccessControl", "SetAccessRule", "AddAccessRule", "RemoveAccessRule", "Delete",
    "WriteAllText", "WriteAllBytes", "WriteAllLines", "AppendAllText", "Move", "Copy",
    "Kill", "Start", "Stop", "Pause", "Continue", "ExecuteCommand", "InvokeMethod", "Put",
    "SetOwner", "SetSecurityDescriptorSddlForm", "ClearLog", "WriteEntry", "WriteEvent",
}
AGENT_COM_CLASS = "AgentConfigManager.MgmtSvcCfg"

# Cmdlets and constructs that Windows PowerShell 2.0 does not have, or that PowerShell 7 lacks.
NOT_ON_EVERY_POWERSHELL = {
    "ConvertTo-Json", "ConvertFrom-Json", "Get-CimInstance", "Get-WmiObject", "gwmi",
    "Test-NetConnection", "Invoke-WebRequest", "Invoke-RestMethod", "iwr", "irm", "curl", "wget",
    "Get-ComputerInfo", "Get-NetAdapter", "Resolve-DnsName",
}
POWERSHELL_3_OPERATORS = {"-in", "-notin", "-cin", "-cnotin", "-iin", "-inotin", "-shl", "-shr"}
POWERSHELL_5_NODES = {"class_statement", "enum_statement", "using_statement"}
POWERSHELL_7_TOKENS = {"&&", "||", "??", "??=", "?.", "?["}
# Members that exist only on .NET 4 and later: each must sit in a try block with a fallback.
DOTNET4_ONLY = {"OpenBaseKey", "RegistryView", "SecurityProtocolType"}

INPUT_VARIABLES = ("ProbeTcp", "ProbeWorkspaceTcp", "ProbeHttps", "ProbeImds", "ProbeTimeoutMs")


@cache
def parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def parse(text: str) -> tree_sitter.Tree:
    return parser().parse(text.encode("utf-8"))


def walk(node: tree_sitter.Node):
    """Every node under ``node``, in document order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def text_of(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8")


def line_of(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def broken_nodes(tree: tree_sitter.Tree) -> list[str]:
    if not tree.root_node.has_error:
        return []
    return [
        f"line {line_of(n)}: {'MISSING' if n.is_missing else n.type} {text_of(n)[:60]!r}"
        for n in walk(tree.root_node)
        if n.type == "ERROR" or n.is_missing
    ]


def type_name(type_literal: tree_sitter.Node) -> str:
    spec = next(c for c in type_literal.children if c.type in ("type_spec",))
    return text_of(spec)


@dataclasses.dataclass
class Inventory:
    """What the script invokes, each with the lines where it does."""

    commands: dict[str, list[int]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    functions: set[str] = dataclasses.field(default_factory=set)
    dynamic_calls: dict[str, list[int]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    types: dict[str, list[int]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    static: dict[str, list[int]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    methods: dict[str, list[int]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    property_writes: dict[str, list[int]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    com_classes: dict[str, list[int]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    redirections: list[str] = dataclasses.field(default_factory=list)

    def report(self) -> str:
        def block(title: str, items: dict[str, list[int]] | set[str] | list[str]) -> str:
            if isinstance(items, dict):
                rows = [f"  {k}  (line {', '.join(map(str, v[:6]))}{', ...' if len(v) > 6 else ''})" for k, v in sorted(items.items())]
            else:
                rows = [f"  {k}" for k in sorted(items)]
            return f"{title}:\n" + ("\n".join(rows) if rows else "  (none)")

        return "\n".join([
            "Probe inventory",
            block("commands", self.commands),
            block("the script's own functions", self.functions),
            block("invocations of script blocks (&)", self.dynamic_calls),
            block(".NET types named", self.types),
            block("static members", self.static),
            block("instance methods called", self.methods),
            block("properties assigned", self.property_writes),
            block("COM classes", self.com_classes),
            block("redirections", self.redirections),
        ])


def command_parameters(command: tree_sitter.Node) -> list[tuple[str, str | None]]:
    """(-Parameter, its argument text or None) for one command node."""
    elements = next((c for c in command.children if c.type == "command_elements"), None)
    if elements is None:
        return []
    items = [c for c in elements.children if c.type != "command_argument_sep"]
    found = []
    for i, item in enumerate(items):
        if item.type == "command_parameter":
            following = items[i + 1] if i + 1 < len(items) else None
            value = text_of(following) if following is not None and following.type != "command_parameter" else None
            found.append((text_of(item), value))
    return found


def receiver_and_member(node: tree_sitter.Node) -> tuple[tree_sitter.Node, str, str] | None:
    """For invokation_expression / member_access: (receiver, '.' or '::', member name)."""
    children = node.children
    for i, child in enumerate(children):
        if child.type in (".", "::") and i + 1 < len(children) and children[i + 1].type == "member_name":
            return children[0], child.type, text_of(children[i + 1])
    return None


def assigned_to(node: tree_sitter.Node) -> bool:
    """True when the node is the whole left side of an assignment."""
    ancestor = node.parent
    while ancestor is not None and ancestor.type != "left_assignment_expression":
        if ancestor.type not in EXPRESSION_WRAPPERS:
            return False
        ancestor = ancestor.parent
    return ancestor is not None and text_of(ancestor) == text_of(node)


EXPRESSION_WRAPPERS = {
    "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
    "multiplicative_expression", "format_expression", "range_expression",
    "array_literal_expression", "unary_expression",
}


@lru_cache(maxsize=4)
def inventory_of(tree: tree_sitter.Tree) -> Inventory:
    inv = Inventory()
    for node in walk(tree.root_node):
        if node.type == "function_statement":
            name = next(c for c in node.children if c.type == "function_name")
            inv.functions.add(text_of(name))
        elif node.type == "command":
            name = next((c for c in node.children if c.type == "command_name"), None)
            if name is not None:
                inv.commands[text_of(name)].append(line_of(node))
                if text_of(name) == "New-Object":
                    for parameter, value in command_parameters(node):
                        if parameter.lower() == "-comobject":
                            inv.com_classes[(value or "").strip("'\"")].append(line_of(node))
                    elements = next((c for c in node.children if c.type == "command_elements"), None)
                    items = [c for c in elements.children if c.type != "command_argument_sep"] if elements else []
                    for i, item in enumerate(items):
                        after_parameter = i > 0 and items[i - 1].type == "command_parameter"
                        if item.type == "generic_token" and not after_parameter:
                            inv.types[text_of(item)].append(line_of(node))
                            break
            else:
                expr = next(c for c in node.children if c.type == "command_name_expr")
                inv.dynamic_calls[text_of(expr)].append(line_of(node))
        elif node.type == "type_literal":
            inv.types[type_name(node)].append(line_of(node))
        elif node.type in ("invokation_expression", "member_access"):
            parts = receiver_and_member(node)
            if parts is None:
                continue
            receiver, op, member = parts
            is_call = node.type == "invokation_expression"
            if op == "::":
                key = f"{type_name(receiver)}::{member}" if receiver.type == "type_literal" else f"?::{member}"
                inv.static[key].append(line_of(node))
            elif is_call:
                inv.methods[member].append(line_of(node))
            if node.type == "member_access" and assigned_to(node):
                key = f"{type_name(receiver)}::{member}" if op == "::" and receiver.type == "type_literal" else member
                inv.property_writes[key].append(line_of(node))
        elif node.type == "redirection":
            inv.redirections.append(f"line {line_of(node)}: {text_of(node)}")
    for name in ("commands", "types", "static", "methods"):
        # Type names as PowerShell resolves them: [Console] is System.Console, and so on.
        table = getattr(inv, name)
        for key in list(table):
            bare = key.replace("System.Console", "Console")
            if bare != key:
                table[bare].extend(table.pop(key))
    return inv


@cache
def script_tree() -> tree_sitter.Tree:
    return parse(script_text())


@cache
def inventory() -> Inventory:
    return inventory_of(script_tree())


def nodes(kind: str):
    return [n for n in walk(script_tree().root_node) if n.type == kind]


# ---- It parses --------------------------------------------------------------------------------


def test_script_parses_without_errors():
    assert broken_nodes(script_tree()) == []


@pytest.mark.parametrize(
    "probe_input",
    [
        ProbeInput(),
        ProbeInput(
            tcp=("0b7e7e3a-5d4e-4b2a-9a57-1f2c3d4e5f60.agentsvc.azure-automation.net:443", "o'brien.example:443"),
            workspace_tcp=("{ws}.agentsvc.azure-automation.net:443", "{ws}.ods.opinsights.azure.com:443"),
            https="https://127.0.0.1:8443/it's",
            imds="http://127.0.0.1:9/metadata/instance?api-version=2018-02-01",
            timeout_ms=250,
        ),
    ],
    ids=["defaults", "quotes-and-templates"],
)
def test_whole_standard_input_parses(probe_input):
    text = stdin_text(probe_input)
    assert broken_nodes(parse(text)) == []
    assert INPUT_END in text


def test_bootstrap_parses_and_stays_short():
    assert broken_nodes(parse(BOOTSTRAP)) == []
    assert len(BOOTSTRAP) < 1000


# ---- Checks: each returns the problems it finds in a syntax tree -----------------------------


def calls_named(tree: tree_sitter.Tree, *names: str) -> list[tree_sitter.Node]:
    return [n for n in walk(tree.root_node) if n.type == "invokation_expression"
            and (receiver_and_member(n) or (None, None, ""))[2] in names]


def command_problems(tree: tree_sitter.Tree) -> list[str]:
    """Commands: read-only cmdlets, the script's own functions, its own script blocks."""
    inv = inventory_of(tree)
    problems = [f"command outside the read-only allowlist: {name}"
                for name in sorted(set(inv.commands) - READ_ONLY_CMDLETS - inv.functions)]
    # New-Object only builds .NET objects in the probe's own process; the Add- functions append
    # to the probe's own StringBuilder and lists.
    exempt = {"New-Object", "Add-ProbeJson", "Add-ProbeEvents", "Add-ProbeError"}
    problems += [f"command with a writing verb: {name}" for name in sorted(set(inv.commands) | inv.functions)
                 if name.split("-", 1)[0] in FORBIDDEN_VERBS and name not in exempt]
    problems += [f"invokes {name}" for name in sorted(set(inv.dynamic_calls) - {"$Gather", "$Queries"})]
    problems += [f"COM class {name}" for name in sorted(set(inv.com_classes) - {AGENT_COM_CLASS})]
    problems += [f"redirection {r}" for r in inv.redirections]
    return problems


def dotnet_problems(tree: tree_sitter.Tree) -> list[str]:
    """.NET: allowlisted types, static members, methods and property writes; no writers."""
    inv = inventory_of(tree)
    problems = []
    for found, allowed, what in (
        (inv.types, ALLOWED_TYPES, "type"),
        (inv.static, ALLOWED_STATIC, "static member"),
        (inv.methods, ALLOWED_METHODS, "method"),
        (inv.property_writes, ALLOWED_PROPERTY_WRITES, "property write"),
    ):
        problems += [f"{what} outside the allowlist: {name}" for name in sorted(set(found) - allowed)]
    called = set(inv.methods) | {key.split("::", 1)[1] for key in inv.static}
    problems += [f"forbidden method: {name}" for name in sorted(called & FORBIDDEN_METHODS)]
    for call in calls_named(tree, "OpenSubKey"):
        arguments = next(c for c in call.children if c.type == "argument_list")
        listed = next((c for c in arguments.children if c.type == "argument_expression_list"), None)
        count = 0 if listed is None else len([c for c in listed.children if c.type == "argument_expression"])
        if count != 1:
            problems.append(f"line {line_of(call)}: OpenSubKey with {count} arguments may open the key writable")
    return problems


def output_problems(tree: tree_sitter.Tree) -> list[str]:
    """stdout: one [Console]::Out.Write, no writing cmdlets, no stray top-level output, exit 0."""
    inv = inventory_of(tree)
    problems = []
    writes = calls_named(tree, "Write", "WriteLine")
    if len(writes) != 1 or not text_of(writes[0]).replace("System.Console", "Console").startswith("[Console]::Out.Write("):
        problems.append(f"writes to stdout: {[text_of(n)[:60] for n in writes]}")
    flushes = calls_named(tree, "Flush")
    if [text_of(n).replace("System.Console", "Console") for n in flushes] != ["[Console]::Out.Flush()"]:
        problems.append(f"flushes: {[text_of(n)[:60] for n in flushes]}")
    problems += [f"command that writes output: {name}" for name in sorted(set(inv.commands) & OUTPUT_COMMANDS)]
    for statement in top_level_statements(tree.root_node):
        if not is_silent(statement):
            problems.append(f"line {line_of(statement)} would write to stdout: {text_of(statement)[:70]}")
    exits = [text_of(n) for n in walk(tree.root_node) if n.type == "flow_control_statement" and text_of(n).startswith("exit")]
    if exits != ["exit 0"]:
        problems.append(f"exits: {exits}")
    return problems


OUTPUT_COMMANDS = {"Write-Output", "Write-Host", "echo", "write", "Out-Host", "Out-Default",
                   "Write-Information", "Out-String", "Format-Table", "Format-List"}


def top_level_statements(node: tree_sitter.Node):
    """Pipelines that run at the script's top level (inside if/try/foreach, not functions)."""
    for child in node.children:
        if child.type == "pipeline" and node.type == "statement_list":
            yield child
        elif child.type in ("statement_list", "statement_block", "if_statement", "else_clause", "elseif_clause",
                            "elseif_clauses", "try_statement", "catch_clauses", "catch_clause", "finally_clause",
                            "foreach_statement", "while_statement", "for_statement"):
            yield from top_level_statements(child)


def is_silent(pipeline: tree_sitter.Node) -> bool:
    """An assignment, a [void] cast, the write itself, or a call of a function that returns nothing."""
    text = text_of(pipeline)
    if any(n.type == "assignment_expression" for n in pipeline.children):
        return True
    if text.startswith(("[void]", "[Console]::Out.Write(", "[Console]::Out.Flush(")):
        return True
    return text.split(" ", 1)[0] in {"Add-ProbeJson"}


def compatibility_problems(tree: tree_sitter.Tree) -> list[str]:
    """Anything that Windows PowerShell 2.0 (or PowerShell 7) does not understand."""
    inv = inventory_of(tree)
    missing = {n.lower() for n in NOT_ON_EVERY_POWERSHELL}
    problems = [f"cmdlet not on every PowerShell: {name}" for name in sorted(inv.commands) if name.lower() in missing]
    for node in walk(tree.root_node):
        text, where = text_of(node), f"line {line_of(node)}"
        if node.type == "type_literal" and type_name(node).lower() in {"ordered", "pscustomobject"}:
            problems.append(f"{where}: [{type_name(node)}]")
        elif node.type == "comparison_operator" and text.lower() in POWERSHELL_3_OPERATORS:
            problems.append(f"{where}: {text}")
        elif node.type in POWERSHELL_5_NODES:
            problems.append(f"{where}: {node.type}")
        elif node.child_count == 0 and node.type in POWERSHELL_7_TOKENS:
            problems.append(f"{where}: {node.type}")
        elif node.type == "variable" and (text.lower() == "$psitem" or text.lower().startswith("$using:")):
            problems.append(f"{where}: {text}")
        elif node.type in ("invokation_expression", "member_access"):
            parts = receiver_and_member(node)
            if parts and parts[1] == "::" and parts[2].lower() == "new":
                problems.append(f"{where}: ::new(")
            if parts and parts[1] == "." and parts[2].lower() in {"foreach", "where"}:
                problems.append(f"{where}: .{parts[2]}(")
        elif node.type == "command":
            # -ErrorAction Ignore is 3.0; facts are gathered with Stop inside try/catch.
            for parameter, value in command_parameters(node):
                if parameter.lower() in ("-erroraction", "-ea") and value != "Stop":
                    problems.append(f"{where}: {parameter} {value}")
        if node.child_count == 0 and text in DOTNET4_ONLY and not inside_try(node):
            problems.append(f"{where}: {text} is .NET 4 only and not inside a try block")
    return problems


def inside_try(node: tree_sitter.Node) -> bool:
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.type == "statement_block" and ancestor.parent is not None and ancestor.parent.type == "try_statement":
            return True
        ancestor = ancestor.parent
    return False


CHECKS = {
    "commands": command_problems,
    "dotnet": dotnet_problems,
    "output": output_problems,
    "compatibility": compatibility_problems,
}


# ---- The probe passes every check --------------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS)
def test_probe_passes(check):
    problems = CHECKS[check](script_tree())
    assert problems == [], "\n".join(problems) + "\n\n" + inventory().report()


def test_inventory_lists_what_the_probe_reads():
    inv = inventory()
    assert READ_ONLY_CMDLETS <= set(inv.commands)
    assert {"OpenSubKey", "GetValue", "GetAccessRules", "GetCloudWorkspaces", "BeginConnect",
            "BeginGetResponse"} <= set(inv.methods)
    assert set(inv.com_classes) == {AGENT_COM_CLASS}
    assert "Get-ProbeFact" in inv.functions


# ---- The checks catch what they are meant to catch ---------------------------------------------

# Each line, added to the probe, must be reported by the named check.
VIOLATIONS = [
    ("commands", "Set-ItemProperty -Path 'HKLM:\\SOFTWARE\\X' -Name Y -Value 1"),
    ("commands", "Restart-Service -Name HealthService"),
    ("commands", "Remove-Item -LiteralPath 'C:\\x'"),
    ("commands", "$null = & $somethingElse"),
    ("commands", "$null = Get-Service > 'C:\\services.txt'"),
    ("commands", "$shell = New-Object -ComObject 'WScript.Shell'"),
    ("commands", "$null = Invoke-Expression 'Get-Date'"),
    ("commands", "$null = sc.exe config wuauserv start= demand"),
    ("dotnet", "$key = $ProbeHklm.OpenSubKey('SOFTWARE\\X', $true)"),
    ("dotnet", "$key = $ProbeHklm.CreateSubKey('SOFTWARE\\X')"),
    ("dotnet", "[void]$key.SetValue('Start', 4)"),
    ("dotnet", "[System.IO.File]::WriteAllText('C:\\x', 'y')"),
    ("dotnet", "[void]$security.SetAccessRule($rule)"),
    ("dotnet", "$svc.StartType = 'Disabled'"),
    ("dotnet", "$log = New-Object System.Diagnostics.EventLog"),
    ("output", "$ProbeDoc"),
    ("output", "Write-Output 'x'"),
    ("output", "[Console]::Out.WriteLine('x')"),
    ("output", "exit 1"),
    ("compatibility", "$x = [ordered]@{ a = 1 }"),
    ("compatibility", "$x = [pscustomobject]@{ a = 1 }"),
    ("compatibility", "$x = [System.Text.StringBuilder]::new()"),
    ("compatibility", "$x = $a -in $b"),
    ("compatibility", "$x = $PSItem"),
    ("compatibility", "$x = ConvertTo-Json $ProbeDoc"),
    ("compatibility", "$x = Get-CimInstance Win32_Service"),
    ("compatibility", "$x = Get-WmiObject Win32_Service"),
    ("compatibility", "$x = Test-NetConnection a -Port 443"),
    ("compatibility", "$x = Invoke-WebRequest 'https://a'"),
    ("compatibility", "$x = Get-Service -Name a -ErrorAction Ignore"),
    ("compatibility", "$x = [Microsoft.Win32.RegistryView]::Registry64"),
    ("compatibility", "$x = $a.Where({ $_ })"),
]


@pytest.mark.parametrize(("check", "line"), VIOLATIONS, ids=[v[1][:40] for v in VIOLATIONS])
def test_check_reports_violation(check, line):
    mutated = script_text().replace("\nexit 0\n", "\n" + line + "\nexit 0\n")
    assert mutated != script_text()
    tree = parse(mutated)
    problems = CHECKS[check](tree) + broken_nodes(tree)
    assert problems, f"the {check} check missed: {line}"


def test_input_variables_are_read_and_never_assigned():
    variables = collections.Counter(text_of(n) for n in nodes("variable"))
    for name in INPUT_VARIABLES:
        assert variables[f"${name}"] >= 1, f"${name} is never read"
    for assignment in nodes("left_assignment_expression"):
        assert text_of(assignment).lstrip("$") not in INPUT_VARIABLES, text_of(assignment)


# ---- It writes the contract -------------------------------------------------------------------


def contract_example() -> dict:
    match = re.search(r"```json\n(.*?)\n```", CONTRACT.read_text(encoding="utf-8"), re.S)
    assert match, f"{CONTRACT}: no JSON example"
    return json.loads(match.group(1))


def json_keys(value) -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            keys |= json_keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= json_keys(item)
    return keys


def string_literals() -> set[str]:
    found = set()
    for node in nodes("string_literal"):
        text = text_of(node)
        if text.startswith("'") and text.endswith("'"):
            found.add(text[1:-1].replace("''", "'"))
    return found


def test_every_key_of_the_contract_example_is_written():
    literals = string_literals()
    expected = json_keys(contract_example()) | {"fact", "message", "error"}
    missing = sorted(k for k in expected if k not in literals)
    assert not missing, f"keys of CONTRACT.md's example that the script never writes: {missing}"


def test_every_registry_value_name_of_the_contract_is_read():
    contract = CONTRACT.read_text(encoding="utf-8")
    names = ["Release", "WUServer", "AUOptions", "AlwaysAutoRebootAtScheduledTime",
             "AlwaysAutoRebootAtScheduledTimeMinutes", "Enabled", "DisabledByDefault", "WinHttpSettings"]
    literals = string_literals()
    for name in names:
        assert f"`{name}`" in contract, f"CONTRACT.md no longer names {name}"
        assert name in literals, f"the probe does not read {name}"
    for key in contract_example()["registry"]:
        assert key in literals, key


def test_event_ids_and_limits_of_the_contract():
    integers = {int(text_of(n)) for n in nodes("decimal_integer_literal")}
    assert {1210, 4502, 15003, 15004, 1000, 50, 25} <= integers
    literals = string_literals()
    assert {"Operations Manager", "Microsoft-SMA/Operational", "HealthService", "wuauserv",
            AGENT_COM_CLASS, "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys"} <= literals
    assert "readiness-probe/1" in literals


QUERY = re.compile(r"@\{ ids = \[int\[\]\]@\(([\d, ]+)\); newest = (\d+); hours = (\$null|\d+); "
                   r"provider = (\$null|'[^']*') \}")


def probe_queries() -> dict[str, list[tuple]]:
    """The event queries written in the probe, log by log, as (ids, newest, hours, provider)."""
    out: dict[str, list[tuple]] = {}
    for block in re.finditer(r"Get-ProbeEventLog '([^']+)' @\((.*?)\)\n\}", script_text(), re.S):
        out[block.group(1)] = [
            (tuple(int(i) for i in ids.split(",")), int(newest), None if hours == "$null" else float(hours),
             None if provider == "$null" else provider[1:-1])
            for ids, newest, hours, provider in QUERY.findall(block.group(2))]
    return out


def function_text(name: str) -> str:
    match = re.search(rf"^function {re.escape(name)}\b.*?^}}$", script_text(), re.S | re.M)
    assert match, f"the probe has no function {name}"
    return match.group(0)


def test_event_queries_are_the_emulations():
    # The 4502 query names its provider, so other providers' 4502 events cannot push the
    # agent's out of the newest 50; the 1210 query keeps 1,000.
    from readiness.probe.emulation import EVENT_QUERIES
    expected = {log: [(q.ids, q.newest, q.hours, q.provider) for q in queries] for log, queries in EVENT_QUERIES.items()}
    assert probe_queries() == expected
    assert ("Operations Manager" in expected
            and ((4502,), 50, 25.0, "Health Service Modules") in expected["Operations Manager"])


def test_queries_ask_one_more_than_they_keep_and_report_the_cut():
    body = function_text("Add-ProbeEvents")
    assert "$filter['ProviderName'] = $Query.provider" in body
    assert "-MaxEvents ($Query.newest + 1)" in body
    assert "if ($found.Count -gt $Query.newest) {" in body
    assert "$cut['ids'] = $Query.ids" in body and "$cut['newest'] = $Query.newest" in body
    assert "[void]$Log['truncated'].Add($cut)" in body
    assert "$o['truncated'] = New-Object System.Collections.ArrayList" in function_text("Get-ProbeEventLog")


def test_an_event_without_a_time_fails_its_log_not_the_document():
    body = function_text("Add-ProbeEvents")
    assert "if ($null -eq $rec.TimeCreated) { throw" in body
    assert "$e['time'] = $null" not in body


def test_a_registry_value_of_an_unknown_kind_fails_its_key_not_the_document():
    schema = json.loads((CONTRACT.parent / "schema.json").read_text(encoding="utf-8"))
    kinds = schema["$defs"]["registry_value"]["properties"]["type"]["enum"]
    assert f"$ProbeRegistryKinds = @({', '.join(repr(k) for k in kinds)})" in script_text()
    body = function_text("Get-ProbeRegistryValue")
    check = "if ($ProbeRegistryKinds -notcontains $kind) { throw"
    assert check in body and body.index(check) < body.index("$Key.GetValue(")


def test_tls12_offered_is_read_back_after_the_attempt():
    body = function_text("Get-ProbeNetwork")
    attempt = body.index("[System.Net.ServicePointManager]::SecurityProtocol = ")
    written = body.index("$o['tls12_offered'] = ($protocols -eq 0 -or ($protocols -band 3072) -ne 0)")
    reread = body.index("$protocols = [int][System.Net.ServicePointManager]::SecurityProtocol", attempt)
    assert attempt < reread < written
    assert body.index("$o['tls12_offered'] = $false") < attempt


def test_network_error_classes_of_the_contract():
    literals = string_literals()
    assert {"timeout", "refused", "dns", "closed", "tls", "proxy", "direct"} <= literals
    assert any(lit.startswith("other: ") for lit in literals)


# ---- Its shape --------------------------------------------------------------------------------


def test_ascii_lf_no_tabs_and_within_budget():
    raw = (Path(__file__).resolve().parents[1] / "readiness" / "probe" / "probe.ps1").read_bytes()
    assert all(b < 0x80 for b in raw), "the probe must be ASCII"
    assert b"\t" not in raw and b"\r" not in raw
    assert raw.endswith(b"\n") and not raw.endswith(b"\n\n")
    trailing = [i + 1 for i, line in enumerate(raw.split(b"\n")) if line != line.rstrip()]
    assert trailing == [], f"trailing whitespace on lines {trailing}"
    assert len(raw) <= SIZE_BUDGET, f"probe.ps1 is {len(raw)} bytes, budget {SIZE_BUDGET}"


# ---- A real PowerShell, where one is installed ------------------------------------------------


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="no PowerShell on this machine (none is packaged for it)")
def test_runs_on_real_powershell_against_loopback(tmp_path):
    text = stdin_text(ProbeInput(tcp=("127.0.0.1:9",), https="http://127.0.0.1:9/", imds="http://127.0.0.1:9/", timeout_ms=500))
    run = subprocess.run(
        ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", BOOTSTRAP],
        input=text, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["schema"] == "readiness-probe/1"
    assert set(document) == set(contract_example())
