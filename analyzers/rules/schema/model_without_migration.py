"""SCH001: a model maps a table or column that no migration creates."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from undertow.analyzers.core.findings import Finding, Severity, Suggestion
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.python.ast_names import name_of
from undertow.analyzers.python.index import python_part
from undertow.analyzers.python.syntax import Unparseable, parse_ast
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, MODELS_1X, SQL_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import (
    Expected,
    SchemaFacts,
    expected_columns,
    expected_indexes,
    index_met,
    migration_description,
    schema_facts,
)
from undertow.analyzers.schema.orm import OrmColumn, column_value


class ModelWithoutMigration(RepoRule):
    """## What it does
    Replays the repository's migrations (SQL files and Alembic revisions, in order) and flags a
    table, column, index or unique constraint that an ORM model (SQLAlchemy declarative or Core,
    SQLModel) declares but that no migration creates. Unique expectations (`unique=True`,
    `UniqueConstraint`) are met by any unique constraint, unique index or primary key on the same
    columns. A table the migrations only alter (created once by `metadata.create_all()`) keeps
    the columns mapped before the change as its baseline: a column the change newly maps on it
    still needs a migration. `schema: {new_tables: create_all}` says new tables come from
    `create_all()` by design.

    ## Why is this bad?
    The code deploys, the migration step has nothing to run, and the first query that touches
    the column fails: `column <table>.<column> does not exist`. Tests using `create_all()`
    pass, which is exactly why review misses it.

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
    uses_change = True  # at head, the base's mapped columns (the create_all() baseline)

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return  # tables managed by create_all(), or migrations elsewhere: nothing to compare
        # A table the migrations only alter was created by metadata.create_all() (or a dump): its
        # columns at base are its baseline; a column this change newly maps on it needs a migration.
        base_mapped: set[tuple[str, str | None]] | None = None
        sources: dict[str, bytes | None] = {}
        computed: tuple[set[str], str] | None = None  # (suffixes, "N migrations create"), when first needed
        for expected in expected_columns(ctx.facts):
            table = facts.schema.table(expected.table)
            if expected.column is None:
                if table is None and ctx.config.schema_.new_tables == "migrations":
                    if computed is None:
                        computed = _computed_suffixes(facts), _unknown_creates(facts)
                    suffixes, unknown = computed
                    if any(expected.table.endswith(suffix) for suffix in suffixes):
                        continue  # created under a computed name ending with its own (f"{prefix}users")
                    if unknown:
                        # Some migration creates a table whose name is computed (an f-string):
                        # this one may be it. Said as what it is, not as a missing table.
                        message = (
                            f"table {expected.table} is mapped by {expected.model} here, and no migration creates "
                            f"it by name; {unknown} a table whose name is computed (not a string literal), "
                            "which Undertow cannot read: check that one of them creates it"
                        )
                        yield self.report(
                            expected.path, message, expected.table, line=expected.line, severity=Severity.NOTICE
                        )
                        continue
                    message = (
                        f"table {expected.table} is mapped by {expected.model} here, but "
                        f"{migration_description(facts)}; {self.fix}"
                    )
                    yield self.report(expected.path, message, expected.table, line=expected.line)
                continue
            if table is None or expected.column in table.columns:
                continue
            if table.partial:
                # Only where code calls create_all(): a table is also partial when the migration
                # that creates it could not be read (an f-string name), and its columns are unknown.
                if ctx.side != "head" or ctx.base_facts is None or not python_part(ctx.facts, "create_all"):
                    continue
                if base_mapped is None:
                    base_mapped = {(e.table, e.column) for e in expected_columns(ctx.base_facts)}
                if (expected.table, expected.column) in base_mapped:
                    continue  # mapped before this change: part of the create_all() baseline
            created = (
                f"; {expected.table} itself is created outside the migrations (create_all()), which never adds "
                "a column to an existing table"
                if table.partial
                else ""
            )
            if expected.path not in sources:  # several columns of one model: its file read once
                sources[expected.path] = ctx.snapshot.read(expected.path)
            column = _ColumnSpec.of(expected, sources[expected.path])
            statement, note = column.alembic() if facts.style == "alembic" else column.sql()
            where_to = "add to a new revision's upgrade()" if facts.style == "alembic" else "add"
            comment = "#" if facts.style == "alembic" else "--"
            message = (
                f"{expected.table}.{expected.column} is mapped by {expected.model} here, but "
                f"{migration_description(facts)}{created}; {where_to}: {statement}" + (f" ({note})" if note else "")
            )
            yield self.report(
                expected.path,
                message,
                f"{expected.table}.{expected.column}",
                line=expected.line,
                suggestion=Suggestion(
                    "snippet",
                    statement + (f"\n{comment} {note}" if note else ""),
                    "the migration this column needs",
                ),
            )
        for index in expected_indexes(ctx.facts):
            table = facts.schema.table(index.table)
            if table is None or table.partial or index_met(table, index):
                continue
            columns = ", ".join(index.columns)
            if index.name is None:
                # Unnamed (unique=True, UniqueConstraint("col")): expected by its shape.
                what = f"a unique constraint on {index.table} ({columns})"
                ddl = f"ALTER TABLE {index.table} ADD CONSTRAINT {index.suggested} UNIQUE ({columns});"
                key = f"{index.table}:unique({columns})"
            else:
                what = f"{'unique index' if index.unique else 'index'} {index.name} on {index.table}"
                ddl = f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {index.name} ON {index.table} ({columns});"
                key = f"{index.table}:{index.name}"
            message = f"{what} is declared by {index.model} here, but {migration_description(facts)}; add: {ddl}"
            yield self.report(
                index.path,
                message,
                key,
                line=index.line,
                suggestion=Suggestion("snippet", ddl, "the migration this index needs"),
            )


