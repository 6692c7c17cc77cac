"""Benchmark (not a test): schema replay of a repository's base migrations, and a warm re-scan
of a one-file pull request. Run by `make bench`; prints a table and writes JSON.

    python -m tests.benchmarks.schema_replay [REPO ...] [--json build/bench-schema.json]

Without REPO it generates a synthetic repository (300 Alembic revisions, 60 models) in a temp
directory. With REPO (any local clone) it measures that repository at HEAD~1..HEAD.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from undertow.analyzers.core.config import Config
from undertow.analyzers.core.engine import review
from undertow.analyzers.facts.context import MemoryCache, RevisionFacts
from undertow.analyzers.schema.facts import schema_facts
from undertow.app.git import GitRepo

REVISIONS = 300
MODELS = 60


def synthetic_repo(root: Path) -> Path:
    """A repository whose HEAD commit changes one model file on top of REVISIONS migrations."""
    repo = root / "synthetic"
    (repo / "alembic/versions").mkdir(parents=True)
    (repo / "app").mkdir()
    (repo / "app/__init__.py").write_text("")
    previous = None
    for i in range(REVISIONS):
        table = f"table_{i % MODELS}"
        if i < MODELS:
            body = f"    op.create_table('{table}', sa.Column('id', sa.Integer(), primary_key=True))\n"
        else:
            body = f"    op.add_column('{table}', sa.Column('c{i}', sa.String(64), nullable=True))\n"
        (repo / f"alembic/versions/r{i:04d}.py").write_text(
            f"from alembic import op\nimport sqlalchemy as sa\nrevision = 'r{i:04d}'\ndown_revision = {previous!r}\n"
            f"def upgrade():\n{body}def downgrade():\n    pass\n"
        )
        previous = f"r{i:04d}"
    for m in range(MODELS):
        columns = "".join(f"    c{i} = Column(String(64))\n" for i in range(MODELS + m, REVISIONS, MODELS))
        (repo / f"app/model_{m}.py").write_text(
            "from sqlalchemy import Column, Integer, String\nfrom app.base import Base\n"
            f"class Model{m}(Base):\n    __tablename__ = 'table_{m}'\n    id = Column(Integer, primary_key=True)\n{columns}"
        )
    (repo / "app/base.py").write_text("from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n")
    git = ["git", "-C", str(repo), "-c", "user.email=b@b", "-c", "user.name=bench"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    with (repo / "app/model_0.py").open("a") as handle:
        handle.write("    extra = Column(String(64))\n")
    subprocess.run([*git, "commit", "-qam", "one-file PR"], check=True)
    return repo


def measure(path: Path, runs: int = 5) -> dict:
    with GitRepo(path) as repo:
        base, head = repo.resolve("HEAD~1"), repo.resolve("HEAD")
        changes = repo.changes(base, head)
        replay = []
        for _ in range(runs):
            started = time.perf_counter()
            facts = schema_facts(RevisionFacts(repo.snapshot(base)), Config())
            replay.append(time.perf_counter() - started)
        cache = MemoryCache()
        started = time.perf_counter()
        review(repo.snapshot(base), repo.snapshot(head), changes, Config(), cache=cache)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(runs):
            started = time.perf_counter()
            review(repo.snapshot(base), repo.snapshot(head), changes, Config(), cache=cache)
            warm.append(time.perf_counter() - started)
    return {
        "repository": str(path),
        "migrations": len(facts.migration_files),
        "tables": len(facts.schema.tables),
        "replay_base_s": statistics.median(replay),
        "scan_cold_s": cold,
        "scan_warm_s": statistics.median(warm),
        "files_changed": len(changes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, default=Path("build/bench-schema.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        repos = args.repos or [synthetic_repo(Path(tmp))]
        results = [measure(repo) for repo in repos]
    print(
        f"{'repository':<40} {'migrations':>10} {'tables':>7} {'replay base':>12} {'scan cold':>10} {'scan warm':>10}"
    )
    for r in results:
        name = Path(r["repository"]).name
        print(
            f"{name:<40} {r['migrations']:>10} {r['tables']:>7} {r['replay_base_s'] * 1000:>10.0f}ms {r['scan_cold_s'] * 1000:>8.0f}ms {r['scan_warm_s'] * 1000:>8.0f}ms"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
