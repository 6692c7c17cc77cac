"""GitHub's diff entries (``pulls/{n}/files`` items) as ChangedFiles. The App no longer reads
pull requests through the REST API (it fetches them with git: repos.cache); this stays for the
engine's tests of GitHub-shaped input (a patch GitHub omitted or sent unreadable)."""

from __future__ import annotations

from typing import Any

from undertow.analyzers.core.changes import ChangedFile, DiffError, Status, added_lines

_STATUS = {
    "added": Status.ADDED,
    "removed": Status.REMOVED,
    "renamed": Status.RENAMED,
    "modified": Status.MODIFIED,
    "changed": Status.MODIFIED,
    "copied": Status.ADDED,
    "unchanged": Status.MODIFIED,
}


def changed_file(item: dict[str, Any]) -> ChangedFile:
    path, status = item["filename"], _STATUS.get(item.get("status", "modified"), Status.MODIFIED)
    patch = item.get("patch")
    if patch is None:
        # GitHub omits the patch of binary and very large diffs: without it no line is known to
        # be changed, so line-anchored rules stay quiet rather than guess.
        return ChangedFile(
            path,
            status,
            item.get("previous_filename"),
            frozenset(),
            unknown_lines=None if status is Status.REMOVED else "GitHub did not send its diff (binary or too large)",
        )
    try:
        lines = added_lines(patch)
    except DiffError as exc:
        return ChangedFile(
            path,
            status,
            item.get("previous_filename"),
            frozenset(),
            unknown_lines=f"GitHub's diff of it could not be read ({exc})",
        )
    return ChangedFile(path, status, item.get("previous_filename"), lines)
