"""SCH012 per dialect tree, and its two severities."""

from undertow.analyzers.core.engine import review
from undertow.analyzers.core.findings import Severity
from undertow.analyzers.rules.case_repos import revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.nullability_mismatch import INVALID, NullabilityMismatch

MODELS = (
    "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n"
    "Base = declarative_base()\n"
    "class Job(Base):\n    __tablename__ = 'jobs'\n    id = Column(Integer, primary_key=True)\n"
)
CREATE = "    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True))\n"


def _findings(case: Case):
    base, head = case.snapshots()
    return review(base, head, case.change_set(), case.config(), rules=[NullabilityMismatch]).findings


def test_each_dialect_tree_is_compared_on_its_own():
    base = {
        "db/postgres/versions/a1.py": revision("a1", None, CREATE),
        "db/sqlite/versions/a1.py": revision("a1", None, CREATE),
        "app/models.py": MODELS,
    }
    case = Case(
        base=base,
        head={
            "db/postgres/versions/b1.py": revision(
                "b1", "a1", "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=False))\n"
            ),
            "db/sqlite/versions/b1.py": revision(
                "b1", "a1", "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=True))\n"
            ),
            "app/models.py": MODELS + "    owner = Column(String)\n",
        },
    )
    [finding] = _findings(case)
    assert (finding.path, finding.line, finding.severity) == ("app/models.py", 7, Severity.ERROR)
    assert finding.message.startswith(
        "jobs.owner is NOT NULL without a default in the migrated schema (in db/postgres/versions/), but Job maps it "
        "as nullable"
    )


def test_the_model_stricter_than_the_database_is_a_warning():
    [finding] = _findings(INVALID[1])
    assert finding.severity is Severity.WARNING
    assert finding.message.startswith(
        "videos.summary is nullable in the migrated schema, but Video maps it as NOT NULL"
    )
