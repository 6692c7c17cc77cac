"""Every cache key goes through facts/context.fact_key: one of the documented kinds, salted but
for git's own listings."""

import pytest

from undertow.analyzers import cache_salt
from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.engine import review
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import KINDS, UNSALTED_KINDS, MemoryCache, fact_key


def test_keys_are_kind_salt_then_ids():
    assert fact_key("idx", "python", "abc", "a.py") == f"idx:{cache_salt()}:python:abc:a.py"
    assert fact_key("tree", "0" * 40) == "tree:" + "0" * 40
    assert fact_key("tree-delta", "b", "h") == "tree-delta:b:h"
    assert UNSALTED_KINDS <= set(KINDS)
    with pytest.raises(ValueError):
        fact_key("nonesuch", "x")


def test_every_key_a_review_writes_is_of_a_documented_kind():
    base = MemorySnapshot({"app/__init__.py": "", "app/a.py": "import redis\n", "requirements.txt": "redis\n"}, "b1")
    head = MemorySnapshot(
        {"app/__init__.py": "", "app/a.py": "import redis\nimport httpx\n", "requirements.txt": "redis\n"}, "h1"
    )
    changes = ChangeSet([ChangedFile("app/a.py", Status.MODIFIED, lines=frozenset({2}))])
    cache = MemoryCache()
    review(base, head, changes, Config(), cache=cache)
    kinds = {key.split(":", 1)[0] for key in cache.data}
    assert kinds and kinds <= set(KINDS)
    assert all(key.split(":")[1] == cache_salt() for key in cache.data if key.split(":", 1)[0] not in UNSALTED_KINDS)