_SQL = {
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "varchar": "VARCHAR",
    "char": "CHAR",
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
    "CHAR": "CHAR",
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
# Types whose arguments the migration keeps: a length (String(2048)), a precision and scale
# (Numeric(10, 2)), a time zone (DateTime(timezone=True)).
_SIZED = {"VARCHAR": ("length",), "CHAR": ("length",), "NUMERIC": ("precision", "scale")}
_ZONED = {"TIMESTAMP", "TIME"}
_COLUMN_CALLS = {"Column", "mapped_column"}


@dataclass(frozen=True)
class _Default:
    """A column default as a migration writes it: the ``server_default=`` of an Alembic
    ``sa.Column`` and the ``DEFAULT`` of SQL."""

    alembic: str
    sql: str


@dataclass(frozen=True)
class _ColumnSpec:
    """The column a model maps, as the migration that adds it must declare it."""

    table: str
    column: str
    sql_type: str  # "VARCHAR(2048)", "TIMESTAMP WITH TIME ZONE"
    sa_type: str  # "String(2048)", "DateTime(timezone=True)"
    nullable: bool
    server_default: _Default | None  # the model's server_default=
    python_default: _Default | None  # the model's default= (or SQLModel's Field(default=)) of a literal

    @classmethod
    def of(cls, expected: Expected, source: bytes | None) -> _ColumnSpec:
        info = expected.info
        base_sql = _SQL.get(info.type if info is not None else "", "TEXT")
        sql_type, sa_type = base_sql, f"{_SA.get(base_sql, 'Text')}()"
        server_default = python_default = None
        call = _column_call(source, expected.path, info) if info is not None else None
        if call is not None:
            kwargs = {k.arg: k.value for k in call.keywords if k.arg}
            type_node = next((a for a in call.args if not _is_constant_str(a) and not _is_foreign_key(a)), None)
            if isinstance(type_node, ast.Call) and base_sql in _SA:
                sql_type, sa_type = _sized(base_sql, type_node)
            if "server_default" in kwargs:
                server_default = _server_default(kwargs["server_default"])
            for key in ("default", "insert_default"):
                if python_default is None and key in kwargs:
                    python_default = _literal_default(kwargs[key])
        return cls(
            str(expected.table),
            str(expected.column),
            sql_type,
            sa_type,
            info.nullable if info is not None else True,
            server_default,
            python_default,
        )

    def _plan(self) -> tuple[bool, _Default | None, str]:
        """(nullable, server default, note) of the column the migration adds: safe to run on a
        table that has rows, which is what MIG002 (add-required-column-without-default) asks."""
        if self.server_default is not None or self.nullable:
            return self.nullable, self.server_default, ""
        if self.python_default is not None:
            # A careful reviewer keeps the literal as a server default rather than adding the
            # column nullable: it fills the rows the table already has, and the rows that the
            # code still running during the deploy inserts without the column; the model's
            # default= is applied by the ORM alone, to the rows it inserts.
            return (
                False,
                self.python_default,
                f"the server default fills the rows {self.table} already has: the model's default= is "
                "applied by the ORM alone, to the rows it inserts",
            )
        # NOT NULL without any default: no value for the existing rows can be invented here.
        return (
            True,
            None,
            f"nullable first: the model makes it NOT NULL without a default, and the rows {self.table} already "
            f"has need a value; backfill {self.column}, then make it NOT NULL",
        )

    def alembic(self) -> tuple[str, str]:
        nullable, default, note = self._plan()
        server_default = f", server_default={default.alembic}" if default is not None else ""
        return (
            f'op.add_column("{self.table}", sa.Column("{self.column}", sa.{self.sa_type}, '
            f"nullable={nullable}{server_default}))"
        ), note

    def sql(self) -> tuple[str, str]:
        nullable, default, note = self._plan()
        return (
            f"ALTER TABLE {self.table} ADD COLUMN {self.column} {self.sql_type}"
            f"{'' if nullable else ' NOT NULL'}{f' DEFAULT {default.sql}' if default is not None else ''};"
        ), note


def _column_call(source: bytes | None, path: str, info: OrmColumn) -> ast.Call | None:
    """The ``Column(...)``/``mapped_column(...)`` (or SQLModel ``Field(...)``) that maps ``info``
    in the model's source: the assignment on its line, the column a ``@declared_attr`` method
    defined there returns, or a ``Table(...)`` column of its name on that line."""
    if source is None:
        return None
    try:  # the shared parse: any grammar, hostile nesting refused, and usually the facts' own tree
        tree = parse_ast(source.decode("utf-8"), path)
    except (UnicodeDecodeError, Unparseable):
        return None
    for node in ast.walk(tree):
        value: ast.expr | None = None
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.lineno == info.line:
            value = column_value(node.value)  # cast(T, Column(...)), a dataclass field's metadata column
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.lineno == info.line:
            value = next((s.value for s in ast.walk(node) if isinstance(s, ast.Return)), None)
        elif (
            isinstance(node, ast.Call)
            and node.lineno == info.line
            and name_of(node.func).rsplit(".", 1)[-1] in _COLUMN_CALLS
            and node.args
            and _is_constant_str(node.args[0])
            and str(cast(ast.Constant, node.args[0]).value).lower() == info.name
        ):
            return node
        if not isinstance(value, ast.Call):
            continue
        func = name_of(value.func).rsplit(".", 1)[-1]
        if func in _COLUMN_CALLS:
            return value
        if func == "Field":
            sa_column = next((k.value for k in value.keywords if k.arg == "sa_column"), None)
            return sa_column if isinstance(sa_column, ast.Call) else value
    return None


def _is_constant_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_foreign_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and name_of(node.func).rsplit(".", 1)[-1] == "ForeignKey"


def _sized(sql: str, node: ast.Call) -> tuple[str, str]:
    """(SQL type, SQLAlchemy type) with the model type's length, precision and scale or time zone."""
    sa = _SA[sql]
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    names = _SIZED.get(sql, ())
    sizes: list[int] = []
    for position, name in enumerate(names):
        value = node.args[position] if position < len(node.args) else keywords.get(name)
        if not (isinstance(value, ast.Constant) and type(value.value) is int):
            break
        sizes.append(value.value)
    timezone = keywords.get("timezone")
    zoned = sql in _ZONED and isinstance(timezone, ast.Constant) and timezone.value is True
    if sizes:
        listed = ", ".join(map(str, sizes))
        return f"{sql}({listed})", f"{sa}({listed})"
    if zoned:
        return f"{sql} WITH TIME ZONE", f"{sa}(timezone=True)"
    return sql, f"{sa}()"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _py_string(value: str) -> str:
    return json.dumps(value)


def _literal_default(node: ast.expr) -> _Default | None:
    """A Python-side ``default=`` as a server default, when it is a literal (a callable, an enum
    member or an expression has no SQL form here)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        inner = _literal_default(node.operand)
        return _Default(f'sa.text("-{inner.sql}")', f"-{inner.sql}") if inner and inner.sql[0].isdigit() else None
    if not isinstance(node, ast.Constant):
        return None
    value = node.value
    if isinstance(value, bool):
        return _Default(f"sa.{str(value).lower()}()", str(value).upper())
    if isinstance(value, int | float):
        return _Default(f'sa.text("{value!r}")', repr(value))
    if isinstance(value, str):
        return _Default(_py_string(value), _sql_string(value))
    return None


def _server_default(node: ast.expr) -> _Default | None:
    """The model's ``server_default=``: a string, ``text("...")``, ``func.now()``, ``true()``."""
    if _is_constant_str(node):
        value = str(cast(ast.Constant, node).value)
        return _Default(_py_string(value), _sql_string(value))
    if not isinstance(node, ast.Call):
        return None
    name = name_of(node.func)
    last = name.rsplit(".", 1)[-1]
    if last == "text" and len(node.args) == 1 and _is_constant_str(node.args[0]):
        text = str(cast(ast.Constant, node.args[0]).value)
        return _Default(f"sa.text({_py_string(text)})", text)
    if last in ("true", "false") and not node.args:
        return _Default(f"sa.{last}()", last.upper())
    if name.rsplit(".", 2)[-2:-1] == ["func"] and not node.args and not node.keywords:
        return _Default(f"sa.func.{last}()", f"{last}()")
    return None


def _computed_suffixes(facts: SchemaFacts) -> set[str]:
    """The literal ends of table names migrations build at run time (``f"{prefix}users"``)."""
    return {
        suffix
        for operations in facts.operations.values()
        for o in operations
        if o.op == "create_table" and not o.table and (suffix := str(o.detail.get("suffix") or ""))
    }


def _unknown_creates(facts: SchemaFacts) -> str:
    """ "N migrations" (or "a migration") creating a table whose name is not a literal; ""."""
    count = sum(
        1 for operations in facts.operations.values() if any(o.op == "create_table" and not o.table for o in operations)
    )
    return "" if not count else ("a migration creates" if count == 1 else f"{count} migrations create")


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_NEW_COLUMN = SQL_REPO["app/models.py"] + "    sermon_actual_date: Mapped[datetime | None]\n"

# Declarative bases as real projects write them: a base that names every table after its class.
_CONVENTION_BASE = (
    "import re\n"
    "from sqlalchemy import Column, DateTime, Integer, String\n"
    "from sqlalchemy.orm import DeclarativeBase, declared_attr\n"
    "class Base(DeclarativeBase):\n"
    "    @declared_attr.directive\n"
    "    def __tablename__(cls) -> str:\n"
    "        return re.sub(r'(?<!^)(?=[A-Z])', '_', cls.__name__).lower()\n"
    "class TimestampMixin:\n"
    "    @declared_attr\n"
    "    def created_at(cls):\n"
    "        return Column(DateTime)\n"
)
# app/db/models.py: OrderItem.quantity on line 5.
_CONVENTION_MODELS = (
    "from app.db.base import Base, TimestampMixin\n"
    "from sqlalchemy import Column, Integer, String\n"
    "class OrderItem(Base, TimestampMixin):\n"
    "    id = Column(Integer, primary_key=True)\n"
    "    quantity = Column(Integer)\n"
)
_CONVENTION_SQL = "CREATE TABLE order_item (id SERIAL PRIMARY KEY, quantity INTEGER, created_at TIMESTAMP);\n"
_CONVENTION_REPO = {
    "migrations/001_init.sql": _CONVENTION_SQL,
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/base.py": _CONVENTION_BASE,
    "app/db/models.py": _CONVENTION_MODELS,
}
# Video.code on line 12: a unique column, as 2.0 models declare it.
_UNIQUE_CODE = SQL_REPO["app/models.py"] + "    code: Mapped[str] = mapped_column(unique=True)\n"
_ADD_CODE = "ALTER TABLE videos ADD COLUMN code TEXT NOT NULL;\n"

# users is created by metadata.create_all(); the migrations only ever added nickname to it.
_CREATE_ALL_MODELS = (
    "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n"
    "Base = declarative_base()\n"
    "class User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
    "    email = Column(String)\n    nickname = Column(String)\n"
)
_CREATE_ALL_REPO = {
    "migrations/001_nickname.sql": "ALTER TABLE users ADD COLUMN nickname TEXT;\n",
    "app/models.py": _CREATE_ALL_MODELS,
    "app/db.py": "from app.models import Base\ndef init(engine):\n    Base.metadata.create_all(engine)\n",
}

# Job.priority on line 8: NOT NULL with a Python-side default; the suggested revision gives it
# the literal as a server default (safe on a table that has rows: MIG002 agrees).
_PRIORITY = MODELS_1X + "    priority = Column(Integer, nullable=False, default=0)\n"
_ADD_PRIORITY = revision(
    "b1",
    "a1",
    '    op.add_column("jobs", sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("0")))\n',
)

INVALID = [
    Case(base=SQL_REPO, head={"app/models.py": _NEW_COLUMN}, expect=[("SCH001", "app/models.py", 12)]),
    Case(base=ALEMBIC_REPO, head={"app/models.py": _PRIORITY}, expect=[("SCH001", "app/models.py", 8)]),
    # A column newly mapped on a create_all() table: create_all() will not add it to the table.
    Case(
        base=_CREATE_ALL_REPO,
        head={"app/models.py": _CREATE_ALL_MODELS + "    phone = Column(String)\n"},
        expect=[("SCH001", "app/models.py", 9)],
    ),
    # The table name comes from the base's @declared_attr __tablename__ (snake case of the class).
    Case(
        base=_CONVENTION_REPO,
        head={"app/db/models.py": _CONVENTION_MODELS + "    note = Column(String)\n"},
        expect=[("SCH001", "app/db/models.py", 6)],
    ),
    # A mixin's @declared_attr column, inherited by a model: the migration has no updated_at.
    Case(
        base=_CONVENTION_REPO,
        head={
            "app/db/base.py": _CONVENTION_BASE + "    @declared_attr\n    def updated_at(cls):\n"
            "        return Column(DateTime)\n"
        },
        expect=[("SCH001", "app/db/base.py", 13)],
    ),
    # unique=True expects a unique constraint; the migration adds a plain column.
    Case(
        base=SQL_REPO,
        head={"app/models.py": _UNIQUE_CODE, "migrations/002_code.sql": _ADD_CODE},
        expect=[("SCH001", "app/models.py", 12)],
    ),
    # A named unique index is not met by a plain index that has the same name.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": SQL_REPO["app/models.py"]
            .replace(
                "class Video(Base):\n    __tablename__ = 'videos'\n",
                "class Video(Base):\n    __tablename__ = 'videos'\n"
                "    __table_args__ = (Index('ix_videos_title', 'title', unique=True),)\n",
            )
            .replace("from sqlalchemy import String", "from sqlalchemy import Index, String"),
            "migrations/002_ix.sql": "CREATE INDEX ix_videos_title ON videos (title);\n",
        },
        expect=[("SCH001", "app/models.py", 8)],
    ),
]
VALID = [
    Case(base=ALEMBIC_REPO, head={"app/models.py": _PRIORITY, "alembic/versions/b1_priority.py": _ADD_PRIORITY}),
    # Without a create_all() in the code, a table the migrations only alter is one whose creating
    # migration could not be read: its columns are unknown.
    Case(
        base={k: v for k, v in _CREATE_ALL_REPO.items() if k != "app/db.py"},
        head={"app/models.py": _CREATE_ALL_MODELS + "    phone = Column(String)\n"},
    ),
    # A column already mapped on a create_all() table is its baseline; a new method is no drift.
    Case(
        base=_CREATE_ALL_REPO, head={"app/models.py": _CREATE_ALL_MODELS + "    def label(self):\n        return 1\n"}
    ),
    # Configured: new tables come from create_all() by design.
    Case(
        base={**SQL_REPO, ".github/undertow.yml": "schema:\n  new_tables: create_all\n"},
        head={
            "app/models.py": SQL_REPO["app/models.py"] + "class Tag(Base):\n    __tablename__ = 'tags'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        },
    ),
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": _NEW_COLUMN,
            "migrations/002_sermon.sql": "ALTER TABLE videos ADD COLUMN sermon_actual_date TIMESTAMP;\n",
        },
    ),
    # The snake-case table and the mixin's column both exist: a new model of the same base too.
    Case(
        base=_CONVENTION_REPO,
        head={
            "app/db/models.py": _CONVENTION_MODELS + "class ShippingZone(Base):\n"
            "    id = Column(Integer, primary_key=True)\n",
            "migrations/002_zone.sql": "CREATE TABLE shipping_zone (id SERIAL PRIMARY KEY, created_at TIMESTAMP);\n",
        },
    ),
    # unique=True met by a unique index of another name on the same column.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": _UNIQUE_CODE,
            "migrations/002_code.sql": _ADD_CODE + "CREATE UNIQUE INDEX videos_code_idx ON videos (code);\n",
        },
    ),
    # An unnamed UniqueConstraint met by the migration's inline UNIQUE; index=True by the index
    # of the name SQLAlchemy gives it.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": SQL_REPO["app/models.py"]
            .replace(
                "    title: Mapped[str]\n",
                "    title: Mapped[str] = mapped_column(index=True)\n"
                "    __table_args__ = (UniqueConstraint('slug'),)\n    slug: Mapped[str]\n",
            )
            .replace("from sqlalchemy import String", "from sqlalchemy import String, UniqueConstraint"),
            "migrations/002_slug.sql": "ALTER TABLE videos ADD COLUMN slug TEXT NOT NULL UNIQUE;\n"
            "CREATE INDEX ix_videos_title ON videos (title);\n",
        },
    ),
]
