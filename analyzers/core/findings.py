"""Findings, severities and suggestions: the structured output every renderer starts from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Literal


class Severity(enum.IntEnum):
    """Ordered so that ``max()`` and ``>=`` compare by seriousness."""

    NOTICE = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls[value.upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Replacement text for ``line..end_line`` (``replace``) or a snippet to add elsewhere."""

    kind: Literal["replace", "snippet"]
    text: str
    description: str = ""

    def to_json(self) -> dict[str, str]:
        data = {"kind": self.kind, "text": self.text}
        if self.description:
            data["description"] = self.description
        return data


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    path: str
    line: int
    end_line: int
    message: str
    fingerprint: str
    suggestion: Suggestion | None = None
    column: int = 1
    # Lines that decide whether the change introduced this finding; defaults to line..end_line.
    anchor: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def anchor_lines(self) -> range:
        start, end = self.anchor or (self.line, self.end_line)
        return range(start, end + 1)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": str(self.severity),
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "suggestion": self.suggestion.to_json() if self.suggestion else None,
        }


def fingerprint(rule: str, path: str, key: str) -> str:
    """Stable under line shifts: rule + path + the semantic key, never a line number."""
    return f"{rule}:{path}:{key}"
