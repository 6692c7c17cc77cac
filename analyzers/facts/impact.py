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


# Whether a cross-file rule's findings depend on the change (``RepoContext.changes`` or
# ``base_facts``) and not on the revision alone: the engine caches the findings of a rule that
# does not under the revision id. Declared here until the declarations move onto the rule
# classes (``RepoRule.uses_change``); tests/analyzers/facts/test_declared_inputs.py holds each
# declaration equal to what its rule reads. A rule that uses the change at head only (its base
# run returns at once) is declared True: its base findings are not cached either.
USES_CHANGE: dict[str, bool] = {
    "CFG002": False,
    "DEP001": True,
    "DEP002": True,
    "DEP003": True,
    "DEP005": True,
    "DEP006": False,
    "DEP007": True,
    "MIG001": True,
    "MIG002": True,
    "MIG003": True,
    "MIG004": True,
    "MIG005": True,
    "MIG006": True,
    "MIG007": True,
    "MIG008": True,
    "MIG009": True,
    "MIG010": True,
    "RSK011": False,
    "RSK012": False,
    "SCH001": False,
    "SCH002": False,
    "SCH003": True,
    "SCH004": False,
    "SCH005": True,
    "SCH006": True,
    "SCH007": True,
    "SCH008": True,
    "SCH009": False,
    "SCH010": True,
    "SCH011": True,
    "TST001": False,
    "TST002": False,
    "UND001": True,
}


def uses_change(rule: type[Rule]) -> bool | None:
    """The rule's declaration (its class's ``uses_change``, else the table); None for a rule
    that declares nothing (one outside the registry: the engine then judges by what it read)."""
    declared: bool | None = getattr(rule, "uses_change", None)
    return declared if declared is not None else USES_CHANGE.get(rule.id)
