"""Every rule's VALID and INVALID cases, each run through the engine on an in-memory repository."""

import pytest

from undertow.analyzers.core.engine import review
from undertow.analyzers.rules import ALL_RULES
from undertow.analyzers.rules.base import EngineRule
from undertow.analyzers.rules.cases import Case, cases_of

# UND002-UND004 are raised by the engine itself (no check of their own, and no other rule runs
# in a one-rule review to give them a file to read): their tests are in tests/analyzers/core.
EXEMPT = {rule.id for rule in ALL_RULES if issubclass(rule, EngineRule)}

CASES = [
    pytest.param(rule, kind, case, id=f"{rule.id}-{kind}-{number}")
    for rule in ALL_RULES
    for kind, cases in zip(("VALID", "INVALID"), cases_of(rule), strict=True)
    for number, case in enumerate(cases, start=1)
]


def _review(rule, case: Case):
    base, head = case.snapshots()
    report = review(base, head, case.change_set(), case.config(), rules=[rule])
    assert report.failures == [], f"{rule.id} failed on its own case: {report.failures}"
    return sorted((f.rule, f.path, f.line) for f in report.findings)


@pytest.mark.parametrize("rule, kind, case", CASES)
def test_case(rule, kind, case):
    found = _review(rule, case)
    if kind == "INVALID":
        assert case.expect, "an INVALID case says what it must find"
        assert found == sorted(case.expect)
    else:
        assert not case.expect, "a VALID case expects nothing"
        assert [f for f in found if f[0] == rule.id] == []


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_every_rule_has_a_trigger_and_a_quiet_case(rule):
    valid, invalid = cases_of(rule)
    if rule.id in EXEMPT:
        pytest.skip(f"{rule.id} is an engine notice: see EXEMPT")
    assert valid and invalid, f"{rule.id} needs at least one VALID and one INVALID case"
    assert all(isinstance(c, Case) for c in valid + invalid)
    assert all(r == rule.id for c in invalid for r, _path, _line in c.expect)
