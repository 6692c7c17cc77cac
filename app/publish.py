"""What the App posts, rendered from structured findings (no I/O): the check run's output and
annotations, and the review with its inline comments, each carrying a hidden fingerprint marker."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from undertow.analyzers.core.engine import Report
from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.rules import FAMILIES
from undertow.analyzers.rules.catalogue import catalogue

CHECK_NAME = "Undertow"
ANNOTATIONS_PER_REQUEST = 50  # GitHub's limit per create/update check run request
MAX_OUTPUT_TEXT = 65535  # GitHub's limit for output.summary and output.text
MARKER = "<!-- undertow:fingerprint={} -->"
# Linear on any comment body: after the marker's start, the fingerprint runs (possessively) to
# the first " -->" on the line; without one the match still ends at the line's end (group 2 is
# then None and nothing is taken), so that no later marker start rescans the same line, as the
# former `(.+?) -->` did from each of them.
MARKER_RE = re.compile(r"<!-- undertow:fingerprint=(.(?:(?! -->).)*+)( -->)?")
REVIEW_MARKER = "<!-- undertow:review -->"
# The one conversation comment that lists the findings outside the diff, edited in place.
SUMMARY_MARKER = "<!-- undertow:summary -->"
SUMMARY_HEADER = "**Undertow**: {n} finding{s} outside this pull request's diff (not commentable inline):"
SUMMARY_NONE = "**Undertow**: no findings outside this pull request's diff."
_LEVEL = {Severity.ERROR: "failure", Severity.WARNING: "warning", Severity.NOTICE: "notice"}
_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.NOTICE: "🔵"}

SUMMARY_CLEAN = "No new schema, dependency or code drift in this pull request."
SUMMARY_INCOMPLETE = (
    "**The review is incomplete**: {n} part(s) of the analysis failed inside Undertow, so findings "
    "they would have produced are missing (each is an `UND004` finding below). This is not a problem of "
    "the pull request."
)
SUMMARY_PREEXISTING = (
    "{n} pre-existing finding(s) in the files this pull request touches are not from it and are not annotated."
)


def conclusion(report: Report, fail_on: Severity = Severity.ERROR) -> str:
    return "failure" if any(f.severity >= fail_on for f in report.findings) else "success"


def check_output(report: Report) -> dict:
    """`output` of the completed check run: title, summary (counts, table), without annotations."""
    findings = report.findings
    by_severity = Counter(f.severity for f in findings)
    if findings:
        title = ", ".join(
            f"{by_severity[s]} {s}{'s' if by_severity[s] != 1 else ''}" for s in reversed(Severity) if by_severity[s]
        )
    else:
        title = "No new findings"
    lines = [SUMMARY_CLEAN] if not findings and report.complete else []
    if not report.complete:
        title = f"Review incomplete · {title}"
        lines += [SUMMARY_INCOMPLETE.format(n=len(report.failures)), ""]
        lines += [
            f"- {failure.what} failed{f' on `{failure.path}`' if failure.path else ''}: `{failure.error}`"
            for failure in report.failures
        ]
        lines.append("")
    if findings:
        families = Counter(f.rule[:3] for f in findings)
        lines.append(" · ".join(f"**{FAMILIES.get(fam, fam)}**: {n}" for fam, n in sorted(families.items())))
        lines += ["", "| | rule | where | finding |", "|---|---|---|---|"]
        for f in findings:
            message = f.message.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {_ICON[f.severity]} | `{f.rule}` {f.name} | {_where(f)} | {message} |")
    if report.preexisting:
        lines += ["", SUMMARY_PREEXISTING.format(n=report.preexisting)]
    return {"title": title, "summary": _truncate("\n".join(lines))}


def check_annotations(report: Report) -> list[dict]:
    rules = catalogue()
    result = []
    for f in report.findings:
        if not f.path:
            continue  # about the whole review: the summary says it
        annotation = {
            "path": f.path,
            "start_line": f.line,
            "end_line": f.end_line,
            "annotation_level": _LEVEL[f.severity],
            "title": f"{f.rule} {f.name}",
            "message": _truncate(f.message, 64 * 1024 - 1),
        }
        rule = rules.get(f.rule)
        if rule is not None:
            annotation["raw_details"] = _truncate(f"fix: {rule.fix}", 64 * 1024 - 1)
        result.append(annotation)
    return result


def batches(items: list[dict], size: int = ANNOTATIONS_PER_REQUEST) -> list[list[dict]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


@dataclass(frozen=True)
class ReviewPlan:
    comments: list[dict]  # inline comments for new findings on lines of the diff
    body: str | None  # None when there is nothing new to say (no new inline comment)
    resolved: list[str]  # fingerprints of earlier comments whose findings are gone
    outside: list[Finding]  # every current finding off the diff: the summary comment's content


def plan_review(report: Report, diff_lines: dict[str, set[int]], existing: dict[str, str]) -> ReviewPlan:
    """Inline comments only on lines of the PR diff (GitHub answers 422 otherwise), none for a
    fingerprint already commented (``existing``: fingerprint → comment id), and the list of
    earlier comments to mark resolved."""
    current = {f.fingerprint for f in report.findings}
    on_diff = [f for f in report.findings if f.line in diff_lines.get(f.path, set())]
    outside = [f for f in report.findings if f not in on_diff and f.fingerprint not in existing]
    inline = [f for f in on_diff if f.fingerprint not in existing]
    comments = [
        {
            "path": f.path,
            "line": f.end_line if f.end_line in diff_lines.get(f.path, set()) else f.line,
            **({"start_line": f.line} if f.end_line != f.line and f.end_line in diff_lines.get(f.path, set()) else {}),
            "side": "RIGHT",
            "body": comment_body(f),
        }
        for f in inline
    ]
    body = None
    if inline:
        # Findings outside the diff are not repeated in each review: they live in the summary
        # comment (summary_comment), edited in place.
        body = _truncate(
            f"{REVIEW_MARKER}\n**Undertow** found {len(inline)} new issue{'s' if len(inline) != 1 else ''} "
            "in this pull request."
        )
    return ReviewPlan(comments, body, sorted(fp for fp in existing if fp not in current), outside)


def summary_comment(outside: list[Finding]) -> str:
    """The summary comment's body: the current findings outside the diff, with their markers."""
    if not outside:
        return f"{SUMMARY_MARKER}\n{SUMMARY_NONE}"
    lines = [SUMMARY_MARKER, SUMMARY_HEADER.format(n=len(outside), s="s" if len(outside) != 1 else ""), ""]
    lines += [
        f"- {_ICON[f.severity]} `{f.rule}` {_where(f)}: {f.message} {MARKER.format(f.fingerprint)}" for f in outside
    ]
    return _truncate("\n".join(lines))


