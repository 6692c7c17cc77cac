"""MIG010: a migration drops what the code running during the deploy still uses."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import changed_operations, gone, mapped_by


class ContractDuringDeploy(RepoRule):
    """## What it does
    Flags a migration that drops a table or column which the **base** revision's code still
    maps, even though this change stops using it.

    ## Why is this bad?
    During a rolling deploy the old code keeps running against the new schema until every
    instance is replaced: its queries still name the dropped column and fail. Expand/contract:
    stop using the column in one release, drop it in a later one.

    ## Example
    One change removes `Video.title` from the model and drops `videos.title`.

    ## Use instead
    Ship the model change first; drop the column in a later change, once no running code uses it.
    """

    id = "MIG010"
    name = "contract-during-deploy"
    severity = Severity.ERROR
    fix = "drop it in a later release, after no deployed code uses it"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        if ctx.base_facts is None:
            return  # changed_operations yields nothing without a base
        for change in changed_operations(ctx):
            if change.op.op not in ("drop_column", "drop_table"):
                continue
            found = gone(change)
            if found is None:
                continue  # created again by the same change: there when the migration is done
            table, column, what = found
            if mapped_by(ctx.facts, table, column) is not None:
                continue  # SCH003 already says the new code uses it
            where = mapped_by(ctx.base_facts, table, column)
            if where is None:
                continue
            message = (
                f"this migration {what}, which the code running before this deploy still uses ({where} at base): "
                f"old instances fail until the rollout ends; {self.fix}"
            )
            yield self.report(change.path, message, f"{table}.{column or ''}", line=change.op.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_UNMAPPED = SQL_REPO["app/models.py"].replace("    published_at: Mapped[datetime | None]\n", "")

INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN published_at;\n", "app/models.py": _UNMAPPED},
        expect=[("MIG010", "migrations/002_drop.sql", 1)],
    ),
]
VALID = [
    # the model stops mapping it first; the drop comes in a later change
    Case(
        base={**SQL_REPO, "app/models.py": _UNMAPPED},
        head={"migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN published_at;\n"},
    ),
]
