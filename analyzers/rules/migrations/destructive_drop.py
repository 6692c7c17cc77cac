"""MIG001: a migration drops a table or column that exists, and nothing uses it any more."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import changed_operations, dropped, mapped_by


class DestructiveDrop(RepoRule):
    """## What it does
    Reports, as a notice, a migration that drops a table or column which exists at base and
    which no model maps any more: data is deleted, and the change should say so. Drops that
    code still uses are reported as SCH003 (head code) or MIG010 (base code) instead.

    ## Why is this bad?
    Dropping is irreversible: a `downgrade()` can recreate the column, not its data. Reviewers
    should see the data loss spelled out.

    ## Example
    ```sql
    ALTER TABLE videos DROP COLUMN legacy_notes;
    ```

    ## Use instead
    Confirm the data is no longer needed (or back it up), then keep the drop with a
    `-- undertow: ignore[MIG001]` comment saying so.
    """

    id = "MIG001"
    name = "destructive-drop"
    severity = Severity.NOTICE
    fix = "confirm the data can go (back it up first) and acknowledge the drop"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        if ctx.base_facts is None:
            return  # changed_operations yields nothing without a base
        for change in changed_operations(ctx):
            found = dropped(change)
            if found is None or change.op.op.startswith("rename"):
                continue
            table, column, what = found
            if change.base.table(table) is None or (column is not None and not change.existing_column()):
                continue  # nothing to lose: it does not exist before this change
            if mapped_by(ctx.facts, table, column) or mapped_by(ctx.base_facts, table, column):
                continue  # SCH003 / MIG010
            message = f"this migration {what}, which exists at base: its data is deleted for good; {self.fix}"
            yield self.report(change.path, message, f"{table}.{column or ''}", line=change.op.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base={**SQL_REPO, "migrations/002_audit.sql": "CREATE TABLE audit (id SERIAL PRIMARY KEY);\n"},
        head={"migrations/003_drop.sql": "-- cleanup\nDROP TABLE audit;\n"},
        expect=[("MIG001", "migrations/003_drop.sql", 2)],
    ),
]
VALID = [
    # the model still maps it: SCH003's finding, not this rule's
    Case(base=SQL_REPO, head={"migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN published_at;\n"}),
    Case(base=SQL_REPO, head={"migrations/002_tmp.sql": "CREATE TABLE tmp (id INTEGER);\nDROP TABLE tmp;\n"}),
]
