"""MIG005: blocking index."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_INIT, SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule


class BlockingIndex(OperationRule, RepoRule):
    """## What it does
    Flags `CREATE INDEX` without `CONCURRENTLY` (Alembic: without
    `postgresql_concurrently=True`) on a table that already exists (Postgres).

    ## Why is this bad?
    A plain `CREATE INDEX` holds a `SHARE` lock for the whole build: every INSERT, UPDATE and
    DELETE on the table waits, for minutes on a large table.

    ## Example
    ```sql
    CREATE INDEX ix_videos_status ON videos (status);
    ```

    ## Use instead
    ```sql
    CREATE INDEX CONCURRENTLY ix_videos_status ON videos (status);
    ```
    """

    id = "MIG005"
    name = "blocking-index"
    severity = Severity.WARNING
    fix = "create it with CREATE INDEX CONCURRENTLY (postgresql_concurrently=True, outside a transaction)"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if (
            op.op == "create_index"
            and change.existing_table
            and not op.detail.get("concurrently")
            and change.dialect(ctx.config.schema_.dialect) == "postgres"
        ):
            return (
                f"creates index {op.detail.get('index') or ''} on existing table {op.table} "
                f"without CONCURRENTLY: writes to {op.table} block until it is built"
            )
        return None


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nCREATE INDEX ix_status ON videos (status);\n"},
        expect=[("MIG005", "migrations/002_change.sql", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO, head={"migrations/002_change.sql": "CREATE INDEX CONCURRENTLY ix_status ON videos (status);\n"}
    ),
    Case(
        base={**SQL_REPO, ".github/undertow.yml": "schema:\n  dialect: sqlite\n"},
        head={"migrations/002_change.sql": "CREATE INDEX ix_status ON videos (status);\n"},
    ),
    Case(  # one tree per dialect: the SQLite tree's index locks nothing Postgres cares about
        base={**SQL_REPO, "migrations/sqlite/001_init.sql": SQL_INIT},
        head={"migrations/sqlite/002_change.sql": "CREATE INDEX ix_status ON videos (status);\n"},
    ),
]
