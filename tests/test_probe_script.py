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

from readiness.probe import (
    BOOTSTRAP,
    INPUT_END,
    ProbeInput,
    input_for_profile,
    parse_input,
    render_input,
    script_text,
    stdin_text,
)

CONTRACT = Path(__file__).resolve().parents[1] / "readiness" / "probe" / "CONTRACT.md"
SIZE_BUDGET = 32 * 1024  # bytes; the script travels on standard input with every probe
# With the regions that gather what the Update Manager profiles read (sent only to hosts
# checked with those profiles).
SIZE_BUDGET_UPDATE_MANAGER = 48 * 1024

# Commands the probe may call: each only reads (wevtutil.exe only as "qe", query events).
READ_ONLY_CMDLETS = {"Get-Service", "Get-Acl", "New-Object", "wevtutil.exe"}

# .NET types the probe may name (type literals and New-Object), each used only to read or to
# hold the probe's own data.
ALLOWED_TYPES = {
    "bool", "byte[]", "char", "DateTime", "decimal", "Environment", "int", "int64", "int[]",
    "regex", "ref", "scriptblock", "string", "string[]", "void", "Console", "xml",
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
    "System.Security.Principal.SecurityIdentifier",
    "System.Diagnostics.Eventing.Reader.EventLogQuery", "System.Diagnostics.Eventing.Reader.EventLogReader",
    "System.Diagnostics.Eventing.Reader.PathType",
    "System.Text.Encoding", "System.Text.StringBuilder", "System.Threading.Thread", "System.Uri",
    "Microsoft.Win32.Registry", "Microsoft.Win32.RegistryHive", "Microsoft.Win32.RegistryKey",
    "Microsoft.Win32.RegistryValueOptions", "Microsoft.Win32.RegistryView",
    # the Update Manager profiles: folders and the agent's program looked for, number and date
    # parsing of JSON answers, a runspace that bounds a call that may hang, a TLS handshake
    "System.IO.File", "System.IO.StreamReader", "System.Globalization.NumberStyles",
    "System.Globalization.DateTimeStyles", "System.Management.Automation.PowerShell",
    "System.Management.Automation.RuntimeException", "System.Net.Security.SslStream",
    "System.Security.Authentication.SslProtocols", "System.UriKind",
}

# Static members, as Type::Member.
ALLOWED_STATIC = {
    "System.Globalization.CultureInfo::InvariantCulture", "regex::Matches", "regex::Replace",
    "System.BitConverter::ToString", "System.BitConverter::ToUInt32",
    "System.Text.Encoding::BigEndianUnicode", "System.Text.Encoding::ASCII",
    "Microsoft.Win32.RegistryKey::OpenBaseKey", "Microsoft.Win32.RegistryHive::LocalMachine",
    "Microsoft.Win32.RegistryView::Registry64", "Microsoft.Win32.Registry::LocalMachine",
    "Microsoft.Win32.RegistryValueOptions::DoNotExpandEnvironmentNames", "decimal::Parse",
    "System.Convert::ToBase64String", "System.Convert::FromBase64String", "System.Runtime.InteropServices.Marshal::ReleaseComObject",
    "System.IO.Directory::Exists", "System.Security.AccessControl.AccessControlSections::Access",
    "int::Parse", "System.Net.IPAddress::TryParse", "System.Net.Dns::BeginGetHostAddresses",
    "System.Net.Dns::EndGetHostAddresses", "System.Net.WebRequest::Create",
    "System.Net.ServicePointManager::SecurityProtocol", "System.Enum::ToObject",
    "System.Diagnostics.Stopwatch::StartNew", "System.Threading.Thread::Sleep",
    "DateTime::UtcNow", "Environment::OSVersion", "Console::Out",
    "System.Diagnostics.Eventing.Reader.PathType::LogName",
    "DateTime::MinValue", "DateTime::TryParse", "Environment::ExpandEnvironmentVariables",
    "Environment::GetEnvironmentVariable", "System.Globalization.DateTimeStyles::AdjustToUniversal",
    "System.Globalization.DateTimeStyles::AssumeUniversal", "System.Globalization.NumberStyles::Float",
    "System.IO.File::Exists", "System.Management.Automation.PowerShell::Create", "System.Uri::TryCreate",
    "System.UriKind::Absolute", "decimal::TryParse", "regex::Unescape",
}

