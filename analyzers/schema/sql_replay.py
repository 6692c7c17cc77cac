"""Replay SQL migrations (sqlglot, parse only) into a Schema, recording each operation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from undertow.analyzers.core import failures
from undertow.analyzers.core.limits import MAX_DEPTH, brackets_deeper_than
from undertow.analyzers.schema.model import Column, Schema, Table, bare_name

if TYPE_CHECKING:
    from sqlglot import exp

# sqlglot (~0.1 s to import) is imported by the functions that parse: a review whose migrations'
# replay is cached never loads it.

DIALECTS = {"postgres": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
# The head of `col IN (...)` / `col = ANY (ARRAY[...])` in a CHECK expression, up to the list's
# opening bracket. Possessive loops: the former patterns put `\s*` next to `\s*`/`\s+` (around an
# optional "(", before the cast), which retried every split of a run of blanks, and ended in
# `(.*)\)\s*\)?\s*$`, which retried the blanks after every ")". The list's end is found with
# rstrip/rfind instead (`_in_values`).
_IN_LIST = re.compile(r"""^\s*+\(?+\s*+"?+(\w++)"?+(?:\s*+::\w++)?\s++IN\s*+\(""", re.IGNORECASE)
_ANY_ARRAY = re.compile(
    r"""^\s*+\(?+\s*+"?+(\w++)"?+(?:\s*+::\w++)?\s*+=\s*+ANY\s*+\(\s*+\(?+\s*+ARRAY\s*+\[""", re.IGNORECASE
)
_ALTER_TYPE_ADD = re.compile(
    r"^\s*+ALTER\s++TYPE\s++([\w.\"]++)\s++ADD\s++VALUE\s++(?:IF\s++NOT\s++EXISTS\s++)?'((?:[^']++|'')*)'",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"'((?:[^']++|'')*)'")
# The table a CREATE TABLE / ALTER TABLE / CREATE VIEW names at its start (possessive: no
# backtracking over blanks): read from the literal text of a statement the replay cannot
# parse, or from the literal head of SQL built at run time, so that the table is known to
# exist with unknown columns instead of being missing.
_DDL_TARGET = re.compile(
    r"""^\s*+(?:CREATE\s++(?:OR\s++REPLACE\s++)?(?:(?:GLOBAL\s++|LOCAL\s++)?(?:TEMP|TEMPORARY|UNLOGGED)\s++)?"""
    r"""(?:MATERIALIZED\s++)?(TABLE|VIEW)\s++(?:IF\s++NOT\s++EXISTS\s++)?"""
    r"""|ALTER\s++TABLE\s++(?:IF\s++EXISTS\s++)?(?:ONLY\s++)?)([\w"`.]++)(?=[\s(]|$)""",
    re.IGNORECASE,
)
_DOLLAR_QUOTE = re.compile(r"\$\w*+\$")


@dataclass(frozen=True)
class Operation:
    """One schema change a migration makes, for the migration-safety rules."""

    op: str  # create_table, drop_table, add_column, drop_column, rename_column, rename_table, alter_type,
    #          set_not_null, create_index, add_constraint, ...
    table: str
    line: int
    column: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Notice:
    line: int
    message: str


def split_statements(sql: str) -> list[tuple[int, str]]:
    """Statements with their first line, splitting on `;` outside strings, comments and $$ bodies."""
    statements: list[tuple[int, str]] = []
    buf: list[str] = []
    line = start = 1
    started = False
    i, n = 0, len(sql)
    quote: str | None = None
    while i < n:
        ch = sql[i]
        if not started and not ch.isspace() and not sql.startswith(("--", "/*"), i):
            start, started = line, True
        if quote:
            if sql.startswith(quote, i):
                buf.append(quote)
                i += len(quote)
                quote = None
                continue
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            i = end
            continue
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += sql.count("\n", i, end)
            i = end
            continue
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "$":
            match = _DOLLAR_QUOTE.match(sql, i)  # at i: no copy of the rest of the text
            if match:
                quote = match.group(0)
                buf.append(quote)
                i += len(quote)
                continue
        elif ch == ";":
            text = "".join(buf).strip()
            if text:
                statements.append((start, text))
            buf = []
            started = False
            i += 1
            continue
        if ch == "\n":
            line += 1
        buf.append(ch)
        i += 1
    text = "".join(buf).strip()
    if text:
        statements.append((start, text))
    return statements


_ADD_NAMED_COLUMN = re.compile(
    r"""^\s*+ALTER\s++TABLE\s++(?:IF\s++EXISTS\s++)?(?:ONLY\s++)?([\w"`.]++)\s++ADD\s++(?:COLUMN\s++)?+"""
    r"""(?:IF\s++NOT\s++EXISTS\s++)?+(?!(?:CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK|INDEX|KEY|EXCLUDE)\b)"""
    r"""("?+\w++"?+)\s""",
    re.IGNORECASE,
)
# ALTER TABLE actions that leave the set of columns as it is.
_KEEPS_COLUMNS = re.compile(
    r"\s*+(?:ADD\s++(?:CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK|INDEX|KEY|EXCLUDE)\b|ALTER\s++(?:COLUMN\s++)?\w++\s++"
    r"(?:SET|DROP|TYPE)\b|DROP\s++CONSTRAINT|OWNER|SET|ENABLE|DISABLE|VALIDATE|CLUSTER|REPLICA|FORCE|INHERIT)\b",
    re.IGNORECASE,
)
_MORE_ACTIONS = re.compile(r",\s*+(?:ADD|DROP|RENAME)\b", re.IGNORECASE)


def ddl_target(text: str, whole: bool = True) -> str | None:
    """The table (or view) a CREATE TABLE / CREATE VIEW / ALTER TABLE statement's text names
    at its start, bare; None for any other statement. ``whole`` False: ``text`` is only the
    literal head of a statement, and a name running to its end may go on (None)."""
    match = _DDL_TARGET.match(text)
    if match is None or not match.group(2).strip('"`.') or (not whole and match.end() == len(text)):
        return None
    if match.group(1) is None:  # ALTER TABLE: only an action that may add or rename columns counts
        rest = text[match.end() :]
        if _KEEPS_COLUMNS.match(rest) and not _MORE_ACTIONS.search(rest):
            return None
    return bare_name(match.group(2))


def mark_partial(schema: Schema, name: str) -> None:
    """``name`` exists with columns the replay does not know (a statement it could not read)."""
    table = schema.tables.get(name)
    if table is None:
        schema.tables[name] = Table(name=name, partial=True)
    elif not table.partial or table.names_known:
        table.partial, table.names_known = True, False
        schema.tables[name] = table  # an overlay keeps what is written back


def added_column(head: str) -> tuple[str, str] | None:
    """(table, column) when the literal head of a statement built at run time adds one column
    whose name it writes out in full: ``ALTER TABLE t ADD COLUMN c TIMESTAMP DEFAULT {...}``."""
    match = _ADD_NAMED_COLUMN.match(head)
    if match is None or "," in head[match.end() :]:
        return None
    return bare_name(match.group(1)), bare_name(match.group(2))


def add_named_column(schema: Schema, table_name: str, column: str) -> None:
    """A column known by its name alone: the table stays partial for every rule but the ones
    that check names (``Table.names_known``), if all its other columns are known."""
    table = schema.tables.get(table_name)
    if table is None or (table.partial and not table.names_known):
        mark_partial(schema, table_name)
        return
    table.columns[column] = Column(name=column)
    table.partial = table.names_known = True
    schema.tables[table_name] = table


def apply_sql(
    schema: Schema, sql: str, source: str, dialect: str = "postgres", first_line: int = 1
) -> tuple[list[Operation], list[Notice]]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    operations: list[Operation] = []
    notices: list[Notice] = []
    for offset, statement in split_statements(sql):
        line = first_line + offset - 1
        if (m := _ALTER_TYPE_ADD.match(statement)) is not None:
            name = bare_name(m.group(1))
            schema.enums.setdefault(name, []).append(m.group(2).replace("''", "'"))
            _refresh_enum(schema, name)
            operations.append(Operation("alter_enum", name, line, detail={"value": m.group(2)}))
            continue
        if brackets_deeper_than(statement, MAX_DEPTH):
            notices.append(
                Notice(
                    line, f"could not parse the SQL statement at line {line}: nested more than {MAX_DEPTH} levels deep"
                )
            )
            if (target := ddl_target(statement)) is not None:
                mark_partial(schema, target)
            continue
        parsed: list[Any] = []
        understood = False
        with failures.boundary("the SQL parser", source, line):
            try:
                parsed = sqlglot.parse(statement, read=DIALECTS.get(dialect, "postgres"))
            except (ParseError, TokenError) as exc:
                notices.append(
                    Notice(line, f"could not parse the SQL statement at line {line}: {str(exc).splitlines()[0][:160]}")
                )
            except RecursionError:
                notices.append(Notice(line, f"could not parse the SQL statement at line {line}: nested too deeply"))
        for tree in parsed:
            if tree is None:
                continue
            understood = understood or not isinstance(tree, exp.Command)
            if isinstance(tree, exp.Command):
                word = statement.split(None, 2)[:2]
                if word and word[0].upper() in ("CREATE", "ALTER", "DROP") and not _harmless_command(statement):
                    notices.append(
                        Notice(
                            line,
                            f"SQL statement at line {line} is not understood ({' '.join(word).upper()} ...); "
                            "its schema change is not modelled",
                        )
                    )
                continue
            # One statement at a time: a failure is this statement's alone (UND004), and the
            # replay goes on with the next.
            with failures.boundary("the SQL replay", source, line):
                try:
                    operations += _apply(schema, tree, line, source, statement)
                except RecursionError:  # a chain like a.b.c... thousands long: input, not a bug
                    notices.append(Notice(line, f"could not read the SQL statement at line {line}: nested too deeply"))
        if not understood and (target := ddl_target(statement)) is not None:
            mark_partial(schema, target)  # it exists, or changed, in a way the replay does not know
    return operations, notices


def _harmless_command(statement: str) -> bool:
    head = " ".join(statement.split()[:3]).upper()
    return head.startswith(
        (
            "CREATE EXTENSION",
            "CREATE FUNCTION",
            "CREATE OR REPLACE",
            "CREATE TRIGGER",
            "DROP TRIGGER",
            "DROP FUNCTION",
            "ALTER FUNCTION",
            "CREATE POLICY",
            "ALTER POLICY",
            "DROP POLICY",
            "CREATE ROLE",
            "ALTER ROLE",
            "ALTER DEFAULT",
        )
    )


def _apply(schema: Schema, tree: exp.Expression, line: int, source: str, text: str) -> list[Operation]:
    from sqlglot import exp

    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            return _create_table(schema, tree, line, source)
        if kind == "INDEX":
            return _create_index(schema, tree, line)
        if kind == "VIEW":
            # A view is read like a table; its columns are not modelled.
            view = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            if isinstance(view, exp.Table) and view.name:
                _namespace(schema, view)
                schema.tables[bare_name(view.name)] = Table(
                    name=bare_name(view.name), created_in=f"{source}:{line}", partial=True
                )
            return []
        if kind == "SCHEMA":
            target = tree.this
            name = (target.args.get("db") or target.this) if isinstance(target, exp.Table) else target
            if isinstance(name, exp.Identifier) and name.name and name.name.lower() not in schema.namespaces:
                schema.namespaces.append(name.name.lower())
            return []
        if kind == "TYPE":
            name = bare_name(tree.this.name if isinstance(tree.this, exp.Table) else str(tree.this))
            values = [e.name for e in tree.find_all(exp.Literal) if e.is_string]
            schema.enums[name] = values
            return [Operation("create_enum", name, line, detail={"values": values})]
        return []
    if isinstance(tree, exp.Drop):
        kind = (tree.args.get("kind") or "").upper()
        # sqlglot puts what is dropped in `tables` (`this` is None), for every kind.
        targets = [t for t in tree.args.get("tables") or [tree.this] if t is not None]
        ops = []
        for target in targets:
            name = bare_name(target.name)
            if kind == "TABLE":
                schema.tables.pop(name, None)
                ops.append(Operation("drop_table", name, line))
            elif kind == "VIEW":
                view = schema.tables.get(name)
                if view is not None and view.partial and not view.columns:
                    schema.tables.pop(name, None)
            elif kind == "INDEX":
                for table in schema.tables.values():
                    if table.indexes.pop(name, None) is not None:
                        table.uniques = [u for u in table.uniques if u[0] != name]
                        table.partial_uniques = [u for u in table.partial_uniques if u != name]
                ops.append(Operation("drop_index", "", line, detail={"index": name}))
            elif kind == "TYPE":
                schema.enums.pop(name, None)
        return ops
    if isinstance(tree, exp.Alter):
        return _alter(schema, tree, line, source, text)
    return []


def _column_def(col: exp.ColumnDef) -> Column:
    from sqlglot import exp

    kind = col.args.get("kind")
    type_text = kind.sql(dialect="postgres") if kind is not None else ""
    column = Column(name=col.name.lower(), type=type_text)
    for constraint in col.args.get("constraints") or []:
        c = constraint.args.get("kind")
        if isinstance(c, exp.NotNullColumnConstraint) and not c.args.get("allow_null"):
            column.nullable = False
        elif isinstance(c, exp.PrimaryKeyColumnConstraint):
            column.nullable = False
        elif isinstance(c, exp.DefaultColumnConstraint):
            column.has_default = True
        elif isinstance(c, exp.CheckColumnConstraint):
            values = _in_values(c.this.sql(dialect="postgres") if c.this is not None else "")
            if values is not None:
                column.allowed = values[1]
    if type_text.lower().endswith("serial") or "identity" in col.sql().lower() or "auto_increment" in col.sql().lower():
        column.has_default = True
    return column


def _in_values(text: str) -> tuple[str, list[str]] | None:
    """(column, values) of a CHECK `col IN ('a', 'b')` or `col = ANY (ARRAY['a', 'b'])`."""
    if (m := _IN_LIST.match(text)) is not None:
        # The list runs to the last ")", which only blanks (and one more ")") may follow.
        end = len(text.rstrip()) - 1
        if end < m.end() or text[end] != ")":
            m = None
    if m is None and (m := _ANY_ARRAY.match(text)) is not None:
        end = text.rfind("]")  # the list runs to the last "]"
        if end < m.end():
            m = None
    if m is None:
        return None
    values = _QUOTED.findall(text, m.end(), end)
    return m.group(1).lower(), [v.replace("''", "'") for v in values]


def _create_table(schema: Schema, tree: exp.Create, line: int, source: str) -> list[Operation]:
    from sqlglot import exp

    target = tree.this
    table_expr = target.this if isinstance(target, exp.Schema) else target
    name = bare_name(table_expr.name)
    if tree.args.get("exists") and name in schema.tables:
        return []
    _namespace(schema, table_expr)
    # CREATE TABLE ... AS SELECT: its columns are the query's, not modelled.
    table = Table(name=name, created_in=f"{source}:{line}", partial=tree.args.get("expression") is not None)
    for item in target.expressions if isinstance(target, exp.Schema) else []:
        if isinstance(item, exp.ColumnDef):
            column = _column_def(item)
            table.columns[column.name] = column
            if column.enum_type is None and (enum := schema.enums.get(bare_name(column.type))):
                column.allowed, column.enum_type = list(enum), bare_name(column.type)
            sql = item.sql().upper()
            if "PRIMARY KEY" in sql:
                table.primary_key = [column.name]
            if re.search(r"\bUNIQUE\b", sql):
                table.uniques.append(("", [column.name]))
        else:
            _table_constraint(table, item)
    schema.tables[name] = table
    return [Operation("create_table", name, line)]


def _table_constraint(table: Table, item: exp.Expression) -> None:
    from sqlglot import exp

    name = ""
    if isinstance(item, exp.Constraint):
        name = item.name.lower()
        table.constraints.append(name)
        inner = item.expressions
    else:
        inner = [item]
    for part in inner:
        sql = part.sql(dialect="postgres")
        upper = sql.upper()
        columns = [c.name.lower() for c in part.find_all(exp.Identifier)]
        if upper.startswith("PRIMARY KEY"):
            table.primary_key = columns
            table.uniques.append((name, columns))
        elif upper.startswith("UNIQUE"):
            table.uniques.append((name, columns))
        elif upper.startswith("CHECK"):
            values = _in_values(sql[5:].strip())
            if values is not None and values[0] in table.columns:
                table.columns[values[0]].allowed = values[1]


def _index_columns(params: exp.Expression | None) -> list[str]:
    """The indexed columns, in order: a plain column by its name, an expression (``lower(b)``)
    by its SQL (never equal to a column); a partial index's WHERE columns are not indexed."""
    from sqlglot import exp

    items = params.args.get("columns") or [] if params is not None else []
    found: list[str] = []
    for item in items:
        inner = item.this if isinstance(item, exp.Ordered) else item
        found.append(inner.name.lower() if isinstance(inner, exp.Column) else inner.sql().lower())
    return found


def _create_index(schema: Schema, tree: exp.Create, line: int) -> list[Operation]:

    index = tree.this
    table_expr = index.args.get("table")
    if table_expr is None:
        return []
    table_name = bare_name(table_expr.name)
    name = bare_name(index.name) if index.name else ""
    params = index.args.get("params")
    columns = _index_columns(params)
    unique = bool(tree.args.get("unique"))
    concurrently = bool(tree.args.get("concurrently"))
    table = schema.tables.get(table_name)
    if table is not None:
        if name:
            table.indexes[name] = columns
        if unique:
            table.uniques.append((name, columns))
            if name and params is not None and params.args.get("where") is not None:
                table.partial_uniques.append(name)
    return [
        Operation(
            "create_index", table_name, line, detail={"index": name, "unique": unique, "concurrently": concurrently}
        )
    ]


def _alter(schema: Schema, tree: exp.Alter, line: int, source: str, text: str) -> list[Operation]:
    from sqlglot import exp

    if (tree.args.get("kind") or "").upper() != "TABLE":
        return []
    name = bare_name(tree.this.name)
    table: Table | None = schema.tables.setdefault(name, Table(name=name, partial=True))
    column: Column | None
    ops: list[Operation] = []
    for action in tree.args.get("actions") or []:
        if isinstance(action, exp.ColumnDef):
            column = _column_def(action)
            if table is not None:
                if enum := schema.enums.get(bare_name(column.type)):
                    column.allowed, column.enum_type = list(enum), bare_name(column.type)
                table.columns[column.name] = column
                if re.search(r"\bUNIQUE\b", action.sql().upper()):
                    table.uniques.append(("", [column.name]))
            ops.append(
                Operation(
                    "add_column", name, line, column.name, {"nullable": column.nullable, "default": column.has_default}
                )
            )
        elif isinstance(action, exp.Drop):
            kind = (action.args.get("kind") or "COLUMN").upper()
            node = action.this if action.this is not None else next(iter(action.args.get("tables") or []), None)
            target = node.name.lower() if node is not None else ""
            if kind == "COLUMN":
                if table is not None:
                    table.columns.pop(target, None)
                ops.append(Operation("drop_column", name, line, target))
            elif kind == "CONSTRAINT" and table is not None:
                table.uniques = [u for u in table.uniques if u[0] != target]
                if target in table.constraints:
                    table.constraints.remove(target)
        elif isinstance(action, exp.RenameColumn):
            old, new = action.this.name.lower(), action.args["to"].name.lower()
            if table is not None and old in table.columns:
                column = table.columns.pop(old)
                column.name = new
                table.columns[new] = column
            ops.append(Operation("rename_column", name, line, old, {"to": new}))
        elif isinstance(action, exp.AlterRename):
            new = bare_name(action.this.name)
            if table is not None:
                table.name = new
                schema.tables[new] = schema.tables.pop(name)
            ops.append(Operation("rename_table", name, line, detail={"to": new}))
        elif isinstance(action, exp.AlterColumn):
            column_name = action.this.name.lower()
            column = table.columns.get(column_name) if table is not None else None
            if action.args.get("dtype") is not None:
                new_type = action.args["dtype"].sql(dialect="postgres")
                if column is not None:
                    column.type = new_type
                ops.append(Operation("alter_type", name, line, column_name, {"type": new_type}))
            allow_null = action.args.get("allow_null")
            if allow_null is False or "SET NOT NULL" in action.sql().upper():
                if column is not None:
                    column.nullable = False
                ops.append(Operation("set_not_null", name, line, column_name))
            elif allow_null is True or "DROP NOT NULL" in action.sql().upper():
                if column is not None:
                    column.nullable = True
            if action.args.get("default") is not None and column is not None:
                column.has_default = True
        elif isinstance(action, exp.AddConstraint):
            for constraint in action.expressions:
                if table is not None:
                    _table_constraint(table, constraint)
                sql = constraint.sql(dialect="postgres").upper()
                kind = (
                    "foreign_key"
                    if "FOREIGN KEY" in sql or "REFERENCES" in sql
                    else "check"
                    if "CHECK" in sql
                    else "unique"
                    if "UNIQUE" in sql
                    else "primary_key"
                    if "PRIMARY KEY" in sql
                    else "other"
                )
                not_valid = "NOT VALID" in text.upper()
                ops.append(
                    Operation(
                        "add_constraint",
                        name,
                        line,
                        detail={
                            "kind": kind,
                            "not_valid": not_valid,
                            "name": constraint.name.lower() if isinstance(constraint, exp.Constraint) else "",
                        },
                    )
                )
    return ops


def _refresh_enum(schema: Schema, name: str) -> None:
    for table in schema.tables.values():
        for column in table.columns.values():
            if column.enum_type == name:
                column.allowed = list(schema.enums[name])


def _namespace(schema: Schema, table: exp.Expression) -> None:
    """A table created in a schema (``CREATE TABLE billing.invoices``): that schema exists."""
    from sqlglot import exp

    db = table.args.get("db") if isinstance(table, exp.Table) else None
    name = db.name.lower() if isinstance(db, exp.Identifier) else ""
    if name and name != "public" and name not in schema.namespaces:
        schema.namespaces.append(name)
