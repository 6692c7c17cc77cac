"""Per-revision indexes built from every file of a kind.

Three levels keep the work proportional to the change: a head revision's index is the base
revision's index with only the changed files re-extracted; a whole revision's index is cached
under its revision id; and each file's extraction is cached under its blob id. The first is
``RevisionFacts.derived``: a head's index or part is ``_with_change`` of the base's.

Most questions need one part of every file's facts (every Redis key pushed, every route), or
all of one file's facts: ``projection`` and ``file_facts`` answer those without decoding the
whole index, which is what keeps a warm review of a large repository close to a small one's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from undertow.analyzers.core import failures
from undertow.analyzers.core.changes import Status
from undertow.analyzers.core.limits import within_size
from undertow.analyzers.core.snapshot import Entry
from undertow.analyzers.facts import codec
from undertow.analyzers.facts.context import FactCache, RevisionFacts, cacheable_revision, fact_key, stored

Extractor = Callable[[str, str], Any]


def file_index(facts: RevisionFacts, name: str, select: Callable[[str], bool], extract: Extractor) -> dict[str, Any]:
    """``{path: extract(path, text)}`` for every regular file ``select`` accepts."""

    def whole(rev: RevisionFacts) -> dict[str, Any]:
        return stored(
            _revision_cache(rev),
            fact_key("idx-rev", name, rev.snapshot.revision),
            lambda: _extract_files(rev, name, indexed(rev, select), extract),
        )

    def derive(base: dict[str, Any], head: RevisionFacts) -> dict[str, Any]:
        return _with_change(base, head, select, lambda paths: _extract_files(head, name, paths, extract))

    return facts.derived(f"index:{name}", whole, derive)


def indexable(entry: Entry | None) -> bool:
    """A regular file small enough to index (larger ones get the engine's size notice)."""
    return within_size(entry)


def indexed(facts: RevisionFacts, select: Callable[[str], bool]) -> list[str]:
    """The paths of the revision an index of ``select``'s files covers."""
    return [p for p, e in facts.snapshot.entries().items() if select(p) and indexable(e)]


def file_facts(facts: RevisionFacts, name: str, path: str, extract: Extractor) -> Any:
    """One file's extraction (cached by blob), without the rest of the index."""
    return _extract_files(facts, name, [path], extract).get(path)


def projection(
    facts: RevisionFacts,
    name: str,
    select: Callable[[str], bool],
    extract: Extractor,
    part: str,
    take: Callable[[Any], Any],
) -> dict[str, Any]:
    """``{path: take(extraction)}`` for the files where that is not empty: one part of an index,
    cached per revision on its own and derived for a head revision from the base's."""

    def taken(extractions: dict[str, Any]) -> dict[str, Any]:
        return {path: value for path, extraction in extractions.items() if (value := take(extraction))}

    def whole(rev: RevisionFacts) -> dict[str, Any]:
        return stored(
            _revision_cache(rev),
            fact_key("idx-part", name, part, rev.snapshot.revision),
            lambda: taken(file_index(rev, name, select, extract)),
        )

    def derive(base: dict[str, Any], head: RevisionFacts) -> dict[str, Any]:
        return _with_change(base, head, select, lambda paths: taken(_extract_files(head, name, paths, extract)))

    return facts.derived(f"part:{name}:{part}", whole, derive)


def _revision_cache(facts: RevisionFacts) -> FactCache | None:
    return facts.cache if cacheable_revision(facts.cache, facts.snapshot.revision) else None


def _with_change(
    base: dict[str, Any],
    head: RevisionFacts,
    select: Callable[[str], bool],
    fresh: Callable[[list[str]], dict[str, Any]],
) -> dict[str, Any]:
    """A per-file mapping of the base revision at ``head``: the files the change touched taken
    out, then ``fresh`` values for those of them ``select`` still covers at head."""
    result = dict(base)
    gone, again = _touched(head, select)
    for path in gone:
        result.pop(path, None)
    result.update(fresh(again))
    return result


def _touched(facts: RevisionFacts, select: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(paths whose base entry the change replaced or removed, paths to extract at this head)."""
    entries = facts.snapshot.entries()
    gone: list[str] = []
    again: list[str] = []
    for item in facts.changes.files if facts.changes is not None else ():
        gone += [path for path in (item.path, item.old_path) if path]
        if item.status is not Status.REMOVED and select(item.path) and indexable(entries.get(item.path)):
            again.append(item.path)
    return gone, again


def _extract_files(facts: RevisionFacts, name: str, paths: list[str], extract: Extractor) -> dict[str, Any]:
    snapshot = facts.snapshot
    entries = snapshot.entries()
    result: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for path in paths:
        entry = entries[path]
        key = fact_key("idx", name, entry.oid, path)
        if entry.oid and facts.cache is not None and (raw := facts.cache.get(key)) is not None:
            result[path] = codec.loads(raw)
        else:
            missing[path] = key
    # One file at a time: a failure is that file's alone (unknown content, an UND004 finding),
    # and the index goes on; a file whose object is not in the clone is left out (unknown).
    for path, data in snapshot.read_many(missing).items():
        failed = True
        with failures.boundary(f"the {name} index", path):
            value = extract(path, data.decode("utf-8", "replace"))
            failed = False
        if failed:
            continue
        result[path] = value
        if facts.cache is not None and entries[path].oid:
            facts.cache.set(missing[path], codec.dumps(value))
    return result
