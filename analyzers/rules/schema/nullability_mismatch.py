"""SCH012: the model and the migrated column disagree on whether the column may be NULL."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, SQL_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import expected_columns, schema_facts
from undertow.analyzers.schema.model import Schema


class NullabilityMismatch(RepoRule):
    """## What it does
    Compares each mapped column's nullability in the model (an explicit `nullable=`, implied by
    `primary_key`, or by the annotation: `Mapped[str]` is NOT NULL, `Mapped[str | None]` and
    `Optional[...]` are not; a 1.x `Column(...)` is nullable unless it says otherwise) with the
    column the migrations build, in every dialect tree. Reported only when the change makes them
    disagree: a mismatch already at the base branch is not this change's.

    ## Why is this bad?
    A column that is NOT NULL without a default in the database but nullable in the model lets
    code build objects without it, and every such INSERT fails with `null value in column ...
    violates not-null constraint` (an error). The other way round, the database accepts NULLs the
    model says cannot exist, and code that trusts the model breaks on the first one (a warning).

    ## Example
    ```python
    summary: Mapped[str | None]  # the migration created summary TEXT NOT NULL
    ```

    ## Use instead
    Make both agree: `summary: Mapped[str]`, or a migration that drops the NOT NULL.
    """

    id = "SCH012"
    name = "nullability-mismatch"
    severity = Severity.WARNING
    fix = "make the model and the migration agree on whether the column may be NULL"
    depends_on = "schema"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return
        trees: dict[str, Schema] = facts.trees or {"": facts.schema}
        for expected in expected_columns(ctx.facts):
            info = expected.info
            if info is None or expected.column is None or expected.inherited or info.primary_key:
                continue  # a subclass's columns on its parent's table are nullable for its siblings' rows
            for tree, schema in sorted(trees.items()):
                table = schema.table(expected.table)
                column = table.columns.get(expected.column) if table is not None else None
                if table is None or column is None or expected.column in table.primary_key:
                    continue
                where = f" (in {tree}/)" if tree else ""
                name = f"{expected.table}.{expected.column}"
                if info.nullable and not column.nullable and not column.has_default and not info.has_default:
                    # (a model default=/server_default= fills it on every insert through the model)
                    severity = Severity.ERROR
                    message = (
                        f"{name} is NOT NULL without a default in the migrated schema{where}, but {expected.model} "
                        f"maps it as nullable: a {expected.model} saved without it fails with a not-null "
                        f"violation; map it as required (nullable=False, Mapped[X]) or make the column nullable"
                    )
                elif not info.nullable and column.nullable:
                    severity = Severity.WARNING
                    message = (
                        f"{name} is nullable in the migrated schema{where}, but {expected.model} maps it as "
                        f"NOT NULL: the database accepts NULLs the model says cannot exist; add a migration "
                        f"that sets NOT NULL, or map it as optional (Mapped[X | None])"
                    )
                else:
                    continue
                key = f"{tree}:{name}" if tree else name
                yield self.report(expected.path, message, key, line=expected.line, severity=severity)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

# SQL_REPO: videos.title TEXT NOT NULL (Video.title: Mapped[str] on line 9), published_at nullable.
_OPTIONAL_TITLE = SQL_REPO["app/models.py"].replace("title: Mapped[str]", "title: Mapped[str | None]")
INVALID = [
    # The model now leaves a NOT NULL column nullable: inserts without it fail.
    Case(
        base=SQL_REPO,
        head={"app/models.py": _OPTIONAL_TITLE},
        expect=[("SCH012", "app/models.py", 9)],
    ),
    # A new column the migration adds as nullable, mapped NOT NULL.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": SQL_REPO["app/models.py"] + "    summary: Mapped[str]\n",
            "migrations/002_summary.sql": "ALTER TABLE videos ADD COLUMN summary TEXT;\n",
        },
        expect=[("SCH012", "app/models.py", 12)],
    ),
    # Alembic: a 1.x Column(String) is nullable; the migration made it NOT NULL without a default.
    Case(
        base=ALEMBIC_REPO,
        head={
            "alembic/versions/b1.py": revision(
                "b1", "a1", "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=False))\n"
            ),
            "app/models.py": ALEMBIC_REPO["app/models.py"] + "    owner = Column(String)\n",
        },
        expect=[("SCH012", "app/models.py", 8)],
    ),
]
VALID = [
    # The model fills it on every insert (default=): a NOT NULL column is never left empty.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": SQL_REPO["app/models.py"] + "    scale: Mapped[float | None] = mapped_column(default=1)\n",
            "migrations/002_scale.sql": "ALTER TABLE videos ADD COLUMN scale FLOAT NOT NULL;\n",
        },
    ),
    # Both agree, and a NOT NULL column with a server default may be left out of inserts.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": SQL_REPO["app/models.py"] + "    summary: Mapped[str]\n    rank: Mapped[int | None]\n",
            "migrations/002_summary.sql": "ALTER TABLE videos ADD COLUMN summary TEXT NOT NULL DEFAULT '';\n"
            "ALTER TABLE videos ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;\n",
        },
    ),
    # The mismatch was already there at base: an unrelated edit of the model does not report it.
    Case(
        base={
            **SQL_REPO,
            "app/models.py": SQL_REPO["app/models.py"].replace("title: Mapped[str]", "title: Mapped[str | None]"),
        },
        head={
            "app/models.py": SQL_REPO["app/models.py"].replace("title: Mapped[str]", "title: Mapped[str | None]")
            + "    published: Mapped[bool | None]\n",
            "migrations/002_published.sql": "ALTER TABLE videos ADD COLUMN published BOOLEAN;\n",
        },
    ),
]
