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
    doc = make_pr(
        SQL_REPO,
        {
            "migrations/002.sql": "ALTER TABLE videos ADD COLUMN notes TEXT;\nCREATE TABLE audit (id SERIAL PRIMARY KEY);\n"
        },
    ).scan_json(capsys)
    assert [(f["rule"], f["severity"]) for f in only(doc, "SCH002")] == [
        ("SCH002", "notice")
    ]  # audit has no model: quiet


def test_sch010_sql_migration_added_next_to_alembic(make_pr, capsys):
    doc = make_pr(ALEMBIC_REPO, {"migrations/001_extra.sql": "CREATE TABLE x (id INT);\n"}).scan_json(capsys)
    assert findings(doc, "SCH010") == [("SCH010", "migrations/001_extra.sql", 1)]
    assert "also keeps 1 Alembic revisions in alembic/versions/" in only(doc, "SCH010")[0]["message"]


def test_sch010_quiet_when_configured(make_pr, capsys):
    base = {**ALEMBIC_REPO, ".github/undertow.yml": "schema:\n  migrations: [alembic/versions, migrations]\n"}
    assert (
        only(make_pr(base, {"migrations/001_extra.sql": "CREATE TABLE x (id INT);\n"}).scan_json(capsys), "SCH010")
        == []
    )


def _tree_repo(make_pr, pr):
    from tests.analyzers.rules.schema.fixtures import revision

    create = "    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True))\n"
    base = {
        "db/versions/postgresql/a1.py": revision("a1", None, create, "    op.drop_table('jobs')\n"),
        "db/versions/sqlite/a1.py": revision("a1", None, create, "    op.drop_table('jobs')\n"),
    }
    return make_pr(base, pr)


def test_sch011_one_tree_changed(make_pr, capsys):
    from tests.analyzers.rules.schema.fixtures import revision

    add = "    op.add_column('jobs', sa.Column('owner', sa.String()))\n"
    pr = {"db/versions/postgresql/b1.py": revision("b1", "a1", add, "    op.drop_column('jobs', 'owner')\n")}
    doc = _tree_repo(make_pr, pr).scan_json(capsys)
    assert findings(doc, "SCH011") == [("SCH011", "db/versions/postgresql/b1.py", 1)]
    assert only(doc, "SCH011")[0]["message"].startswith(
        "column jobs.owner exists in the migration tree db/versions/postgresql/ but not in db/versions/sqlite/"
    )


def test_sch011_both_trees_changed_alike(make_pr, capsys):
    from tests.analyzers.rules.schema.fixtures import revision

    add = "    op.add_column('jobs', sa.Column('owner', sa.String()))\n"
    rev = revision("b1", "a1", add, "    op.drop_column('jobs', 'owner')\n")
    doc = _tree_repo(make_pr, {"db/versions/postgresql/b1.py": rev, "db/versions/sqlite/b1.py": rev}).scan_json(capsys)
    assert only(doc, "SCH011") == []


def test_single_table_inheritance_columns_belong_to_the_parent_table(make_pr, capsys):
    from tests.analyzers.rules.schema.fixtures import SQL_REPO

    subclass = "from app.models import Video\nfrom sqlalchemy.orm import Mapped\nclass Clip(Video):\n    clip_start: Mapped[int | None]\n"
    pr = {"migrations/002.sql": "ALTER TABLE videos ADD COLUMN clip_start INTEGER;\n", "app/clips.py": subclass}
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert only(doc, "SCH002") == [] and only(doc, "SCH001") == []


def test_joined_table_inheritance_has_its_own_table(make_pr, capsys):
    from tests.analyzers.rules.schema.fixtures import revision

    base = {
        "migrations/versions/a1.py": revision(
            "a1",
            None,
            "    op.create_table('challenges', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('type', sa.String()))\n",
            "    op.drop_table('challenges')\n",
        ),
        "app/__init__.py": "",
        "app/models.py": "from app.db import db\nclass Challenges(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    type = db.Column(db.String)\n",
        "app/plugins/dynamic/migrations/p1.py": revision(
            "p1",
            None,
            "    op.create_table('dynamic_challenge', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('initial', sa.Integer()))\n",
            "    op.drop_table('dynamic_challenge')\n",
        ),
    }
    plugin = (
        "from app.db import db\nfrom app.models import Challenges\n"
        "class DynamicChallenge(Challenges):\n"
        "    id = db.Column(db.Integer, db.ForeignKey('challenges.id'), primary_key=True)\n"
        "    initial = db.Column(db.Integer)\n"
    )
    doc = make_pr(base, {"app/plugins/dynamic/__init__.py": plugin}).scan_json(capsys)
    assert only(doc, "SCH001") == [] and only(doc, "SCH002") == [] and only(doc, "SCH009") == []
