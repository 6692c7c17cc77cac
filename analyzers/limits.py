"""Limits on repository-controlled input: a pull request is hostile input, and every input kind
is bounded before it is parsed, so that no file, line or document costs more than its share."""

from __future__ import annotations

from analyzers.snapshot import Entry

# Any file a rule reads (source, manifest, migration, compose, docs). Judged from the size in
# the tree listing, before the blob is read.
MAX_FILE_BYTES = 1024 * 1024
# One line of a line-oriented format (requirements, Dockerfile, shell, .env): longer lines are
# not matched by any pattern (a line-level notice where the engine reports one).
MAX_LINE_CHARS = 16 * 1024
# Nesting of a structured document (YAML, TOML, JSON) or expression handed to a recursive parser.
MAX_DEPTH = 100


def within_size(entry: Entry | None) -> bool:
    """A regular file small enough to read (an unknown size is read: only git knows it)."""
    return entry is not None and entry.kind == "file" and (entry.size or 0) <= MAX_FILE_BYTES


def too_large(path: str, size: int) -> str:
    return f"skipped {path}: it is {size / 1024 / 1024:.1f} MiB, over the {MAX_FILE_BYTES // 1024 // 1024} MiB limit per file"
