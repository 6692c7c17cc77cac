"""MIG003: column type change."""

from __future__ import annotations

import re
from typing import Any

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, SQL_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.common import ChangedOperation, OperationRule, alembic_call


class ColumnTypeChange(OperationRule, RepoRule):
    """## What it does
    Flags `ALTER COLUMN ... TYPE` and `op.alter_column(..., type_=...)` on an existing column.

    ## Why is this bad?
    Most type changes rewrite the whole table while holding an `ACCESS EXCLUSIVE` lock: reads
    and writes queue behind it for as long as the rewrite takes, and a value that does not
    convert aborts the migration.

    ## Example
    ```sql
    ALTER TABLE events ALTER COLUMN payload TYPE JSONB;
    ```

    ## Use instead
    Add `payload_json JSONB`, backfill it in batches, switch the code over, then drop the old column.
    """

    id = "MIG003"
    name = "column-type-change"
    severity = Severity.WARNING
    fix = "add a new column, backfill it, and switch reads over instead of rewriting in place"
    uses_change = True

    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        op = change.op
        if op.op != "alter_type" or not change.existing_column():
            return None
        if change.dialect(ctx.config.schema_.dialect) == "postgres" and _widens(*_types(change, ctx)):
            return None
        return (
            f"changes the type of {op.table}.{op.column} to {op.detail.get('type')}: "
            "Postgres rewrites the table under an ACCESS EXCLUSIVE lock, and values may not convert"
        )


# (kind, length or precision, scale): ("varchar", 128, None), ("text", None, None),
# ("numeric", 10, 2); None: a type this does not know the shape of.
_Shape = tuple[str, int | None, int | None]
_SQL_SHAPE = re.compile(
    r"(varchar|character varying|text|numeric|decimal)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?", re.IGNORECASE
)
_SA_KINDS = {
    "String": "varchar",
    "VARCHAR": "varchar",
    "Unicode": "varchar",
    "NVARCHAR": "varchar",
    "Text": "text",
    "TEXT": "text",
    "UnicodeText": "text",
    "Numeric": "numeric",
    "NUMERIC": "numeric",
    "DECIMAL": "numeric",
}
_SA_PARAMETERS = {"varchar": ("length",), "text": ("length",), "numeric": ("precision", "scale")}


def _types(change: ChangedOperation, ctx: RepoContext) -> tuple[_Shape | None, _Shape | None]:
    """The column's type before and after the operation: an Alembic call's ``existing_type``
    (else the base schema's type) and ``type_``; a SQL statement's base type and new type."""
    column = change.base.table(change.op.table)
    before_sql = column.columns[change.op.column].type if column and change.op.column in column.columns else ""
    call = alembic_call(ctx, change, "alter_column")
    if call is None:
        return _sql_shape(before_sql), _sql_shape(str(change.op.detail.get("type") or ""))
    kwargs = call.get("kwargs") or {}
    if any(k.startswith("postgresql_using") for k in kwargs):
        return None, None  # USING rewrites every row with an expression
    before = _sa_shape(kwargs["existing_type"]) if "existing_type" in kwargs else _sql_shape(before_sql)
    return before, _sa_shape(kwargs.get("type_"))


def _sql_shape(text: str) -> _Shape | None:
    m = _SQL_SHAPE.fullmatch(text.strip())
    if m is None:
        return None
    kind = {"character varying": "varchar", "decimal": "numeric"}.get(m.group(1).lower(), m.group(1).lower())
    size, scale = (int(g) if g is not None else None for g in m.group(2, 3))
    if kind == "numeric" and size is not None and scale is None:
        scale = 0  # NUMERIC(p) is NUMERIC(p, 0)
    return kind, size, scale


def _sa_shape(value: Any) -> _Shape | None:
    """``sa.String(128)``, ``sa.Text()``, ``sa.Numeric(10, 2)`` as the facts parsed them."""
    if not isinstance(value, dict):
        return None
    kind = _SA_KINDS.get(str(value.get("call") or value.get("name") or ""))
    if kind is None:
        return None
    names = _SA_PARAMETERS[kind]
    args, kwargs = list(value.get("args") or []), dict(value.get("kwargs") or {})
    if len(args) > len(names) or any(k not in names for k in kwargs):
        return None  # a collation, an asdecimal... : not a plain length or precision
    given = dict(zip(names, args, strict=False)) | kwargs
    if any(v is not None and type(v) is not int for v in given.values()):
        return None
    size, scale = given.get(names[0]), given.get("scale")
    if kind == "text":
        return "text", None, None  # Postgres' TEXT has no length (Text(n) is MySQL's)
    if kind == "numeric" and size is not None and scale is None:
        scale = 0
    return kind, size, scale


