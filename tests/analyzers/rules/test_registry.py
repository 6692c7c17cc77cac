"""Every registered rule is documented the same way; ids are unique and well formed."""

import re

import pytest

from undertow.analyzers.rules import FAMILIES, EngineRule, FileRule, RepoRule
from undertow.analyzers.rules.python_rule import PythonRule
from undertow.analyzers.rules.registry import ALL_RULES

SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead"]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_rule_identity_and_docs(rule):
    assert re.fullmatch(r"[A-Z]{3}\d{3}", rule.id)
    assert rule.family() in FAMILIES
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.fix and "\n" not in rule.fix
    assert rule.fix_safety in ("safe", "unsafe", "none")
    doc = rule.doc()
    assert list(doc.sections) == SECTIONS
    assert all(doc.sections[s] for s in SECTIONS)
    assert doc.summary.endswith(".")
    assert issubclass(rule, (PythonRule, FileRule, RepoRule, EngineRule))


def test_ids_and_names_are_unique():
    assert len({r.id for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
