"""MIG005: blocking index."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, SQL_INIT, SQL_REPO, revision
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

_JOBS = (
    "    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True),\n"
    "        sa.Column('job_type', sa.String(32)))\n"
)
_INDEX = "    op.create_index('ix_jobs_job_type', 'jobs', ['job_type'])\n"

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nCREATE INDEX ix_status ON videos (status);\n"},
        expect=[("MIG005", "migrations/002_change.sql", 2)],
    ),
    # A revision after the base's: jobs has its rows. (A table the revision creates is another.)
    Case(
        base=ALEMBIC_REPO,
        head={
            "alembic/versions/a2_index.py": revision(
                "a2", "a1", "    op.create_table('tags', sa.Column('id', sa.Integer(), primary_key=True))\n" + _INDEX
            )
        },
        expect=[("MIG005", "alembic/versions/a2_index.py", 7)],
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
    # The revision creates the table just before: a second root revision (SCH009's business)...
    Case(base=ALEMBIC_REPO, head={"alembic/versions/b1_init.py": revision("b1", None, _JOBS + _INDEX)}),
    # ... or the root of another tree, in another directory.
    Case(
        base=ALEMBIC_REPO,
        head={"plugin/alembic/versions/p1_init.py": revision("p1", None, _JOBS + _INDEX)},
    ),
    # A revision the change adds before this one creates it.
    Case(
        base=ALEMBIC_REPO,
        head={
            "alembic/versions/b1_init.py": revision("b1", None, _JOBS),
            "alembic/versions/b2_index.py": revision("b2", "b1", _INDEX),
        },
    ),
    # Dropped and created again: empty.
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_change.sql": "DROP TABLE videos;\n"
            + SQL_INIT
            + "CREATE INDEX ix_status ON videos (status);\n"
        },
    ),
]
