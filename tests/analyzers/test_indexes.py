"""A head index derived from the base index plus the changed files equals one built from scratch."""

from analyzers.context import MemoryCache, RevisionFacts
from analyzers.indexes import file_index
from analyzers.python_facts import extract
from app.git import GitRepo


def test_derived_head_index_equals_a_full_build(make_pr):
    base = {"a.py": "import os\n", "b.py": "import sys\n", "old.py": "X = 1\n" * 5, "gone.py": "import json\n", "README.md": "x\n"}
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
