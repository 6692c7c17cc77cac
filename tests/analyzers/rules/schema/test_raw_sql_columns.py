"""SCH007 on columns (``unknown_columns``): what it resolves, and every place it must stay quiet
rather than guess; and the false findings the lnbits trial showed (system catalogs, queries in
migrations, tables a file creates itself)."""

import pytest

from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.engine import review
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.rules.schema.unknown_relation_in_sql import (
    FN_REPO,
    UnknownRelationInSql,
    parse_sql,
    unknown_columns,
)
from undertow.analyzers.schema.model import Schema
from undertow.analyzers.schema.sql_replay import apply_sql

DDL = (
    "CREATE SCHEMA billing;\n"
    "CREATE TABLE accounts (id TEXT PRIMARY KEY, email TEXT, pass TEXT);\n"
    'CREATE TABLE wallets (id TEXT PRIMARY KEY, name TEXT, "user" TEXT, deleted BOOLEAN);\n'
    "CREATE TABLE billing.invoices (id TEXT, wallet TEXT, amount INT);\n"
    "CREATE VIEW balances AS SELECT wallet, SUM(amount) AS balance FROM billing.invoices GROUP BY wallet;\n"
    "ALTER TABLE legacy ADD COLUMN x INT;\n"  # a table no migration creates: partial
)


def unknown(sql: str, dialect: str = "postgres") -> list[tuple[str, tuple[str, ...]]]:
    schema = Schema()
    apply_sql(schema, DDL, "m.sql")
    trees = parse_sql(sql, dialect)
    assert trees is not None
    return [(u.column, u.tables) for tree in trees for u in unknown_columns(tree, schema, dialect)]


@pytest.mark.parametrize(
    "sql, found",
    [
        ("SELECT id, emial FROM accounts WHERE id = :id", [("emial", ("accounts",))]),
        ('SELECT a.id, a.nope FROM accounts a JOIN wallets w ON w."user" = a.id', [("nope", ("accounts",))]),
        ("SELECT id FROM wallets ORDER BY nmae", [("nmae", ("wallets",))]),
        ("WITH r AS (SELECT id, nme FROM wallets) SELECT id FROM r", [("nme", ("wallets",))]),
        ("INSERT INTO accounts (id, email, passwd) VALUES (?, ?, ?)", [("passwd", ("accounts",))]),
        ("UPDATE wallets SET nam = :n WHERE id = :id", [("nam", ("wallets",))]),
        ("UPDATE wallets SET name = :n WHERE idd = :id", [("idd", ("wallets",))]),
        ("DELETE FROM wallets WHERE usr = $1", [("usr", ("wallets",))]),
        ("SELECT i.wallet, i.total FROM billing.invoices i", [("total", ("invoices",))]),
        (
            'SELECT bogus FROM accounts JOIN wallets ON wallets."user" = accounts.id',
            [("bogus", ("accounts", "wallets"))],
        ),
        (
            "INSERT INTO accounts (id) VALUES (:id) ON CONFLICT (id) DO UPDATE SET mail = excluded.mail",
            [("mail", ("accounts",))],
        ),
    ],
)
def test_an_unknown_column_is_reported_with_the_table_it_was_looked_for_in(sql, found):
    assert unknown(sql) == found


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM wallets",  # SELECT *
        "SELECT w.* FROM wallets w",
        "SELECT name AS label FROM wallets ORDER BY label",  # an output alias
        "SELECT COUNT(*) AS n FROM wallets GROUP BY name HAVING n > 1",
        "WITH r AS (SELECT id AS rid FROM wallets) SELECT rid, anything FROM r",  # a CTE's columns
        "SELECT s.x FROM (SELECT id AS x FROM wallets) s",  # a subquery's
        'SELECT id FROM wallets WHERE EXISTS (SELECT 1 FROM accounts WHERE accounts.id = wallets."user" AND deleted)',
        "SELECT wallet, balance, anything FROM balances",  # a view: columns not modelled
        "SELECT anything FROM legacy",  # a partial table
        "SELECT anything FROM nowhere",  # an unknown table (reported as a table, not a column)
        "SELECT anything FROM other.invoices",  # a schema the migrations do not create
        "SELECT value FROM wallets, json_each(wallets.name)",  # a table function's columns
        "SELECT rowid, ctid FROM wallets",  # system columns
        "SELECT id FROM wallets UNION SELECT id FROM accounts ORDER BY id",
        "SELECT id FROM wallets w WHERE w.name = :name AND excluded.x = 1",  # a qualifier no source has
        "UPDATE wallets SET name = s.n FROM (SELECT 'a' AS n) s WHERE anything = 1",  # a subquery source
        "INSERT INTO accounts (id, email) VALUES (:id, :e) ON CONFLICT (id) DO UPDATE SET email = excluded.email",
        "SELECT CURRENT_TIMESTAMP, id FROM wallets",
    ],
)
def test_quiet_whenever_a_column_may_come_from_what_is_not_known(sql):
    assert unknown(sql) == []


def test_sqlite_reads_a_double_quoted_word_naming_no_column_as_a_string():
    assert unknown('SELECT id FROM wallets WHERE name = "bob"', "sqlite") == []
    assert unknown('SELECT id FROM wallets WHERE name = "bob"') == [("bob", ("wallets",))]


