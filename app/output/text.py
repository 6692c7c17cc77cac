"""`--format text`: findings grouped by file, for people at a terminal."""

from __future__ import annotations

from itertools import groupby

from undertow.analyzers.core.engine import Report
from undertow.analyzers.core.findings import Severity
from undertow.analyzers.rules.catalogue import catalogue

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTICE: "36"}


def render(report: Report, colour: bool = False, **_: object) -> str:
    def paint(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    rules = catalogue()
    out: list[str] = []
    for path, findings in groupby(report.findings, key=lambda f: f.path):
        out.append(paint("1", path or "(the whole review)"))
        for f in findings:
            sev = paint(_COLOURS[f.severity], f"{f.severity}")
            out.append(f"  {f.line}: {sev} {f.rule} {paint('2', f.name)}")
            out.append(f"      {f.message}")
            rule = rules.get(f.rule)
            if rule is not None and rule.fix not in f.message:
                out.append(f"      fix: {rule.fix}")
            # An addition the message already ends with (SCH001's migration) is not printed twice.
            repeated = (
                f.suggestion is not None and f.suggestion.kind != "replace" and f.message.endswith(f.suggestion.text)
            )
            if f.suggestion is not None and not repeated:
                label = "suggested replacement" if f.suggestion.kind == "replace" else "suggested addition"
                out.append(f"      {label}:")
                out.extend(f"        {line}" for line in f.suggestion.text.splitlines())
        out.append("")
    counts = {sev: sum(1 for f in report.findings if f.severity is sev) for sev in Severity}
    summary = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in reversed(Severity))
    if not report.findings:
        summary = "no new findings"
    out.append(
        f"{summary} in {report.stats.files_changed} changed file{'' if report.stats.files_changed == 1 else 's'}"
        + (f"; {report.preexisting} pre-existing (not from this change)" if report.preexisting else "")
    )
    if not report.complete:
        out.append(
            paint(
                "31",
                f"review incomplete: {len(report.failures)} part(s) failed inside Undertow (UND004); "
                "what they would have found is missing",
            )
        )
    return "\n".join(out) + "\n"
