"""Synthetic repositories for the benchmarks: a web/worker service at 1×, 4× or 16× size
(500 / 2,000 / 8,000 Python files, 100 / 400 / 1,600 migrations), and pull requests that
change 1, 10 or 100 files."""

from __future__ import annotations

import subprocess
from pathlib import Path

FILES_PER_SCALE = 500
MIGRATIONS_PER_SCALE = 100


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=bench@example.com", "-c", "user.name=bench", *args],
        check=True,
        capture_output=True,
    )


def build(root: Path, scale: int) -> Path:
    """A repository at ``scale``× size, on branch main, returned ready for `pull_request()`."""
    repo = root / f"repo-{scale}x"
    files = FILES_PER_SCALE * scale
    migrations = MIGRATIONS_PER_SCALE * scale
    tables = max(10, migrations // 10)
    (repo / "app/models").mkdir(parents=True)
    (repo / "app/services").mkdir(parents=True)
    (repo / "app/worker").mkdir(parents=True)
    (repo / "alembic/versions").mkdir(parents=True)
    (repo / "tests").mkdir()
    for package in ("app", "app/models", "app/services", "app/worker", "tests"):
        (repo / package / "__init__.py").write_text("")
    (repo / "app/db.py").write_text("from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n")
    (repo / "requirements-web.txt").write_text("fastapi==0.115.6\nhttpx==0.28.1\nSQLAlchemy==2.0.36\nredis==5.2.1\n")
    (repo / "requirements-worker.txt").write_text("SQLAlchemy==2.0.36\nredis==5.2.1\n")
    (repo / "Dockerfile.worker").write_text(
        "FROM python:3.12-slim\nCOPY requirements-worker.txt .\nRUN pip install -r requirements-worker.txt\nCOPY app app\nCMD python -m app.worker.main\n"
    )
    previous = None
    for i in range(migrations):
        table = f"t{i % tables}"
        body = (
            f"    op.create_table('{table}', sa.Column('id', sa.Integer(), primary_key=True))\n"
            if i < tables
            else f"    op.add_column('{table}', sa.Column('c{i}', sa.String(64), nullable=True))\n"
        )
        (repo / f"alembic/versions/r{i:05d}.py").write_text(
            f"from alembic import op\nimport sqlalchemy as sa\nrevision = 'r{i:05d}'\ndown_revision = {previous!r}\n"
            f"def upgrade():\n{body}def downgrade():\n    pass\n"
        )
        previous = f"r{i:05d}"
    for t in range(tables):
        columns = "".join(f"    c{i} = Column(String(64))\n" for i in range(tables + t, migrations, tables))
        (repo / f"app/models/m{t}.py").write_text(
            "from sqlalchemy import Column, Integer, String\nfrom app.db import Base\n"
            f"class M{t}(Base):\n    __tablename__ = 't{t}'\n    id = Column(Integer, primary_key=True)\n{columns}"
        )
    services = files - tables - 8
    for s in range(services):
        (repo / f"app/services/s{s}.py").write_text(
            "import logging\nimport httpx\n"
            f"from app.models.m{s % tables} import M{s % tables}\n"
            "log = logging.getLogger(__name__)\n\n\n"
            f"def handle_{s}(payload: dict) -> dict:\n"
            "    try:\n        value = payload['value']\n    except KeyError:\n        log.warning('no value')\n        value = 0\n"
            f"    return {{'id': {s}, 'value': value * 2}}\n"
        )
    (repo / "app/worker/main.py").write_text("import redis\nfrom app.services import s0\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo


def pull_request(repo: Path, changed: int, name: str) -> tuple[str, str]:
    """A branch `name` off main changing ``changed`` service files (a new risky call in each)."""
    _git(repo, "checkout", "-q", "-B", name, "main")
    for s in range(changed):
        path = repo / f"app/services/s{s}.py"
        path.write_text(
            path.read_text() + f"\n\ndef extra_{s}(cmd):\n    import subprocess\n    return subprocess.run(cmd)\n"
        )
    # The same PR's migration, as SQL, so that an SQL migration linter has something to read.
    (repo / "sql").mkdir(exist_ok=True)
    (repo / "sql/pr_migration.sql").write_text(
        "ALTER TABLE t0 ADD COLUMN owner TEXT NOT NULL;\nCREATE INDEX ix_t0_owner ON t0 (owner);\n"
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", f"change {changed} files")
    _git(repo, "checkout", "-q", "main")
    return "main", name


def add_push(repo: Path, branch: str, changed: int, nth: int = 1) -> str:
    """A new commit on ``branch`` (a push to the pull request) changing ``changed`` other service
    files (the ``nth`` such push changes its own files); returns its branch, ``{branch}-push{nth}``."""
    name = f"{branch}-push{nth}"
    _git(repo, "checkout", "-q", "-B", name, branch)
    for s in range(nth * changed, (nth + 1) * changed):
        path = repo / f"app/services/s{s}.py"
        path.write_text(
            path.read_text() + f"\n\ndef more_{s}(cmd):\n    import subprocess\n    return subprocess.call(cmd)\n"
        )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", f"push: {changed} more files")
    _git(repo, "checkout", "-q", "main")
    return name
