"""Every cross-file rule declares whether its findings depend on the change (``uses_change``,
read by the engine to decide whether they may be cached under the revision id alone). The
declaration must equal what the rule does: run each rule at base and at head over a few small
changes that reach its branches, and record whether it ever read the change (``changes`` or
``base_facts`` of its ``RepoContext``)."""

import pytest

from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, MODELS_1X, SQL_REPO, revision
from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import MemoryCache, RepoContext, RevisionFacts
from undertow.analyzers.facts.impact import uses_change
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.registry import ALL_RULES

REPO_RULES = sorted((r for r in ALL_RULES if issubclass(r, RepoRule)), key=lambda r: r.id)

_ALEMBIC_BASE = {
    **ALEMBIC_REPO,
    "requirements.txt": "httpx==0.1\nredis\n",
    "app/jobs.py": "import redis\nimport httpx\nr = redis.Redis()\nr.lpush('jobs', 1)\n",
}
_TREE = revision("a1", None, "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n")
_TREES_BASE = {"db/postgres/versions/a1.py": _TREE, "db/sqlite/versions/a1.py": _TREE, "app/__init__.py": ""}
SCENARIOS = {
    "alembic revision, model, requirements and code": (
        _ALEMBIC_BASE,
        {
            **_ALEMBIC_BASE,
            "alembic/versions/b1.py": revision(
                "b1",
                "a1",
                "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=False))\n"
                "    op.drop_column('jobs', 'job_type')\n",
            ),
            "app/models.py": MODELS_1X + "    owner = Column(String)\n",
            "requirements.txt": "redis\n",
            "app/new.py": "import yaml\nimport app.missing\n",
        },
    ),
    "sql migration": (SQL_REPO, {**SQL_REPO, "migrations/002.sql": "ALTER TABLE videos DROP COLUMN title;\n"}),
    "two dialect trees": (
        _TREES_BASE,
        {
            **_TREES_BASE,
            "db/postgres/versions/b1.py": revision(
                "b1", "a1", "    op.add_column('t', sa.Column('x', sa.Integer()))\n"
            ),
        },
    ),
    "one python file": ({"a.py": "x = 1\n"}, {"a.py": "x = 2\n"}),
    "a column newly mapped on a create_all() table": (
        {
            "migrations/001.sql": "ALTER TABLE jobs ADD COLUMN owner TEXT;\n",
            "app/models.py": MODELS_1X,
            "app/db.py": "Base.metadata.create_all(engine)\n",
        },
        {
            "migrations/001.sql": "ALTER TABLE jobs ADD COLUMN owner TEXT;\n",
            "app/models.py": MODELS_1X + "    x = Column(String)\n",
        },
    ),
}


def _diff(base: dict[str, str], head: dict[str, str]) -> ChangeSet:
    files = []
    for path in sorted(set(base) | set(head)):
        if path not in head:
            files.append(ChangedFile(path, Status.REMOVED))
        elif base.get(path) != head[path]:
            status = Status.ADDED if path not in base else Status.MODIFIED
            files.append(ChangedFile(path, status, lines=frozenset(range(1, head[path].count("\n") + 2))))
    return ChangeSet(files)


def _read_the_change(rule: type[RepoRule], base: dict[str, str], head: dict[str, str]) -> bool:
    """The engine's former inference: did the rule, at base or at head, read the change?"""
    base_snap, head_snap = MemorySnapshot(base, "base"), MemorySnapshot(head, "head")
    changes = _diff(base, head)
    cache = MemoryCache()
    base_facts, head_facts = RevisionFacts(base_snap, cache), RevisionFacts(head_snap, cache)
    head_facts.base, head_facts.changes = base_facts, changes
    read = False
    for ctx in (
        RepoContext(base_snap, changes, Config(), base_facts, "base"),
        RepoContext(head_snap, changes, Config(), head_facts, "head", base_facts),
    ):
        list(rule().check(ctx))
        read = read or ctx.consulted_change
    return read


@pytest.mark.parametrize("rule", REPO_RULES, ids=lambda r: r.id)
def test_declared_use_of_the_change_is_what_the_rule_does(rule):
    inferred = any(_read_the_change(rule, base, head) for base, head in SCENARIOS.values())
    assert uses_change(rule) is inferred


def test_every_cross_file_rule_declares_on_its_class():
    assert [r.id for r in REPO_RULES if "uses_change" not in vars(r)] == []
    assert all(isinstance(r.uses_change, bool) for r in REPO_RULES)
