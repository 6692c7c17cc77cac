"""MIG004: rename."""

from __future__ import annotations

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule


class Rename(OperationRule, RepoRule):
    """## What it does
    Flags `RENAME COLUMN`, `RENAME TO` and `op.alter_column(new_column_name=...)`/`op.rename_table`.

    ## Why is this bad?
    A rename is atomic in the database but not in the fleet: until every instance runs the new
    code, the old instances query a name that no longer exists.

    ## Example
    ```sql
    ALTER TABLE videos RENAME COLUMN title TO name;
    ```

    ## Use instead
    Add `name`, write both, backfill, move reads to `name`, and drop `title` in a later release.
    """

    id = "MIG004"
    name = "rename"
    severity = Severity.WARNING
    fix = "add the new name, migrate code to it, and drop the old one in a later release"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if op.op == "rename_column":
            return (
                f"renames column {op.table}.{op.column} to {op.detail['to']}: "
                "code still running during the deploy uses the old name"
            )
        if op.op == "rename_table":
            return (
                f"renames table {op.table} to {op.detail['to']}: code still running during the deploy uses the old name"
            )
        return None


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nALTER TABLE videos RENAME TO clips;\n"},
        expect=[("MIG004", "migrations/002_change.sql", 2)],
    ),
]
VALID = [
    Case(base=SQL_REPO, head={"migrations/002_change.sql": "ALTER TABLE videos ADD COLUMN name TEXT;\n"}),
]
