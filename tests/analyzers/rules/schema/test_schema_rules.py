"""SCH003, SCH004, SCH009."""

from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, MODELS_1X, MODELS_20, SQL_REPO, revision
from tests.gitrepo import findings, only


def test_sch003_drop_of_a_column_the_model_still_maps(make_pr, capsys):
    doc = make_pr(SQL_REPO, {"migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN published_at;\n"}).scan_json(
        capsys
    )
    assert findings(doc, "SCH003") == [("SCH003", "migrations/002_drop.sql", 1)]
    assert only(doc, "SCH003")[0]["message"].startswith(
        "this migration drops column videos.published_at, but the code of this change still uses it (app/models.py:11)"
    )
    assert only(doc, "MIG001") == [] and only(doc, "MIG010") == []


def test_sch003_quiet_when_the_model_attribute_goes_too_but_mig010_fires(make_pr, capsys):
    pr = {
        "migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN published_at;\n",
        "app/models.py": MODELS_20.replace("    published_at: Mapped[datetime | None]\n", ""),
    }
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert only(doc, "SCH003") == []
    assert findings(doc, "MIG010") == [("MIG010", "migrations/002_drop.sql", 1)]
    assert only(doc, "MIG010")[0]["message"].startswith(
        "this migration drops column videos.published_at, which the code running before this deploy still uses (app/models.py:11 at base)"
    )


def test_mig001_drop_nothing_uses_is_a_notice(make_pr, capsys):
    base = {**SQL_REPO, "migrations/001_init.sql": SQL_INIT_WITH_LEGACY}
    doc = make_pr(
        base, {"migrations/002_drop.sql": "-- cleanup\nALTER TABLE videos DROP COLUMN legacy_notes;\n"}
    ).scan_json(capsys)
    assert findings(doc, "MIG001") == [("MIG001", "migrations/002_drop.sql", 2)]
    assert only(doc, "MIG001")[0]["severity"] == "notice"
    assert only(doc, "MIG001")[0]["message"].startswith(
        "this migration drops column videos.legacy_notes, which exists at base"
    )


SQL_INIT_WITH_LEGACY = SQL_REPO["migrations/001_init.sql"].replace(
    "  published_at TIMESTAMP\n", "  published_at TIMESTAMP,\n  legacy_notes TEXT\n"
)


def test_rename_in_model_and_migration_together_is_mig004_only(make_pr, capsys):
    pr = {
        "migrations/002_rename.sql": "ALTER TABLE videos RENAME COLUMN published_at TO released_at;\n",
        "app/models.py": MODELS_20.replace("published_at", "released_at"),
    }
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert [f["rule"] for f in doc["findings"]] == ["MIG004"]
    assert doc["findings"][0]["message"].startswith(
        "renames column videos.published_at to released_at: code still running"
    )


def test_sch004_type_family_mismatch(make_pr, capsys):
    pr = {
        "app/models.py": MODELS_20.replace("published_at: Mapped[datetime | None]", "published_at: Mapped[int | None]")
    }
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert findings(doc, "SCH004") == [("SCH004", "app/models.py", 11)]
    assert only(doc, "SCH004")[0]["message"].startswith(
        "videos.published_at is integer (integer) in Video but TIMESTAMP (timestamp) in the migrated schema"
    )


def test_sch004_same_family_is_quiet(make_pr, capsys):
    models = MODELS_1X.replace(
        "job_type = Column(String(32), nullable=False)", "job_type = Column(Text, nullable=False)"
    )
    assert only(make_pr(ALEMBIC_REPO, {"app/models.py": models}).scan_json(capsys), "SCH004") == []


def test_sch009_two_heads_missing_parent_duplicate(make_pr, capsys):
    pr = {
        "alembic/versions/b1.py": revision(
            "b1", "a1", "    op.add_column('jobs', sa.Column('x', sa.Integer()))\n", "    op.drop_column('jobs', 'x')\n"
        ),
        "alembic/versions/b2.py": revision("b2", "a1", "    pass\n"),
        "alembic/versions/c9.py": revision("c9", "zz", "    pass\n"),
        "alembic/versions/dup.py": revision("b2", "b1", "    pass\n"),
    }
    doc = make_pr(ALEMBIC_REPO, pr).scan_json(capsys)
    assert findings(doc, "SCH009") == [
        ("SCH009", "alembic/versions/b1.py", 4),
        ("SCH009", "alembic/versions/b2.py", 4),
        ("SCH009", "alembic/versions/c9.py", 4),
        ("SCH009", "alembic/versions/c9.py", 4),
        ("SCH009", "alembic/versions/dup.py", 3),
    ]
    messages = sorted(f["message"].split(", which")[0].split(": ")[0] for f in only(doc, "SCH009"))
    assert "revision c9 has down_revision 'zz'" in messages
    assert "revision id b2 is also used by alembic/versions/b2.py" in messages


