"""`--format github`: workflow commands within the annotations GitHub shows per step."""

from undertow.analyzers.core.engine import Report, Stats
from undertow.analyzers.core.findings import Finding, Severity
from undertow.app.output import github


def _finding(severity: Severity, line: int, message: str = "m") -> Finding:
    return Finding("RSK001", "subprocess-without-timeout", severity, "app/a.py", line, line, message, f"fp{line}")


def _report(findings: list[Finding], preexisting: int = 0) -> Report:
    return Report(findings, preexisting, Stats())


def test_errors_come_first_and_a_few_findings_are_all_annotations():
    report = _report([_finding(Severity.NOTICE, 1), _finding(Severity.WARNING, 2), _finding(Severity.ERROR, 3, "a:b%")])
    assert github.render(report).splitlines() == [
        "::error file=app/a.py,line=3,endLine=3,title=RSK001 subprocess-without-timeout::a:b%25",
        "::warning file=app/a.py,line=2,endLine=2,title=RSK001 subprocess-without-timeout::m",
        "::notice file=app/a.py,line=1,endLine=1,title=RSK001 subprocess-without-timeout::m",
    ]


def test_ten_of_each_severity_are_annotations_and_the_rest_plain_log_lines():
    warnings = [_finding(Severity.WARNING, n) for n in range(1, 13)]
    errors = [_finding(Severity.ERROR, n, "line one\nline two") for n in range(101, 112)]
    lines = github.render(_report(warnings + errors)).splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:20]] == ["::error"] * 10 + ["::warning"] * 10
    assert (
        lines[0]
        == "::error file=app/a.py,line=101,endLine=101,title=RSK001 subprocess-without-timeout::line one%0Aline two"
    )
    assert lines[20:] == [
        "error: app/a.py:111: RSK001 subprocess-without-timeout: line one line two",
        "warning: app/a.py:11: RSK001 subprocess-without-timeout: m",
        "warning: app/a.py:12: RSK001 subprocess-without-timeout: m",
        "::notice::3 of 23 findings are not shown as annotations (GitHub shows at most 10 of each severity per "
        "step): they are in this log above; `undertow scan --format sarif` reports all of them",
    ]


def test_the_notices_undertow_adds_count_against_the_ten_notice_annotations():
    notices = [_finding(Severity.NOTICE, n) for n in range(1, 11)]
    lines = github.render(_report(notices, preexisting=2)).splitlines()
    assert sum(1 for line in lines if line.startswith("::notice")) == 10
    assert lines[8:] == [
        "notice: app/a.py:9: RSK001 subprocess-without-timeout: m",
        "notice: app/a.py:10: RSK001 subprocess-without-timeout: m",
        "::notice::2 of 10 findings are not shown as annotations (GitHub shows at most 10 of each severity per "
        "step): they are in this log above; `undertow scan --format sarif` reports all of them",
        "::notice::2 pre-existing findings (not from this change)",
    ]
    # Exactly ten, with the pre-existing notice: all fit only without the overflow line.
    assert (
        sum(1 for line in github.render(_report(notices[:9], preexisting=2)).splitlines() if line.startswith("::"))
        == 10
    )


def test_no_findings_no_output():
    assert github.render(_report([])) == ""
    assert github.render(_report([], preexisting=1)) == "::notice::1 pre-existing findings (not from this change)\n"
