"""SCH002: the migrated schema has a column that the table's model does not map."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import expected_columns, model_classes, schema_facts


class MigrationWithoutModel(RepoRule):
    """## What it does
    Flags a column that the migrations create (or keep) on a table the repository models,
    but that the model does not map: a model attribute removed without its migration, or a
    migration adding a column no code knows about. Tables without any model (raw-SQL-only
    repositories, tables managed elsewhere) are left alone. A notice, or an error when the
    column is NOT NULL without a default: inserts through the model will fail.

    ## Why is this bad?
    Either the column is dead weight nobody will clean up, or, when it is required, every
    INSERT through the ORM fails with `null value in column ... violates not-null constraint`.

    ## Example
    ```sql
    ALTER TABLE videos ADD COLUMN channel_id INTEGER NOT NULL DEFAULT 0;  -- no model attribute
    ```

    ## Use instead
    Map the column in the model, or drop it in a migration.
    """

    id = "SCH002"
    name = "migration-without-model"
    severity = Severity.NOTICE
    fix = "map the column in the model, or drop it in a migration"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return
        mapped: dict[str, set[str]] = {}
        where: dict[str, tuple[str, int, str]] = {}
        for expected in expected_columns(ctx.facts):
            if expected.column is None:
                where.setdefault(expected.table, (expected.path, expected.line, expected.model))
            else:
                mapped.setdefault(expected.table, set()).add(expected.column)
        unresolved = {m.table for m in model_classes(ctx.facts).values() if not m.resolved}
        for table_name, (path, line, model) in sorted(where.items()):
            table = facts.schema.table(table_name)
            if table is None or table.partial or table_name in unresolved:
                continue
            for column in table.columns.values():
                if column.name in mapped.get(table_name, set()):
                    continue
                required = not column.nullable and not column.has_default and column.name not in table.primary_key
                severity = Severity.ERROR if required else self.severity
                consequence = (
                    "it is NOT NULL without a default, so every INSERT through the model fails"
                    if required
                    else "no code reads or writes it through the model"
                )
                message = (
                    f"{table_name}.{column.name} exists in the migrated schema but {model} does not map it: "
                    f"{consequence}; {self.fix}"
                )
                yield self.report(path, message, f"{table_name}.{column.name}", line=line, severity=severity)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"app/models.py": SQL_REPO["app/models.py"].replace("    title: Mapped[str]\n", "")},
        expect=[("SCH002", "app/models.py", 6)],
    ),
]
VALID = [
    # a table no model maps is not drift: only a mapped table's missing columns are
    Case(base=SQL_REPO, head={"migrations/002_audit.sql": "CREATE TABLE audit (id SERIAL PRIMARY KEY);\n"}),
]
