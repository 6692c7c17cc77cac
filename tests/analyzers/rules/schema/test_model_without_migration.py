import pytest

from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, MODELS_1X, MODELS_20, SQL_REPO, revision
from tests.gitrepo import findings, only
from undertow.analyzers.core.engine import review
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.add_required_column_without_default import AddRequiredColumnWithoutDefault
from undertow.analyzers.rules.schema.model_without_migration import ModelWithoutMigration


def test_declarative_20_column_without_migration(make_pr, capsys):
    pr = {"app/models.py": MODELS_20 + "    sermon_actual_date: Mapped[datetime | None]\n"}
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert findings(doc, "SCH001") == [("SCH001", "app/models.py", 12)]
    finding = only(doc, "SCH001")[0]
    assert finding["message"] == (
        "videos.sermon_actual_date is mapped by Video here, but the only migration, migrations/001_init.sql, "
        "does not create it; add: ALTER TABLE videos ADD COLUMN sermon_actual_date TIMESTAMP;"
    )
    assert finding["suggestion"]["text"] == "ALTER TABLE videos ADD COLUMN sermon_actual_date TIMESTAMP;"


def test_same_pr_adds_the_migration(make_pr, capsys):
    pr = {
        "app/models.py": MODELS_20 + "    sermon_actual_date: Mapped[datetime | None]\n",
        "migrations/10_sermon.sql": "ALTER TABLE videos ADD COLUMN sermon_actual_date TIMESTAMP;\n",
        "migrations/2_noop.sql": "SELECT 1;\n",
    }
    assert only(make_pr(SQL_REPO, pr).scan_json(capsys), "SCH001") == []


def test_preexisting_drift_untouched_by_the_pr_is_quiet(make_pr, capsys):
    base = {**SQL_REPO, "app/models.py": MODELS_20 + "    legacy: Mapped[str | None]\n"}
    doc = make_pr(base, {"app/other.py": "X = 1\n"}).scan_json(capsys)
    assert only(doc, "SCH001") == []
    assert doc["preexisting"] >= 1


def test_alembic_1x_core_and_sqlmodel(make_pr, capsys):
    pr = {
        "app/models.py": MODELS_1X + "    priority = Column(Integer)\n",
        "app/core.py": "import sqlalchemy as sa\nmetadata = sa.MetaData()\nevents = sa.Table('events', metadata, sa.Column('id', sa.Integer, primary_key=True))\n",
        "app/heroes.py": "from sqlmodel import SQLModel, Field\nclass Hero(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n    name: str\n",
    }
    doc = make_pr(ALEMBIC_REPO, pr).scan_json(capsys)
    assert findings(doc, "SCH001") == [
        ("SCH001", "app/core.py", 3),
        ("SCH001", "app/heroes.py", 2),
        ("SCH001", "app/models.py", 8),
    ]
    events, hero, priority = only(doc, "SCH001")
    assert events["message"].startswith(
        "table events is mapped by Table('events') here, but the only migration, alembic/versions/a1_init.py, "
        "does not create it; add a migration that creates it, in the same change"
    )
    assert priority["message"] == (
        "jobs.priority is mapped by Job here, but the only migration, alembic/versions/a1_init.py, does not create "
        "it; add to a new revision's upgrade(): "
        'op.add_column("jobs", sa.Column("priority", sa.Integer(), nullable=True))'
    )
    assert priority["suggestion"]["text"] == 'op.add_column("jobs", sa.Column("priority", sa.Integer(), nullable=True))'


def test_alembic_merge_revision_and_batch_alter_table(make_pr, capsys):
    pr = {
        "alembic/versions/b1.py": revision(
            "b1", "a1", "    op.add_column('jobs', sa.Column('priority', sa.Integer()))\n"
        ),
        "alembic/versions/b2.py": revision(
            "b2",
            "a1",
            "    with op.batch_alter_table('jobs') as batch_op:\n        batch_op.add_column(sa.Column('owner', sa.String()))\n",
        ),
        "alembic/versions/c1.py": revision("c1", ("b1", "b2"), "    pass\n"),
        "app/models.py": MODELS_1X + "    priority = Column(Integer)\n    owner = Column(String)\n",
    }
    doc = make_pr(ALEMBIC_REPO, pr).scan_json(capsys)
    assert only(doc, "SCH001") == [] and only(doc, "SCH009") == []


def test_mixins_are_resolved(make_pr, capsys):
    mixin = "from sqlalchemy.orm import Mapped, mapped_column\nfrom datetime import datetime\nclass Timestamps:\n    updated_at: Mapped[datetime] = mapped_column()\n"
    models = MODELS_20.replace(
        "class Video(Base):", "from app.mixins import Timestamps\nclass Video(Timestamps, Base):"
    )
    doc = make_pr(SQL_REPO, {"app/mixins.py": mixin, "app/models.py": models}).scan_json(capsys)
    assert findings(doc, "SCH001") == [("SCH001", "app/mixins.py", 4)]
    assert only(doc, "SCH001")[0]["message"].startswith("videos.updated_at is mapped by Video here")


