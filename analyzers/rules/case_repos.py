"""Small repositories that the schema and migration rules' cases (``VALID``/``INVALID``) share."""

from __future__ import annotations

SQL_INIT = (
    "CREATE TABLE videos (\n"
    "  id SERIAL PRIMARY KEY,\n"
    "  title TEXT NOT NULL,\n"
    "  status VARCHAR(20) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'analyzed')),\n"
    "  published_at TIMESTAMP\n"
    ");\n"
)
# Video.title is on line 9, Video.published_at on line 11.
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
# A raw-SQL schema (migrations/*.sql) and the SQLAlchemy 2.0 model that maps it.
SQL_REPO = {"migrations/001_init.sql": SQL_INIT, "app/__init__.py": "", "app/models.py": MODELS_20}


def revision(rev: str, down: str | None, body: str, downgrade: str = "    pass\n") -> str:
    """An Alembic revision: ``down_revision`` is on line 4, ``def upgrade():`` on line 5, the body
    from line 6, then ``def downgrade():``."""
    return (
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n"
        f"def upgrade():\n{body}def downgrade():\n{downgrade}"
    )


ALEMBIC_1 = revision(
    "a1",
    None,
    "    op.create_table('jobs',\n"
    "        sa.Column('id', sa.Integer(), primary_key=True),\n"
    "        sa.Column('job_type', sa.String(32), nullable=False),\n"
    "        sa.UniqueConstraint('job_type', name='uq_jobs_job_type'),\n"
    "    )\n",
    "    op.drop_table('jobs')\n",
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
# An Alembic tree (alembic/versions/) and the SQLAlchemy 1.x model that maps it.
ALEMBIC_REPO = {"alembic/versions/a1_init.py": ALEMBIC_1, "app/__init__.py": "", "app/models.py": MODELS_1X}
