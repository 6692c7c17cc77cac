"""SCH003: a migration drops or renames a table or column that a model still maps."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import changed_operations, gone, mapped_by


class MigrationDropsUsed(RepoRule):
    """## What it does
    Flags a migration that drops or renames a table or column that a model of the same revision
    still maps.

    ## Why is this bad?
    After this change is deployed the application queries a column the database no longer has:
    every request touching the model fails.

    ## Example
    ```python
    op.drop_column("videos", "title")   # while class Video still has title = Column(String)
    ```

    ## Use instead
    Remove the model attribute and every use in the same change, or keep the column.
    """

    id = "SCH003"
    name = "migration-drops-used"
    severity = Severity.ERROR
    fix = "remove the model attribute and its uses in the same change, or keep the column"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        for change in changed_operations(ctx):
            found = gone(change)
            if found is None:
                continue
            table, column, what = found
            where = mapped_by(ctx.facts, table, column)
            if where is None:
                continue
            message = f"this migration {what}, but the code of this change still uses it ({where}); {self.fix}"
            yield self.report(change.path, message, f"{table}.{column or ''}", line=change.op.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_DROP = {"migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN published_at;\n"}

INVALID = [
    Case(base=SQL_REPO, head=_DROP, expect=[("SCH003", "migrations/002_drop.sql", 1)]),
]
VALID = [
    # Dropped and created again in the same migration (a rebuilt table): the code still finds it.
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_rebuild.sql": "DROP TABLE videos;\n"
            "CREATE TABLE videos (id SERIAL PRIMARY KEY, title TEXT NOT NULL,"
            " status VARCHAR(20) NOT NULL DEFAULT 'new', published_at TIMESTAMP);\n"
        },
    ),
    Case(
        base=SQL_REPO,
        head={
            **_DROP,
            "app/models.py": SQL_REPO["app/models.py"].replace("    published_at: Mapped[datetime | None]\n", ""),
        },
    ),
]
