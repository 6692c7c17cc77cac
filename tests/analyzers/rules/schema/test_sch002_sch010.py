from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, MODELS_20, SQL_REPO
from tests.gitrepo import findings, only


def test_sch002_model_stops_mapping_a_required_column(make_pr, capsys):
    doc = make_pr(SQL_REPO, {"app/models.py": MODELS_20.replace("    title: Mapped[str]\n", "")}).scan_json(capsys)
    assert findings(doc, "SCH002") == [("SCH002", "app/models.py", 6)]
    finding = only(doc, "SCH002")[0]
    assert finding["severity"] == "error"
    assert finding["message"].startswith(
        "videos.title exists in the migrated schema but Video does not map it: it is NOT NULL without a default, so every INSERT through the model fails"
    )


def test_sch002_migration_adds_an_unmapped_nullable_column_is_a_notice(make_pr, capsys):
    doc = make_pr(SQL_REPO, {"migrations/002.sql": "ALTER TABLE videos ADD COLUMN notes TEXT;\nCREATE TABLE audit (id SERIAL PRIMARY KEY);\n"}).scan_json(capsys)
    assert [(f["rule"], f["severity"]) for f in only(doc, "SCH002")] == [("SCH002", "notice")]  # audit has no model: quiet


def test_sch010_sql_migration_added_next_to_alembic(make_pr, capsys):
    doc = make_pr(ALEMBIC_REPO, {"migrations/001_extra.sql": "CREATE TABLE x (id INT);\n"}).scan_json(capsys)
    assert findings(doc, "SCH010") == [("SCH010", "migrations/001_extra.sql", 1)]
    assert "also keeps 1 Alembic revisions in alembic/versions/" in only(doc, "SCH010")[0]["message"]


def test_sch010_quiet_when_configured(make_pr, capsys):
    base = {**ALEMBIC_REPO, ".github/undertow.yml": "schema:\n  migrations: [alembic/versions, migrations]\n"}
    assert only(make_pr(base, {"migrations/001_extra.sql": "CREATE TABLE x (id INT);\n"}).scan_json(capsys), "SCH010") == []
