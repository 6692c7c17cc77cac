"""The SQL replay knows every relation a query may read: views, CREATE TABLE ... AS, schemas
created by the migrations, and tables whose statements it could not read (known to exist, their
columns unknown)."""

from undertow.analyzers.schema.model import Schema
from undertow.analyzers.schema.sql_replay import apply_sql, ddl_target


def test_views_and_tables_created_from_a_query_exist_with_unknown_columns():
    schema = Schema()
    apply_sql(
        schema,
        "CREATE TABLE payments (id INT, amount INT);\n"
        "CREATE OR REPLACE VIEW balances AS SELECT id, SUM(amount) AS balance FROM payments GROUP BY id;\n"
        "CREATE MATERIALIZED VIEW daily AS SELECT 1 AS n;\n"
        "CREATE TABLE archive AS SELECT * FROM payments;\n",
        "m.sql",
    )
    assert {n: t.partial for n, t in schema.tables.items()} == {
        "payments": False,
        "balances": True,
        "daily": True,
        "archive": True,
    }
    apply_sql(schema, "DROP VIEW balances;", "m2.sql")
    assert "balances" not in schema.tables


def test_schemas_the_migrations_create_are_namespaces():
    schema = Schema()
    apply_sql(schema, "CREATE SCHEMA IF NOT EXISTS billing;\nCREATE TABLE audit.log (id INT);\n", "m.sql")
    assert schema.namespaces == ["billing", "audit"]
    assert Schema.from_json(schema.to_json()).namespaces == ["billing", "audit"]
    assert Schema.read_only(schema.to_json()).namespaces == ["billing", "audit"]


def test_a_statement_the_replay_cannot_read_leaves_its_table_partial_only_if_columns_may_change():
    schema = Schema()
    apply_sql(schema, "CREATE TABLE t (id INT);\nCREATE TABLE u (id INT);\n", "m.sql")
    apply_sql(schema, "ALTER TABLE t ADD COLUMN x INT GENERATED whatever (((;", "m2.sql")
    apply_sql(schema, "ALTER TABLE u ADD CONSTRAINT c CHECK (" + "(" * 600 + "1" + ")" * 600 + ");", "m3.sql")
    assert schema.tables["t"].partial
    assert not schema.tables["u"].partial  # a constraint adds no column


def test_ddl_target_reads_only_a_whole_literal_name():
    assert ddl_target("CREATE TABLE IF NOT EXISTS accounts (") == "accounts"
    assert ddl_target('ALTER TABLE ONLY public."Wallets" ADD COLUMN x') == "wallets"
    assert ddl_target("CREATE TABLE ", whole=False) is None
    assert ddl_target("CREATE TABLE ext_", whole=False) is None  # f"CREATE TABLE ext_{name} (...)"
    assert ddl_target("ALTER TABLE t ALTER COLUMN c SET NOT NULL") is None
    assert ddl_target("ALTER TABLE t ADD CONSTRAINT k UNIQUE (a), ADD COLUMN z INT") == "t"
    assert ddl_target("UPDATE t SET a = 1") is None


def test_an_index_records_its_columns_not_its_where_clause_and_expressions_as_written():
    from undertow.analyzers.schema.model import Schema
    from undertow.analyzers.schema.sql_replay import apply_sql

    schema = Schema()
    apply_sql(
        schema,
        "CREATE TABLE t (id SERIAL PRIMARY KEY, a TEXT, b TEXT, c TEXT);\n"
        "CREATE UNIQUE INDEX ux ON t (a, lower(b)) WHERE c IS NULL;\n"
        "CREATE INDEX ix ON t USING btree (c DESC);\n",
        "m.sql",
        "postgres",
    )
    table = schema.tables["t"]
    assert table.indexes == {"ux": ["a", "lower(b)"], "ix": ["c"]}
    assert ("ux", ["a", "lower(b)"]) in table.uniques
