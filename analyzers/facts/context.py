"""What a rule sees: one file being checked, or one revision with its cached per-revision facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from undertow.analyzers import cache_salt
from undertow.analyzers.core.changes import ChangeSet
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.failures import failure_count
from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.facts import codec

# Revisions that name a mutable tree (a working tree) are never cached.
UNCACHEABLE_REVISIONS = frozenset({"WORKTREE", "memory"})

V = TypeVar("V")

# Every key of the fact cache, by kind: what is stored, and the ids after the kind (in order).
# Keys embed immutable ids (revision, blob, commit) and, for what the analyzers compute, the
# cache salt (analyzer version + source digest), so entries never need invalidation.
KINDS: dict[str, str] = {
    "fact": "a whole-revision fact (RevisionFacts.get): revision, fact name",
    "idx-rev": "a per-file index of a whole revision (indexes.file_index): index name, revision",
    "idx-part": "one part of a per-file index of a revision (indexes.projection): index name, part, revision",
    "idx": "one file's extraction for a per-file index: index name, blob id, path",
    "rule": "a cross-file rule's findings on one revision (engine): rule id, revision, side, config digest",
    "file": "one file's analysis: findings, notices, suppressions (engine): blob id, path, rule signature",
    "tree": "a commit's tree listing (app/git.py): commit",
    "tree-delta": "the tree entries that differ from one commit to another (app/git.py): base, head",
}
# What git says about a commit does not depend on the analyzers: not salted, so that a new
# analyzer version keeps the tree listings.
UNSALTED_KINDS = frozenset({"tree", "tree-delta"})


def fact_key(kind: str, *parts: object) -> str:
    """The cache key of one entry of ``kind`` (one of ``KINDS``): the kind, the cache salt (but
    for ``UNSALTED_KINDS``), then the ids that name the entry, joined by ``:``."""
    if kind not in KINDS:
        raise ValueError(f"unknown fact kind {kind!r}: add it to facts/context.KINDS")
    salt = () if kind in UNSALTED_KINDS else (cache_salt(),)
    return ":".join((kind, *salt, *(str(part) for part in parts)))


def cacheable_revision(cache: FactCache | None, revision: str) -> bool:
    """Whether facts of ``revision`` may be kept in ``cache`` (an immutable revision)."""
    return cache is not None and revision not in UNCACHEABLE_REVISIONS


def stored(
    cache: FactCache | None,
    key: str | None,
    compute: Callable[[], V],
    encode: Callable[[V], Any] = lambda value: value,
    decode: Callable[[Any], V] = lambda data: data,
) -> V:
    """The value under ``key`` in ``cache``, else ``compute()``, kept under ``key`` unless some
    input failed meanwhile (facts computed while an input failed are incomplete: used for this
    review, whose UND004 says so, never kept for the next). ``key`` None: not kept."""
    if cache is not None and key is not None and (raw := cache.get(key)) is not None:
        return decode(codec.loads(raw))
    failed_before = failure_count()
    value = compute()
    if cache is not None and key is not None and failure_count() == failed_before:
        cache.set(key, codec.dumps(encode(value)))
    return value


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

    def local(self, name: str, factory: Callable[[Snapshot], V]) -> V:
        """A lazily filled helper for this run only (not persisted), e.g. the module index."""
        if name not in self._memo:
            self._memo[name] = factory(self.snapshot)
        value: V = self._memo[name]
        return value

    def get(
        self,
        name: str,
        compute: Callable[[Snapshot], Any],
        encode: Callable[[Any], Any] = lambda value: value,
        decode: Callable[[Any], Any] = lambda data: data,
    ) -> Any:
        """The fact ``name`` of this revision, memoised and cached under its revision id."""
        if name not in self._memo:
            self._memo[name] = stored(
                self.cache if cacheable_revision(self.cache, self.snapshot.revision) else None,
                fact_key("fact", self.snapshot.revision, name),
                lambda: compute(self.snapshot),
                encode,
                decode,
            )
        return self._memo[name]

    def derived(
        self,
        name: str,
        whole: Callable[[RevisionFacts], V],
        derive: Callable[[V, RevisionFacts], V | None],
    ) -> V:
        """The one way to say "a head's value of this fact is derived from its base's": at a head
        reviewed against a base (``base`` and ``changes`` set), ``derive(the base's value, self)``,
        the base's value being this same fact of the base revision; at any other revision, or
        when ``derive`` declines (returns None: a change it cannot apply), ``whole(self)``
        (which may cache itself under the revision id: ``stored``). Memoised for the run under
        ``name``. A derived value must equal ``whole`` of the head (each fact's tests hold it)."""

        def build(_snapshot: Snapshot) -> V:
            if self.base is not None and self.changes is not None:
                value = derive(self.base.derived(name, whole, derive), self)
                if value is not None:
                    return value
            return whole(self)

        return self.local(name, build)


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
        from undertow.analyzers.python.facts import is_test_path  # the one test-path predicate

        return is_test_path(self.path)


class RepoContext:
    """One revision (base or head) for a cross-file rule.

    Records whether the rule consulted the change (``changes`` or ``base_facts``). Whether a
    rule's findings may be cached under the revision id is what it declares
    (``facts/impact.uses_change``); the record checks the declarations (tests) and judges a rule
    that declares nothing."""

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
