"""Per-revision indexes built from every file of a kind, cached per blob so that the head side
re-extracts only the files the change touched."""

from __future__ import annotations

import json
from typing import Any, Callable

from analyzers import cache_salt
from analyzers.context import RevisionFacts

MAX_INDEXED_BYTES = 1024 * 1024
Extractor = Callable[[str, str], Any]


def file_index(facts: RevisionFacts, name: str, select: Callable[[str], bool], extract: Extractor) -> dict[str, Any]:
    """``{path: extract(path, text)}`` for every regular file ``select`` accepts.

    Extraction results are stored in the fact cache under the blob id, so a file that did not
    change between base and head (or between two reviews) is read and parsed once.
    """

    def build(snapshot) -> dict[str, Any]:
        result: dict[str, Any] = {}
        missing: dict[str, str] = {}
        for path, entry in snapshot.entries().items():
            if entry.kind != "file" or not select(path):
                continue
            if entry.size is not None and entry.size > MAX_INDEXED_BYTES:
                continue
            key = f"idx:{cache_salt()}:{name}:{entry.oid}:{path}"
            if entry.oid and facts.cache is not None and (raw := facts.cache.get(key)) is not None:
                result[path] = json.loads(raw)
            else:
                missing[path] = key
        for path, data in snapshot.read_many(missing).items():
            value = extract(path, data.decode("utf-8", "replace"))
            result[path] = value
            if facts.cache is not None and snapshot.entries()[path].oid:
                facts.cache.set(missing[path], json.dumps(value).encode())
        return result

    return facts.local(f"index:{name}", build)
