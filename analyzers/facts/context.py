"""What a rule sees: one file being checked, or one revision with its cached per-revision facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from undertow.analyzers import cache_salt
from undertow.analyzers.core.changes import ChangeSet
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.failures import failure_count
from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.facts import codec

# Revisions that name a mutable tree (a working tree) are never cached.
UNCACHEABLE_REVISIONS = frozenset({"WORKTREE", "memory"})


class FactCache(Protocol):
    """Bytes by key; keys embed immutable ids, so entries never need invalidation."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.data[key] = value


class RevisionFacts:
    """Facts derived from a whole revision (schema, import graph, routes...), computed once.

    Memoised for the run, and stored in the cache under (revision, analyzer version, name) so
    that the next review of the same base revision reuses them.
    """

    def __init__(self, snapshot: Snapshot, cache: FactCache | None = None) -> None:
        self.snapshot = snapshot
        self.cache = cache
        self._memo: dict[str, Any] = {}
        # For the head revision of a review: the base revision's facts and the change between
        # them, so that head facts can be derived from base facts plus the changed files.
        self.base: RevisionFacts | None = None
        self.changes: ChangeSet | None = None

    def local(self, name: str, factory: Callable[[Snapshot], Any]) -> Any:
        """A lazily filled helper for this run only (not persisted), e.g. the module index."""
        if name not in self._memo:
            self._memo[name] = factory(self.snapshot)
        return self._memo[name]

    def get(
        self,
        name: str,
        compute: Callable[[Snapshot], Any],
        encode: Callable[[Any], Any] = lambda value: value,
        decode: Callable[[Any], Any] = lambda data: data,
    ) -> Any:
        if name in self._memo:
            return self._memo[name]
        key = f"fact:{cache_salt()}:{self.snapshot.revision}:{name}"
        cacheable = self.cache is not None and self.snapshot.revision not in UNCACHEABLE_REVISIONS
        if cacheable and (raw := self.cache.get(key)) is not None:
            value = decode(codec.loads(raw))
        else:
            failed_before = failure_count()
            value = compute(self.snapshot)
            # Facts computed while some input failed are incomplete: used for this review (its
            # UND004 says so), never kept for the next.
            if cacheable and failure_count() == failed_before:
                self.cache.set(key, codec.dumps(encode(value)))
        self._memo[name] = value
        return value


@dataclass
class FileContext:
    """One changed file at head, decoded, with the revision's facts at hand."""

    path: str
    source: str
    config: Config
    facts: RevisionFacts
    # Parse results shared by the rules reading this file (parse once), and the parse problems
    # the engine turns into notices.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    notices: list[tuple[int, str]] = field(default_factory=list, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    def parsed(self, kind: str, parse: Callable[[FileContext], Any]) -> Any:
        if kind not in self.memo:
            self.memo[kind] = parse(self)
        return self.memo[kind]

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines

    @property
    def is_test(self) -> bool:
        parts = self.path.split("/")
        name = parts[-1]
        return (
            any(p in ("tests", "test", "testing") for p in parts[:-1])
            or name.startswith("test_")
            or name.endswith("_test.py")
            or name == "conftest.py"
        )


class RepoContext:
    """One revision (base or head) for a cross-file rule.

    Records whether the rule consulted the change (``changes`` or ``base_facts``): a rule that
    did not judged the revision alone, so its findings can be cached under the revision id."""

    def __init__(
        self,
        snapshot: Snapshot,
        changes: ChangeSet,
        config: Config,
        facts: RevisionFacts,
        side: str,  # "base" or "head"
        base_facts: RevisionFacts | None = None,  # at head, the base revision's facts
    ) -> None:
        self.snapshot, self.config, self.facts, self.side = snapshot, config, facts, side
        self._changes, self._base_facts = changes, base_facts
        self.consulted_change = False

    @property
    def changes(self) -> ChangeSet:
        self.consulted_change = True
        return self._changes

    @property
    def base_facts(self) -> RevisionFacts | None:
        self.consulted_change = True
        return self._base_facts