def test_sch009_separate_trees_are_separate_graphs(make_pr, capsys):
    pr = {
        "db/core/versions/a1.py": revision(
            "a1",
            None,
            "    op.create_table('orgs', sa.Column('id', sa.Integer(), primary_key=True))\n",
            "    op.drop_table('orgs')\n",
        ),
        "db/tenant/versions/a1.py": revision(
            "a1",
            None,
            "    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True))\n",
            "    op.drop_table('jobs')\n",
        ),
    }
    doc = make_pr({}, pr).scan_json(capsys)
    assert only(doc, "SCH009") == []


def test_sch003_raw_sql_still_naming_the_dropped_column(make_pr, capsys):
    base = {
        **SQL_REPO,
        "migrations/001_init.sql": SQL_INIT_WITH_LEGACY,
        "app/report.py": "from sqlalchemy import text\nq = text('SELECT legacy_notes FROM videos')\n",
    }
    doc = make_pr(base, {"migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN legacy_notes;\n"}).scan_json(capsys)
    assert findings(doc, "SCH003") == [("SCH003", "migrations/002_drop.sql", 1)]
    assert "still uses it (app/report.py:2 (raw SQL))" in only(doc, "SCH003")[0]["message"]
    assert only(doc, "MIG001") == []


def test_tables_only_altered_by_migrations_keep_their_mapped_columns_as_baseline(make_pr, capsys):
    # The base tables come from create_all(); migrations only alter them. The columns mapped at
    # base are the baseline; the one this change maps is created by no migration (issue 16).
    base = {
        "alembic/versions/a1.py": revision(
            "a1",
            None,
            "    op.add_column('videos', sa.Column('extra', sa.Integer()))\n",
            "    op.drop_column('videos', 'extra')\n",
        ),
        "app/__init__.py": "",
        "app/models.py": MODELS_20,
        "app/db.py": "from app.models import Base\nBase.metadata.create_all(bind=None)\n",
    }
    doc = make_pr(base, {"app/models.py": MODELS_20 + "    other: Mapped[int | None]\n"}).scan_json(capsys)
    assert findings(doc, "SCH001") == [("SCH001", "app/models.py", 12)]
    assert "videos itself is created outside the migrations (create_all())" in only(doc, "SCH001")[0]["message"]
    assert only(doc, "SCH002") == []


def test_incremental_head_replay_equals_a_full_replay(make_pr):
    from undertow.analyzers.core.config import Config
    from undertow.analyzers.facts.context import RevisionFacts
    from undertow.analyzers.schema.facts import schema_facts
    from undertow.app.git import GitRepo

    pr = {
        "alembic/versions/b1.py": revision(
            "b1", "a1", "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=False))\n"
        ),
        "alembic/versions/b2.py": revision("b2", "b1", "    op.create_index('ix_owner', 'jobs', ['owner'])\n"),
    }
    repo = make_pr(ALEMBIC_REPO, pr)
    with GitRepo(repo.path) as git:
        base, head = git.snapshot("main"), git.snapshot("HEAD")
        head_facts = RevisionFacts(head)
        head_facts.base, head_facts.changes = RevisionFacts(base), git.changes("main", "HEAD")
        incremental = schema_facts(head_facts, Config())
        full = schema_facts(RevisionFacts(head), Config())
    from undertow.analyzers.schema.facts import _incremental, _schema_parts

    with GitRepo(repo.path) as git:
        again = RevisionFacts(git.snapshot("HEAD"))
        again.base, again.changes = RevisionFacts(git.snapshot("main")), git.changes("main", "HEAD")
        base_parts = _schema_parts(again.base, Config(), "schema:postgres:")
        assert _incremental(base_parts, again, Config()) is not None  # derived, not replayed
    assert incremental.schema == full.schema
    assert incremental.operations == full.operations
    assert incremental.revisions == full.revisions
    assert incremental.migration_files == full.migration_files and incremental.graph_problems == full.graph_problems


def test_mig001_quiet_for_a_column_already_gone_at_base(make_pr, capsys):
    # An edited old migration that drops a column the base schema no longer has: no data at stake.
    doc = make_pr(SQL_REPO, {"migrations/002_drop.sql": "ALTER TABLE videos DROP COLUMN legacy_notes;\n"}).scan_json(
        capsys
    )
    assert only(doc, "MIG001") == []


def test_plugin_trees_apply_after_the_core_tree_on_one_database(make_pr, capsys):
    core = revision(
        "a1",
        None,
        "    op.create_table('dyn', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('minimum', sa.Integer()))\n",
        "    op.drop_table('dyn')\n",
    )
    plugin = revision(
        "p1",
        None,
        "    op.drop_column('dyn', 'minimum')\n",
        "    op.add_column('dyn', sa.Column('minimum', sa.Integer()))\n",
    )
    base = {"migrations/versions/a1.py": core, "app/plugins/dyn/migrations/p1.py": plugin}
    # The PR edits the plugin's drop line: the column is gone at base already, so no new data loss.
    edited = plugin.replace(
        "    op.drop_column('dyn', 'minimum')\n", '    op.drop_column("dyn", "minimum")  # reformatted\n'
    )
    doc = make_pr(base, {"app/plugins/dyn/migrations/p1.py": edited}).scan_json(capsys)
    assert only(doc, "MIG001") == []
