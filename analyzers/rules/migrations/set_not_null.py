"""MIG007: set not null."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule


class SetNotNull(OperationRule, RepoRule):
    """## What it does
    Flags `ALTER COLUMN ... SET NOT NULL` (and `op.alter_column(..., nullable=False)`) on an existing column.

    ## Why is this bad?
    The check scans every row while holding an `ACCESS EXCLUSIVE` lock, and fails outright when
    a single old row is NULL.

    ## Example
    ```sql
    ALTER TABLE videos ALTER COLUMN channel_id SET NOT NULL;
    ```

    ## Use instead
    ```sql
    ALTER TABLE videos ADD CONSTRAINT channel_id_nn CHECK (channel_id IS NOT NULL) NOT VALID;
    ALTER TABLE videos VALIDATE CONSTRAINT channel_id_nn;
    ALTER TABLE videos ALTER COLUMN channel_id SET NOT NULL;
    ```
    """

    id = "MIG007"
    name = "set-not-null"
    severity = Severity.WARNING
    fix = "add a CHECK (col IS NOT NULL) NOT VALID, validate it, then SET NOT NULL"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if op.op == "set_not_null" and change.existing_column():
            return (
                f"sets {op.table}.{op.column} NOT NULL: "
                "Postgres scans the whole table under an ACCESS EXCLUSIVE lock, and fails if any row is NULL"
            )
        return None


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nALTER TABLE videos ALTER COLUMN published_at SET NOT NULL;\n"},
        expect=[("MIG007", "migrations/002_change.sql", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_change.sql": "CREATE TABLE clips (id SERIAL PRIMARY KEY, name TEXT);\n"
            "ALTER TABLE clips ALTER COLUMN name SET NOT NULL;\n"
        },
    ),
]
