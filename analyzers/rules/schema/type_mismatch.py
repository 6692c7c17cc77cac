"""SCH004: model and migrated schema disagree on a column's type family."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import expected_columns, schema_facts
from undertow.analyzers.schema.model import type_family

_SAME = [{"text"}, {"integer"}]


class TypeMismatch(RepoRule):
    """## What it does
    Flags a column whose type family (integer, text, timestamp, date, bool, json, uuid,
    numeric, bytes...) differs between the ORM model and the schema the migrations build.
    `String(64)` vs `VARCHAR(64)` or `Integer` vs `SERIAL` are the same family and fine.

    ## Why is this bad?
    The driver converts on the way in and out, until it cannot: a `DateTime` model column over a
    `TEXT` database column sorts lexically, an `Integer` over `VARCHAR` fails on the first
    non-numeric row, and JSON stored as text cannot be queried.

    ## Example
    ```python
    published_at: Mapped[datetime]  # the migration created published_at TEXT
    ```

    ## Use instead
    Change the model or add a migration (`ALTER TABLE ... ALTER COLUMN ... TYPE ...`) so both agree.
    """

    id = "SCH004"
    name = "type-mismatch"
    severity = Severity.WARNING
    fix = "make the model type and the migrated column type agree"
    depends_on = "schema"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return
        for expected in expected_columns(ctx.facts):
            info = expected.info
            if expected.column is None or info is None or not info.type:
                continue
            table = facts.schema.table(expected.table)
            column = table.columns.get(expected.column) if table else None
            if column is None:
                continue
            model_family = type_family(info.type)
            db_family = column.family
            if "other" in (model_family, db_family) or model_family == db_family:
                continue
            if {model_family, db_family} <= {"text", "other"} or info.type == "enum" or column.enum_type:
                continue
            message = (
                f"{expected.table}.{expected.column} is {info.type} ({model_family}) in {expected.model} "
                f"but {column.type} ({db_family}) in the migrated schema; {self.fix}"
            )
            yield self.report(expected.path, message, f"{expected.table}.{expected.column}", line=expected.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": SQL_REPO["app/models.py"].replace(
                "published_at: Mapped[datetime | None]", "published_at: Mapped[int | None]"
            )
        },
        expect=[("SCH004", "app/models.py", 11)],
    ),
]
VALID = [
    Case(
        base=ALEMBIC_REPO,
        head={
            "app/models.py": ALEMBIC_REPO["app/models.py"].replace(
                "Column(String(32), nullable=False)", "Column(Text, nullable=False)"
            )
        },
    ),
]
