"""The rules: their families, and the rules by id. What a rule is: `base`; the explicit list of
every rule: `registry`; what is known of each without importing it: `catalogue`."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.rules.base import EngineRule, FileRule, RepoRule, Rule

FAMILIES = {
    "SCH": "Schema drift",
    "MIG": "Migration safety",
    "DEP": "Dependency drift",
    "RSK": "Risky code",
    "TST": "Tests out of date",
    "CFG": "Configuration drift",
    "UND": "Review notices",
}


def all_rules() -> tuple[type[Rule], ...]:
    """Every registered rule class (imports them all)."""
    from undertow.analyzers.rules.registry import ALL_RULES

    return ALL_RULES


def rules_by_id(rules: Iterable[type[Rule]] | None = None) -> dict[str, type[Rule]]:
    return {rule.id: rule for rule in sorted(all_rules() if rules is None else rules, key=lambda r: r.id)}


__all__ = ["FAMILIES", "EngineRule", "FileRule", "RepoRule", "Rule", "all_rules", "rules_by_id"]
