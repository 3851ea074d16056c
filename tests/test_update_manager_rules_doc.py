"""docs/update-manager-rules.md says what the code does: the azure-vm and arc catalogs' identities
and order, and every result each rule can give (read from the rule sources, as tests/test_rules_doc.py
reads the Update Management rules': the outcome calls reachable from each profile's test function)."""

from __future__ import annotations

import re

import pytest

from readiness.catalog import PROFILE_RULES
from tests.emulated import ROOT
from tests.test_rules_doc import rows, source_results

DOC = ROOT / "docs" / "update-manager-rules.md"
PROFILES = ("azure-vm", "arc")
RULE_IDS = list(dict.fromkeys(r for p in ("arc", "azure-vm") for r in PROFILE_RULES[p]))


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """RuleId -> text of each ``### RuleId`` section of "The rules"."""
    text = _text()
    rules = text[text.index("\n## The rules\n"):text.index("\n## Endpoints per cloud\n")]
    parts = re.split(r"^### (\w+)\n", rules, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def line(section: str, name: str) -> str:
    match = re.search(rf"^- {name}: (.+)$", section, flags=re.MULTILINE)
    assert match, f"no {name} line"
    return match.group(1)


def documented(rule_id: str) -> list[tuple[str, str, str]]:
    """(CheckResult, message id, message) rows; ``\\n`` in a message is its line feed."""
    return [(check, i, m.replace("\\n", "\n")) for check, i, m in rows(sections()[rule_id])]


def test_report_order_is_the_catalogs():
    text = _text()
    table = text[text.index("## Report order"):text.index("## How to read a result")]
    found = {p: [] for p in PROFILES}
    for number, azure, arc in re.findall(r"^\| (\d+) \| (\w*) ?\| ?(\w*) ?\|$", table, flags=re.MULTILINE):
        for profile, rule_id in zip(PROFILES, (azure, arc), strict=True):
            if rule_id:
                found[profile].append((int(number), rule_id))
    for profile in PROFILES:
        assert found[profile] == [(i.order, r) for r, i in PROFILE_RULES[profile].items()], profile


def test_the_page_has_every_rule_once():
    assert sorted(sections()) == sorted(RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_identity_is_the_catalogs(rule_id):
    section = sections()[rule_id]
    profiles = {p: i for p in PROFILES if (i := PROFILE_RULES[p].get(rule_id))}
    listed = dict(re.findall(r"`([\w-]+)` (\d+)", line(section, "Profiles")))
    assert listed == {p: str(i.order) for p, i in profiles.items()}
    groups = {(i.group_id, i.group_name) for i in profiles.values()}
    group_line = line(section, "Group")
    if len(groups) == 1:
        ((group_id, group_name),) = groups
        assert group_line == f"`{group_id}` / `{group_name}`"
    else:
        for profile, info in profiles.items():
            assert f"`{info.group_id}` / `{info.group_name}` ({profile})" in group_line
    (name,) = {i.name for i in profiles.values()}
    (description,) = {i.description for i in profiles.values()}
    assert line(section, "Name").startswith(f"`{name}`")
    if description:
        assert line(section, "Description").startswith(f"`{description}`")
    else:
        assert line(section, "Description").startswith("empty")
    assert len(line(section, "Reads")) > 40


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_results_are_those_the_rule_can_give(rule_id):
    rows_ = documented(rule_id)
    assert rows_, "no result table"
    for check, message_id, _ in rows_:
        assert message_id.split(".")[:2] == [rule_id, check] or rule_id == "WireServerConnectivityCheck", message_id
    possible = set().union(*(source_results(rule_id, p) for p in PROFILES if rule_id in PROFILE_RULES[p]))
    for message_id, pattern in possible:
        assert any(i == message_id and re.fullmatch(pattern, m) for _, i, m in rows_), (message_id, pattern)
    for _, message_id, message in rows_:
        assert any(i == message_id and re.fullmatch(p, message) for i, p in possible), (message_id, message)


def test_wire_server_rows_say_the_check_result_not_the_id():
    rows_ = documented("WireServerConnectivityCheck")
    assert ("Failed", "WireServerConnectivityCheck.Passed.Port32526Failed",
            "Connection to port 80 succeeded.\nConnection to port 32526 failed.") in rows_


def test_the_docs_index_lists_the_page():
    assert "(update-manager-rules.md)" in (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
