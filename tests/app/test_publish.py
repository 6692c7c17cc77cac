"""Check-run output, annotation batches and the review plan, from structured findings."""

from undertow.analyzers.core.engine import Report, Stats
from undertow.analyzers.core.findings import Finding, Severity, Suggestion
from undertow.app.publish import (
    ANNOTATIONS_PER_REQUEST,
    MAX_OUTPUT_TEXT,
    batches,
    check_annotations,
    check_output,
    comment_body,
    conclusion,
    fingerprints_in,
    plan_review,
    resolved_body,
    summary_comment,
)


def finding(rule="RSK001", line=5, severity=Severity.WARNING, path="app/jobs.py", key="k", suggestion=None, end=None):
    return Finding(
        rule,
        "subprocess-without-timeout" if rule == "RSK001" else "missing-requirement",
        severity,
        path,
        line,
        end or line,
        f"message for {key}",
        f"{rule}:{path}:{key}",
        suggestion,
    )


def report(*findings, preexisting=0):
    return Report(list(findings), preexisting, Stats())


def test_conclusion_and_summary():
    r = report(finding(), finding("DEP001", 2, Severity.ERROR, "app/w.py", "httpx"), preexisting=3)
    assert conclusion(r) == "failure"
    assert conclusion(report(finding())) == "success"
    out = check_output(r)
    assert out["title"] == "1 error, 1 warning"
    assert "**Dependency drift**: 1 · **Risky code**: 1" in out["summary"]
    assert "| 🔴 | `DEP001` missing-requirement | `app/w.py:2` | message for httpx |" in out["summary"]
    assert out["summary"].endswith(
        "3 pre-existing finding(s) in the files this pull request touches are not from it and are not annotated."
    )
    assert check_output(report())["title"] == "No new findings"


def test_annotations_are_batched_by_fifty_and_texts_capped():
    many = report(*[finding(line=i, key=str(i)) for i in range(1, 121)])
    items = check_annotations(many)
    assert items[0] == {
        "path": "app/jobs.py",
        "start_line": 1,
        "end_line": 1,
        "annotation_level": "warning",
        "title": "RSK001 subprocess-without-timeout",
        "message": "message for 1",
        "raw_details": "fix: pass timeout=<seconds> and handle subprocess.TimeoutExpired",
    }
    assert [len(b) for b in batches(items)] == [ANNOTATIONS_PER_REQUEST, ANNOTATIONS_PER_REQUEST, 20]
    huge = report(*[Finding("RSK001", "x", Severity.ERROR, "a.py", i, i, "m" * 2000, f"f{i}") for i in range(100)])
    assert len(check_output(huge)["summary"]) <= MAX_OUTPUT_TEXT


def test_review_plan_inline_only_on_diff_lines_and_no_duplicates():
    on_diff = finding(line=5, key="a", suggestion=Suggestion("replace", "    run(x, timeout=60)", "d"))
    off_diff = finding(line=40, key="b")
    already = finding(line=6, key="c")
    plan = plan_review(
        report(on_diff, off_diff, already),
        {"app/jobs.py": {5, 6}},
        existing={already.fingerprint: "101", "RSK001:app/jobs.py:gone": "102"},
    )
    assert [(c["path"], c["line"], c["side"]) for c in plan.comments] == [("app/jobs.py", 5, "RIGHT")]
    body = plan.comments[0]["body"]
    assert "```suggestion\n    run(x, timeout=60)\n```" in body
    assert fingerprints_in(body) == [on_diff.fingerprint]
    assert plan.body == "<!-- undertow:review -->\n**Undertow** found 1 new issue in this pull request."
    assert plan.outside == [off_diff]  # not in the review: in the summary comment
    summary = summary_comment(plan.outside)
    assert summary.startswith("<!-- undertow:summary -->\n**Undertow**: 1 finding outside this pull request's diff")
    assert "`app/jobs.py:40`" in summary and fingerprints_in(summary) == [off_diff.fingerprint]
    assert (
        summary_comment([]) == "<!-- undertow:summary -->\n**Undertow**: no findings outside this pull request's diff."
    )
    assert plan.resolved == ["RSK001:app/jobs.py:gone"]


def test_nothing_new_means_no_review():
    old = finding(key="a")
    plan = plan_review(report(old), {"app/jobs.py": {5}}, existing={old.fingerprint: "1"})
    assert plan.comments == [] and plan.body is None and plan.resolved == []


def test_comment_body_and_resolution():
    body = comment_body(finding())
    assert body.startswith("🟠 **RSK001 subprocess-without-timeout** (warning)\n\nmessage for k")
    assert "<summary>Why it matters</summary>" in body
    resolved = resolved_body(body)
    assert resolved.startswith("✅ **Resolved** in a later push")
    assert resolved_body(resolved) == resolved
    assert fingerprints_in(resolved) == ["RSK001:app/jobs.py:k"]