def _widens(before: _Shape | None, after: _Shape | None) -> bool:
    """Whether Postgres changes the type without rewriting the table, and no value can fail
    to convert: a longer or unlimited VARCHAR, VARCHAR to TEXT, a NUMERIC of more precision
    and the same scale, or of no limit."""
    if before is None or after is None:
        return False
    (kind, size, scale), (new_kind, new_size, new_scale) = before, after
    if kind == "varchar":
        # (a length not known, or none: only a change to no limit is certain to fit)
        return new_kind == "text" or (
            new_kind == "varchar" and (new_size is None or (size is not None and new_size >= size))
        )
    if kind == "text":
        return new_kind == "text"
    if kind == "numeric" and new_kind == "numeric":
        return (new_size is None and new_scale is None) or (
            size is not None and new_size is not None and new_size >= size and new_scale == scale
        )
    return False


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------


def _widen(body: str) -> dict[str, str | None]:
    return {"alembic/versions/a2_widen.py": revision("a2", "a1", body)}


INVALID = [
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "-- change\nALTER TABLE videos ALTER COLUMN title TYPE VARCHAR(200);\n"},
        expect=[("MIG003", "migrations/002_change.sql", 2)],
    ),
    # Narrower: values may not fit.
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "ALTER TABLE videos ALTER COLUMN status TYPE VARCHAR(10);\n"},
        expect=[("MIG003", "migrations/002_change.sql", 1)],
    ),
    Case(
        base=ALEMBIC_REPO,
        head=_widen("    op.alter_column('jobs', 'job_type', existing_type=sa.String(32), type_=sa.String(16))\n"),
        expect=[("MIG003", "alembic/versions/a2_widen.py", 6)],
    ),
    # A NUMERIC of another scale: every value changes.
    Case(
        base=ALEMBIC_REPO,
        head=_widen("    op.alter_column('jobs', 'id', existing_type=sa.Numeric(10, 2), type_=sa.Numeric(12, 3))\n"),
        expect=[("MIG003", "alembic/versions/a2_widen.py", 6)],
    ),
    # Wider, but with a USING expression that rewrites every row.
    Case(
        base=ALEMBIC_REPO,
        head=_widen(
            "    op.alter_column('jobs', 'job_type', existing_type=sa.String(32), type_=sa.String(64),\n"
            "        postgresql_using='lower(job_type)')\n"
        ),
        expect=[("MIG003", "alembic/versions/a2_widen.py", 6)],
    ),
    # MySQL may copy the table to lengthen a VARCHAR (past 255 bytes its length prefix grows).
    Case(
        base={**SQL_REPO, ".github/undertow.yml": "schema:\n  dialect: mysql\n"},
        head={"migrations/002_change.sql": "ALTER TABLE videos ALTER COLUMN status TYPE VARCHAR(400);\n"},
        expect=[("MIG003", "migrations/002_change.sql", 1)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={
            "migrations/002_change.sql": "ALTER TABLE videos ADD COLUMN c INTEGER;\n"
            "ALTER TABLE videos ALTER COLUMN c TYPE BIGINT;\n"
        },
    ),
    # Postgres lengthens a VARCHAR, or lifts its limit, in place: nothing rewritten, nothing fails.
    Case(
        base=SQL_REPO,
        head={"migrations/002_change.sql": "ALTER TABLE videos ALTER COLUMN status TYPE VARCHAR(40);\n"},
    ),
    Case(base=SQL_REPO, head={"migrations/002_change.sql": "ALTER TABLE videos ALTER COLUMN status TYPE TEXT;\n"}),
    Case(
        base=ALEMBIC_REPO,
        head=_widen(
            "    op.alter_column('jobs', 'job_type', existing_type=sa.String(32), type_=sa.String(length=64))\n"
        ),
    ),
    Case(
        base=ALEMBIC_REPO,
        head=_widen(
            "    with op.batch_alter_table('jobs') as batch_op:\n"
            "        batch_op.alter_column('job_type', existing_type=sa.VARCHAR(32), type_=sa.Text())\n"
        ),
    ),
    # More precision, the same scale.
    Case(
        base=ALEMBIC_REPO,
        head=_widen(
            "    op.alter_column('jobs', 'id', existing_type=sa.Numeric(10, 2),\n"
            "        type_=sa.Numeric(precision=14, scale=2))\n"
        ),
    ),
]
