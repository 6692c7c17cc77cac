"""Per-revision indexes built from every file of a kind.

Three levels keep the work proportional to the change: a head revision's index is the base
revision's index with only the changed files re-extracted; a whole revision's index is cached
under its revision id; and each file's extraction is cached under its blob id.

Most questions need one part of every file's facts (every Redis key pushed, every route), or
all of one file's facts: ``projection`` and ``file_facts`` answer those without decoding the
whole index, which is what keeps a warm review of a large repository close to a small one's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from undertow.analyzers import cache_salt
from undertow.analyzers.core import failures
from undertow.analyzers.core.changes import Status
from undertow.analyzers.core.limits import MAX_FILE_BYTES, within_size
from undertow.analyzers.core.snapshot import Entry
from undertow.analyzers.facts import codec
from undertow.analyzers.facts.context import UNCACHEABLE_REVISIONS, RevisionFacts

MAX_INDEXED_BYTES = MAX_FILE_BYTES
Extractor = Callable[[str, str], Any]


def file_index(facts: RevisionFacts, name: str, select: Callable[[str], bool], extract: Extractor) -> dict[str, Any]:
    """``{path: extract(path, text)}`` for every regular file ``select`` accepts."""

    def build(snapshot) -> dict[str, Any]:
        if facts.base is not None and facts.changes is not None:
            return _derived(facts, name, select, extract)
        key = f"idx-rev:{cache_salt()}:{name}:{snapshot.revision}"
        cacheable = facts.cache is not None and snapshot.revision not in UNCACHEABLE_REVISIONS
        if cacheable and (raw := facts.cache.get(key)) is not None:
            return codec.loads(raw)
        failed_before = failures.failure_count()
        result = _extract_files(facts, name, indexed(facts, select), extract)
        if cacheable and failures.failure_count() == failed_before:
            facts.cache.set(key, codec.dumps(result))
        return result

    return facts.local(f"index:{name}", build)


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

    def build(snapshot) -> dict[str, Any]:
        if facts.base is not None and facts.changes is not None:
            result = dict(projection(facts.base, name, select, extract, part, take))
            gone, again = _touched(facts, select)
            for path in gone:
                result.pop(path, None)
            for path, value in _extract_files(facts, name, again, extract).items():
                if taken := take(value):
                    result[path] = taken
            return result
        key = f"idx-part:{cache_salt()}:{name}:{part}:{snapshot.revision}"
        cacheable = facts.cache is not None and snapshot.revision not in UNCACHEABLE_REVISIONS
        if cacheable and (raw := facts.cache.get(key)) is not None:
            return codec.loads(raw)
        failed_before = failures.failure_count()
        result = {
            path: taken for path, value in file_index(facts, name, select, extract).items() if (taken := take(value))
        }
        if cacheable and failures.failure_count() == failed_before:
            facts.cache.set(key, codec.dumps(result))
        return result

    return facts.local(f"part:{name}:{part}", build)


def _derived(facts: RevisionFacts, name: str, select, extract: Extractor) -> dict[str, Any]:
    """The base revision's index, with the files the change touched taken out or re-extracted."""
    result = dict(file_index(facts.base, name, select, extract))
    gone, again = _touched(facts, select)
    for path in gone:
        result.pop(path, None)
    result.update(_extract_files(facts, name, again, extract))
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
        key = f"idx:{cache_salt()}:{name}:{entry.oid}:{path}"
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
