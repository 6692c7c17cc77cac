"""MIG002: add required column without default."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, SQL_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule


class AddRequiredColumnWithoutDefault(OperationRule, RepoRule):
    """## What it does
    Flags `ADD COLUMN ... NOT NULL` (or `op.add_column(..., nullable=False)`) without a default
    on a table that already exists.

    ## Why is this bad?
    Every existing row would get NULL in a NOT NULL column: Postgres rejects the statement
    (`column contains null values`) and the deploy stops halfway; with a volatile default it
    rewrites the whole table under an exclusive lock.

    ## Example
    ```sql
    ALTER TABLE videos ADD COLUMN channel_id INTEGER NOT NULL;
    ```

    ## Use instead
    ```sql
    ALTER TABLE videos ADD COLUMN channel_id INTEGER;
    -- backfill, then:
    ALTER TABLE videos ALTER COLUMN channel_id SET NOT NULL;
    ```
    """

    id = "MIG002"
    name = "add-required-column-without-default"
    severity = Severity.ERROR
    fix = "add it nullable, backfill, then SET NOT NULL; or give it a DEFAULT"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if (
            op.op == "add_column"
            and change.existing_table
            and not op.detail.get("nullable", True)
            and not op.detail.get("default")
        ):
            return (
                f"adds NOT NULL column {op.table}.{op.column} without a default to an existing table: "
                "the migration fails on the first existing row"
            )
        return None


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nALTER TABLE videos ADD COLUMN channel_id INTEGER NOT NULL;\n"},
        expect=[("MIG002", "migrations/002_change.sql", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "ALTER TABLE videos ADD COLUMN channel_id INTEGER NOT NULL DEFAULT 0;\n"},
    ),
    # The revision SCH001 suggests for a NOT NULL column whose model has only default=0.
    Case(
        base=ALEMBIC_REPO,
        head={
            "alembic/versions/b1_priority.py": revision(
                "b1",
                "a1",
                '    op.add_column("jobs", sa.Column("priority", sa.Integer(), nullable=False, '
                'server_default=sa.text("0")))\n',
            )
        },
    ),
]
