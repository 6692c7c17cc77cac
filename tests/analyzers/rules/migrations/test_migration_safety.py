"""MIG002–MIG009 on raw SQL and Alembic migrations."""

import pytest

from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, SQL_REPO, revision
from tests.gitrepo import findings, only


@pytest.mark.parametrize(
    "sql, rule, message",
    [
        (
            "ALTER TABLE videos ADD COLUMN channel_id INTEGER NOT NULL;",
            "MIG002",
            "adds NOT NULL column videos.channel_id without a default to an existing table",
        ),
        (
            "ALTER TABLE videos ALTER COLUMN title TYPE VARCHAR(200);",
            "MIG003",
            "changes the type of videos.title to VARCHAR(200)",
        ),
        ("ALTER TABLE videos RENAME TO clips;", "MIG004", "renames table videos to clips"),
        (
            "CREATE INDEX ix_status ON videos (status);",
            "MIG005",
            "creates index ix_status on existing table videos without CONCURRENTLY",
        ),
        (
            "ALTER TABLE videos ADD CONSTRAINT ck CHECK (status IN ('new', 'analyzed', 'done'));",
            "MIG006",
            "adds a CHECK constraint to existing table videos without NOT VALID",
        ),
        ("ALTER TABLE videos ALTER COLUMN published_at SET NOT NULL;", "MIG007", "sets videos.published_at NOT NULL"),
        (
            "ALTER TABLE videos ADD CONSTRAINT uq_title UNIQUE (title);",
            "MIG009",
            "adds a UNIQUE constraint to existing table videos",
        ),
    ],
)
def test_risky_sql_operations_on_existing_tables(make_pr, capsys, sql, rule, message):
    doc = make_pr(SQL_REPO, {"migrations/002_change.sql": f"-- change\n{sql}\n"}).scan_json(capsys)
    assert findings(doc, rule) == [(rule, "migrations/002_change.sql", 2)]
    assert only(doc, rule)[0]["message"].startswith(message)


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE videos ADD COLUMN channel_id INTEGER NOT NULL DEFAULT 0;",
        "ALTER TABLE videos ADD COLUMN channel_id INTEGER;",
        "CREATE INDEX CONCURRENTLY ix_status ON videos (status);",
        "ALTER TABLE videos ADD CONSTRAINT ck CHECK (status IN ('new')) NOT VALID;",
        "CREATE TABLE channels (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE);\nCREATE INDEX ix_name ON channels (name);",
    ],
)
def test_safe_forms_and_new_tables_are_quiet(make_pr, capsys, sql):
    doc = make_pr(SQL_REPO, {"migrations/002_change.sql": sql + "\n"}).scan_json(capsys)
    assert [f for f in doc["findings"] if f["rule"].startswith("MIG")] == []


def test_alembic_operations_and_irreversible_downgrade(make_pr, capsys):
    body = (
        "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=False))\n"
        "    op.create_index('ix_jobs_owner', 'jobs', ['owner'])\n"
        # (to TEXT Postgres changes a VARCHAR in place: test_column_widening.py)
        "    op.alter_column('jobs', 'job_type', type_=sa.Integer())\n"
        '    op.execute("ALTER TABLE jobs ALTER COLUMN job_type SET NOT NULL")\n'
        "    op.create_index('ix_ok', 'jobs', ['id'], postgresql_concurrently=True)\n"
    )
    doc = make_pr(ALEMBIC_REPO, {"alembic/versions/b1.py": revision("b1", "a1", body)}).scan_json(capsys)
    assert [(f["rule"], f["line"]) for f in doc["findings"] if f["rule"].startswith("MIG")] == [
        ("MIG002", 6),
        ("MIG005", 7),
        ("MIG003", 8),
        ("MIG007", 9),
        ("MIG008", 11),
    ]
    assert only(doc, "MIG008")[0]["message"].startswith(
        "revision b1 changes the schema in upgrade() but its downgrade() undoes nothing"
    )


def test_reversible_alembic_revision_is_quiet(make_pr, capsys):
    body = "    op.add_column('jobs', sa.Column('owner', sa.String()))\n"
    rev = revision("b1", "a1", body, "    op.drop_column('jobs', 'owner')\n")
    doc = make_pr(
        ALEMBIC_REPO,
        {
            "alembic/versions/b1.py": rev,
            "app/models.py": ALEMBIC_REPO["app/models.py"] + "    owner = Column(String)\n",
        },
    ).scan_json(capsys)
    assert doc["findings"] == []


def test_unparseable_sql_statement_is_a_notice_and_the_rest_is_applied(make_pr, capsys):
    sql = "ALTER TABLE videos ADD COLUMN a INTEGER;\nCREATE STATISTICS s1 ON (a) FROM videos;\nALTER TABLE videos ADD COLUMN b INTEGER NOT NULL;\n"
    doc = make_pr(SQL_REPO, {"migrations/002.sql": sql}).scan_json(capsys)
    assert findings(doc, "MIG002") == [("MIG002", "migrations/002.sql", 3)]
    assert findings(doc, "UND001") == [("UND001", "migrations/002.sql", 2)]
