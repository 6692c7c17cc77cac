"""The change set of a pull request: changed files, their status, and the head lines they touch."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError


class Status(enum.Enum):
    ADDED = "added"
    MODIFIED = "modified"
    REMOVED = "removed"
    RENAMED = "renamed"


@dataclass(frozen=True, slots=True)
class ChangedFile:
    path: str
    status: Status
    old_path: str | None = None
    # 1-based head-side lines that the change adds or modifies.
    lines: frozenset[int] = field(default_factory=frozenset)
    binary: bool = False

    def touches(self, lines: range) -> bool:
        return any(n in self.lines for n in lines)


class ChangeSet:
    def __init__(self, files: tuple[ChangedFile, ...] | list[ChangedFile]) -> None:
        self.files = tuple(files)
        self._by_path = {f.path: f for f in self.files}

    def get(self, path: str) -> ChangedFile | None:
        return self._by_path.get(path)

    @property
    def present(self) -> list[ChangedFile]:
        """Files that exist at head (everything but removals)."""
        return [f for f in self.files if f.status is not Status.REMOVED]

    def __len__(self) -> int:
        return len(self.files)


class DiffError(ValueError):
    pass


def parse_unified_diff(text: str) -> ChangeSet:
    """Parse ``git diff -M`` output (any context size) into a change set."""
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        raise DiffError(f"could not parse the diff: {exc}") from exc
    files = []
    for pf in patch:
        path = _strip_prefix(pf.target_file) if not pf.is_removed_file else _strip_prefix(pf.source_file)
        if pf.is_added_file:
            status = Status.ADDED
        elif pf.is_removed_file:
            status = Status.REMOVED
        elif pf.is_rename:
            status = Status.RENAMED
        else:
            status = Status.MODIFIED
        lines = frozenset(
            line.target_line_no for hunk in pf for line in hunk if line.is_added and line.target_line_no
        )
        files.append(
            ChangedFile(
                path=path,
                status=status,
                old_path=_strip_prefix(pf.source_file) if status is Status.RENAMED else None,
                lines=lines,
                binary=pf.is_binary_file,
            )
        )
    return ChangeSet(tuple(files))


def _strip_prefix(name: str) -> str:
    if name.startswith(("a/", "b/")):
        return name[2:]
    return name
