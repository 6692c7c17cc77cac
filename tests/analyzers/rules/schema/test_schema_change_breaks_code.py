"""Code the schema change breaks: when a change touches migrations, unchanged code that uses
what they drop or alter (SCH005 values, SCH006 conflict targets, SCH007 raw SQL, SCH008
attributes) is checked again, and only what is absent at base is new."""

from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, MODELS_1X, SQL_REPO, revision
from undertow.analyzers.core.engine import review
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.registry import ALL_RULES

RULES = {rule.id: rule for rule in ALL_RULES}

JOBS = (
    "from app.models import Video\n"
    "def start(db, title):\n"
    "    db.add(Video(title=title, status='analyzed'))\n"
    "def legacy(db):\n"
    "    db.add(Video(title='old', status='bogus'))\n"  # wrong at base already
)
REPORT = "from sqlalchemy import text\ndef count(db):\n    return db.execute(text('SELECT count(*) FROM videos'))\n"
BASE = {**SQL_REPO, "app/jobs.py": JOBS, "app/report.py": REPORT}
NARROW = (
    "ALTER TABLE videos DROP CONSTRAINT videos_status_check;\n"
    "ALTER TABLE videos ADD CONSTRAINT videos_status_check CHECK (status IN ('new', 'transcribed'));\n"
)
WIDEN = NARROW.replace("'new', 'transcribed'", "'new', 'analyzed', 'transcribed'")


def _found(rule_id, base, head, changed=None):
    case = Case(base=base, head=head, changed=changed)
    before, after = case.snapshots()
    report = review(before, after, case.change_set(), case.config(), rules=[RULES[rule_id]])
    assert report.failures == []
    return sorted((f.rule, f.path, f.line) for f in report.findings)


def test_a_narrowed_check_flags_unchanged_code_writing_the_removed_value():
    assert _found("SCH005", BASE, {"migrations/002_status.sql": NARROW}) == [("SCH005", "app/jobs.py", 3)]


def test_a_widened_check_or_an_unrelated_migration_reports_nothing_old():
    assert _found("SCH005", BASE, {"migrations/002_status.sql": WIDEN}) == []
    assert _found("SCH005", BASE, {"migrations/002_more.sql": "ALTER TABLE videos ADD COLUMN x INT;\n"}) == []


def test_without_a_migration_in_the_change_only_changed_lines_are_examined():
    # The model file changes (no migration): unchanged code is not re-read (the cheap path).
    models = BASE["app/models.py"] + "    extra: Mapped[str | None]\n"
    assert _found("SCH005", {**BASE, "migrations/002_status.sql": NARROW}, {"app/models.py": models}) == []


def test_a_table_renamed_by_a_migration_flags_unchanged_raw_sql_but_not_old_migrations():
    base = {
        **ALEMBIC_REPO,
        "alembic/versions/a2_backfill.py": revision("a2", "a1", "    op.execute('UPDATE jobs SET job_type = 1')\n"),
        "app/stats.py": "from sqlalchemy import text\nq = text('SELECT job_type FROM jobs')\n",
    }
    head = {"alembic/versions/b1_rename.py": revision("b1", "a2", "    op.rename_table('jobs', 'tasks')\n")}
    assert _found("SCH007", base, head) == [("SCH007", "app/stats.py", 2)]


def test_a_dropped_unique_index_flags_the_unchanged_upsert_through_its_variable():
    upsert = (
        "from sqlalchemy.dialects.postgresql import insert\n"
        "from app.models import Video\n"
        "def save(db, row):\n"
        "    stmt = insert(Video).values(**row)\n"
        "    stmt = stmt.on_conflict_do_nothing(index_elements=['title'])\n"
        "    db.execute(stmt)\n"
    )
    base = {**BASE, "migrations/002_uq.sql": "CREATE UNIQUE INDEX videos_title_key ON videos (title);\n"}
    base["app/upsert.py"] = upsert
    assert _found("SCH006", base, {"migrations/003_drop.sql": "DROP INDEX videos_title_key;\n"}) == [
        ("SCH006", "app/upsert.py", 5)
    ]
    assert _found("SCH006", base, {"migrations/003_add.sql": "ALTER TABLE videos ADD COLUMN x INT;\n"}) == []


