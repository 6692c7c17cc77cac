"""Migrations kept as Python functions that execute DDL strings, applied in name order:

    async def m001_initial(db):
        await db.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, email TEXT)")

(one ``migrations.py`` per package, core first, then each extension's). The functions are read
(``python/syntax.parse_ast``, never run), their literal SQL strings replayed through
``sql_replay.apply_sql``. SQL built at run time (f-strings, ``str.format``, ``%``, a variable)
is never guessed: it is skipped with a notice, and the table its literal head names (``CREATE
TABLE accounts (... {db.big_int} ...)``) is known to exist with unknown columns."""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from undertow.analyzers.core import failures
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.limits import MAX_DEPTH
from undertow.analyzers.python.syntax import Unparseable, parse_ast
from undertow.analyzers.schema.model import Schema
from undertow.analyzers.schema.paths import is_alembic_candidate
from undertow.analyzers.schema.sql_replay import (
    Notice,
    Operation,
    add_named_column,
    added_column,
    apply_sql,
    ddl_target,
    mark_partial,
)

FILE_NAME = "migrations.py"
# m001_initial, m1_init, migration_0002_x, migrate_3: a number names the migration's place.
_MIGRATION_NAME = re.compile(r"^m(?:igrat(?:e|ion))?_?(\d+)(?:_|$)")
# The methods a migration runs DDL through (a connection, a cursor, SQLAlchemy).
_EXECUTE = frozenset({"execute", "executescript", "exec_driver_sql", "run_sql"})
_TEXT = frozenset({"text", "sa.text", "sqlalchemy.text"})
_DML = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE")
MAX_STATEMENT_CHARS = 200_000  # one DDL string longer than this is not replayed


class DdlStep(NamedTuple):
    """One call of a migration function that executes SQL."""

    line: int
    sql: str | None  # the literal SQL; None when it is built at run time (skipped)
    why: str  # for a skipped step: how it is built ("an f-string", "str.format", ...)
    table: str  # for a skipped step: the table its literal head names ("" if none)
    column: str = ""  # for a skipped step: the one column its literal head adds, by name


class FunctionMigration(NamedTuple):
    name: str
    line: int
    steps: list[DdlStep]


def is_function_migration_path(path: str | None, config: Config) -> bool:
    """A Python file that may hold migration functions: a ``migrations.py`` (outside tests and
    Alembic trees), or any Python file under a configured ``schema.migrations`` entry."""
    if not path or not path.endswith(".py"):
        return False
    configured = [m.rstrip("/") for m in config.schema_.migrations]
    if configured:
        return any(path == m or path.startswith(m + "/") for m in configured)
    if posixpath.basename(path) != FILE_NAME or is_alembic_candidate(path):
        return False
    parts = path.split("/")[:-1]
    return not any(p in ("tests", "test", "testing") for p in parts)


def order_files(paths: Iterable[str]) -> list[str]:
    """Core before extensions: a ``core`` package's migrations first, then shallower before
    deeper (``app/migrations.py`` before ``app/extensions/x/migrations.py``), then by path."""

    def key(path: str) -> tuple[int, int, str]:
        parts = path.split("/")[:-1]
        return (0 if "core" in parts else 1, len(parts), path)

    return sorted(paths, key=key)


def extract(path: str, source: str) -> dict[str, Any]:
    """The migration functions of one file, as JSON (cached per blob); ``{"error": ...}`` when
    no grammar reads it (unknown content: nothing is concluded from it)."""
    try:
        tree = parse_ast(source, path)
    except Unparseable as exc:
        return {"error": str(exc)}
    try:
        found = migrations_in(tree)
    except RecursionError:
        return {"error": "expressions are nested too deeply to analyse"}
    return {"migrations": [[m.name, m.line, [list(s) for s in m.steps]] for m in found]} if found else {}


def decode(raw: Any) -> list[FunctionMigration]:
    if not isinstance(raw, dict):
        return []
    return [
        FunctionMigration(name, line, [DdlStep(*step) for step in steps])
        for name, line, steps in raw.get("migrations", [])
    ]


