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


def _example_identifiers(example: str) -> set[str]:
    """Names an Example section makes up (snake_case, with a digit, or CamelCase inside)."""
    return {
        token
        for token in re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", example)
        if len(token) >= 4
        and ("_" in token.strip("_") or any(c.isdigit() for c in token) or re.match(r"[A-Z][a-z]+[A-Z]", token))
    }


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_why_it_matters_names_nothing_from_the_example(rule):
    # The App's comment quotes the first paragraph of "Why is this bad?" under every finding of
    # the rule (app/publish.py): an identifier of the Example would read as if about the PR.
    doc = rule.doc()
    why = doc.sections["Why is this bad?"].split("\n\n")[0]
    named = {
        name
        for name in _example_identifiers(doc.sections["Example"])
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", why)
    }
    assert named == set(), f"{rule.id}'s why-it-matters names {sorted(named)} from its Example"


def test_the_example_identifier_check_catches_them():
    example = "```python\nclass Video(Base):\n    sermon_actual_date: Mapped[datetime | None]\n```"
    assert "sermon_actual_date" in _example_identifiers(example)
    assert "DeclarativeBase" in _example_identifiers("class Base(DeclarativeBase): ...")
