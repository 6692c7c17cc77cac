"""Migrations kept as Python functions executing DDL strings (``schema/function_migrations.py``):
found, ordered by name, core before extensions, replayed through the SQL replay; SQL built at
run time skipped with a notice, its table known to exist with unknown columns."""

from undertow.analyzers.core.config import parse_config
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.schema import function_migrations as fm
from undertow.analyzers.schema.facts import _compute, is_migration_path
from undertow.analyzers.schema.model import Schema

CORE = '''from myapp.db import Connection, SQLITE


async def m001_initial(db: Connection):
    """The first tables."""
    await db.execute(
        """
        CREATE TABLE IF NOT EXISTS accounts (
            id TEXT PRIMARY KEY,
            email TEXT
        );
        """
    )
    await db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS payments (
            hash TEXT NOT NULL,
            amount {db.big_int} NOT NULL
        );
        """
    )


async def m003_add_wallet_name(db: Connection):
    await db.execute("ALTER TABLE wallets ADD COLUMN name TEXT")


async def m002_wallets(db: Connection):
    await db.execute(
        "CREATE TABLE wallets (id TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES accounts (id))"
    )
    if db.type != SQLITE:
        await db.execute("CREATE INDEX wallets_account ON wallets (account)")


async def m004_timestamps(db: Connection):
    await db.execute(
        "ALTER TABLE accounts " f"ADD COLUMN created_at TIMESTAMP DEFAULT {db.timestamp_now}"
    )
    await db.execute("ALTER TABLE wallets ADD CONSTRAINT {} UNIQUE (id)".format("wallets_id"))


def helper(db):
    db.execute("CREATE TABLE not_a_migration (id INT)")
'''

EXTENSION = """async def m001_init(db):
    await db.execute("CREATE TABLE IF NOT EXISTS tips (id TEXT PRIMARY KEY, wallet TEXT)")
    await db.execute("ALTER TABLE wallets ADD COLUMN tip_total INT")
"""


def replayed(files: dict[str, str], config_text: str = "") -> dict:
    snapshot = MemorySnapshot(dict(files), "rev")
    config = parse_config(config_text) if config_text else parse_config("{}")
    return _compute(snapshot, config, RevisionFacts(snapshot))


def test_functions_are_replayed_in_name_order_with_their_literal_ddl():
    data = replayed({"app/core/migrations.py": CORE})
    schema = Schema.from_json(data["schema"])
    assert data["migration_files"] == ["app/core/migrations.py"]
    assert data["style"] == "sql"
    # m002 (CREATE wallets) ran before m003 (ADD COLUMN name), though written after it
    assert list(schema.tables["wallets"].columns) == ["id", "account", "name"]
    assert not schema.tables["wallets"].partial  # an ADD CONSTRAINT built with format() adds no column
    assert schema.tables["wallets"].indexes == {"wallets_account": ["account"]}
    assert "not_a_migration" not in schema.tables  # not a migration function
    ops = [(o["op"], o["table"], o["line"]) for o in data["operations"]["app/core/migrations.py"]]
    assert ("create_table", "accounts", 8) in ops
    assert ("add_column", "wallets", 25) in ops


def test_sql_built_at_run_time_is_skipped_with_a_notice_and_its_table_exists_with_unknown_columns():
    data = replayed({"app/core/migrations.py": CORE})
    schema = Schema.from_json(data["schema"])
    payments, accounts = schema.tables["payments"], schema.tables["accounts"]
    assert payments.partial and not payments.columns  # an f-string CREATE TABLE: never guessed
    # an f-string ADD COLUMN whose name is written out: known by name, its type and constraints
    # not (partial for every rule but the ones that check names)
    assert accounts.partial and accounts.names_known and list(accounts.columns) == ["id", "email", "created_at"]
    assert not payments.names_known
    notes = data["notices"]["app/core/migrations.py"]
    assert [line for line, _ in notes] == [15, 38, 40]
    assert "m001_initial: SQL built with an f-string at line 15 is not replayed; payments is taken" in notes[0][1]
    assert "accounts.created_at is taken to exist, its type and constraints not known" in notes[1][1]
    assert "str.format" in notes[2][1]


