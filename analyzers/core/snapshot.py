"""The read-only view of a repository at one revision that every analyzer works from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Entry:
    """One path of a tree: a regular file, a symlink or a submodule, with its blob id."""

    path: str
    oid: str
    kind: str  # "file", "symlink", "submodule"
    size: int | None = None


class Snapshot(Protocol):
    """A repository at one revision; back-ends: local git, the GitHub API, memory (tests)."""

    @property
    def revision(self) -> str:
        """A stable id for the revision (commit sha, or a marker for a working tree)."""

    def entries(self) -> Mapping[str, Entry]:
        """Every path of the tree (read-only)."""

    def read(self, path: str) -> bytes | None:
        """The bytes of a regular file, or None when the path is absent or not a regular file."""

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        """Several files at once (back-ends batch this); absent paths are left out."""


class MemorySnapshot:
    """A snapshot held in a dict: for tests and for synthetic inputs."""

    def __init__(self, files: dict[str, bytes | str], revision: str = "memory") -> None:
        self._files = {p: c.encode() if isinstance(c, str) else c for p, c in files.items()}
        self._revision = revision
        self.reads = 0

    @property
    def revision(self) -> str:
        return self._revision

    def entries(self) -> dict[str, Entry]:
        return {p: Entry(p, _fake_oid(c), "file", len(c)) for p, c in self._files.items()}

    def read(self, path: str) -> bytes | None:
        self.reads += 1
        return self._files.get(path)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        return {p: c for p in paths if (c := self.read(p)) is not None}


def _fake_oid(content: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
