"""`# undertow: ignore[RULE,...]` comments (`--` in SQL) on a finding's line or the line above."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Possessive loops (none can give back a character the next element could take): linear.
_IGNORE = re.compile(r"(?:#|--)\s*+undertow:\s*+ignore(?:\[(?P<rules>[A-Za-z0-9_,\s]*+)\])?")


@dataclass(frozen=True)
class Suppressions:
    # line → rule ids; an empty set means every rule (a bare ignore)
    by_line: dict[int, frozenset[str]]

    def covers(self, rule: str, line: int) -> bool:
        for candidate in (line, line - 1):
            rules = self.by_line.get(candidate)
            if rules is not None and (not rules or rule in rules):
                return True
        return False

    @property
    def bare_lines(self) -> list[int]:
        return sorted(line for line, rules in self.by_line.items() if not rules)


def parse_suppressions(lines: list[str]) -> Suppressions:
    by_line: dict[int, frozenset[str]] = {}
    for number, text in enumerate(lines, start=1):
        if "undertow" not in text:
            continue
        match = _IGNORE.search(text)
        if match is None:
            continue
        listed = match.group("rules")
        rules = frozenset(r.strip().upper() for r in (listed or "").split(",") if r.strip())
        by_line[number] = rules
    return Suppressions(by_line)