def _scan(files: dict[str, str], path: str) -> list[tuple[str, int, str]]:
    """``path`` added over ``files`` without it."""
    base = MemorySnapshot({p: t for p, t in files.items() if p != path}, "base")
    head = MemorySnapshot(dict(files), "head")
    lines = frozenset(range(1, files[path].count("\n") + 2))
    report = review(
        base, head, ChangeSet([ChangedFile(path, Status.ADDED, lines=lines)]), Config(), rules=[UnknownRelationInSql]
    )
    assert report.failures == []
    return [(f.path, f.line, f.message) for f in report.findings]


def test_system_catalogs_are_no_tables_to_create():
    code = (
        "def exists(db):\n    return db.fetchone(\"SELECT * FROM sqlite_master WHERE type = 'table' AND name = 'x'\")\n"
    )
    assert _scan({**FN_REPO, "app/core/helpers.py": code}, "app/core/helpers.py") == []


def test_queries_in_a_migration_run_against_the_schema_of_their_step():
    # m003 reads the table before it drops it: the final schema lacks it, the query was right
    migrations = FN_REPO["app/core/migrations.py"] + (
        "\n\nasync def m003_move_settings(db):\n"
        '    await db.execute("CREATE TABLE settings (key TEXT, value TEXT)")\n'
        '    row = await db.fetchone("SELECT key, value FROM settings")\n'
        '    await db.execute("DROP TABLE settings")\n'
    )
    assert _scan({**FN_REPO, "app/core/migrations.py": migrations}, "app/core/migrations.py") == []


def test_a_table_the_file_creates_itself_is_its_own():
    code = (
        "import pytest\n"
        "@pytest.fixture\n"
        "async def table(db):\n"
        '    await db.execute("CREATE TABLE test_rows (id TEXT PRIMARY KEY, value TEXT NOT NULL)")\n'
        "    await db.execute(\"INSERT INTO test_rows (id, value) VALUES ('1', 'a')\")\n"
        "    yield\n"
        "async def test_rows(db, table):\n"
        '    assert await db.fetchall("SELECT id, value FROM test_rows")\n'
    )
    assert _scan({**FN_REPO, "tests/test_rows.py": code}, "tests/test_rows.py") == []


def test_a_column_added_by_an_fstring_is_known_by_name():
    migrations = FN_REPO["app/core/migrations.py"] + (
        "\n\nasync def m003_timestamps(db):\n"
        '    await db.execute(f"ALTER TABLE accounts ADD COLUMN updated_at TIMESTAMP DEFAULT {db.timestamp_now}")\n'
    )
    files = {**FN_REPO, "app/core/migrations.py": migrations}
    ok = 'q = db.fetchone("SELECT id, updated_at FROM accounts WHERE id = :id")\n'
    assert _scan({**files, "app/core/crud.py": ok}, "app/core/crud.py") == []
    typo = 'q = db.fetchone("SELECT id, updatd_at FROM accounts WHERE id = :id")\n'
    [(path, line, message)] = _scan({**files, "app/core/crud.py": typo}, "app/core/crud.py")
    assert (path, line) == ("app/core/crud.py", 1)
    assert message.startswith(
        "this SQL uses column updatd_at, but accounts as the migrations leave it has no such column "
        "(its columns: created_at, email, id, updated_at)"
    )


def test_sch003_reads_neither_a_migrations_own_sql_nor_placeholders_as_code_using_a_column():
    from undertow.analyzers.rules.schema.migration_drops_used import MigrationDropsUsed

    crud = (
        "async def get(db, h):\n"
        '    return await db.fetchone("SELECT * FROM accounts WHERE login = :email", {"email": h})\n'
    )
    renamed = FN_REPO["app/core/migrations.py"] + (
        '\n\nasync def m003_rename(db):\n    await db.execute("ALTER TABLE accounts RENAME COLUMN email TO login")\n'
    )
    base = MemorySnapshot({**FN_REPO, "app/core/crud.py": crud.replace("login", "email")}, "base")
    head = MemorySnapshot({**FN_REPO, "app/core/migrations.py": renamed, "app/core/crud.py": crud}, "head")
    changes = ChangeSet(
        [
            ChangedFile("app/core/migrations.py", Status.MODIFIED, lines=frozenset(range(17, 21))),
            ChangedFile("app/core/crud.py", Status.MODIFIED, lines=frozenset({2})),
        ]
    )
    report = review(base, head, changes, Config(), rules=[MigrationDropsUsed])
    assert report.failures == []
    # m001's CREATE TABLE names email, and crud's placeholder is :email: neither uses the column
    assert [(f.rule, f.path, f.line) for f in report.findings] == []
    still = crud.replace("login = :email", "email = :email")
    head = MemorySnapshot({**FN_REPO, "app/core/migrations.py": renamed, "app/core/crud.py": still}, "head")
    report = review(base, head, changes, Config(), rules=[MigrationDropsUsed])
    assert [(f.rule, f.path, f.line) for f in report.findings] == [("SCH003", "app/core/migrations.py", 20)]