def test_core_migrations_replay_before_extensions():
    data = replayed({"app/extensions/tips/migrations.py": EXTENSION, "app/core/migrations.py": CORE})
    assert data["migration_files"] == ["app/core/migrations.py", "app/extensions/tips/migrations.py"]
    schema = Schema.from_json(data["schema"])
    assert "tip_total" in schema.tables["wallets"].columns  # the extension altered core's table
    assert list(schema.tables["tips"].columns) == ["id", "wallet"]


def test_configured_layout_and_what_is_not_a_migration_file():
    config = parse_config("schema:\n  migrations: [db/steps]\n")
    assert fm.is_function_migration_path("db/steps/core.py", config)
    assert not fm.is_function_migration_path("app/migrations.py", config)
    assert fm.is_function_migration_path("app/migrations.py", parse_config("{}"))
    assert not fm.is_function_migration_path("tests/migrations.py", parse_config("{}"))
    assert not fm.is_function_migration_path("app/migrations/versions/migrations.py", parse_config("{}"))
    assert is_migration_path("pkg/migrations.py", parse_config("{}"))
    data = replayed(
        {"db/steps/core.py": EXTENSION.replace("ALTER TABLE wallets", "ALTER TABLE tips")},
        "schema:\n  migrations: [db/steps]\n",
    )
    assert list(data["schema"]["tables"]) == ["tips"]


def test_a_migrations_module_without_migration_functions_is_no_migration():
    files = {"app/migrations.py": "def run(db):\n    db.execute('CREATE TABLE t (id INT)')\n"}
    assert replayed(files)["migration_files"] == []


def test_an_unreadable_file_and_a_broken_statement_stay_their_own():
    files = {
        "a/core/migrations.py": "def m001(db:\n",  # no grammar reads it: nothing concluded
        "b/migrations.py": "def m001_x(db):\n    db.execute('CREATE TABLE ok (id INT); CREATE TABLE (((')\n"
        "    db.execute('ALTER TABLE ok ADD COLUMN x INT GENERATED whatever (((')\n",
    }
    data = replayed(files)
    assert data["migration_files"] == ["b/migrations.py"]
    table = data["schema"]["tables"]["ok"]
    assert table["partial"]  # an ADD COLUMN the replay could not read: columns not all known
    assert data["notices"]["b/migrations.py"]


def test_sqlalchemy_text_and_executescript_are_read():
    source = (
        "from sqlalchemy import text\n"
        "def migration_0001_init(conn):\n"
        "    conn.execute(text('CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT)'))\n"
        "def migration_0002_more(cur):\n"
        "    cur.executescript('CREATE TABLE runs (id INTEGER); CREATE VIEW recent AS SELECT * FROM runs;')\n"
    )
    schema = replayed({"svc/migrations.py": source})["schema"]["tables"]
    assert list(schema["jobs"]["columns"]) == ["id", "state"]
    assert schema["recent"]["partial"]  # a view: it exists, its columns are not modelled


def test_a_statement_the_replay_cannot_read_after_a_named_column_makes_the_names_unknown_too():
    source = (
        "def m001(db):\n"
        "    db.execute('CREATE TABLE t (id INT)')\n"
        "    db.execute(f'ALTER TABLE t ADD COLUMN c {db.big_int}')\n"
        "def m002(db):\n"
        "    db.execute(f'ALTER TABLE t RENAME COLUMN {old} TO {new}')\n"
    )
    table = replayed({"svc/migrations.py": source})["schema"]["tables"]["t"]
    assert table["partial"] and not table["names_known"]


def test_a_data_migration_built_at_run_time_is_no_schema_change_to_notice():
    source = (
        "def m001(db):\n"
        "    db.execute('CREATE TABLE t (id INT, v TEXT)')\n"
        "    db.execute(f'UPDATE t SET v = {db.timestamp_now}')\n"
        '    db.execute(f"""\n        INSERT INTO t (id) VALUES ({1})""")\n'
    )
    data = replayed({"svc/migrations.py": source})
    assert data["notices"]["svc/migrations.py"] == []
    assert not data["schema"]["tables"]["t"]["partial"]
