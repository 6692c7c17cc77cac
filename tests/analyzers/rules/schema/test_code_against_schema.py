"""SCH005–SCH008: changed code checked against the migrated schema and the mapped classes."""

from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, SQL_REPO
from tests.gitrepo import findings, only

CODE = "from app.models import Video\n"


def test_sch005_value_outside_check(make_pr, capsys):
    pr = {
        "app/jobs.py": CODE
        + "v = Video(title='x', status='transcribed')\nq = Video.status == 'analyzed'\nr = Video.status != 'archived'\n"
    }
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert findings(doc, "SCH005") == [("SCH005", "app/jobs.py", 2), ("SCH005", "app/jobs.py", 4)]
    assert only(doc, "SCH005")[0]["message"].startswith(
        "writes 'transcribed' to videos.status, but its CHECK constraint allows only 'new', 'analyzed': the statement fails"
    )


def test_sch005_check_widened_in_the_same_pr_is_quiet(make_pr, capsys):
    pr = {
        "app/jobs.py": CODE + "v = Video(title='x', status='transcribed')\n",
        "migrations/002_status.sql": (
            "ALTER TABLE videos DROP CONSTRAINT videos_status_check;\n"
            "ALTER TABLE videos ADD CONSTRAINT videos_status_check CHECK (status IN ('new', 'analyzed', 'transcribed')) NOT VALID;\n"
        ),
    }
    assert only(make_pr(SQL_REPO, pr).scan_json(capsys), "SCH005") == []


def test_sch006_unknown_conflict_target(make_pr, capsys):
    code = (
        "from sqlalchemy.dialects.postgresql import insert\nfrom app.models import Job\n"
        "a = insert(Job).values(job_type='x').on_conflict_do_update(constraint='uq_jobs_type', set_={})\n"
        "b = insert(Job).values(job_type='x').on_conflict_do_nothing(index_elements=['id', 'job_type'])\n"
        "c = insert(Job).values(job_type='x').on_conflict_do_update(constraint='uq_jobs_job_type', set_={})\n"
        "d = insert(Job).on_conflict_do_nothing(index_elements=['job_type'])\n"
    )
    doc = make_pr(ALEMBIC_REPO, {"app/upsert.py": code}).scan_json(capsys)
    assert findings(doc, "SCH006") == [("SCH006", "app/upsert.py", 3), ("SCH006", "app/upsert.py", 4)]
    assert only(doc, "SCH006")[0]["message"].startswith(
        "upserts into jobs ON CONFLICT ON CONSTRAINT uq_jobs_type, which the table does not have (it has: jobs_pkey, uq_jobs_job_type)"
    )


def test_sch007_unknown_table_in_raw_sql(make_pr, capsys):
    code = (
        "from sqlalchemy import text\n"
        "a = db.execute(text('SELECT count(*) FROM job_runs WHERE status = 1'))\n"
        "b = db.execute(text('WITH recent AS (SELECT * FROM videos) SELECT * FROM recent'))\n"
        "c = db.execute(text('SELECT * FROM pg_stat_activity'))\n"
        "d = log.info('select from nowhere')\n"
    )
    doc = make_pr(SQL_REPO, {"app/report.py": code}).scan_json(capsys)
    assert findings(doc, "SCH007") == [("SCH007", "app/report.py", 2)]
    assert only(doc, "SCH007")[0]["message"].startswith(
        "this SQL reads or writes job_runs, but the only migration does not create a table of that name"
    )


def test_sch008_unknown_model_attribute_and_mixins(make_pr, capsys):
    code = (
        CODE
        + "q = select(Video).where(Video.sermon_date > since)\nr = Video.title\ns = Video.query\nt = Video.__table__\n"
    )
    doc = make_pr(SQL_REPO, {"app/q.py": code}).scan_json(capsys)
    assert findings(doc, "SCH008") == [("SCH008", "app/q.py", 2)]
    assert only(doc, "SCH008")[0]["message"].startswith(
        "Video.sermon_date is not an attribute of the mapped class Video (app/models.py:6;"
    )


def test_sch006_partial_unique_index_needs_its_predicate(make_pr, capsys):
    # Soft-deleting projects upsert on a partial unique index (index_where= names its predicate).
    base = {
        **SQL_REPO,
        "migrations/002_live_titles.sql": (
            "CREATE UNIQUE INDEX videos_live_title ON videos (title) WHERE published_at IS NULL;\n"
        ),
    }
    code = (
        "from sqlalchemy.dialects.postgresql import insert\n"
        "from app.models import Video\n"
        "def save(session, row):\n"
        "    stmt = insert(Video).values(**row)\n"
        "    live = stmt.on_conflict_do_nothing(index_elements=[Video.title], index_where=Video.published_at.is_(None))\n"
        "    everywhere = stmt.on_conflict_do_nothing(index_elements=[Video.title])\n"
        "    session.execute(live)\n"
    )
    doc = make_pr(base, {"app/upsert.py": code}).scan_json(capsys)
    assert findings(doc, "SCH006") == [("SCH006", "app/upsert.py", 6)]


def test_sch005_model_names_from_one_star_import_are_the_models(make_pr, capsys):
    star = "from app.models import *\nv = Video(title='x', status='transcribed')\n"
    doc = make_pr(SQL_REPO, {"app/jobs.py": star}).scan_json(capsys)
    assert findings(doc, "SCH005") == [("SCH005", "app/jobs.py", 2)]


def test_sch005_a_same_named_class_from_another_star_import_is_not_the_model(make_pr, capsys):
    other = "from app.schemas import *\nv = Video(title='x', status='transcribed')\n"  # an API schema
    assert only(make_pr(SQL_REPO, {"app/api.py": other}).scan_json(capsys), "SCH005") == []
