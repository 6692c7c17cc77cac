"""What is known of every rule without importing it: id, name, kind, severity, documentation and
where its class is. `undertow rules`, the renderers and the config check read this; the engine
imports a rule's module only when it runs the rule (a Python rule only when a file is parsed).

The data is `catalogue.json`, generated from the registry's classes by
`python -m undertow.analyzers.rules.catalogue` (`make readme` runs it);
tests/analyzers/rules/test_catalogue.py fails when it differs from the classes."""

from __future__ import annotations

import functools
import importlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.rules.base import FixSafety, Rule, RuleKind

if TYPE_CHECKING:
    from undertow.analyzers.core.findings import Finding
    from undertow.analyzers.facts.context import RevisionFacts

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str
    kind: RuleKind
    severity: Severity
    fix_safety: FixSafety
    fix: str
    summary: str
    sections: dict[str, str] = field(hash=False)
    # "module:Class", imported by ``load``.
    target: str
    # "module:function" the engine asks about each new finding whether the base already had its
    # problem (``Rule.known_at_base``); None for a rule that never says so.
    base_check: str | None

    def family(self) -> str:
        return self.id[:3]

    @property
    def markdown(self) -> str:
        return "\n\n".join(f"## {title}\n{body}" for title, body in self.sections.items())

    def load(self) -> type[Rule]:
        module, _, name = self.target.partition(":")
        rule = getattr(importlib.import_module(module), name)
        if not (isinstance(rule, type) and issubclass(rule, Rule) and rule.id == self.id):
            raise LookupError(f"the catalogue's {self.id} is not {self.target}: regenerate it (make readme)")
        return rule


def describe(rule: type[Rule]) -> dict[str, Any]:
    """A rule's catalogue entry, from its class."""
    doc = rule.doc()
    return {
        "id": rule.id,
        "name": rule.name,
        "kind": rule.kind,
        "severity": str(rule.severity),
        "fix_safety": rule.fix_safety,
        "fix": rule.fix,
        "summary": doc.summary,
        "sections": doc.sections,
        "target": f"{rule.__module__}:{rule.__qualname__}",
        "base_check": base_check_of(rule),
    }


def base_check_of(rule: type[Rule]) -> str | None:
    """Where ``rule``'s ``known_at_base`` can be asked without importing the rule."""
    if rule.known_at_base.__func__ is Rule.known_at_base.__func__:  # type: ignore[attr-defined]
        return None
    return rule.base_check or f"{rule.__module__}:{rule.__qualname__}.known_at_base"


@functools.cache
def load_base_check(target: str) -> Callable[[Finding, RevisionFacts], bool]:
    module, _, path = target.partition(":")
    found: Any = importlib.import_module(module)
    for name in path.split("."):
        found = getattr(found, name)
    return cast("Callable[[Finding, RevisionFacts], bool]", found)


def render(rules: Iterable[type[Rule]]) -> str:
    """The text of catalogue.json for ``rules``."""
    entries = [describe(rule) for rule in sorted(rules, key=lambda r: r.id)]
    # Not sort_keys: a rule's sections keep the docstring's order (What it does, Why is this bad?...).
    return json.dumps(entries, indent=1, ensure_ascii=False) + "\n"


@functools.cache
def catalogue() -> dict[str, RuleInfo]:
    """Every registered rule by id, in id order."""
    entries = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return {
        entry["id"]: RuleInfo(
            id=entry["id"],
            name=entry["name"],
            kind=cast(RuleKind, entry["kind"]),
            severity=Severity.parse(entry["severity"]),
            fix_safety=cast(FixSafety, entry["fix_safety"]),
            fix=entry["fix"],
            summary=entry["summary"],
            sections=entry["sections"],
            target=entry["target"],
            base_check=entry["base_check"],
        )
        for entry in entries
    }


def main() -> int:
    from undertow.analyzers.rules.registry import ALL_RULES

    CATALOGUE_FILE.write_text(render(ALL_RULES), encoding="utf-8")
    print(f"wrote {CATALOGUE_FILE.name}: {len(ALL_RULES)} rules", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
