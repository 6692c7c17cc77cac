"""Every rule's VALID and INVALID cases, each run through the engine on an in-memory repository."""

import pytest

from undertow.analyzers.core.engine import review
from undertow.analyzers.rules.base import EngineRule
from undertow.analyzers.rules.cases import Case, cases_of
from undertow.analyzers.rules.registry import ALL_RULES

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


def test_a_case_is_base_overlaid_with_head_and_changes_what_differs():
    case = Case(
        base={"a.py": "x = 1\n", "b.py": "y = 1\n", "c.py": "z\n"},
        head={"a.py": "x = 2\n", "b.py": None, "c.py": "z\n", "d.py": "1\n2\n"},
    )
    base, head = case.snapshots()
    assert sorted(base.entries()) == ["a.py", "b.py", "c.py"] and sorted(head.entries()) == ["a.py", "c.py", "d.py"]
    changes = case.change_set()
    assert [(f.path, f.status.value, sorted(f.lines)) for f in changes.files] == [
        ("a.py", "modified", [1]),
        ("b.py", "removed", []),
        ("d.py", "added", [1, 2]),
    ]
    only_line_2 = Case(base={"a.py": "1\n"}, head={"a.py": "1\n2\n3\n"}, changed={"a.py": [2]}).change_set()
    assert [(f.path, sorted(f.lines)) for f in only_line_2.files] == [("a.py", [2])]
    assert Case(base={".github/undertow.yml": "rules:\n  RSK001: 'off'\n"}, head={}).config().rules == {"RSK001": "off"}


def test_report_at_a_path_is_the_engine_notice_finding_and_needs_a_line():
    from undertow.analyzers.core.findings import Severity
    from undertow.analyzers.rules.engine.notices import AnalysisIncomplete, UnparseableFile

    rule = UnparseableFile()
    assert rule.report("m.sql", "msg", "k", line=3) == UnparseableFile.finding_at("m.sql", 3, "msg", "k")
    scoped = rule.report("m.sql", "msg", "k", line=3, end_line=4, scope="trees", severity=Severity.ERROR)
    assert (scoped.fingerprint, scoped.end_line, scoped.severity) == ("UND001:trees:k", 4, Severity.ERROR)
    with pytest.raises(TypeError):
        rule.report("m.sql", "msg", "k")  # type: ignore[call-overload]
    import libcst as cst

    with pytest.raises(TypeError):
        AnalysisIncomplete().report(cst.Name("x"), "msg", "k")
