from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, MODELS_1X, MODELS_20, SQL_REPO, revision
from tests.gitrepo import findings, only


def test_declarative_20_column_without_migration(make_pr, capsys):
    pr = {"app/models.py": MODELS_20 + "    sermon_actual_date: Mapped[datetime | None]\n"}
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert findings(doc, "SCH001") == [("SCH001", "app/models.py", 12)]
    finding = only(doc, "SCH001")[0]
    assert finding["message"] == (
        "videos.sermon_actual_date is mapped by Video here, but none of the 1 migrations in migrations/ creates it; "
        "add: ALTER TABLE videos ADD COLUMN sermon_actual_date TIMESTAMP;"
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
        "table events is mapped by Table('events') here, but none of the 1 migrations in alembic/versions/ creates it"
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
