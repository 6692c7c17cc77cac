"""SCH010: a migration added to a second migration system."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from undertow.analyzers.core.config import Config
from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import schema_facts


class ParallelMigrationSystems(RepoRule):
    """## What it does
    Flags a migration a change adds to one migration system (raw SQL files, Alembic) while the
    repository also keeps migrations in the other one, unless `.github/undertow.yml` lists both
    under `schema.migrations` on purpose.

    ## Why is this bad?
    Deployments run one system; the other's migrations are applied by hand, late, or never,
    and each system's idea of the schema drifts from the database.

    ## Example
    `migrations/007_add_channel.sql` added while every recent change went to `alembic/versions/`.

    ## Use instead
    Write the change as a migration of the system the deploy runs.
    """

    id = "SCH010"
    name = "parallel-migration-systems"
    severity = Severity.WARNING
    fix = "write it as a migration of the system the deploy runs"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        if ctx.side != "head" or not any(c.status.value == "added" for c in ctx.changes.present):
            return
        facts = schema_facts(ctx.facts, ctx.config)
        sql = {p for p in facts.migration_files if p.endswith(".sql")}
        alembic = {p for p in facts.migration_files if p.endswith(".py")}
        if not sql or not alembic or _both_configured(ctx.config, sql, alembic):
            return
        for changed in ctx.changes.present:
            if changed.status.value != "added":
                continue
            mine, other, label = (
                (sql, alembic, "Alembic revisions") if changed.path in sql else (alembic, sql, "SQL migration files")
            )
            if changed.path not in mine:
                continue
            other_dirs = ", ".join(sorted({posixpath.dirname(p) + "/" for p in other}))
            message = (
                f"this change adds a migration here while the repository also keeps {len(other)} {label} "
                f"in {other_dirs}: the two systems drift apart; {self.fix}"
            )
            yield self.report(changed.path, message, "parallel", line=1)


def _both_configured(config: Config, sql: set[str], alembic: set[str]) -> bool:
    configured = [m.rstrip("/") + "/" for m in config.schema_.migrations]
    return any(p.startswith(c) for p in sql for c in configured) and any(
        p.startswith(c) for p in alembic for c in configured
    )


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_EXTRA = {"migrations/001_extra.sql": "CREATE TABLE x (id INT);\n"}

INVALID = [
    Case(base=ALEMBIC_REPO, head=_EXTRA, expect=[("SCH010", "migrations/001_extra.sql", 1)]),
]
VALID = [
    Case(
        base={**ALEMBIC_REPO, ".github/undertow.yml": "schema:\n  migrations: [alembic/versions, migrations]\n"},
        head=_EXTRA,
    ),
]