# Instance methods (the receiver's type is not known statically, so the names are held tight).
ALLOWED_METHODS = {
    # strings, builders, collections, dates: the probe's own data
    "Append", "ToString", "Replace", "Substring", "Trim", "IndexOf", "LastIndexOf", "StartsWith",
    "EndsWith", "Add", "Contains", "ContainsKey", "GetBytes", "GetString", "GetEnumerator", "GetType",
    "ToUniversalTime", "RemoveAt", "Clear", "GetAttribute",
    # registry: read-only overloads (OpenSubKey is checked to take one argument)
    "OpenSubKey", "GetValueNames", "GetValueKind", "GetValue",
    # ACL, the agent's COM object, event records (read newest first, rendered one by one)
    "GetAccessControl", "GetAccessRules", "GetCloudWorkspaces", "ReadEvent", "FormatDescription", "Dispose",
    # network tests: connect, GET, release
    "BeginConnect", "EndConnect", "BeginGetResponse", "EndGetResponse", "Abort", "Close",
    # the one write to stdout
    "Write", "Flush",
    # registry subkeys listed; a bounded runspace (started, waited for, read); a TLS handshake
    # (through an HTTP CONNECT tunnel: its request written, its answer read); IMDS's answer read
    "GetSubKeyNames", "AddScript", "AddArgument", "BeginInvoke", "EndInvoke", "WaitOne",
    "GetStream", "BeginWrite", "EndWrite", "BeginRead", "EndRead", "BeginAuthenticateAsClient",
    "EndAuthenticateAsClient", "ReadToEnd",
}

# Properties the probe assigns: request settings of its own HttpWebRequests, the direction of
# its own event queries, the process's own TLS offer, and keys of its own bookkeeping hashtables.
ALLOWED_PROPERTY_WRITES = {
    "Method", "AllowAutoRedirect", "KeepAlive", "UserAgent", "ConnectionGroupName", "Proxy", "ReverseDirection",
    "System.Net.ServicePointManager::SecurityProtocol",
    "done", "client", "pending", "request", "phase", "proxyServer", "ReadWriteTimeout",
    "hostName", "port", "stream", "tls", "tunnel", "buffer", "answer", "body",
    "error", "hresult", "show", "show_code", "config", "config_code",
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
    # SID to account name: may wait on a domain controller without bound
    "Translate",
}
AGENT_COM_CLASS = "AgentConfigManager.MgmtSvcCfg"
WUA_COM_CLASS = "Microsoft.Update.ServiceManager"  # the Windows Update Agent's services, read only
# The Connected Machine agent's tool, run by its full path ($Exe) with these arguments only.
AZCMAGENT_ARGUMENTS = {("show", "-j"), ("config", "list", "-j")}

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

INPUT_VARIABLES = ("ProbeRegistry", "ProbeServices", "ProbeEvents", "ProbeAcl", "ProbeTcp", "ProbeWorkspaceTcp",
                   "ProbeHttps", "ProbeImds", "ProbeTimeoutMs", "ProbeFolders", "ProbeWindowsUpdate", "ProbeArcAgent",
                   "ProbeTls", "ProbeImdsCompute", "ProbeTcpFromRegistry")


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
    spec = next(c for c in type_literal.children if c.type == "type_spec")
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
        input_for_profile(ProbeInput(), "auto"),
    ],
    ids=["defaults", "quotes-and-templates", "update-manager"],
)
def test_whole_standard_input_parses(probe_input):
    text = stdin_text(probe_input)
    assert broken_nodes(parse(text)) == []
    assert INPUT_END in text


# The input variables that only the Update Manager profiles set, and the test kind only they create.
UPDATE_MANAGER_GUARDS = ("$ProbeFolders", "$ProbeWindowsUpdate", "$ProbeArcAgent", "$ProbeTls", "$ProbeImdsCompute",
                         "$ProbeTcpFromRegistry", "$Test.kind -eq 'tls'", "$Test.readBody")


