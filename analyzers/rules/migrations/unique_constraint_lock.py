"""MIG009: unique constraint lock."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule


class UniqueConstraintLock(OperationRule, RepoRule):
    """## What it does
    Flags `ADD CONSTRAINT ... UNIQUE` (and `op.create_unique_constraint`) on an existing table.

    ## Why is this bad?
    The unique index is built inside the `ALTER TABLE`, holding a lock that blocks writes for the whole build.

    ## Example
    ```sql
    ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE (email);
    ```

    ## Use instead
    ```sql
    CREATE UNIQUE INDEX CONCURRENTLY uq_email ON users (email);
    ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE USING INDEX uq_email;
    ```
    """

    id = "MIG009"
    name = "unique-constraint-lock"
    severity = Severity.NOTICE
    fix = "create a unique index CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if (
            op.op == "add_constraint"
            and op.detail.get("kind") == "unique"
            and change.existing_table
            and change.dialect(ctx.config.schema_.dialect) == "postgres"  # the CONCURRENTLY advice
        ):
            return (
                f"adds a UNIQUE constraint to existing table {op.table}: "
                "the index behind it is built while writes are blocked"
            )
        return None


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nALTER TABLE videos ADD CONSTRAINT uq_title UNIQUE (title);\n"},
        expect=[("MIG009", "migrations/002_change.sql", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_change.sql": "CREATE TABLE channels (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
        },
    ),
]
