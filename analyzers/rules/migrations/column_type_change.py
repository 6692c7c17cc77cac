"""MIG003: column type change."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule


class ColumnTypeChange(OperationRule, RepoRule):
    """## What it does
    Flags `ALTER COLUMN ... TYPE` and `op.alter_column(..., type_=...)` on an existing column.

    ## Why is this bad?
    Most type changes rewrite the whole table while holding an `ACCESS EXCLUSIVE` lock: reads
    and writes queue behind it for as long as the rewrite takes, and a value that does not
    convert aborts the migration.

    ## Example
    ```sql
    ALTER TABLE events ALTER COLUMN payload TYPE JSONB;
    ```

    ## Use instead
    Add `payload_json JSONB`, backfill it in batches, switch the code over, then drop the old column.
    """

    id = "MIG003"
    name = "column-type-change"
    severity = Severity.WARNING
    fix = "add a new column, backfill it, and switch reads over instead of rewriting in place"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if op.op == "alter_type" and change.existing_column():
            return (
                f"changes the type of {op.table}.{op.column} to {op.detail.get('type')}: "
                "Postgres rewrites the table under an ACCESS EXCLUSIVE lock, and values may not convert"
            )
        return None


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nALTER TABLE videos ALTER COLUMN title TYPE VARCHAR(200);\n"},
        expect=[("MIG003", "migrations/002_change.sql", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_change.sql": "ALTER TABLE videos ADD COLUMN c INTEGER;\n"
            "ALTER TABLE videos ALTER COLUMN c TYPE BIGINT;\n"
        },
    ),
]
