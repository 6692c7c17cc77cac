"""Alembic revision files read with ``ast`` (parse only): the graph and the `op.*` operations."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Any

from undertow.analyzers.python.ast_names import name_of
from undertow.analyzers.python.syntax import Unparseable, parse_ast
from undertow.analyzers.schema.model import PYTHON_TYPES, Column, Schema, Table, bare_name
from undertow.analyzers.schema.paths import is_migration_source
from undertow.analyzers.schema.sql_replay import Operation, _in_values, apply_sql


def is_alembic_revision(path: str, text: str) -> bool:
    return path.endswith(".py") and is_migration_source(path) and "down_revision" in text and "revision" in text


def parse_revision(path: str, text: str) -> dict[str, Any] | None:
    """One revision file read on its own (the index reads it from the one parse of the file's
    Python facts: ``revision_in``)."""
    try:
        tree = parse_ast(text, path)
    except Unparseable:
        return None
    return revision_in(tree)


# A Python 2 era revision (``print "x"``, ``ur"..."``) is read again with each line no grammar
# reads replaced by ``pass`` (same lines, same indentation), at most this many times, and only
# for files small enough that re-parsing costs little.
_TOLERANT_ATTEMPTS = 64
_TOLERANT_MAX_CHARS = 256 * 1024


def tolerant_revision(path: str, text: str) -> tuple[dict[str, Any] | None, list[int]]:
    """The revision of a file that no grammar reads as a whole (Python 2 era migrations): its
    operations from the lines that do parse, and the lines that were left out (empty when the
    file could not be read even so: it then declares no revision)."""
    if len(text) > _TOLERANT_MAX_CHARS:
        return None, []
    lines = text.splitlines()
    skipped: list[int] = []
    for _ in range(_TOLERANT_ATTEMPTS):
        try:
            tree = parse_ast("\n".join(lines) + "\n", path)
        except Unparseable as exc:
            number = exc.line
            if not 1 <= number <= len(lines) or number in skipped:
                return None, []
            lines[number - 1] = _neutral(lines[number - 1])
            skipped.append(number)
            continue
        info = revision_in(tree)
        return (info, sorted(skipped)) if info is not None else (None, [])
    return None, []


def _neutral(line: str) -> str:
    """A line that keeps the block structure and does nothing: ``except E, e:`` becomes
    ``except Exception:``, another block header ``if True:``, a statement ``pass``."""
    indent = line[: len(line) - len(line.lstrip())]
    stripped = line.strip()
    if stripped.startswith("except"):
        return f"{indent}except Exception:"
    if stripped.endswith(":"):
        return f"{indent}if True:"
    return f"{indent}pass"


def revision_in(tree: ast.Module) -> dict[str, Any] | None:
    """A parsed Alembic revision: its ids, its ``upgrade()`` operations, whether ``downgrade()``
    is empty; None when the file declares no ``revision``."""
    info: dict[str, Any] = {
        "revision": None,
        "down": [],
        "depends_on": [],
        "branch_labels": [],
        "upgrade": None,
        "downgrade": None,
    }
    constants: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    value = _literal(node.value)
                    if isinstance(value, str):
                        constants[target.id] = value  # TABLE = "users": a name ops may use
                    if target.id == "revision":
                        info["revision"] = value if isinstance(value, str) else None
                    elif target.id in ("down_revision", "depends_on", "branch_labels"):
                        key = {"down_revision": "down"}.get(target.id, target.id)
                        info[key] = (
                            [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
                        )
        elif isinstance(node, ast.FunctionDef) and node.name in ("upgrade", "downgrade"):
            info[node.name] = node
    if info["revision"] is None:
        return None
    upgrade, downgrade = info.pop("upgrade"), info.pop("downgrade")
    info["calls"] = _op_calls(upgrade, constants) if upgrade else []
    info["downgrade_empty"] = downgrade is None or _empty_body(downgrade)
    return info


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return None


def _empty_body(func: ast.FunctionDef) -> bool:
    body = [n for n in func.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    return not body or all(isinstance(n, ast.Pass) for n in body) or any(isinstance(n, ast.Raise) for n in body)


def _op_calls(func: ast.FunctionDef, constants: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """`op.x(...)` and `batch_op.x(...)` calls in order, as JSON-able dicts. A module-level
    string constant used as an argument is its value (``op.add_column(TABLE, ...)``); a loop
    variable is marked as one (its ops are not modelled, with a notice)."""
    calls: list[dict[str, Any]] = []
    # Names the function binds itself (loop targets, assignments) shadow the module's constants.
    local: set[str] = set()
    loops: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            loops |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    known = {k: v for k, v in (constants or {}).items() if k not in local | loops}

    def visit(nodes: list[ast.stmt], batch: dict[str, str], dialect: str | None = None) -> None:
        for node in nodes:
            if isinstance(node, ast.If):
                # `if bind.dialect.name == "sqlite":` / `if url.startswith("mysql"):`: the calls of
                # each branch run on that dialect only (rules giving one dialect's advice ask).
                body, orelse = _branch_dialects(node.test)
                for test_call in [n for n in ast.walk(node.test) if isinstance(n, ast.Call)]:
                    record(test_call, batch, dialect)
                visit(node.body, batch, body or dialect)
                visit(node.orelse, batch, orelse or dialect)
                continue
            if isinstance(node, ast.With):
                inner = dict(batch)
                for item in node.items:
                    call = item.context_expr
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "batch_alter_table"
                    ):
                        table = _str(call.args[0]) if call.args else _str(_kw(call, "table_name"))
                        if table and isinstance(item.optional_vars, ast.Name):
                            inner[item.optional_vars.id] = table
                visit(node.body, inner, dialect)
                continue
            for call in [n for n in ast.walk(node) if isinstance(n, ast.Call)]:
                record(call, batch, dialect)
            # other compound statements (for/try) may hold more op calls: ast.walk above saw them

    def record(call: ast.Call, batch: dict[str, str], dialect: str | None) -> None:
        func_node = call.func
        if not isinstance(func_node, ast.Attribute):
            return
        found: dict[str, Any] | None = None
        if _connection_sql(func_node, call):
            # conn.exec_driver_sql("CREATE INDEX ..."), op.get_bind().execute(sa.text("...")):
            # DDL through the migration's connection is replayed like op.execute.
            found = _call("execute", call, None, known, loops)
        elif isinstance(func_node.value, ast.Name) and func_node.value.id == "op":
            found = _call(func_node.attr, call, None, known, loops)
        elif isinstance(func_node.value, ast.Name) and func_node.value.id in batch:
            found = _call(func_node.attr, call, batch[func_node.value.id], known, loops)
        if found is not None:
            if dialect:
                found["dialect"] = dialect
            calls.append(found)

    visit(func.body, {})
    return calls


_DIALECT_WORDS = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}


def _branch_dialects(test: ast.expr) -> tuple[str | None, str | None]:
    """(the dialect an if's body runs on, the one its else runs on), from a test that names one
    dialect (``== "sqlite"``, ``.startswith("mysql")``, ``in ("mysql", "mariadb")``); a negated
    test (``!=``, ``not``) swaps them. (None, None) when the test names no dialect, or several."""
    negated = False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        negated, test = True, test.operand
    if isinstance(test, ast.Compare) and any(isinstance(o, (ast.NotEq, ast.NotIn)) for o in test.ops):
        negated = not negated
    named = {
        _DIALECT_WORDS[c.value.lower()]
        for c in ast.walk(test)
        if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.lower() in _DIALECT_WORDS
    }
    if len(named) != 1:
        return None, None
    dialect = named.pop()
    return (None, dialect) if negated else (dialect, None)


def _connection_sql(func: ast.Attribute, call: ast.Call) -> bool:
    """A connection's ``exec_driver_sql(...)``/``execute(...)`` with literal SQL (a string or
    ``text("...")``), not ``op.execute`` (an op of its own)."""
    if func.attr not in ("exec_driver_sql", "execute") or not call.args:
        return False
    if isinstance(func.value, ast.Name) and func.value.id == "op":
        return False
    first = call.args[0]
    if isinstance(first, ast.Call) and name_of(first.func).rsplit(".", 1)[-1] == "text" and first.args:
        first = first.args[0]
    return isinstance(first, ast.Constant) and isinstance(first.value, str)


def _call(
    name: str, call: ast.Call, batch_table: str | None, constants: dict[str, str], loops: set[str]
) -> dict[str, Any]:
    def arg(node: ast.expr) -> Any:
        return _arg(node, constants, loops)

    args = [arg(a) for a in call.args]
    kwargs = {k.arg: arg(k.value) for k in call.keywords if k.arg}
    return {"op": name, "args": args, "kwargs": kwargs, "line": call.lineno, "batch": batch_table}


def _arg(node: ast.expr, constants: dict[str, str] | None = None, loops: set[str] | None = None) -> Any:
    """Literals (and module-level string constants) as values; sa.Column/Enum/constraints as
    tagged dicts; a loop variable as ``{"loop": name}``; other code as None."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_arg(e, constants, loops) for e in node.elts]
    if isinstance(node, ast.Call):
        name = name_of(node.func).rsplit(".", 1)[-1]
        if name == "f" and len(node.args) == 1:
            inner = _arg(node.args[0], constants, loops)
            if isinstance(inner, str):
                return inner  # op.f("ix_name"): a name used as given
        return {
            "call": name,
            "args": [_arg(a, constants, loops) for a in node.args],
            "kwargs": {k.arg: _arg(k.value, constants, loops) for k in node.keywords if k.arg},
        }
    if isinstance(node, ast.JoinedStr):
        # f"CREATE TABLE {prefix}users ...": not knowable, but its literal parts say what it does.
        return {
            "fstring": "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        }
    if isinstance(node, ast.Name):
        if constants and node.id in constants:
            return constants[node.id]
        if loops and node.id in loops:
            return {"loop": node.id}
    if isinstance(node, (ast.Name, ast.Attribute)):
        return {"name": name_of(node).rsplit(".", 1)[-1]}
    return None


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


# -- replay -----------------------------------------------------------------------------------


def type_text(value: Any) -> tuple[str, list[str] | None]:
    """SQL type name and enum values of an sa type argument."""
    if isinstance(value, dict):
        name = value.get("call") or value.get("name") or ""
        if name == "Enum":
            values = [v for v in value.get("args", []) if isinstance(v, str)]
            return "enum", values or None
        return PYTHON_TYPES.get(name, name.lower()), None
    return "", None


def column_from(value: dict[str, Any]) -> Column | None:
    if not isinstance(value, dict) or value.get("call") != "Column":
        return None
    args = value["args"]
    name = args[0] if args and isinstance(args[0], str) else None
    if name is None:
        return None
    type_arg = next((a for a in args[1:] if isinstance(a, dict) and a.get("call") not in ("ForeignKey",)), None)
    sql_type, allowed = type_text(type_arg)
    kwargs = value["kwargs"]
    pk = kwargs.get("primary_key") is True
    nullable = kwargs.get("nullable")
    column = Column(
        name=name.lower(),
        type=sql_type,
        nullable=(not pk) if nullable is None else bool(nullable),
        has_default=kwargs.get("server_default") is not None or (pk and sql_type in ("integer", "bigint")),
    )
    column.allowed = allowed
    return column


_NAME_FIRST = {
    "create_index",
    "drop_index",
    "create_unique_constraint",
    "create_check_constraint",
    "create_foreign_key",
    "drop_constraint",
    "create_primary_key",
}


# Where each operation takes its table name (after a batch_op's table is put in).
_TABLE_ARGUMENT = {
    "create_table": 0,
    "drop_table": 0,
    "add_column": 0,
    "drop_column": 0,
    "alter_column": 0,
    "rename_table": 0,
    "create_index": 1,
    "create_unique_constraint": 1,
    "create_primary_key": 1,
    "create_check_constraint": 1,
    "create_foreign_key": 1,
    "drop_constraint": 1,
}


def apply_call(schema: Schema, call: dict[str, Any], source: str, dialect: str) -> tuple[list[Operation], list[str]]:
    ops, notes = _apply_call(schema, call, source, dialect)
    if call.get("dialect"):
        # A call inside an `if` on one dialect: the operation says so (MIG005/MIG006/MIG009).
        ops = [replace(o, detail={**o.detail, "dialect": call["dialect"]}) for o in ops]
    return ops, notes


def _apply_call(schema: Schema, call: dict[str, Any], source: str, dialect: str) -> tuple[list[Operation], list[str]]:
    op, args, kwargs, line = call["op"], call["args"], call["kwargs"], call["line"]
    table: Table | None
    position: int | None
    batch = call.get("batch")
    if batch is not None:
        # batch_op.* take the table implicitly; op.* take it first, or second after a name.
        position = 1 if op in _NAME_FIRST else 0
        args = [*args[:position], batch, *args[position:]]
    ops: list[Operation] = []
    notes: list[str] = []
    position = _TABLE_ARGUMENT.get(op)
    if position is not None and len(args) > position and not isinstance(args[position], str):
        # `op.add_column(table_name, ...)` with the name in a variable: not knowable by reading.
        named = args[position]
        if isinstance(named, dict) and "loop" in named:
            notes.append(
                f"op.{op}() names its table with the loop variable {named['loop']}; its schema change is "
                "not modelled for any of the tables the loop goes over"
            )
        else:
            notes.append(
                f"op.{op}() names its table with an expression, not a string literal; its schema change is not modelled"
            )
        if op == "create_table":
            # A table is created whose name is not known (its literal end, if any, is): SCH001
            # cannot prove a mapped table missing.
            suffix = named.get("fstring", "") if isinstance(named, dict) else ""
            ops.append(Operation("create_table", "", line, detail={"name": "unknown", "suffix": suffix.lower()}))
        return ops, notes

    def table_of(name: Any) -> Table | None:
        if not isinstance(name, str):
            return None
        return schema.tables.setdefault(bare_name(name), Table(name=bare_name(name), partial=True))

    if op == "create_foreign_key" and len(args) >= 3 and isinstance(args[2], str):
        table_of(args[2])  # the referenced table exists, whoever created it
    if op == "create_table" and args and isinstance(args[0], str):
        name = bare_name(args[0])
        table = Table(name=name, created_in=f"{source}:{line}")
        for item in args[1:]:
            column = column_from(item)
            if column is not None:
                table.columns[column.name] = column
                if item["kwargs"].get("primary_key") is True:
                    table.primary_key.append(column.name)
                if item["kwargs"].get("unique") is True:
                    table.uniques.append(("", [column.name]))
            elif isinstance(item, dict) and item.get("call") in ("UniqueConstraint", "PrimaryKeyConstraint"):
                cols = [c.lower() for c in item["args"] if isinstance(c, str)]
                cname = item["kwargs"].get("name") or ""
                table.uniques.append((cname, cols))
                if item["call"] == "PrimaryKeyConstraint":
                    table.primary_key = cols
                if cname:
                    table.constraints.append(cname)
            elif isinstance(item, dict) and item.get("call") == "CheckConstraint":
                _check(table, item["args"][0] if item["args"] else None)
        if table.primary_key:
            table.uniques.append(("", list(table.primary_key)))
        schema.tables[name] = table
        ops.append(Operation("create_table", name, line))
    elif op == "drop_table" and args:
        schema.tables.pop(bare_name(args[0]), None) if isinstance(args[0], str) else None
        ops.append(Operation("drop_table", bare_name(args[0]) if isinstance(args[0], str) else "", line))
    elif op == "add_column" and len(args) >= 2:
        column = column_from(args[1])
        table = table_of(args[0])
        if column is not None:
            if table is not None:
                table.columns[column.name] = column
            ops.append(
                Operation(
                    "add_column",
                    bare_name(args[0]),
                    line,
                    column.name,
                    {"nullable": column.nullable, "default": column.has_default},
                )
            )
    elif op == "drop_column" and len(args) >= 2 and isinstance(args[1], str):
        table = table_of(args[0])
        if table is not None:
            table.columns.pop(args[1].lower(), None)
        ops.append(Operation("drop_column", bare_name(args[0]), line, args[1].lower()))
    elif op == "alter_column" and len(args) >= 2 and isinstance(args[1], str):
        table = table_of(args[0])
        name = args[1].lower()
        column = table.columns.get(name) if table is not None else None
        if kwargs.get("type_") is not None:
            sql_type, allowed = type_text(kwargs["type_"])
            if column is not None:
                column.type, column.allowed = sql_type, allowed or column.allowed
            ops.append(Operation("alter_type", bare_name(args[0]), line, name, {"type": sql_type}))
        if kwargs.get("nullable") is False:
            if column is not None:
                column.nullable = False
            ops.append(Operation("set_not_null", bare_name(args[0]), line, name))
        elif kwargs.get("nullable") is True and column is not None:
            column.nullable = True
        if kwargs.get("server_default") is not None and column is not None:
            column.has_default = True
        new_name = kwargs.get("new_column_name")
        if isinstance(new_name, str):
            if table is not None and column is not None:
                table.columns.pop(name)
                column.name = new_name.lower()
                table.columns[column.name] = column
            ops.append(Operation("rename_column", bare_name(args[0]), line, name, {"to": new_name.lower()}))
    elif op == "rename_table" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        old, new = bare_name(args[0]), bare_name(args[1])
        if old in schema.tables:
            schema.tables[new] = schema.tables.pop(old)
            schema.tables[new].name = new
        ops.append(Operation("rename_table", old, line, detail={"to": new}))
    elif op == "create_index" and len(args) >= 3:
        name, table_name, columns = args[0], args[1], args[2]
        table = table_of(table_name)
        cols = [c.lower() for c in columns if isinstance(c, str)] if isinstance(columns, list) else []
        unique = kwargs.get("unique") is True
        concurrently = kwargs.get("postgresql_concurrently") is True
        if table is not None and isinstance(name, str):
            table.indexes[name.lower()] = cols
            if unique:
                table.uniques.append((name.lower(), cols))
                if any(kwargs.get(k) is not None for k in ("postgresql_where", "sqlite_where")):
                    table.partial_uniques.append(name.lower())
        ops.append(
            Operation(
                "create_index",
                bare_name(table_name) if isinstance(table_name, str) else "",
                line,
                detail={"index": name, "unique": unique, "concurrently": concurrently},
            )
        )
    elif op in ("create_unique_constraint", "create_primary_key") and len(args) >= 3:
        table = table_of(args[1])
        cols = [c.lower() for c in args[2] if isinstance(c, str)] if isinstance(args[2], list) else []
        if table is not None:
            table.uniques.append(((args[0] or "").lower() if isinstance(args[0], str) else "", cols))
        ops.append(
            Operation(
                "add_constraint",
                bare_name(args[1]) if isinstance(args[1], str) else "",
                line,
                detail={"kind": "unique", "not_valid": False},
            )
        )
    elif op in ("create_check_constraint", "create_foreign_key") and len(args) >= 2:
        table_name = args[1]
        table = table_of(table_name)
        if op == "create_check_constraint" and table is not None and len(args) >= 3:
            _check(table, args[2])
        kind = "check" if op == "create_check_constraint" else "foreign_key"
        not_valid = bool(kwargs.get("postgresql_not_valid"))
        ops.append(
            Operation(
                "add_constraint",
                bare_name(table_name) if isinstance(table_name, str) else "",
                line,
                detail={"kind": kind, "not_valid": not_valid},
            )
        )
    elif op == "drop_index" and args and isinstance(args[0], str):
        # op.drop_index("ix", table_name="t"), batch_op.drop_index("ix"), or by name alone.
        name = args[0].lower()
        table_name = (
            kwargs.get("table_name") if kwargs.get("table_name") is not None else (args[1] if len(args) > 1 else None)
        )
        owners = (
            [schema.tables[bare_name(table_name)]]
            if isinstance(table_name, str) and bare_name(table_name) in schema.tables
            else list(schema.tables.values())
        )
        for owner in owners:
            if owner.indexes.pop(name, None) is not None or any(u[0] == name for u in owner.uniques):
                owner.uniques = [u for u in owner.uniques if u[0] != name]
                owner.partial_uniques = [u for u in owner.partial_uniques if u != name]
        ops.append(
            Operation(
                "drop_index", bare_name(table_name) if isinstance(table_name, str) else "", line, detail={"index": name}
            )
        )
    elif op == "drop_constraint" and len(args) >= 2:
        table = table_of(args[1])
        if table is not None and isinstance(args[0], str):
            name = args[0].lower()
            table.uniques = [u for u in table.uniques if u[0] != name]
            table.constraints = [c for c in table.constraints if c.lower() != name]
    elif op == "execute" and args and isinstance(sql := _sql_text(args[0]), str):
        sql_ops, notices = apply_sql(schema, sql, source, dialect, first_line=line)
        ops += [Operation(o.op, o.table, line, o.column, o.detail) for o in sql_ops]
        notes += [n.message for n in notices]
    elif op == "execute" and args and isinstance(args[0], dict) and "fstring" in args[0]:
        notes.append("op.execute() runs SQL built at run time (an f-string); its schema change is not modelled")
        literal = " ".join(args[0]["fstring"].lower().split())
        if "create table" in literal:
            # f"CREATE TABLE {prefix}audit (...)": the literal text after CREATE TABLE ends the name.
            rest = literal.split("create table", 1)[1].removeprefix(" if not exists").strip()
            suffix = rest.split("(", 1)[0].strip().strip('"`')
            ops.append(Operation("create_table", "", line, detail={"name": "unknown", "suffix": suffix}))
    return ops, notes


def _sql_text(arg: Any) -> str | None:
    """The SQL of ``"..."`` or ``sa.text("...")``."""
    if isinstance(arg, str):
        return arg
    if isinstance(arg, dict) and arg.get("call") == "text" and arg.get("args") and isinstance(arg["args"][0], str):
        text: str = arg["args"][0]
        return text
    return None


def _check(table: Table, text: Any) -> None:
    if isinstance(text, str):
        values = _in_values(text)
        if values is not None and values[0] in table.columns:
            table.columns[values[0]].allowed = values[1]


def order_revisions(revisions: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Revision ids in dependency order, and the graph problems found (heads, missing parents, dups)."""
    problems: list[str] = []
    children: dict[str, list[str]] = {}
    for rev_id, info in revisions.items():
        for parent in info["down"] + info.get("depends_on", []):
            if parent not in revisions:
                if parent in info["down"]:
                    problems.append(f"missing:{rev_id}:{parent}")
                continue
            children.setdefault(parent, []).append(rev_id)
    order: list[str] = []
    placed: set[str] = set()
    pending = sorted(r for r, info in revisions.items() if not [p for p in info["down"] if p in revisions])
    while pending:
        rev_id = pending.pop(0)
        if rev_id in placed:
            continue
        order.append(rev_id)
        placed.add(rev_id)
        for child in sorted(children.get(rev_id, [])):
            parents = [p for p in revisions[child]["down"] + revisions[child].get("depends_on", []) if p in revisions]
            if all(p in placed for p in parents):
                pending.append(child)
    order += sorted(r for r in revisions if r not in placed)  # cycles: keep them, in a stable order
    referenced = {p for info in revisions.values() for p in info["down"]}
    heads = sorted(r for r in revisions if r not in referenced)
    if len(heads) > 1 and not _labelled_branches(heads, revisions):
        problems.append("heads:" + ",".join(heads))
    return order, problems


def _labelled_branches(heads: list[str], revisions: dict[str, dict[str, Any]]) -> bool:
    """Heads on purpose: each head's history carries ``branch_labels`` no other head's does
    (independent branches, ``alembic upgrade branch@head``); a fork inside one labelled branch,
    or an unlabelled head, is still two heads."""
    seen: list[set[str]] = []
    for head in heads:
        labels: set[str] = set()
        stack, visited = [head], set()
        while stack:
            rev = stack.pop()
            if rev in visited or rev not in revisions:
                continue
            visited.add(rev)
            labels.update(revisions[rev].get("branch_labels") or [])
            stack.extend(revisions[rev]["down"])
        if not labels or any(labels & other for other in seen):
            return False
        seen.append(labels)
    return True
