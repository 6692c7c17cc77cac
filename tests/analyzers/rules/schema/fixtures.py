"""Small schema repositories shared by the SCH and MIG tests."""

SQL_INIT = (
    "CREATE TABLE videos (\n"
    "  id SERIAL PRIMARY KEY,\n"
    "  title TEXT NOT NULL,\n"
    "  status VARCHAR(20) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'analyzed')),\n"
    "  published_at TIMESTAMP\n"
    ");\n"
)
MODELS_20 = (
    "from datetime import datetime\n"
    "from sqlalchemy import String\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
    "class Base(DeclarativeBase):\n"
    "    pass\n"
    "class Video(Base):\n"
    "    __tablename__ = 'videos'\n"
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    title: Mapped[str]\n"
    "    status: Mapped[str] = mapped_column(String(20))\n"
    "    published_at: Mapped[datetime | None]\n"
)
SQL_REPO = {"migrations/001_init.sql": SQL_INIT, "app/__init__.py": "", "app/models.py": MODELS_20}

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
MODELS_1X = (
    "from sqlalchemy import Column, Integer, String\n"
    "from sqlalchemy.ext.declarative import declarative_base\n"
    "Base = declarative_base()\n"
    "class Job(Base):\n"
    "    __tablename__ = 'jobs'\n"
    "    id = Column(Integer, primary_key=True)\n"
    "    job_type = Column(String(32), nullable=False)\n"
)
ALEMBIC_REPO = {"alembic/versions/a1_init.py": ALEMBIC_1, "app/__init__.py": "", "app/models.py": MODELS_1X}


def revision(rev: str, down, body: str, downgrade: str = "    pass\n") -> str:
    return (
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n"
        f"def upgrade():\n{body}def downgrade():\n{downgrade}"
    )
