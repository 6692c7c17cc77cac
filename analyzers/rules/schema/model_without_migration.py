"""SCH001: a model maps a table or column that no migration creates."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity, Suggestion
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import expected_columns, expected_indexes, migration_description, schema_facts
from undertow.analyzers.schema.orm import OrmColumn


class ModelWithoutMigration(RepoRule):
    """## What it does
    Replays the repository's migrations (SQL files and Alembic revisions, in order) and flags a
    table, column, or named index/unique constraint that an ORM model (SQLAlchemy declarative
    or Core, SQLModel) declares but that no migration creates.

    ## Why is this bad?
    The code deploys, the migration step has nothing to run, and the first query that touches
    the column fails: `column videos.sermon_actual_date does not exist`. Tests using
    `create_all()` pass, which is exactly why review misses it.

    ## Example
    ```python
    class Video(Base):
        __tablename__ = "videos"
        sermon_actual_date: Mapped[datetime | None]  # no migration adds it
    ```

    ## Use instead
    Add the migration in the same change:
    ```sql
    ALTER TABLE videos ADD COLUMN sermon_actual_date TIMESTAMP;
    ```
    """

    id = "SCH001"
    name = "model-without-migration"
    severity = Severity.ERROR
    fix = "add a migration that creates it, in the same change"
    depends_on = "schema"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return  # tables managed by create_all(), or migrations elsewhere: nothing to compare
        where = migration_description(facts)
        for expected in expected_columns(ctx.facts):
            table = facts.schema.table(expected.table)
            if expected.column is None:
                if table is None:
                    message = (
                        f"table {expected.table} is mapped by {expected.model} here, but {where} creates it; {self.fix}"
                    )
                    yield self.report(expected.path, message, expected.table, line=expected.line)
                continue
            if table is None or table.partial or expected.column in table.columns:
                continue
            sql_type = _sql_type(expected.info)
            nullable = expected.info.nullable if expected.info is not None else True
            ddl = (
                f"ALTER TABLE {expected.table} ADD COLUMN {expected.column} "
                f"{sql_type}{'' if nullable else ' NOT NULL'};"
            )
            message = (
                f"{expected.table}.{expected.column} is mapped by {expected.model} here, but {where} creates it; "
                f"add: {ddl}"
            )
            if facts.style == "alembic":
                snippet = (
                    f'op.add_column("{expected.table}", sa.Column("{expected.column}", '
                    f"sa.{_sa_type(sql_type)}(), nullable={nullable}))"
                )
            else:
                snippet = ddl
            yield self.report(
                expected.path,
                message,
                f"{expected.table}.{expected.column}",
                line=expected.line,
                suggestion=Suggestion("snippet", snippet, "the migration this column needs"),
            )
        for index in expected_indexes(ctx.facts):
            table = facts.schema.table(index.table)
            if table is None or table.partial:
                continue
            names = set(table.indexes) | {u[0] for u in table.uniques if u[0]} | set(table.constraints)
            if index.name in names:
                continue
            kind = "unique index" if index.unique else "index"
            ddl = (
                f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {index.name} ON {index.table} "
                f"({', '.join(index.columns)});"
            )
            message = (
                f"{kind} {index.name} on {index.table} is declared by {index.model} here, "
                f"but {where} creates it; add: {ddl}"
            )
            yield self.report(
                index.path,
                message,
                f"{index.table}:{index.name}",
                line=index.line,
                suggestion=Suggestion("snippet", ddl, "the migration this index needs"),
            )


_SQL = {
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "varchar": "VARCHAR",
    "text": "TEXT",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "time": "TIME",
    "float": "DOUBLE PRECISION",
    "numeric": "NUMERIC",
    "json": "JSON",
    "jsonb": "JSONB",
    "uuid": "UUID",
    "bytea": "BYTEA",
    "enum": "TEXT",
    "interval": "INTERVAL",
}
_SA = {
    "INTEGER": "Integer",
    "BIGINT": "BigInteger",
    "SMALLINT": "SmallInteger",
    "VARCHAR": "String",
    "TEXT": "Text",
    "BOOLEAN": "Boolean",
    "TIMESTAMP": "DateTime",
    "DATE": "Date",
    "TIME": "Time",
    "DOUBLE PRECISION": "Float",
    "NUMERIC": "Numeric",
    "JSON": "JSON",
    "JSONB": "JSON",
    "UUID": "Uuid",
    "BYTEA": "LargeBinary",
    "INTERVAL": "Interval",
}


def _sql_type(info: OrmColumn | None) -> str:
    return _SQL.get(info.type if info is not None else "", "TEXT")


def _sa_type(sql_type: str) -> str:
    return _SA.get(sql_type, "Text")


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_NEW_COLUMN = SQL_REPO["app/models.py"] + "    sermon_actual_date: Mapped[datetime | None]\n"

INVALID = [
    Case(base=SQL_REPO, head={"app/models.py": _NEW_COLUMN}, expect=[("SCH001", "app/models.py", 12)]),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": _NEW_COLUMN,
            "migrations/002_sermon.sql": "ALTER TABLE videos ADD COLUMN sermon_actual_date TIMESTAMP;\n",
        },
    ),
]
