"""`--format github`: workflow commands that GitHub Actions turns into annotations."""

from __future__ import annotations

from undertow.analyzers.core.engine import Report
from undertow.analyzers.core.findings import Finding, Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "notice"}

# GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per job,
# the sum over its steps); workflow commands beyond these are dropped from the annotations
# without a word. Sources: GitHub's REST description of check-run `output.annotations` ("GitHub
# Actions are limited to 10 warning annotations and 10 error annotations per step",
# /work/shared/github/FACTS.md section 4 and openapi-subset.json `checks/create`), and
# actions/toolkit docs/problem-matchers.md ("10 warning annotations, 10 error annotations, and
# 10 notice annotations per step"; "50 annotations per job"). Undertow's step writes at most 30.
ANNOTATIONS_PER_STEP = 10


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(f: Finding) -> str:
    located = (("file", f.path), ("line", f.line), ("endLine", f.end_line)) if f.path else ()
    props = ",".join(
        f"{key}={_escape_property(str(value))}" for key, value in (*located, ("title", f"{f.rule} {f.name}"))
    )
    return f"::{_COMMAND[f.severity]} {props}::{_escape_data(f.message)}"


def _log_line(f: Finding) -> str:
    """A finding past the annotation limits, as a plain line of the step's log (never a command:
    it starts with its severity, and its message stays on one line)."""
    where = f"{f.path}:{f.line}: " if f.path else ""
    message = " ".join(f.message.splitlines())
    return f"{f.severity}: {where}{f.rule} {f.name}: {message}"


def render(report: Report, **_: object) -> str:
    # Errors first, so that the findings that fail the check are the ones annotated.
    findings = sorted(report.findings, key=lambda f: -int(f.severity))
    counts = {sev: sum(1 for f in findings if f.severity is sev) for sev in Severity}
    # The notices Undertow adds itself (pre-existing count, the overflow line) are annotations too.
    notices = ANNOTATIONS_PER_STEP - (1 if report.preexisting else 0)
    limits = {Severity.ERROR: ANNOTATIONS_PER_STEP, Severity.WARNING: ANNOTATIONS_PER_STEP, Severity.NOTICE: notices}
    if any(counts[sev] > limits[sev] for sev in Severity):
        limits[Severity.NOTICE] -= 1  # room for the notice that says how many are not annotated
    annotated: list[str] = []
    logged: list[str] = []
    shown = dict.fromkeys(Severity, 0)
    for f in findings:
        if shown[f.severity] < limits[f.severity]:
            shown[f.severity] += 1
            annotated.append(_command(f))
        else:
            logged.append(_log_line(f))
    lines = annotated + logged
    if logged:
        lines.append(
            f"::notice::{len(logged)} of {len(findings)} findings are not shown as annotations "
            f"(GitHub shows at most {ANNOTATIONS_PER_STEP} of each severity per step): they are in this log "
            "above; `undertow scan --format sarif` reports all of them"
        )
    if report.preexisting:
        lines.append(f"::notice::{report.preexisting} pre-existing findings (not from this change)")
    return "\n".join(lines) + ("\n" if lines else "")
