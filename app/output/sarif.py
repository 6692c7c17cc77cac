"""`--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it."""

from __future__ import annotations

import json
from typing import Any

from undertow.analyzers import ANALYZER_VERSION
from undertow.analyzers.core.engine import Report
from undertow.analyzers.core.findings import Severity
from undertow.analyzers.rules.catalogue import RuleInfo, catalogue

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}


def render(report: Report, base: str, head: str, **_: object) -> str:
    rules = list(catalogue().values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = []
    for f in report.findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [_location(f.path, f.line, f.end_line, f.column)] if f.path else [],
            "partialFingerprints": {"undertowFingerprint/v1": f.fingerprint},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        results.append(result)
    driver = {
        "name": "undertow",
        "version": ANALYZER_VERSION,
        "rules": [_rule(rule) for rule in rules],
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [_invocation(report)],
        "results": results,
        "versionControlProvenance": [{"repositoryUri": "file:///", "revisionId": head}] if len(head) == 40 else [],
        "properties": {"base": base, "head": head, "preexisting": report.preexisting},
    }
    if not run["versionControlProvenance"]:
        del run["versionControlProvenance"]
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def _rule(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.sections.get("Why is this bad?", rule.summary)},
        "help": {"text": rule.fix, "markdown": rule.markdown},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": [rule.family()]},
    }


def _location(path: str, line: int, end_line: int, column: int) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line, "endLine": end_line, "startColumn": column},
        }
    }


def _invocation(report: Report) -> dict:
    """``executionSuccessful`` is false when part of the analysis failed inside Undertow; each
    failure is also a notification, besides its UND004 result."""
    invocation: dict = {"executionSuccessful": report.complete}
    if report.failures:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": f"{failure.what} failed: {failure.error}: {failure.detail}"},
                "descriptor": {"id": "UND004"},
                "exception": {"kind": failure.error, "message": failure.detail},
                **({"locations": [_location(failure.path, failure.line, failure.line, 1)]} if failure.path else {}),
            }
            for failure in report.failures
        ]
    return invocation
