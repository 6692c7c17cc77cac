"""`--format json`, version 1 of the output contract (shared/spec/cli.md)."""

from __future__ import annotations

import json

from undertow.analyzers import ANALYZER_VERSION
from undertow.analyzers.core.engine import Report


def render(report: Report, base: str, head: str, **_: object) -> str:
    document = {
        "version": 1,
        "tool": {"name": "undertow", "version": ANALYZER_VERSION},
        "base": base,
        "head": head,
        "findings": [finding.to_json() for finding in report.findings],
        "preexisting": report.preexisting,
        "stats": report.stats.to_json(),
    }
    return json.dumps(document, indent=2) + "\n"
