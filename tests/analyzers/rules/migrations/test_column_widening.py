"""MIG003 and the type changes Postgres makes in place (a longer or unlimited VARCHAR, VARCHAR to
TEXT, a NUMERIC of more precision and the same scale): no rewrite, no value that fails to
convert. Every other change, and any change on another dialect, keeps its warning."""

import pytest

from undertow.analyzers.core.engine import review
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, SQL_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.column_type_change import ColumnTypeChange, _sa_shape, _sql_shape, _widens


def _findings(base: dict[str, str], head: dict[str, str | None]) -> list[tuple[str, str, int, str]]:
    case = Case(base=base, head=head)
    old, new = case.snapshots()
    report = review(old, new, case.change_set(), case.config(), rules=[ColumnTypeChange])
    return [(f.rule, f.path, f.line, f.message) for f in report.findings]


def _alter(call: str) -> dict[str, str | None]:
    return {"alembic/versions/a2_alter.py": revision("a2", "a1", f"    {call}\n")}


def test_widening_a_varchar_with_alembic_is_quiet():
    head = _alter("op.alter_column('jobs', 'job_type', existing_type=sa.String(32), type_=sa.String(256))")
    assert _findings(ALEMBIC_REPO, head) == []


def test_narrowing_a_varchar_with_alembic_keeps_the_warning():
    head = _alter("op.alter_column('jobs', 'job_type', existing_type=sa.String(32), type_=sa.String(8))")
    assert _findings(ALEMBIC_REPO, head) == [
        (
            "MIG003",
            "alembic/versions/a2_alter.py",
            6,
            "changes the type of jobs.job_type to varchar: Postgres rewrites the table under an ACCESS EXCLUSIVE "
            "lock, and values may not convert; add a new column, backfill it, and switch reads over instead of "
            "rewriting in place",
        )
    ]


def test_a_length_the_migration_does_not_state_is_not_guessed():
    # No existing_type, and the replay of an Alembic column keeps no length: 32 or 512 before?
    head = _alter("op.alter_column('jobs', 'job_type', type_=sa.String(256))")
    assert [f[:3] for f in _findings(ALEMBIC_REPO, head)] == [("MIG003", "alembic/versions/a2_alter.py", 6)]
    # ... but to no limit at all is a widening whatever it was.
    assert _findings(ALEMBIC_REPO, _alter("op.alter_column('jobs', 'job_type', type_=sa.Text())")) == []


def test_widening_in_sql_reads_the_length_from_the_replayed_schema():
    sql = {"migrations/002.sql": "ALTER TABLE videos ALTER COLUMN status TYPE CHARACTER VARYING(64);\n"}
    assert _findings(SQL_REPO, sql) == []
    narrower = {"migrations/002.sql": "ALTER TABLE videos ALTER COLUMN status TYPE VARCHAR(19);\n"}
    assert [f[:3] for f in _findings(SQL_REPO, narrower)] == [("MIG003", "migrations/002.sql", 1)]


def test_another_dialect_keeps_the_warning():
    base = {**ALEMBIC_REPO, ".github/undertow.yml": "schema:\n  dialect: mysql\n"}
    head = _alter("op.alter_column('jobs', 'job_type', existing_type=sa.String(32), type_=sa.String(256))")
    assert [f[:3] for f in _findings(base, head)] == [("MIG003", "alembic/versions/a2_alter.py", 6)]


@pytest.mark.parametrize(
    "before, after, widens",
    [
        ("VARCHAR(20)", "VARCHAR(20)", True),
        ("VARCHAR(20)", "VARCHAR(21)", True),
        ("VARCHAR(20)", "VARCHAR", True),
        ("VARCHAR(20)", "TEXT", True),
        ("VARCHAR", "VARCHAR(20)", False),
        ("VARCHAR(20)", "VARCHAR(19)", False),
        ("TEXT", "VARCHAR(20)", False),
        ("CHAR(20)", "CHAR(40)", False),  # blank-padded: every value is rewritten
        ("NUMERIC(10, 2)", "NUMERIC(12, 2)", True),
        ("DECIMAL(10,2)", "NUMERIC", True),
        ("NUMERIC(10)", "NUMERIC(12, 0)", True),
        ("NUMERIC(10, 2)", "NUMERIC(12, 3)", False),
        ("NUMERIC(10, 2)", "NUMERIC(8, 2)", False),
        ("NUMERIC", "NUMERIC(30, 2)", False),
        ("INTEGER", "BIGINT", False),
        ("VARCHAR(20)", "INTEGER", False),
    ],
)
def test_what_postgres_changes_in_place(before, after, widens):
    assert _widens(_sql_shape(before), _sql_shape(after)) is widens


def test_sqlalchemy_types_are_read_only_when_plain():
    assert _sa_shape({"call": "String", "args": [32], "kwargs": {}}) == ("varchar", 32, None)
    assert _sa_shape({"call": "Unicode", "args": [], "kwargs": {"length": 9}}) == ("varchar", 9, None)
    assert _sa_shape({"name": "Text"}) == ("text", None, None)
    assert _sa_shape({"call": "Numeric", "args": [10], "kwargs": {}}) == ("numeric", 10, 0)
    # A collation changes how values compare (indexes rebuilt): not a plain widening.
    assert _sa_shape({"call": "String", "args": [32], "kwargs": {"collation": "C"}}) is None
    assert _sa_shape({"call": "String", "args": [{"name": "LENGTH"}], "kwargs": {}}) is None
    assert _sa_shape({"call": "Integer", "args": [], "kwargs": {}}) is None