def test_a_column_dropped_with_its_model_attribute_flags_unchanged_reads():
    base = {
        **ALEMBIC_REPO,
        "app/q.py": "from app.models import Job\ndef kinds(db):\n    return db.query(Job.job_type)\n",
    }
    head = {
        "alembic/versions/b1_drop.py": revision("b1", "a1", "    op.drop_column('jobs', 'job_type')\n"),
        "app/models.py": MODELS_1X.replace("    job_type = Column(String(32), nullable=False)\n", ""),
    }
    assert _found("SCH008", base, head) == [("SCH008", "app/q.py", 3)]


def test_excluded_paths_stay_excluded_when_every_file_is_examined():
    base = {**BASE, ".github/undertow.yml": "paths:\n  exclude: [app/jobs.py]\n"}
    assert _found("SCH005", base, {"migrations/002_status.sql": NARROW}) == []


def test_sites_are_extracted_once_per_blob_across_rules_and_revisions(monkeypatch):
    from undertow.analyzers.rules.schema import code_sites

    read: list[str] = []
    original = code_sites.python_sites

    def counting(path, source):
        read.append(path)
        return original(path, source)

    monkeypatch.setattr(code_sites, "python_sites", counting)
    case = Case(base=BASE, head={"migrations/002_status.sql": NARROW})
    before, after = case.snapshots()
    review(before, after, case.change_set(), case.config(), rules=[RULES["SCH005"], RULES["SCH007"]])
    assert sorted(read) == ["app/__init__.py", "app/jobs.py", "app/models.py", "app/report.py"]


def test_a_file_renamed_in_the_change_keeps_its_old_findings_old():
    from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
    from undertow.analyzers.core.snapshot import MemorySnapshot

    head_files = {k: v for k, v in BASE.items() if k != "app/jobs.py"}
    head_files |= {"app/tasks.py": JOBS, "migrations/002_more.sql": "ALTER TABLE videos ADD COLUMN x INT;\n"}
    changes = ChangeSet(
        [
            ChangedFile("app/tasks.py", Status.RENAMED, old_path="app/jobs.py"),
            ChangedFile("migrations/002_more.sql", Status.ADDED, lines=frozenset({1})),
        ]
    )
    report = review(
        MemorySnapshot(dict(BASE)), MemorySnapshot(head_files), changes, Case(head={}).config(), [RULES["SCH005"]]
    )
    assert report.failures == [] and report.findings == []


def test_the_first_migrations_of_a_project_do_not_judge_its_whole_codebase():
    # Adopting migrations over a create_all() schema: code elsewhere was written against another one.
    base = {k: v for k, v in BASE.items() if not k.startswith("migrations/")}
    assert _found("SCH005", base, {"migrations/001_init.sql": SQL_REPO["migrations/001_init.sql"]}) == []
    assert _found("SCH007", base, {"migrations/001_init.sql": "CREATE TABLE clips (id INT);\n"}) == []


def test_a_renamed_column_flags_unchanged_module_qualified_reads_and_comparisons():
    # Seen on a real project: models.Favorite.object_type == "Query" in serializers, untouched
    # by the change that renames the column (and the model attribute).
    views = (
        "from app import models\n"
        "def pending(db):\n"
        "    return models.Video.query.filter(models.Video.status == 'new').order_by(models.Video.published_at)\n"
    )
    base = {**BASE, "app/views.py": views}
    head = {
        "migrations/002_rename.sql": "ALTER TABLE videos RENAME COLUMN published_at TO released_at;\n",
        "app/models.py": BASE["app/models.py"].replace("published_at", "released_at"),
    }
    assert _found("SCH008", base, head) == [("SCH008", "app/views.py", 3)]
    assert _found("SCH005", base, head) == []  # 'new' is still allowed