def migrations_in(tree: ast.AST) -> list[FunctionMigration]:
    """Module-level migration functions that execute SQL, in the order they are applied (by
    the number in their name, then by name, then where they are defined)."""
    found: list[FunctionMigration] = []
    for node in getattr(tree, "body", []):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if _MIGRATION_NAME.match(node.name) is None:
            continue
        steps = [step for call in _calls(node) if (step := _step(call)) is not None]
        if steps:
            found.append(FunctionMigration(node.name, node.lineno, steps))

    def order(m: FunctionMigration) -> tuple[int, str, int]:
        match = _MIGRATION_NAME.match(m.name)
        return (int(match.group(1)) if match else 0, m.name, m.line)

    return sorted(found, key=order)


def _calls(function: ast.AST) -> list[ast.Call]:
    """The calls in a function's body, in source order, to a bounded depth (never recursing)."""
    calls: list[ast.Call] = []
    stack: list[tuple[ast.AST, int]] = [(child, 1) for child in reversed(list(ast.iter_child_nodes(function)))]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, ast.Call):
            calls.append(node)
        stack += [(child, depth + 1) for child in reversed(list(ast.iter_child_nodes(node)))]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _step(call: ast.Call) -> DdlStep | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _EXECUTE or not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Call) and _dotted(arg.func) in _TEXT and arg.args:
        arg = arg.args[0]  # conn.execute(text("CREATE TABLE ..."))
    line = arg.lineno
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        if len(arg.value) > MAX_STATEMENT_CHARS:
            return DdlStep(line, None, f"a SQL string over {MAX_STATEMENT_CHARS} characters", "")
        return DdlStep(line, arg.value, "", "")
    head: str | None = None
    if isinstance(arg, ast.JoinedStr):
        why, head = "an f-string", _fstring_head(arg)
    elif isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format":
        why = "str.format"
        template = arg.func.value
        if isinstance(template, ast.Constant) and isinstance(template.value, str):
            head = template.value.split("{", 1)[0]
    elif isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod):
        why = "%-formatting"
        if isinstance(arg.left, ast.Constant) and isinstance(arg.left.value, str):
            head = arg.left.value.split("%", 1)[0]
    elif isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        why = "string concatenation"
        left = arg.left
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):
            left = left.left
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            head = left.value
    else:
        return DdlStep(line, None, "a value computed at run time", "")
    if head is not None and head.lstrip()[:7].upper().startswith(_DML):
        return None  # a data migration's query changes rows, not the schema: nothing to replay
    table = ddl_target(head, whole=False) if head else None
    added = added_column(head) if head else None
    if added is not None:
        return DdlStep(line, None, why, added[0], added[1])
    return DdlStep(line, None, why, table or "")


def _fstring_head(node: ast.JoinedStr) -> str:
    """The literal text of an f-string before its first replacement field."""
    head = []
    for value in node.values:
        if not isinstance(value, ast.Constant):
            break
        head.append(str(value.value))
    return "".join(head)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def replay(
    schema: Schema, path: str, migrations: list[FunctionMigration], dialect: str
) -> tuple[list[Operation], list[Notice]]:
    """Apply one file's migration functions, in order, onto ``schema``."""
    operations: list[Operation] = []
    notices: list[Notice] = []
    for migration in migrations:
        for step in migration.steps:
            if step.sql is None:
                where = f"; {step.table} is taken to exist with columns not known" if step.table else ""
                if step.column:
                    where = f"; {step.table}.{step.column} is taken to exist, its type and constraints not known"
                notices.append(
                    Notice(
                        step.line,
                        f"{migration.name}: SQL built with {step.why} at line {step.line} is not replayed{where}",
                    )
                )
                if step.column:
                    add_named_column(schema, step.table, step.column)
                elif step.table:
                    mark_partial(schema, step.table)
                continue
            # One SQL string at a time: a failure is this string's alone (UND004).
            with failures.boundary(f"the replay of migration {migration.name}", path, step.line):
                ops, found = apply_sql(schema, step.sql, path, dialect, first_line=step.line)
                operations += ops
                notices += found
    return operations, notices
