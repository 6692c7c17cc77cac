"""SCH011: one migration tree per dialect or tenant, and the change makes them disagree."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import SchemaFacts, schema_facts
from undertow.analyzers.schema.model import Schema


def _shape(schema: Schema) -> set[str]:
    shape: set[str] = set()
    for table in schema.tables.values():
        shape.add(f"table {table.name}")
        shape.update(f"column {table.name}.{c}" for c in table.columns)
        shape.update(f"index {table.name}.{i}" for i in table.indexes)
    return shape


MIRROR_SIMILARITY = 0.8


def _mirror_groups(shapes: dict[str, set[str]]) -> list[list[str]]:
    """Trees that describe the same schema (one per dialect): mostly the same tables and columns.
    Trees for different things (a core and a tenant schema) share little and are not compared."""
    groups: list[list[str]] = []
    for directory in sorted(shapes):
        for group in groups:
            other = shapes[group[0]]
            union = shapes[directory] | other
            if union and len(shapes[directory] & other) / len(union) >= MIRROR_SIMILARITY:
                group.append(directory)
                break
        else:
            groups.append([directory])
    return [g for g in groups if len(g) > 1]


class DialectTreesDiverge(RepoRule):
    """## What it does
    For a repository that keeps one Alembic tree per dialect (for example `versions/postgresql/`
    and `versions/sqlite/`), replays each tree and flags a table, column or index that one tree
    has and another lacks, when the trees agreed on it before the change. Trees that describe
    different schemas (a core and a tenant schema share little) are not compared.

    ## Why is this bad?
    The deployments that run the other tree (the SQLite desktop build, the other tenants) get a
    schema the code does not expect, and fail there first.

    ## Example
    A change adds `op.add_column("videos", ...)` to `versions/postgresql/` only.

    ## Use instead
    Make the same change in every tree.
    """

    id = "SCH011"
    name = "dialect-trees-diverge"
    severity = Severity.WARNING
    fix = "make the same change in every migration tree"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if len(facts.trees) < 2:
            return
        shapes = {d: _shape(s) for d, s in facts.trees.items()}
        # Whether trees mirror each other is decided where they still agreed: at the base.
        before = schema_facts(ctx.base_facts, ctx.config) if ctx.base_facts is not None else facts
        mirrors = [
            [d for d in group if d in shapes]
            for group in _mirror_groups({d: _shape(s) for d, s in before.trees.items()})
        ]
        mirrors = [group for group in mirrors if len(group) > 1]
        for group in mirrors:
            yield from self._compare(ctx, facts, {d: shapes[d] for d in group})

    def _compare(self, ctx: RepoContext, facts: SchemaFacts, shapes: dict[str, set[str]]) -> Iterable[Finding]:
        everything: set[str] = set().union(*shapes.values())
        for item in sorted(everything):
            having = sorted(d for d, shape in shapes.items() if item in shape)
            missing = sorted(d for d in shapes if d not in having)
            if not missing:
                continue
            path = self._anchor(ctx, facts, having)
            message = (
                f"{item} exists in the migration tree {', '.join(d + '/' for d in having)} "
                f"but not in {', '.join(d + '/' for d in missing)}; {self.fix}"
            )
            yield self.report(path, message, f"{item}:{','.join(missing)}", line=1, scope="trees")

    def _anchor(self, ctx: RepoContext, facts: SchemaFacts, directories: list[str]) -> str:
        """A migration of the change in one of ``directories``, else the tree's last file."""
        for changed in ctx.changes.present:
            if posixpath.dirname(changed.path) in directories:
                return changed.path
        return max(p for p in facts.migration_files if posixpath.dirname(p) in directories)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_JOBS = revision("a1", None, "    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True))\n")
_OWNER = revision(
    "b1", "a1", "    op.add_column('jobs', sa.Column('owner', sa.String()))\n", "    op.drop_column('jobs', 'owner')\n"
)
_TREES = {"db/versions/postgresql/a1.py": _JOBS, "db/versions/sqlite/a1.py": _JOBS}

INVALID = [
    Case(
        base=_TREES,
        head={"db/versions/postgresql/b1.py": _OWNER},
        expect=[("SCH011", "db/versions/postgresql/b1.py", 1)],
    ),
]
VALID = [
    Case(base=_TREES, head={"db/versions/postgresql/b1.py": _OWNER, "db/versions/sqlite/b1.py": _OWNER}),
]
