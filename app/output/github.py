"""`--format github`: workflow commands that GitHub Actions turns into annotations."""

from __future__ import annotations

from undertow.analyzers.core.engine import Report
from undertow.analyzers.core.findings import Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, **_: object) -> str:
    lines = []
    for f in report.findings:
        located = (("file", f.path), ("line", f.line), ("endLine", f.end_line)) if f.path else ()
        props = ",".join(
            f"{key}={_escape_property(str(value))}" for key, value in (*located, ("title", f"{f.rule} {f.name}"))
        )
        lines.append(f"::{_COMMAND[f.severity]} {props}::{_escape_data(f.message)}")
    if report.preexisting:
        lines.append(f"::notice::{report.preexisting} pre-existing findings (not from this change)")
    return "\n".join(lines) + ("\n" if lines else "")
