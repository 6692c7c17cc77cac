"""RevisionFacts.derived: a head's value from its base's and the change, the whole value
elsewhere or when the derivation declines; memoised for the run."""

from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import RevisionFacts


def _pair(changes: ChangeSet) -> tuple[RevisionFacts, RevisionFacts]:
    base = RevisionFacts(MemorySnapshot({"a.py": "1", "b.py": "2"}, "base"))
    head = RevisionFacts(MemorySnapshot({"a.py": "1", "b.py": "3"}, "head"))
    head.base, head.changes = base, changes
    return base, head


def _count(facts: RevisionFacts) -> int:
    return len(facts.snapshot.entries())


def test_a_head_derives_from_its_base_and_a_base_computes_whole():
    calls: list[str] = []

    def whole(facts: RevisionFacts) -> dict:
        calls.append(facts.snapshot.revision)
        return {p: facts.snapshot.read(p) for p in facts.snapshot.entries()}

    def derive(base: dict, head: RevisionFacts) -> dict:
        return {**base, **{c.path: head.snapshot.read(c.path) for c in head.changes.files}}

    base, head = _pair(ChangeSet([ChangedFile("b.py", Status.MODIFIED)]))
    assert head.derived("files", whole, derive) == whole(RevisionFacts(head.snapshot))
    assert calls == ["base", "head"]  # the base whole, then the check's own whole build
    assert head.derived("files", whole, derive) is head.derived("files", whole, derive)
    assert base.derived("files", whole, derive) == {"a.py": b"1", "b.py": b"2"}
    assert calls == ["base", "head"]  # memoised on both sides


def test_a_declined_derivation_computes_the_head_whole():
    base, head = _pair(ChangeSet([ChangedFile("b.py", Status.MODIFIED)]))
    assert head.derived("count", _count, lambda _base, _head: None) == 2