def comment_body(f: Finding) -> str:
    rule = catalogue().get(f.rule)
    why = rule.sections.get("Why is this bad?", "").split("\n\n")[0].replace("\n", " ") if rule else ""
    parts = [f"{_ICON[f.severity]} **{f.rule} {f.name}** ({f.severity})", "", f.message]
    if why:
        parts += ["", f"<details><summary>Why it matters</summary>\n\n{why}\n</details>"]
    if f.suggestion is not None and f.suggestion.kind == "replace":
        parts += ["", "```suggestion", f.suggestion.text, "```"]
    elif f.suggestion is not None:
        parts += ["", f"Suggested ({f.suggestion.description or 'snippet'}):", "```", f.suggestion.text, "```"]
    parts += ["", MARKER.format(f.fingerprint)]
    return "\n".join(parts)


RESOLVED_PREFIX = "✅ **Resolved** in a later push: this finding no longer appears.\n\n"


def resolved_body(original: str) -> str:
    return (
        original
        if original.startswith(RESOLVED_PREFIX)
        else RESOLVED_PREFIX + "~~" + original.split("\n", 1)[0] + "~~\n\n" + original.split("\n", 1)[-1]
    )


def fingerprints_in(body: str) -> list[str]:
    return [m.group(1) for m in MARKER_RE.finditer(body or "") if m.group(2)]


def _where(f: Finding) -> str:
    return f"`{f.path}:{f.line}`" if f.path else "the whole review"


def _truncate(text: str, limit: int = MAX_OUTPUT_TEXT) -> str:
    if len(text) <= limit:
        return text
    note = "\n\n… (truncated: see the annotations for every finding)"
    return text[: limit - len(note)] + note