def test_named_unique_constraint_and_index_true_without_migration(make_pr, capsys):
    models = MODELS_1X.replace(
        "    __tablename__ = 'jobs'\n",
        "    __tablename__ = 'jobs'\n    __table_args__ = (UniqueConstraint('job_type', name='uq_jobs_job_type'), Index('ix_jobs_kind', 'job_type'))\n",
    ).replace(
        "    job_type = Column(String(32), nullable=False)\n",
        "    job_type = Column(String(32), nullable=False, index=True)\n",
    )
    doc = make_pr(ALEMBIC_REPO, {"app/models.py": models}).scan_json(capsys)
    assert findings(doc, "SCH001") == [("SCH001", "app/models.py", 6), ("SCH001", "app/models.py", 8)]
    kinds = [f["message"].split(" is declared")[0] for f in only(doc, "SCH001")]
    assert kinds == ["index ix_jobs_kind on jobs", "index ix_jobs_job_type on jobs"]
    assert only(doc, "SCH001")[0]["suggestion"]["text"] == "CREATE INDEX ix_jobs_kind ON jobs (job_type);"


def test_indexes_created_in_batch_alter_table_blocks(make_pr, capsys):
    body = (
        "    with op.batch_alter_table('jobs', schema=None) as batch_op:\n"
        "        batch_op.create_index(batch_op.f('ix_jobs_job_type'), ['job_type'], unique=False)\n"
    )
    pr = {
        "alembic/versions/b1.py": revision("b1", "a1", body, "    op.drop_index('ix_jobs_job_type')\n"),
        "app/models.py": MODELS_1X.replace(
            "    job_type = Column(String(32), nullable=False)\n",
            "    job_type = Column(String(32), nullable=False, index=True)\n",
        ),
    }
    doc = make_pr(ALEMBIC_REPO, pr).scan_json(capsys)
    assert only(doc, "SCH001") == []
    assert [f["rule"] for f in doc["findings"]] == ["MIG005"]  # still a blocking index build


def _sch001(case: Case) -> list[tuple[str, str]]:
    """(message, suggestion) of each SCH001 finding of a one-rule review (no git)."""
    base, head = case.snapshots()
    report = review(base, head, case.change_set(), case.config(), rules=[ModelWithoutMigration])
    assert report.failures == []
    return [(f.message, f.suggestion.text if f.suggestion else "") for f in report.findings]


def _applied(case: Case, suggestion: str, alembic: bool) -> Case:
    """``case`` with the suggested migration added to the change."""
    if alembic:
        body = "".join(f"    {line}\n" for line in suggestion.splitlines())
        migration = {"alembic/versions/b1_add.py": revision("b1", "a1", body)}
    else:
        migration = {"migrations/002_add.sql": suggestion + "\n"}
    return Case(base=case.base, head={**case.head, **migration})


_ALEMBIC_SAYS = (
    "jobs.{column} is mapped by Job here, but the only migration, alembic/versions/a1_init.py, does not create it; "
    "add to a new revision's upgrade(): "
)
_SQL_SAYS = (
    "videos.{column} is mapped by Video here, but the only migration, migrations/001_init.sql, does not create it; "
    "add: "
)
_ORM_1X = MODELS_1X.replace(
    "Column, Integer, String", "Boolean, Column, DateTime, Integer, Numeric, String, func, text"
)


def test_the_suggestion_reads_a_model_file_of_a_newer_grammar():
    # A PEP 695 alias (Python 3.12) in the model's module: the column is still read as written.
    mapped = "    url = Column(String(2048), nullable=False, server_default='')\n\ntype Url = str\n"
    case = Case(base=ALEMBIC_REPO, head={"app/models.py": _ORM_1X + mapped})
    statement = 'op.add_column("jobs", sa.Column("url", sa.String(2048), nullable=False, server_default=""))'
    assert _sch001(case) == [(_ALEMBIC_SAYS.format(column="url") + statement, statement)]


def test_the_suggestion_reads_a_cast_column():
    mapped = "    url = cast(str, Column(String(2048), nullable=False, server_default=''))\n"
    case = Case(base=ALEMBIC_REPO, head={"app/models.py": "from typing import cast\n" + _ORM_1X + mapped})
    statement = 'op.add_column("jobs", sa.Column("url", sa.String(2048), nullable=False, server_default=""))'
    assert _sch001(case) == [(_ALEMBIC_SAYS.format(column="url") + statement, statement)]