def test_without_its_update_manager_regions_the_probe_parses_passes_and_never_calls_them():
    base = parse(script_text(update_manager=False))
    assert broken_nodes(base) == []
    for check in ("commands", "output", "compatibility", "null_foreach", "regex_case", "parameters"):
        assert [p for p in CHECKS[check](base) if "outside the read-only allowlist" not in p] == [], check
    full_functions, base_functions = inventory().functions, inventory_of(base).functions
    only_in_regions = full_functions - base_functions
    assert {"Get-ProbeWindowsUpdate", "Get-ProbeArcAgent", "Get-ProbeFolder", "Open-ProbeTlsTest"} <= only_in_regions
    for node in walk(base.root_node):
        name = next((c for c in node.children if c.type == "command_name"), None) if node.type == "command" else None
        if name is None or text_of(name) not in only_in_regions:
            continue
        ancestor, guarded_by = node.parent, None
        while ancestor is not None and guarded_by is None:
            if ancestor.type in ("if_statement", "elseif_clause"):
                condition = text_of(next(c for c in ancestor.children if c.type == "pipeline"))
                guarded_by = next((g for g in UPDATE_MANAGER_GUARDS if g in condition), None)
            ancestor = ancestor.parent
        assert guarded_by, f"line {line_of(node)}: {text_of(name)} is called where no Update Manager input asks it"


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
    exempt = {"New-Object", "Add-ProbeJson", "Add-ProbeError", "Add-ProbeEventRecord", "Add-ProbeCut"}
    problems += [f"command with a writing verb: {name}" for name in sorted(set(inv.commands) | inv.functions)
                 if name.split("-", 1)[0] in FORBIDDEN_VERBS and name not in exempt]
    problems += [f"invokes {name}" for name in sorted(set(inv.dynamic_calls) - {"$Gather", "$Exe"})]
    problems += [f"COM class {name}" for name in sorted(set(inv.com_classes) - {AGENT_COM_CLASS, WUA_COM_CLASS})]
    problems += [f"redirection {r}" for r in inv.redirections]
    for node in walk(tree.root_node):
        name = next((c for c in node.children if c.type == "command_name"), None) if node.type == "command" else None
        if name is not None and text_of(name).lower() == "wevtutil.exe":
            elements = next((c for c in node.children if c.type == "command_elements"), None)
            first = next((c for c in elements.children if c.type != "command_argument_sep"), None) if elements else None
            if first is None or text_of(first) != "qe":
                problems.append(f"line {line_of(node)}: wevtutil.exe other than qe (query events)")
        expr = next((c for c in node.children if c.type == "command_name_expr"), None) if node.type == "command" else None
        if expr is not None and text_of(expr) == "$Exe":
            elements = next((c for c in node.children if c.type == "command_elements"), None)
            arguments = tuple(text_of(c) for c in elements.children if c.type != "command_argument_sep") if elements else ()
            if arguments not in AZCMAGENT_ARGUMENTS:
                problems.append(f"line {line_of(node)}: azcmagent with {arguments}: only show -j and config list -j read")
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
    return text.split(" ", 1)[0] == "Add-ProbeJson"


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
        elif node.type in POWERSHELL_5_NODES or (node.child_count == 0 and node.type in POWERSHELL_7_TOKENS):
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


# Values that are never $null: the probe's own lists, parsed XML, regex matches, @() arrays.
NEVER_NULL_SOURCES = ("New-Object System.Collections.ArrayList", "[xml]", "[regex]::Matches(", "@(")
NEVER_NULL_MEMBERS = (".GetEnumerator()", ".ChildNodes", ".DocumentElement")


def never_null_variables(tree: tree_sitter.Tree) -> set[str]:
    """Variables every assignment of which gives a value that is never $null."""
    sources: dict[str, list[str]] = collections.defaultdict(list)
    for node in walk(tree.root_node):
        if node.type == "assignment_expression":
            left = next(c for c in node.children if c.type == "left_assignment_expression")
            right = node.children[-1]
            sources[text_of(left).lower()].append(text_of(right))
    return {name for name, values in sources.items()
            if name.startswith("$") and all(v.startswith(NEVER_NULL_SOURCES) for v in values)}


def guarded(node: tree_sitter.Node, expression: str) -> bool:
    """Inside ``if ($null -ne <expression> ...) { here }``, or after ``if ($null -eq <expression>)
    { ... return }`` earlier in the same function."""
    wanted = f"$null -ne {expression}".lower()
    child, ancestor = node, node.parent
    while ancestor is not None:
        if ancestor.type == "if_statement" and child.type == "statement_block":
            condition = next(c for c in ancestor.children if c.type == "pipeline")
            if wanted in text_of(condition).lower() and " -or " not in text_of(condition).lower():
                return True
        if ancestor.type == "function_statement":
            body = text_of(ancestor)[: node.start_byte - ancestor.start_byte].lower()
            if re.search(rf"if \(\$null -eq {re.escape(expression.lower())}\) \{{[^}}]*\breturn\b", body):
                return True
        child, ancestor = ancestor, ancestor.parent
    return False


