"""What a change can affect: the inputs a cross-file rule's verdict depends on, and whether the
change touches any of them. A rule whose inputs the change leaves alone finds at head exactly
what it finds at base, so the engine skips it at head (and its base findings are cached)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from undertow.analyzers.core.changes import ChangeSet
from undertow.analyzers.core.config import CONFIG_PATH, Config
from undertow.analyzers.core.limits import within_size
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.facts.indexes import file_facts
from undertow.analyzers.python.facts import extract
from undertow.analyzers.schema.facts import is_migration_path
from undertow.analyzers.schema.paths import is_migration_source

if TYPE_CHECKING:
    from undertow.analyzers.rules.base import Rule


def touches_schema(changes: ChangeSet, base: RevisionFacts, head: RevisionFacts, config: Config) -> bool:
    """Migrations and ORM models: a changed migration or configuration file, or a changed Python
    file that maps a model (a class or Table with columns, a mixin, a declarative base) on
    either side of the change."""
    for item in changes.files:
        for path, facts in ((item.old_path or item.path, base), (item.path, head)):
            if path == CONFIG_PATH or is_migration_path(path, config):
                return True
            if not path.endswith(".py") or is_migration_source(path):
                continue
            entry = facts.snapshot.entries().get(path)
            if entry is None or entry.kind != "file":
                continue
            if not within_size(entry) or (file_facts(facts, "python", path, extract) or {}).get("models"):
                return True
    return False


INPUTS: dict[str, Callable[[ChangeSet, RevisionFacts, RevisionFacts, Config], bool]] = {
    "schema": touches_schema,
}


def uses_change(rule: type[Rule]) -> bool | None:
    """The rule's declaration (``RepoRule.uses_change``); None for a rule that declares nothing
    (one outside the registry: the engine then judges by what it read)."""
    declared: bool | None = getattr(rule, "uses_change", None)
    return declared