@pytest.mark.parametrize(
    "mapped, statement, note",
    [
        # The model's server_default is the migration's, and its length is kept.
        (
            "    url = Column(String(2048), nullable=False, server_default='')\n",
            'op.add_column("jobs", sa.Column("url", sa.String(2048), nullable=False, server_default=""))',
            "",
        ),
        (
            "    created = Column(DateTime(timezone=True), nullable=False, server_default=func.now())\n",
            'op.add_column("jobs", sa.Column("created", sa.DateTime(timezone=True), nullable=False, '
            "server_default=sa.func.now()))",
            "",
        ),
        (
            "    seen = Column(Boolean, nullable=False, server_default=text('false'))\n",
            'op.add_column("jobs", sa.Column("seen", sa.Boolean(), nullable=False, server_default=sa.text("false")))',
            "",
        ),
        (
            "    amount = Column(Numeric(10, 2))\n",
            'op.add_column("jobs", sa.Column("amount", sa.Numeric(10, 2), nullable=True))',
            "",
        ),
        # Only a Python-side default of a literal: the migration's server default fills the old rows.
        (
            "    priority = Column(Integer, nullable=False, default=0)\n",
            'op.add_column("jobs", sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("0")))',
            "the server default fills the rows jobs already has: the model's default= is applied by the ORM alone, "
            "to the rows it inserts",
        ),
        # A nullable column needs no server default for its Python-side one.
        (
            "    label = Column(String(20), default='x')\n",
            'op.add_column("jobs", sa.Column("label", sa.String(20), nullable=True))',
            "",
        ),
        # NOT NULL and no default at all (a callable default has no SQL form): nullable first.
        (
            "    owner = Column(String(64), nullable=False, default=lambda: 'x')\n",
            'op.add_column("jobs", sa.Column("owner", sa.String(64), nullable=True))',
            "nullable first: the model makes it NOT NULL without a default, and the rows jobs already has need "
            "a value; backfill owner, then make it NOT NULL",
        ),
    ],
)
def test_alembic_suggestion_is_the_models_column_and_safe_on_a_table_with_rows(mapped, statement, note):
    case = Case(base=ALEMBIC_REPO, head={"app/models.py": _ORM_1X + mapped})
    column = mapped.split("=")[0].strip()
    suggestion = statement + (f"\n# {note}" if note else "")
    message = _ALEMBIC_SAYS.format(column=column) + statement + (f" ({note})" if note else "")
    assert _sch001(case) == [(message, suggestion)]
    # The suggested revision makes SCH001 quiet, and MIG002 does not flag it.
    applied = _applied(case, suggestion, alembic=True)
    assert _sch001(applied) == []
    base, head = applied.snapshots()
    mig002 = review(base, head, applied.change_set(), applied.config(), rules=[AddRequiredColumnWithoutDefault])
    assert mig002.findings == [] and mig002.failures == []


@pytest.mark.parametrize(
    "mapped, statement, note",
    [
        (
            "    flag: Mapped[bool] = mapped_column(default=False)\n",
            "ALTER TABLE videos ADD COLUMN flag BOOLEAN NOT NULL DEFAULT FALSE;",
            "the server default fills the rows videos already has: the model's default= is applied by the ORM "
            "alone, to the rows it inserts",
        ),
        (
            "    kind: Mapped[str] = mapped_column(String(12), server_default='clip')\n",
            "ALTER TABLE videos ADD COLUMN kind VARCHAR(12) NOT NULL DEFAULT 'clip';",
            "",
        ),
        (
            "    code: Mapped[str] = mapped_column(String(12))\n",
            "ALTER TABLE videos ADD COLUMN code VARCHAR(12);",
            "nullable first: the model makes it NOT NULL without a default, and the rows videos already has need "
            "a value; backfill code, then make it NOT NULL",
        ),
    ],
)
def test_sql_suggestion_has_a_default_whenever_it_says_not_null(mapped, statement, note):
    case = Case(base=SQL_REPO, head={"app/models.py": MODELS_20 + mapped})
    column = mapped.split(":")[0].strip()
    suggestion = statement + (f"\n-- {note}" if note else "")
    assert _sch001(case) == [(_SQL_SAYS.format(column=column) + statement + (f" ({note})" if note else ""), suggestion)]
    applied = _applied(case, suggestion, alembic=False)
    assert _sch001(applied) == []
    base, head = applied.snapshots()
    mig002 = review(base, head, applied.change_set(), applied.config(), rules=[AddRequiredColumnWithoutDefault])
    assert mig002.findings == [] and mig002.failures == []


def test_more_migrations_are_counted():
    case = Case(
        base={**SQL_REPO, "migrations/002_noop.sql": "SELECT 1;\n"},
        head={"app/models.py": MODELS_20 + "    note: Mapped[str | None]\n"},
    )
    assert _sch001(case) == [
        (
            "videos.note is mapped by Video here, but none of the 2 migrations in migrations/ creates it; "
            "add: ALTER TABLE videos ADD COLUMN note TEXT;",
            "ALTER TABLE videos ADD COLUMN note TEXT;",
        )
    ]