def null_foreach_problems(tree: tree_sitter.Tree) -> list[str]:
    """Windows PowerShell 2.0 runs ``foreach ($x in $null)`` once, with $x = $null: every
    collection must be one that is never $null, or be guarded against $null."""
    safe = never_null_variables(tree)
    problems = []
    for node in walk(tree.root_node):
        if node.type != "foreach_statement":
            continue
        collection = text_of(next(c for c in node.children if c.type == "pipeline")).strip()
        if collection.startswith(("@(", "[regex]::Matches(")) or " -split " in collection:
            continue
        base = collection
        while base.endswith(NEVER_NULL_MEMBERS):
            base = base[: base.rindex(".")]
        if base.lower() in safe or guarded(node, base):
            continue
        problems.append(f"line {line_of(node)}: foreach over {collection}, which may be $null")
    return problems


CASE_INSENSITIVE_REGEX = {"-match", "-notmatch", "-replace", "-imatch", "-inotmatch", "-ireplace"}


def regex_case_problems(tree: tree_sitter.Tree) -> list[str]:
    """-match, -notmatch and -replace ignore case in the current culture, where U+0130 and
    U+212A (Kelvin) fold to ASCII letters: a character class such as [A-Za-z] or [^\\x20-\\x7E]
    then admits them. The probe uses the case-sensitive -cmatch, -cnotmatch, -creplace."""
    return [f"line {line_of(n)}: {text_of(n)} (use the case-sensitive -c form)" for n in walk(tree.root_node)
            if n.type == "comparison_operator" and text_of(n).lower() in CASE_INSENSITIVE_REGEX]


def parameter_problems(tree: tree_sitter.Tree) -> list[str]:
    """PowerShell variable names ignore case: ``$query = ...`` in a function whose parameter is
    ``$Query`` overwrites the parameter. No function assigns to one of its parameters."""
    problems = []
    for function in (n for n in walk(tree.root_node) if n.type == "function_statement"):
        declared = next((c for c in function.children if c.type == "function_parameter_declaration"), None)
        names = {text_of(v).lower() for v in walk(declared) if v.type == "variable"} if declared else set()
        for node in walk(function):
            if node.type == "left_assignment_expression" and text_of(node).lower() in names:
                problems.append(f"line {line_of(node)}: {text_of(node)} overwrites a parameter of "
                                f"{text_of(next(c for c in function.children if c.type == 'function_name'))}")
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
    "null_foreach": null_foreach_problems,
    "regex_case": regex_case_problems,
    "parameters": parameter_problems,
}


# ---- The probe passes every check --------------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS)
def test_probe_passes(check):
    problems = CHECKS[check](script_tree())
    assert problems == [], "\n".join(problems) + "\n\n" + inventory().report()


def test_inventory_lists_what_the_probe_reads():
    inv = inventory()
    assert set(inv.commands) >= READ_ONLY_CMDLETS
    assert {"OpenSubKey", "GetValue", "GetAccessRules", "GetCloudWorkspaces", "BeginConnect",
            "BeginGetResponse"} <= set(inv.methods)
    assert set(inv.com_classes) == {AGENT_COM_CLASS, WUA_COM_CLASS}
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
    ("null_foreach", "foreach ($ws in $cfg.GetCloudWorkspaces()) { $n = 1 }"),
    ("parameters", "function Get-X($Query) { $query = 1; $Query.ids }"),
    ("regex_case", "if ($Text -notmatch '[^\\x20-\\x7E]') { $n = 1 }"),
    ("regex_case", "$n = $a -replace '^[A-Za-z]+://', ''"),
    ("null_foreach", "foreach ($x in $ProbeTcp) { $n = 1 }"),
    ("null_foreach", "if ($null -ne $a -or $b) { foreach ($x in $a) { $n = 1 } }"),
    ("dotnet", "$name = $rule.IdentityReference.Translate([System.Security.Principal.NTAccount]).Value"),
    ("commands", "$null = wevtutil.exe cl Application"),
    ("commands", "$null = & $Exe disconnect --force-local-only"),
    ("commands", "$null = & $Exe config set proxy.url x"),
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
    match = re.search(r"```json\n(.*?)\n```", CONTRACT.read_text(encoding="utf-8"), re.DOTALL)
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


def function_text(name: str) -> str:
    match = re.search(rf"^function {re.escape(name)}\b.*?^}}$", script_text(), re.DOTALL | re.MULTILINE)
    assert match, f"the probe has no function {name}"
    return match.group(0)


INPUT_NAMED = ("registry", "services", "event_logs", "acl")  # their keys come from the input


