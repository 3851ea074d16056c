"""docs/rules.md says what the code does: the catalog's identities, and every result a rule can give.

The results a rule can give are read from the rule sources (tests_readiness/): each call of
``rule.passed``, ``rule.warned`` or ``rule.failed`` in the rule's function, or in a function of
the same module it calls, gives a message id and a message (literal text, with the module's
constants filled in and any other value left open).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

from readiness import plugin, probe_pool
from readiness.catalog import DEFAULT_PROFILE, RULES
from tests.emulated import ROOT, RULES_DIR

DOC = ROOT / "docs" / "rules.md"
CHECKS = {"passed": "Passed", "warned": "PassedWithWarning", "failed": "Failed", "informed": "Information"}


def sections() -> dict[str, tuple[int, str]]:
    """RuleId -> (number, text) of each ``### N. RuleId`` section, in the page's order."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### (\d+)\. (\w+)\n", text, flags=re.MULTILINE)
    return {parts[i + 1]: (int(parts[i]), parts[i + 2]) for i in range(1, len(parts), 3)}


def field(section: str, name: str) -> str:
    match = re.search(rf"^- {name}: `(.*?)`(?: \(|$)", section, flags=re.MULTILINE)
    assert match, f"no {name} line"
    return match.group(1)


def rows(section: str) -> list[tuple[str, str, str]]:
    """(CheckResult, message id, message) of each row of the section's result table."""
    found = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 5 and cells[2].startswith("`") and cells[0] != "when":
            found.append((cells[1], cells[2].strip("`"), cells[3].removeprefix("`").removesuffix("`")))
    return found


def _pattern(node: ast.expr, constants: dict) -> str:
    """A regular expression for a message argument: literal text exact, other values open."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.Name) and isinstance(constants.get(node.id), str):
        return re.escape(constants[node.id])
    if isinstance(node, ast.JoinedStr):
        out = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                out += re.escape(part.value)
            elif isinstance(part.value, ast.Name) and isinstance(constants.get(part.value.id), (str, int)):
                out += re.escape(str(constants[part.value.id]))
            else:
                out += ".+"
        return out
    raise AssertionError(f"a message the test cannot read: {ast.dump(node)}")


def rule_function(rule_id: str, profile: str = DEFAULT_PROFILE):
    """``test_<rule_id>`` of the rule module of ``profile`` (a module's ``PROFILE``, else the default)."""
    for path in sorted(RULES_DIR.glob("test_*.py")):
        module = importlib.import_module(f"tests_readiness.{path.stem}")
        if getattr(module, "PROFILE", DEFAULT_PROFILE) == profile and hasattr(module, f"test_{rule_id}"):
            return getattr(module, f"test_{rule_id}")
    raise LookupError(f"no rule test test_{rule_id} of the profile {profile}")


def source_results(rule_id: str, profile: str = DEFAULT_PROFILE) -> set[tuple[str, str]]:
    """(message id, message pattern) of every outcome call reachable from ``test_<rule_id>``: in its
    module's functions, and in the functions of a project module it calls (``um.dotnet_framework``)."""
    function = rule_function(rule_id, profile)
    found: set[tuple[str, str]] = set()
    seen: set[tuple[str, str]] = set()

    def walk(module, name: str) -> None:
        if (module.__name__, name) in seen:
            return
        seen.add((module.__name__, name))
        tree = ast.parse(inspect.getsource(module))
        functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        constants = {k: v for k, v in vars(module).items() if k.isupper()}
        for node in ast.walk(functions[name]):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id in functions:
                walk(module, node.func.id)
            elif (isinstance(node.func, ast.Attribute) and node.func.attr in CHECKS
                  and isinstance(node.func.value, ast.Name) and node.func.value.id == "rule"):
                reason = next((k.value.value for k in node.keywords if k.arg == "reason"), None)
                whole = next((k.value.value for k in node.keywords if k.arg == "message_id"), None)
                message_id = whole or f"{rule_id}.{CHECKS[node.func.attr]}" + (f".{reason}" if reason else "")
                found.add((message_id, _pattern(node.args[0], constants)))
            elif (isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                  and inspect.ismodule(other := vars(module).get(node.func.value.id))
                  and other.__name__.startswith("readiness.")):
                walk(other, node.func.attr)

    walk(inspect.getmodule(function), function.__name__)
    return found


def test_the_page_has_every_rule_in_report_order():
    assert list(sections()) == list(RULES)
    assert [number for number, _ in sections().values()] == [info.order for info in RULES.values()]


@pytest.mark.parametrize("rule_id", list(RULES))
def test_identity_is_the_catalogs(rule_id):
    info, (_, section) = RULES[rule_id], sections()[rule_id]
    assert field(section, "Group") == f"{info.group_id}` / `{info.group_name}"
    assert field(section, "Name") == info.name
    assert field(section, "Description") == info.description


@pytest.mark.parametrize("rule_id", list(RULES))
def test_each_rule_says_what_it_reads(rule_id):
    reads = re.search(r"^- Reads: (.+)$", sections()[rule_id][1], flags=re.MULTILINE)
    assert reads and len(reads.group(1)) > 20, "no Reads: line naming the rule's inputs"


@pytest.mark.parametrize("rule_id", list(RULES))
def test_results_are_those_the_rule_can_give(rule_id):
    documented = rows(sections()[rule_id][1])
    assert documented, "no result table"
    for check, message_id, _ in documented:
        assert message_id.split(".")[:2] == [rule_id, check], (check, message_id)
    possible = source_results(rule_id)
    # Every result of the code is on the page...
    for message_id, pattern in possible:
        assert any(i == message_id and re.fullmatch(pattern, m) for _, i, m in documented), (message_id, pattern)
    # ...and every row of the page is a result of the code.
    for _, message_id, message in documented:
        assert any(i == message_id and re.fullmatch(p, message) for i, p in possible), (message_id, message)
    assert {i for _, i, _ in documented} == {i for i, _ in possible}


def test_the_reasons_every_rule_can_give_are_the_codes():
    text = DOC.read_text(encoding="utf-8")
    every_rule = text[text.index("### Results every rule can give"):text.index("## Inputs several rules share")]
    host_row = next(line for line in every_rule.splitlines() if "could not be checked at all" in line)
    listed = set(re.findall(r"`(\w+)`", host_row.split("Reason one of", 1)[1].split("|", 1)[0]))
    tree = ast.parse(Path(probe_pool.__file__).read_text(encoding="utf-8"))
    used = {vars(probe_pool)[node.args[0].id] for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "HostFailure"
            and isinstance(node.args[0], ast.Name)}
    assert listed == used
    assert f"`<RuleId>.Failed.{probe_pool.PROBE_ERROR}`" in every_rule
    assert f"`<RuleId>.Failed.{plugin.SUITE_ERROR}`" in every_rule
