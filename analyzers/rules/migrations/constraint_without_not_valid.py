"""MIG006: constraint without not valid."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, SQL_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule


class ConstraintWithoutNotValid(OperationRule, RepoRule):
    """## What it does
    Flags `ADD CONSTRAINT ... FOREIGN KEY/CHECK` (and
    `op.create_foreign_key`/`op.create_check_constraint`) on an existing table without `NOT
    VALID`.

    ## Why is this bad?
    Validating a new constraint scans the whole table under a lock that blocks writes (and, for
    a foreign key, the referenced table too).

    ## Example
    ```sql
    ALTER TABLE videos ADD CONSTRAINT fk_channel FOREIGN KEY (channel_id) REFERENCES channels (id);
    ```

    ## Use instead
    ```sql
    ALTER TABLE videos ADD CONSTRAINT fk_channel FOREIGN KEY (channel_id) REFERENCES channels (id) NOT VALID;
    ALTER TABLE videos VALIDATE CONSTRAINT fk_channel;
    ```
    """

    id = "MIG006"
    name = "constraint-without-not-valid"
    severity = Severity.WARNING
    fix = "add it NOT VALID, then VALIDATE CONSTRAINT in a separate step"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if (
            op.op == "add_constraint"
            and op.detail.get("kind") in ("foreign_key", "check")
            and change.existing_table
            and not op.detail.get("not_valid")
            and change.dialect(ctx.config.schema_.dialect) == "postgres"  # NOT VALID is PostgreSQL's
        ):
            kind = "foreign key" if op.detail["kind"] == "foreign_key" else "CHECK constraint"
            return (
                f"adds a {kind} to existing table {op.table} without NOT VALID: "
                "every row is checked while writes are blocked"
            )
        return None


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_change.sql": "-- change\n"
            "ALTER TABLE videos ADD CONSTRAINT ck CHECK (status IN ('new', 'analyzed', 'done'));\n"
        },
        expect=[("MIG006", "migrations/002_change.sql", 2)],
    ),
]
VALID = [
    # A branch for MySQL (no NOT VALID there): the PostgreSQL advice does not apply.
    Case(
        base=ALEMBIC_REPO,
        head={
            "alembic/versions/b1.py": revision(
                "b1",
                "a1",
                "    url = str(op.get_bind().engine.url)\n"
                "    if url.startswith('mysql'):\n"
                "        op.create_foreign_key('fk_jobs_owner', 'jobs', 'users', ['owner_id'], ['id'])\n"
                "    else:\n"
                "        op.create_foreign_key('fk_jobs_owner', 'jobs', 'users', ['owner_id'], ['id'],\n"
                "                              postgresql_not_valid=True)\n",
            )
        },
    ),
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_change.sql": "ALTER TABLE videos ADD CONSTRAINT ck CHECK (status IN ('new')) NOT VALID;\n"
        },
    ),
]
