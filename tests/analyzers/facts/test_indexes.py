"""Revision indexes: a head index derived from the base index plus the changed files equals one
built from scratch, and a review reads only the parts and files it asks for."""

from undertow.analyzers.facts import codec
from undertow.analyzers.facts.context import MemoryCache, RevisionFacts
from undertow.analyzers.facts.indexes import file_index
from undertow.analyzers.python.facts import extract
from undertow.analyzers.python.index import PARTS, python_index
from undertow.analyzers.schema.facts import model_classes
from undertow.analyzers.schema.model import Column, Schema, Table
from undertow.app.git import GitRepo


def test_derived_head_index_equals_a_full_build(make_pr):
    base = {
        "a.py": "import os\n",
        "b.py": "import sys\n",
        "old.py": "X = 1\n" * 5,
        "gone.py": "import json\n",
        "README.md": "x\n",
    }
    pr = {"a.py": "import httpx\n", "old.py": None, "new.py": "X = 1\n" * 5, "gone.py": None, "c.py": "import redis\n"}
    repo = make_pr(base, pr)
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        base_facts = RevisionFacts(git.snapshot("main"), cache)
        head_facts = RevisionFacts(git.snapshot("HEAD"), cache)
        head_facts.base, head_facts.changes = base_facts, git.changes("main", "HEAD")
        derived = file_index(head_facts, "python", lambda p: p.endswith(".py"), extract)
        fresh = file_index(RevisionFacts(git.snapshot("HEAD")), "python", lambda p: p.endswith(".py"), extract)
        reads_before = len([k for k in cache.data if k.startswith("idx:")])
    assert derived == fresh
    assert sorted(derived) == ["a.py", "b.py", "c.py", "new.py"]
    # The base was extracted once (4 files) and only the head's changed files after it (3).
    assert reads_before == 7


def _revision_pair(git, cache):
    base_facts = RevisionFacts(git.snapshot("main"), cache)
    head_facts = RevisionFacts(git.snapshot("HEAD"), cache)
    head_facts.base, head_facts.changes = base_facts, git.changes("main", "HEAD")
    return base_facts, head_facts


REDIS_BASE = {
    "app/__init__.py": "",
    "app/jobs.py": "import redis\nr = redis.Redis()\nr.lpush('jobs', 1)\n",
    "app/worker.py": "import redis\nr = redis.Redis()\nr.brpop('jobs')\n",
    "app/other.py": "X = 1\n",
}


def test_derived_head_parts_equal_a_full_build(make_pr):
    pr = {
        "app/worker.py": None,
        "app/consumer.py": "import redis\nr = redis.Redis()\nr.brpop('jobs2')\n",
        "app/other.py": "X = 2\n",
    }
    repo = make_pr(REDIS_BASE, pr)
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        base_facts, head_facts = _revision_pair(git, cache)
        base_index = python_index(base_facts)
        assert sorted(base_index.part("redis")) == ["app/jobs.py", "app/worker.py"]
        derived = python_index(head_facts)
        fresh = python_index(RevisionFacts(git.snapshot("HEAD")))
        for part in PARTS:
            assert derived.part(part) == fresh.part(part), part
        assert derived.by_module == fresh.by_module and derived.module_of == fresh.module_of
        assert sorted(derived.part("redis")) == ["app/consumer.py", "app/jobs.py"]
        # The head part came from the base part plus the changed files, not from a whole index.
        assert not [k for k in cache.data if k.startswith("idx-rev:") and head_facts.snapshot.revision in k]


def test_a_head_that_adds_no_python_file_shares_the_base_module_map(make_pr):
    repo = make_pr(REDIS_BASE, {"app/other.py": "X = 3\n"})
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        base_facts, head_facts = _revision_pair(git, cache)
        assert python_index(head_facts)._modules is python_index(base_facts)._modules
        assert python_index(head_facts).module_of["app/jobs.py"] == "app.jobs"
        assert python_index(head_facts).by_module["app.jobs"] == "app/jobs.py"
        # Computed once, for the base (the full map and its small roots/tops document); a warm
        # review then reads only the small one and looks names up in the listing.
        base_sha = base_facts.snapshot.revision
        assert sorted(k.split(":", 3)[2:] for k in cache.data if k.startswith("fact:")) == [
            [base_sha, "python-modules"],
            [base_sha, "python-modules-meta"],
        ]


