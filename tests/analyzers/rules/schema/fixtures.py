"""Small schema repositories shared by the SCH and MIG tests (the raw-SQL repository, the models and
the revision helper are the rules' own cases' ones)."""

from undertow.analyzers.rules.case_repos import MODELS_1X, MODELS_20, SQL_INIT, SQL_REPO, revision

__all__ = ["ALEMBIC_1", "ALEMBIC_REPO", "MODELS_1X", "MODELS_20", "SQL_INIT", "SQL_REPO", "revision"]


ALEMBIC_1 = (
    '"""init"""\n'
    "from alembic import op\n"
    "import sqlalchemy as sa\n"
    "revision = 'a1'\n"
    "down_revision = None\n"
    "def upgrade():\n"
    "    op.create_table('jobs',\n"
    "        sa.Column('id', sa.Integer(), primary_key=True),\n"
    "        sa.Column('job_type', sa.String(32), nullable=False),\n"
    "        sa.UniqueConstraint('job_type', name='uq_jobs_job_type'),\n"
    "    )\n"
    "def downgrade():\n"
    "    op.drop_table('jobs')\n"
)
ALEMBIC_REPO = {"alembic/versions/a1_init.py": ALEMBIC_1, "app/__init__.py": "", "app/models.py": MODELS_1X}
