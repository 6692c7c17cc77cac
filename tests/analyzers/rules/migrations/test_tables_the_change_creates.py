"""A table the change's own migrations create before an operation runs is new and empty, whatever
the base's schema holds under its name (``ChangedOperation.created_first``): MIG005 and the other
"existing table" rules judge it so; a table only the base created keeps its findings."""

from undertow.analyzers.core.engine import review
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.migrations.add_required_column_without_default import AddRequiredColumnWithoutDefault
from undertow.analyzers.rules.migrations.blocking_index import BlockingIndex

CREATE_JOBS = (
    "    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True),\n"
    "        sa.Column('job_type', sa.String(32)))\n"
)
INDEX = "    op.create_index('ix_jobs_job_type', 'jobs', ['job_type'])\n"
REQUIRED = "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=False))\n"
MESSAGE = (
    "creates index ix_jobs_job_type on existing table jobs without CONCURRENTLY: writes to jobs block until it "
    "is built; create it with CREATE INDEX CONCURRENTLY (postgresql_concurrently=True, outside a transaction)"
)


def _findings(head: dict[str, str | None]) -> list[tuple[str, str, int, str]]:
    case = Case(base=ALEMBIC_REPO, head=head)
    base, new = case.snapshots()
    report = review(base, new, case.change_set(), case.config(), rules=[BlockingIndex, AddRequiredColumnWithoutDefault])
    return sorted((f.rule, f.path, f.line, f.message) for f in report.findings)


def test_a_second_root_that_creates_the_table_then_indexes_it_blocks_nothing():
    assert _findings({"alembic/versions/b1_init.py": revision("b1", None, CREATE_JOBS + INDEX + REQUIRED)}) == []


def test_another_tree_that_creates_the_table_then_indexes_it_blocks_nothing():
    assert _findings({"b/alembic/versions/p1_init.py": revision("p1", None, CREATE_JOBS + INDEX)}) == []


def test_a_new_ancestor_revision_that_creates_the_table_counts():
    head = {
        "alembic/versions/b1_init.py": revision("b1", None, CREATE_JOBS),
        "alembic/versions/b2_index.py": revision("b2", "b1", INDEX),
    }
    assert _findings(head) == []


def test_the_walk_stops_at_the_base_revisions_and_the_base_table_keeps_its_finding():
    head = {
        "alembic/versions/a2_noop.py": revision(
            "a2", "a1", "    op.create_table('tags', sa.Column('id', sa.Integer()))\n"
        ),
        "alembic/versions/a3_index.py": revision("a3", "a2", INDEX),
    }
    assert _findings(head) == [("MIG005", "alembic/versions/a3_index.py", 6, MESSAGE)]


def test_an_index_created_before_the_table_is_on_the_existing_table():
    head = {"alembic/versions/b1_init.py": revision("b1", None, INDEX + CREATE_JOBS)}
    assert _findings(head) == [("MIG005", "alembic/versions/b1_init.py", 6, MESSAGE)]


def test_another_tree_indexing_the_base_table_without_creating_it_is_flagged():
    head = {"b/alembic/versions/p1_index.py": revision("p1", None, INDEX)}
    assert _findings(head) == [("MIG005", "b/alembic/versions/p1_index.py", 6, MESSAGE)]