def test_module_lookups_from_the_listing_equal_the_full_map(make_pr):
    files = {
        "app/__init__.py": "",
        "app/a.py": "",
        "app/pkg/__init__.py": "",
        "app/pkg/b.py": "",
        "src/lib/__init__.py": "",
        "src/lib/c.py": "",
        "src/app/a.py": "",  # app.a twice: the first path wins
        "backend/svc/__init__.py": "",
        "backend/svc/d.py": "",
        "scripts/run.py": "",
        "README.md": "",
    }
    repo = make_pr(files, {"scripts/run.py": "X = 1\n"})
    with GitRepo(repo.path) as git:
        index = python_index(RevisionFacts(git.snapshot("HEAD"), MemoryCache()))
        full = dict(index.by_module)  # iterating reads the whole map
        assert {name: index.by_module.get(name) for name in full} == full
        assert full["app.a"] == "app/a.py" and full["lib.c"] == "src/lib/c.py" and full["svc.d"] == "backend/svc/d.py"
        assert "nothing.here" not in index.by_module and index.by_module.get("") is None
        assert {path: index.module_of[path] for path in index.module_of} == dict(index.module_of.items())
        assert index.module_of["src/lib/c.py"] == "lib.c" and "README.md" not in index.module_of


def test_file_facts_are_read_one_file_at_a_time(make_pr):
    repo = make_pr(REDIS_BASE, {"app/other.py": "X = 3\n"})
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        index = python_index(RevisionFacts(git.snapshot("HEAD"), cache))
        assert index.files.get("app/jobs.py")["module"] == "app.jobs"
        assert "app/worker.py" in index.files and index.files.get("missing.py") is None
        assert len([k for k in cache.data if k.startswith("idx:")]) == 1


def test_revision_listings_are_cached_by_commit(make_pr):
    repo = make_pr(REDIS_BASE, {"app/other.py": "X = 3\n"})
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        sha = git.resolve("HEAD")
        listed = git.snapshot(sha, cache).entries()
        assert list(cache.data) == [f"tree:{sha}"]
        cache.data[f"tree:{sha}"] = codec.dumps({"only.py": ["0" * 40, "file", 3]})
        assert list(git.snapshot(sha, cache).entries()) == ["only.py"]
        assert set(listed) == set(REDIS_BASE)


def test_read_only_schema_decodes_the_tables_asked_for():
    schema = Schema()
    schema.tables["users"] = Table("users", {"id": Column("id", "integer")}, ["id"])
    schema.tables["teams"] = Table("teams")
    lazy = Schema.read_only(codec.loads(codec.dumps(schema.to_json())))
    assert lazy.table("USERS") == schema.tables["users"]
    assert sorted(lazy.tables) == ["teams", "users"] and "teams" in lazy.tables
    assert list(lazy.tables._decoded) == ["users"]


def test_model_classes_are_cached_per_revision_and_equal_when_decoded(make_pr):
    models = (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class Stamped:\n    created: Mapped[int] = mapped_column()\n"
        "class User(Stamped, Base):\n    __tablename__ = 'users'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
    )
    repo = make_pr({"app/__init__.py": "", "app/models.py": models}, {"app/x.py": "X = 1\n"})
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        built = model_classes(RevisionFacts(git.snapshot("HEAD"), cache))
        decoded = model_classes(RevisionFacts(git.snapshot("HEAD"), cache))
    assert type(decoded).__name__ == "_ModelClasses"
    assert dict(decoded) == dict(built)
    assert decoded["User"].table == "users" and {"id", "created"} <= decoded["User"].attributes