def test_every_key_of_the_contract_example_is_written():
    literals = string_literals()
    example = contract_example()
    named = {key for part in INPUT_NAMED for key in example[part]}
    named |= {name for key in example["registry"].values() for name in key["values"]}
    expected = (json_keys(example) - named) | {"fact", "message", "error"}
    missing = sorted(k for k in expected if k not in literals)
    assert not missing, f"keys of CONTRACT.md's example that the script never writes: {missing}"
    default_input = render_input(ProbeInput())
    for key in named:
        assert key.replace("'", "''") in default_input, f"{key} is not in the probe's default input"


def test_the_script_names_no_registry_key_log_service_or_folder():
    # What to gather is decided in Python and sent in the input; the script only executes it.
    literals = string_literals()
    from readiness.probe import gather
    # The one exception: WinHTTP's own settings, which route the probe's HTTP tests.
    keys = [key for key in gather.REGISTRY_KEYS if key != gather.CONNECTIONS_KEY]
    names = [*keys, *gather.SERVICES, gather.OPERATIONS_MANAGER, gather.SMA, gather.MACHINE_KEYS,
             "Release", "WUServer", "AUOptions", "Health Service Modules"]
    assert [n for n in names if n in literals] == []
    integers = {int(text_of(n)) for n in nodes("decimal_integer_literal")}
    assert not {1210, 4502, 15003, 15004} & integers


def test_every_registry_value_name_of_the_contract_is_read():
    contract = CONTRACT.read_text(encoding="utf-8")
    names = ["Release", "WUServer", "AUOptions", "AlwaysAutoRebootAtScheduledTime",
             "AlwaysAutoRebootAtScheduledTimeMinutes", "Enabled", "DisabledByDefault", "WinHttpSettings"]
    sent = parse_input(render_input(ProbeInput())).registry
    read = {name for entry in sent for name in entry.names}
    for name in names:
        assert f"`{name}`" in contract, f"CONTRACT.md no longer names {name}"
        assert name in read, f"the probe's default input does not read {name}"
    assert [entry.key for entry in sent] == list(contract_example()["registry"])


def test_event_ids_and_limits_of_the_contract():
    text = CONTRACT.read_text(encoding="utf-8")
    for query in ProbeInput().events:
        assert f"`{query.xpath}`" in text, f"CONTRACT.md does not give the query {query.xpath}"
        assert f"| {query.newest} |" in text
    literals = string_literals()
    assert AGENT_COM_CLASS in literals and "readiness-probe/2" in literals


def test_the_4502_query_is_xpath_with_a_relative_window():
    # Get-WinEvent -FilterHashtable builds XPath itself: StartTime goes through
    # DateTime.ToString() and DateTime.Parse(..., CultureInfo.CurrentCulture) (StringToDateTime
    # in PowerShell's GetEventCommand.cs), so a custom culture format fails the query, and
    # ProviderName is looked up in EventLogSession.GetProviderNames() (an unregistered publisher
    # is NoMatchingProvidersFound). The probe sends the XPath the service evaluates itself.
    query = next(q for q in ProbeInput().events if q.ids == (4502,))
    assert query.xpath == ("*[System[Provider[@Name='Health Service Modules'] and (EventID=4502) and "
                           "TimeCreated[timediff(@SystemTime) <= 90000000]]]")
    assert "FilterHashtable" not in script_text() and "Get-WinEvent" not in inventory().commands


def test_event_queries_run_the_inputs_xpath_newest_first():
    reader = function_text("Read-ProbeEventsWithReader")
    assert ("New-Object System.Diagnostics.Eventing.Reader.EventLogQuery -ArgumentList $LogName, $pathType, "
            "([string]$Query.xpath)") in reader
    assert "$logQuery.ReverseDirection = $true" in reader
    wevtutil = function_text("Read-ProbeEventsWithWevtutil")
    assert "wevtutil.exe qe $LogName ('/q:' + [string]$Query.xpath) '/f:xml' '/rd:true' ('/c:' + $count)" in wevtutil


def test_queries_ask_one_more_than_they_keep_and_report_the_cut():
    reader = function_text("Read-ProbeEventsWithReader")
    assert "while ($found.Count -le $Query.newest) {" in reader
    assert "$count = [int]$Query.newest + 1" in function_text("Read-ProbeEventsWithWevtutil")
    for name in ("Read-ProbeEventsWithReader", "Read-ProbeEventsWithWevtutil"):
        body = function_text(name)
        assert "if ($found.Count -gt $Query.newest) {" in body and "Add-ProbeCut $Log $Query" in body, name
    cut = function_text("Add-ProbeCut")
    assert "$cut['ids'] = $Query.ids" in cut and "$cut['newest'] = $Query.newest" in cut
    assert "[void]$Log['truncated'].Add($cut)" in cut
    assert "$o['truncated'] = New-Object System.Collections.ArrayList" in function_text("Get-ProbeEventLog")


