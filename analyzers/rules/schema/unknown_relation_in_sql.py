"""SCH007: raw SQL naming a table the migrated schema does not have."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from undertow.analyzers.core import failures
from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.core.limits import MAX_DEPTH, brackets_deeper_than
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.code_sites import sites_to_check
from undertow.analyzers.schema.facts import SchemaFacts, is_migration_path, schema_facts
from undertow.analyzers.schema.model import Schema
from undertow.analyzers.schema.sql_replay import DIALECTS, ddl_target, split_statements

if TYPE_CHECKING:
    from sqlglot import exp

# sqlglot (~0.1 s to import) is imported by the functions that parse SQL, when there is SQL to check.

_SQL_START = ("select", "insert", "update", "delete", "with", "merge")
# System catalogs every database has (Postgres, SQLite, MySQL's DUAL), and the tables migration
# tools keep their own state in (Alembic, Django, Rails/dbmate/golang-migrate, Flyway).
_CATALOGS = (
    "pg_",
    "sqlite_",
    "dual",
    "alembic_version",
    "django_migrations",
    "schema_migrations",
    "flyway_schema_history",
)
# Columns every row has without a migration declaring them (SQLite, Postgres, MySQL), and the
# bare words some dialects read as values rather than columns.
_SYSTEM_COLUMNS = frozenset(
    {"rowid", "oid", "_rowid_", "ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"}
    | {"current_user", "session_user", "user", "current_role", "current_schema", "current_catalog"}
    | {"localtime", "localtimestamp", "default", "excluded"}
)
# A source whose columns are not known: a CTE, a subquery, a table function, a partial table.
_UNKNOWN: frozenset[str] | None = None
# A qualifier that names a row, not a table a bare column may come from (`excluded`).
_ROW_ALIAS = object()


class UnknownColumn(NamedTuple):
    """A column a statement names that the table(s) it can come from do not have."""

    column: str
    tables: tuple[str, ...]  # the tables it was looked for in (one when it is qualified)
    line: int  # line of the column in the statement (1-based)


def parse_sql(sql: str, dialect: str) -> list[exp.Expr] | None:
    """The statements of ``sql``, or None when any of them does not parse (or nests too deeply)."""
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    if brackets_deeper_than(sql, MAX_DEPTH):
        return None
    try:
        trees = sqlglot.parse(sql, read=DIALECTS.get(dialect, "postgres"))
    except (ParseError, TokenError, RecursionError):
        return None
    return [tree for tree in trees if tree is not None]


def tables_in(sql: str, dialect: str, namespaces: Collection[str] = ()) -> set[str] | None:
    """Tables a statement reads or writes, less CTE names and temporary tables; None if unparseable.
    A table qualified with a schema is included only when it is one the migrations create
    (``namespaces``) or ``public``."""
    trees = parse_sql(sql, dialect)
    return None if trees is None else _tables(trees, namespaces)


def _tables(trees: list[exp.Expr], namespaces: Collection[str]) -> set[str]:
    from sqlglot import exp

    found: set[str] = set()
    for tree in trees:
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            db = table.db.lower()
            other_schema = bool(db) and db != "public" and db not in namespaces
            if name and name not in ctes and not other_schema and not name.startswith(_CATALOGS):
                found.add(name)
    return found


def unknown_columns(tree: exp.Expr, schema: Schema, dialect: str) -> list[UnknownColumn]:
    """Columns ``tree`` reads or writes (select lists, WHERE, ORDER BY, GROUP BY, joins, INSERT
    column lists, UPDATE SET, RETURNING) that the replayed schema's tables lack. Quiet (no
    entry) whenever a column may come from a source whose columns are not all known (a CTE, a
    subquery, a table function, a partial or missing table, a schema not modelled), when it is
    qualified with a name no source has, and for ``*``: never a finding from a guess."""
    return _ColumnCheck(schema, dialect).run(tree)


class _ColumnCheck:
    def __init__(self, schema: Schema, dialect: str) -> None:
        self.schema, self.dialect = schema, dialect
        self.seen: set[int] = set()
        self.found: list[UnknownColumn] = []

    def columns_of(self, source: object) -> frozenset[str] | None:
        """The columns of a source, when it is a table the migrations create in full."""
        from sqlglot import exp

        if not isinstance(source, exp.Table) or not isinstance(source.this, exp.Identifier) or source.catalog:
            return _UNKNOWN
        db = source.db.lower()
        if db and db != "public" and db not in self.schema.namespaces:
            return _UNKNOWN
        table = self.schema.table(source.name)
        if table is None or (table.partial and not table.names_known):
            return _UNKNOWN
        return frozenset(table.columns)

    def run(self, tree: exp.Expr) -> list[UnknownColumn]:
        from sqlglot import exp
        from sqlglot.optimizer.scope import ScopeType, traverse_scope

        root: dict[str, object] = {}
        if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
            root = self._dml_sources(tree)
        for scope in traverse_scope(tree):
            if not isinstance(scope.expression, exp.Select):
                continue  # a set operation's ORDER BY names its output columns
            layers: list[Mapping[str, object]] = [scope.sources]
            if scope.scope_type != ScopeType.CTE:  # a CTE is not correlated with what uses it
                parent = scope.parent
                while parent is not None:
                    layers.append(parent.sources)
                    parent = parent.parent
            if root:
                layers.append(root)
            aliases = {e.alias.lower() for e in scope.expression.expressions if isinstance(e, exp.Alias)}
            for column in scope.columns:
                self._check(column, layers, aliases)
        if root:
            self._dml_columns(tree, root)
        return self.found

    def _dml_sources(self, tree: exp.Expr) -> dict[str, object]:
        """What the statement itself reads: its target, UPDATE ... FROM, DELETE ... USING."""
        from sqlglot import exp

        sources: dict[str, object] = {}
        for node in _outside_queries(tree):
            if isinstance(node, exp.Table):
                sources[node.alias_or_name.lower()] = node
            for child in node.iter_expressions():
                if isinstance(child, exp.Subquery) and isinstance(node, (exp.From, exp.Join, exp.Update, exp.Delete)):
                    sources[child.alias_or_name.lower()] = _UNKNOWN  # UPDATE ... FROM (SELECT ...) s
        sources["excluded"] = _ROW_ALIAS  # ON CONFLICT ... SET x = excluded.x
        return sources

    def _dml_columns(self, tree: exp.Expr, root: dict[str, object]) -> None:
        from sqlglot import exp

        target = tree.this
        table = target.this if isinstance(target, exp.Schema) else target
        only_target: list[Mapping[str, object]] = (
            [{table.alias_or_name.lower(): table}] if isinstance(table, exp.Table) else [{"": _UNKNOWN}]
        )
        if isinstance(target, exp.Schema):  # INSERT INTO t (a, b): the target's columns
            for identifier in target.expressions:
                if isinstance(identifier, exp.Identifier):
                    self._check(exp.column(identifier.copy()), only_target, set(), line=identifier.meta.get("line"))
        for node in _outside_queries(tree):
            if isinstance(node, exp.EQ) and isinstance(node.this, exp.Column) and _is_assignment(node):
                self.seen.add(id(node.this))
                self._check(node.this, only_target, set(), force=True)
        for node in _outside_queries(tree):
            if isinstance(node, exp.Column):
                self._check(node, [root], set())

    def _check(
        self,
        column: exp.Column,
        layers: list[Mapping[str, object]],
        aliases: set[str],
        line: int | None = None,
        force: bool = False,
    ) -> None:
        from sqlglot import exp

        if id(column) in self.seen and not force:
            return
        self.seen.add(id(column))
        if not isinstance(column.this, exp.Identifier):
            return  # t.* and the like
        name = column.name.lower()
        if not name or name in _SYSTEM_COLUMNS:
            return
        quoted = bool(column.this.args.get("quoted"))
        line = line or column.this.meta.get("line") or 1
        qualifier = column.table.lower()
        if qualifier:
            if column.args.get("catalog") is not None:
                return
            source = next((layer[qualifier] for layer in layers if qualifier in layer), _UNKNOWN)
            known = self.columns_of(source)
            if known is None or name in known:
                return
            assert isinstance(source, exp.Table)  # columns_of knows only tables
            self._report(name, (source.name.lower(),), line, quoted)
            return
        if name in aliases:
            return
        candidates = [source for layer in layers for source in layer.values() if source is not _ROW_ALIAS]
        if not candidates:
            return  # SELECT some_word: nothing it could be a column of
        tables: list[str] = []
        for source in candidates:
            known = self.columns_of(source)
            if known is None or name in known:
                return
            assert isinstance(source, exp.Table)
            tables.append(source.name.lower())
        self._report(name, tuple(dict.fromkeys(tables)), line, quoted)

    def _report(self, name: str, tables: tuple[str, ...], line: int, quoted: bool) -> None:
        if quoted and self.dialect == "sqlite":
            return  # SQLite reads a double-quoted word that names no column as a string
        self.found.append(UnknownColumn(name, tables, line))


def _is_assignment(node: exp.EQ) -> bool:
    """``SET a = ...`` of an UPDATE or an ON CONFLICT DO UPDATE (not a comparison)."""
    from sqlglot import exp

    parent = node.parent
    return isinstance(parent, (exp.Update, exp.OnConflict)) and node.arg_key == "expressions"


def _outside_queries(tree: exp.Expr) -> Iterator[exp.Expr]:
    """Every node of a statement but those inside a SELECT, set operation or subquery in it."""
    from sqlglot import exp

    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in node.iter_expressions():
            if not isinstance(child, exp.Query):
                stack.append(child)


class UnknownRelationInSql(RepoRule):
    """## What it does
    Parses raw SQL in `text("...")`, `execute("...")`, `exec_driver_sql`, asyncpg's
    `fetch`/`fetchrow`, `fetchone`/`fetchall`/`fetch_one`/`fetch_all`/`fetch_val` and pandas'
    `read_sql`, and flags a table that no migration creates (CTE names, system catalogs and
    tables of schemas the migrations do not create are fine), or a column that the table it
    comes from lacks (select lists, WHERE, ORDER BY, INSERT column lists, UPDATE SET, with
    aliases and CTEs). A column that may come from a CTE, a subquery or a table whose columns
    are not all known is never judged.

    ## Why is this bad?
    `relation "<table>" does not exist`, `column "<column>" does not exist`: raw SQL is
    invisible to the ORM and to tests that mock the session, so a table or column renamed or
    never created breaks the query only in production.

    ## Example
    ```python
    db.execute(text("SELECT count(*) FROM job_runs WHERE status = 'failed'"))  # table is "jobs"
    await db.fetchone("SELECT id FROM accounts WHERE emial = :email", {"email": email})
    ```

    ## Use instead
    Query the tables and columns the migrations create, or add the migration that creates them.
    """

    id = "SCH007"
    name = "unknown-relation-in-sql"
    severity = Severity.ERROR
    fix = "name a table the migrations create, or add the migration"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations or not facts.schema.tables:
            return
        for path, site in sites_to_check(ctx, {"sql"}):
            if is_migration_path(path, ctx.config):
                continue  # a migration's queries run against the schema of its own step, not the last
            raw = site.value or ""
            text = raw.strip()
            if not text.lower().startswith(_SQL_START):
                continue
            found: list[Finding] = []
            # One SQL string at a time: a failure is this string's alone (UND004).
            with failures.boundary("the SQL check of SCH007", path, site.line, rule=self.id):
                start = site.line + raw[: len(raw) - len(raw.lstrip())].count("\n")
                made = _created_in_file(ctx, path)
                found = list(self._check_sql(path, start, text, facts, ctx.config.schema_.dialect, made))
            yield from found

    def _check_sql(
        self, path: str, line: int, text: str, facts: SchemaFacts, dialect: str, made: Collection[str]
    ) -> Iterator[Finding]:
        """The findings of one SQL string, which starts on ``line``; ``made``: the tables the
        file creates itself (a test's fixture table, a temporary table)."""
        trees = parse_sql(text, dialect)
        if trees is None:
            return
        schema = facts.schema
        missing = False
        tables = _tables(trees, schema.namespaces)
        if tables & set(made):
            return  # a table of the file's own: its columns are the file's business
        for table in sorted(tables):
            if schema.table(table) is None:
                missing = True
                count = len(facts.migration_files)
                none = "the only migration does not create" if count == 1 else f"none of the {count} migrations creates"
                message = f"this SQL reads or writes {table}, but {none} a table of that name; {self.fix}"
                yield self.report(path, message, table, line=line)
        if missing or "{" in text or "}" in text:
            return  # a template, or a table already reported: no column is judged
        for tree in trees:
            for unknown in unknown_columns(tree, schema, dialect):
                yield self.report(
                    path,
                    _column_message(unknown, schema),
                    f"{'/'.join(unknown.tables)}.{unknown.column}",
                    line=line + unknown.line - 1,
                )


def _created_in_file(ctx: RepoContext, path: str) -> set[str]:
    """Tables (and views) the SQL strings of one file create: ``CREATE [TEMP] TABLE x``."""
    from undertow.analyzers.python.index import python_part

    made: set[str] = set()
    for sql in python_part(ctx.facts, "sql").get(path) or []:
        for _, statement in split_statements(sql.text):
            if statement[:6].upper() == "CREATE" and (name := ddl_target(statement)) is not None:
                made.add(name)
    return made


def _column_message(unknown: UnknownColumn, schema: Schema) -> str:
    fix = "name a column the migrations create, or add the migration that adds it"
    if len(unknown.tables) > 1:
        return (
            f"this SQL uses column {unknown.column}, but none of the tables it reads "
            f"({', '.join(unknown.tables)}) has it; {fix}"
        )
    table = schema.table(unknown.tables[0])
    names = sorted(table.columns) if table is not None else []
    listed = f" (its columns: {', '.join(names[:12])}{' ...' if len(names) > 12 else ''})" if names else ""
    return (
        f"this SQL uses column {unknown.column}, but {unknown.tables[0]} as the migrations leave it "
        f"has no such column{listed}; {fix}"
    )


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

# Migrations kept as Python functions (one migrations.py per package, applied in name order),
# and the query helpers that read them.
_FN_MIGRATIONS = (
    "from app.db import Connection\n"
    "\n"
    "\n"
    "async def m001_initial(db: Connection):\n"
    '    await db.execute("""\n'
    "        CREATE TABLE accounts (\n"
    "            id TEXT PRIMARY KEY,\n"
    "            email TEXT NOT NULL,\n"
    "            created_at TIMESTAMP\n"
    "        );\n"
    '    """)\n'
    "\n"
    "\n"
    "async def m002_wallets(db: Connection):\n"
    '    await db.execute("CREATE TABLE wallets (id TEXT PRIMARY KEY, account TEXT NOT NULL, name TEXT)")\n'
    '    await db.execute(f"CREATE TABLE payments (hash TEXT NOT NULL, amount {db.big_int} NOT NULL)")\n'
)
FN_REPO = {"app/__init__.py": "", "app/core/__init__.py": "", "app/core/migrations.py": _FN_MIGRATIONS}

INVALID = [
    Case(
        base=SQL_REPO,
        head={
            "app/report.py": "from sqlalchemy import text\n"
            "a = db.execute(text('SELECT count(*) FROM job_runs WHERE status = 1'))\n"
        },
        expect=[("SCH007", "app/report.py", 2)],
    ),
    Case(  # sqlalchemy's text under another name
        base=SQL_REPO,
        head={"app/report.py": "from sqlalchemy import text as sql\nq = sql('SELECT * FROM job_runs')\n"},
        expect=[("SCH007", "app/report.py", 2)],
    ),
    Case(  # a column the table lacks, in a WHERE clause of a multi-line query: its own line
        base=FN_REPO,
        head={
            "app/core/crud.py": "async def get_account(db, email):\n"
            "    return await db.fetchone(\n"
            '        """\n'
            "        SELECT id, created_at FROM accounts\n"
            "        WHERE emial = :email\n"
            '        """,\n'
            '        {"email": email},\n'
            "    )\n"
        },
        expect=[("SCH007", "app/core/crud.py", 5)],
    ),
    Case(  # a table only a migration function creates is known: the typo'd column is not
        base=FN_REPO,
        head={
            "app/core/crud.py": "async def rename(db, wid, name):\n"
            '    await db.execute("UPDATE wallets SET nmae = :name WHERE id = :id", {"id": wid, "name": name})\n'
        },
        expect=[("SCH007", "app/core/crud.py", 2)],
    ),
    Case(  # an INSERT column list, through an alias-qualified SELECT of another statement
        base=SQL_REPO,
        head={
            "app/store.py": "def save(conn, title):\n"
            "    conn.execute('INSERT INTO videos (title, state) VALUES (%s, %s)', (title, 'new'))\n"
            "    return conn.fetch_all('SELECT v.id, v.title FROM videos v ORDER BY v.published')\n"
        },
        expect=[("SCH007", "app/store.py", 2), ("SCH007", "app/store.py", 3)],
    ),
    Case(  # a new migration function renames the column code still reads
        base={
            **FN_REPO,
            "app/core/crud.py": 'async def emails(db):\n    return await db.fetchall("SELECT email FROM accounts")\n',
        },
        head={
            "app/core/migrations.py": _FN_MIGRATIONS + "\n\nasync def m003_rename(db):\n"
            '    await db.execute("ALTER TABLE accounts RENAME COLUMN email TO login")\n'
        },
        expect=[("SCH007", "app/core/crud.py", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={
            "app/report.py": "from sqlalchemy import text\n"
            "b = db.execute(text('WITH recent AS (SELECT * FROM videos) SELECT * FROM recent'))\n"
        },
    ),
    Case(  # an HTML builder's text() (seen on a real project) is not SQL
        base=SQL_REPO,
        head={"app/page.py": "from tagflow import text\ntext('Update Status')\n"},
    ),
    Case(  # columns by alias, a CTE's own output, select-list aliases in ORDER BY, a view
        base={
            **FN_REPO,
            "app/core/migrations.py": _FN_MIGRATIONS + "\n\nasync def m003_view(db):\n"
            '    await db.execute("CREATE VIEW balances AS SELECT account, COUNT(*) AS n FROM wallets '
            'GROUP BY account")\n',
        },
        head={
            "app/core/crud.py": "async def rows(db):\n"
            "    await db.fetchall(\n"
            '        "WITH mine AS (SELECT w.id AS wid, a.email FROM wallets w JOIN accounts a ON a.id = w.account) "\n'
            '        "SELECT wid, email, total FROM mine ORDER BY wid"\n'
            "    )\n"
            '    await db.fetchall("SELECT name AS label FROM wallets ORDER BY label")\n'
            '    await db.fetchall("SELECT b.account, b.n, b.whatever FROM balances b")\n'
        },
    ),
    Case(  # a table an f-string migration creates: it exists, its columns are not known
        base=FN_REPO,
        head={"app/core/crud.py": 'q = db.fetchone("SELECT amount, anything FROM payments WHERE hash = :h")\n'},
    ),
    Case(  # SELECT *, a correlated subquery, ON CONFLICT's excluded row, a cursor's own fetchall()
        base=FN_REPO,
        head={
            "app/core/crud.py": "def f(db, cur):\n"
            '    db.fetchall("SELECT * FROM accounts WHERE EXISTS '
            "(SELECT 1 FROM wallets WHERE wallets.account = accounts.id AND email <> '')\")\n"
            '    db.execute("INSERT INTO accounts (id, email) VALUES (:id, :e) '
            'ON CONFLICT (id) DO UPDATE SET email = excluded.email")\n'
            "    return cur.fetchall()\n"
        },
    ),
    Case(  # a system catalog, and a test's own table (both seen on a real project)
        base=FN_REPO,
        head={
            "app/core/helpers.py": "q = db.fetchone(\"SELECT * FROM sqlite_master WHERE type = 'table'\")\n"
            'v = db.execute("SELECT version_num FROM alembic_version")\n',
            "tests/test_page.py": "async def test_page(db):\n"
            '    await db.execute("CREATE TABLE test_page (id TEXT PRIMARY KEY, value TEXT)")\n'
            '    assert await db.fetchall("SELECT id, value FROM test_page")\n',
        },
    ),
    Case(  # a migration's query runs against the schema of its own step (the table is dropped later)
        base=FN_REPO,
        head={
            "app/core/migrations.py": _FN_MIGRATIONS + "\n\nasync def m003_move(db):\n"
            '    await db.execute("CREATE TABLE settings (key TEXT, value TEXT)")\n'
            '    row = await db.fetchone("SELECT key, value FROM settings")\n'
            '    await db.execute("DROP TABLE settings")\n'
        },
    ),
    Case(  # placeholders sqlglot cannot read, and a str.format template: not judged
        base=FN_REPO,
        head={
            "app/core/crud.py": "def f(db, where):\n"
            '    db.fetchall("SELECT nothing FROM accounts WHERE {}".format(where))\n'
            '    db.fetchone("SELECT nothing FROM accounts WHERE id = {id}")\n'
        },
    ),
]