def test_a_head_listing_derived_from_the_base_equals_its_own(make_pr):
    base = {**REDIS_BASE, "docs/a.md": "a\n", "gone.txt": "x\n"}
    repo = make_pr(base, {"app/other.py": "X = 3\n", "gone.txt": None, "new/dir/b.py": "B = 1\n" * 40})
    (repo.path / "link").symlink_to("docs/a.md")
    repo.commit({}, "a symlink")
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        base_snapshot = git.snapshot(git.resolve("main"), cache)
        head = git.snapshot(git.resolve("HEAD"), cache, base=base_snapshot)
        assert head.entries() == git.tree(git.resolve("HEAD"))
        assert head.entries()["new/dir/b.py"].size == len("B = 1\n" * 40)
        assert head.entries()["link"].kind == "symlink" and "gone.txt" not in head.entries()
        # Listed once for the base; the head is kept as a delta and rebuilt from it next time.
        assert sorted(k.split(":")[0] for k in cache.data) == ["tree", "tree-delta"]
        again = git.snapshot(git.resolve("HEAD"), cache, base=git.snapshot(git.resolve("main"), cache))
        assert again.entries() == head.entries()


def test_schema_facts_replay_once_and_decode_tables_only_when_looked_up(make_pr, monkeypatch):
    from undertow.analyzers.core.config import Config
    from undertow.analyzers.schema import facts as schema_module

    migration = "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\\n"
    repo = make_pr({"migrations/001_users.sql": migration}, {"app.py": "X = 1\\n"})
    replays = []
    compute = schema_module._compute
    monkeypatch.setattr(schema_module, "_compute", lambda *a: replays.append(1) or compute(*a))
    with GitRepo(repo.path) as git:
        cache = MemoryCache()
        first = schema_module.schema_facts(RevisionFacts(git.snapshot("HEAD"), cache), Config())
        assert first.migration_files == ["migrations/001_users.sql"] and "schema" not in vars(first)
        assert first.schema.table("users").columns["email"].nullable is False
        again = schema_module.schema_facts(RevisionFacts(git.snapshot("HEAD"), cache), Config())
        assert again.has_migrations and not {"schema", "_operations"} & set(vars(again))  # meta only
        assert again.schema.table("users") == first.schema.table("users")
    assert len(replays) == 1
    assert sorted(k.rsplit(":", 2)[-1] for k in cache.data if k.startswith("fact:")) == [
        "meta",
        "operations",
        "tables",
        "trees",
    ]


def test_overlay_schema_reencodes_only_touched_tables_and_never_alters_the_base():
    base = Schema()
    base.tables["users"] = Table("users", {"id": Column("id", "integer")}, ["id"], indexes={"ix": ["id"]})
    base.tables["teams"] = Table("teams")
    base.tables["old"] = Table("old")
    raw = codec.loads(codec.dumps(base.to_json()))
    frozen = codec.dumps(raw)
    head = Schema.overlay(raw)
    head.tables["users"].columns["email"] = Column("email", "text")
    head.tables["users"].indexes["ix"].append("email")
    head.tables.pop("old")
    head.tables["new"] = Table("new")
    assert sorted(head.tables) == ["new", "teams", "users"] and "old" not in head.tables
    encoded = head.to_json()
    assert encoded["tables"]["teams"] is raw["tables"]["teams"]  # untouched: not decoded, not re-encoded
    assert set(encoded["tables"]["users"]["columns"]) == {"id", "email"}
    assert codec.dumps(raw) == frozen  # the cached base JSON is unchanged
    expected = Schema.from_json(codec.loads(frozen))
    expected.tables["users"].columns["email"] = Column("email", "text")
    expected.tables["users"].indexes["ix"].append("email")
    del expected.tables["old"]
    expected.tables["new"] = Table("new")
    assert Schema.from_json(codec.loads(codec.dumps(encoded))) == expected