def test_one_record_that_cannot_be_rendered_keeps_its_log():
    # Get-WinEvent writes an error for a record whose FormatDescription() fails and under
    # -ErrorAction Stop that ends the query (ReadEvents in GetEventCommand.cs); the probe renders
    # each record in a try of its own and keeps it with a null message.
    body = function_text("Read-ProbeEventsWithReader")
    render = "try {\n                $message = $rec.FormatDescription()\n            } catch {\n                $message = $null\n            }"
    assert render in body
    assert body.index("foreach ($rec in $found) {") < body.index(render)


def test_on_powershell_2_the_logs_are_read_with_wevtutil():
    # EventLogReader lives in System.Core 3.5, which PowerShell 2.0 on .NET 2.0 lacks; every
    # later PowerShell runs on CLR 4, where it is always there.
    body = function_text("Get-ProbeEventLog")
    choice = "if ($PSVersionTable.PSVersion.Major -ge 3) {\n            $exists = Read-ProbeEventsWithReader $o $LogName $query\n        } else {\n            $exists = Read-ProbeEventsWithWevtutil $o $LogName $query"
    assert choice in body
    wevtutil = function_text("Read-ProbeEventsWithWevtutil")
    assert "if ($code -eq 15007) { return $false }" in wevtutil  # ERROR_EVT_CHANNEL_NOT_FOUND
    assert "$null $properties" in wevtutil  # no message: the XML is not rendered
    assert "System.Diagnostics.Eventing" not in wevtutil


def test_an_event_without_a_time_fails_its_log_not_the_document():
    body = function_text("Read-ProbeEventsWithReader")
    assert "if ($null -eq $rec.TimeCreated) { throw" in body
    assert "$e['time'] = $null" not in script_text()
    assert "has no time') }" in function_text("Read-ProbeEventsWithWevtutil") or "has no time')" in function_text(
        "Read-ProbeEventsWithWevtutil")


def test_acl_entries_carry_sids_and_never_translate_them():
    body = function_text("Get-ProbeAcl")
    assert "$entry['sid'] = $rule.IdentityReference.Value" in body
    assert "Translate" not in body and "identity" not in body


def test_the_winhttp_version_dword_is_not_checked():
    body = function_text("Get-ProbeWinHttpProxy")
    assert "ToUInt32($blob, 0)" not in body and "24" not in body
    assert "ToUInt32($blob, 8)" in body  # the flags; the lengths are checked in Get-ProbeBlobString


def test_the_bootstrap_checks_the_language_mode_before_anything_it_forbids():
    text = BOOTSTRAP
    check = "[string]$ExecutionContext.SessionState.LanguageMode"
    assert text.index(check) < text.index("$input") < text.index("[scriptblock]::Create(")
    assert "if ($readinessMode -ne 'FullLanguage') { '{\"schema\":\"readiness-probe/2\",\"language_mode\":\"' + $readinessMode" in text


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
    sent = script_text(update_manager=False).encode("ascii")  # what travels: the file without its comment lines
    assert len(sent) <= SIZE_BUDGET, f"the probe script sent is {len(sent)} bytes, budget {SIZE_BUDGET}"
    assert b"\n#" not in b"\n" + sent.replace(b" ", b"")
    full = script_text(update_manager=True).encode("ascii")
    assert len(full) <= SIZE_BUDGET_UPDATE_MANAGER, f"with the Update Manager regions: {len(full)} bytes"
    assert b"\n#" not in b"\n" + full.replace(b" ", b"")


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
    assert document["schema"] == "readiness-probe/2"
    assert set(document) == set(contract_example())


def test_each_fact_kind_has_its_gathering_function_called_through_get_probefact():
    from readiness.probe.gather import GATHERERS
    contract = CONTRACT.read_text(encoding="utf-8")
    text = script_text()
    for kind, name in GATHERERS.items():
        assert f"| `{name}`" in contract, name
        function_text(name)  # it exists
        assert re.search(rf"Get-ProbeFact \(?'{kind}[.']", text) and f"{{ {name} " in text, (kind, name)
