"""The change set of a pull request: changed files, their status, and the head lines they touch.

Parsing is exact and byte-based: the file list comes from ``git diff --raw -z`` records (names
exactly as stored, statuses as git computed them), the changed lines from the hunks of the same
invocation's patch, paired with the records by order. Names are never read back out of patch
headers, and a hunk is read by its line counts, so a content line may hold anything (``--- x``,
``+++ y``, ``diff --git``, NUL bytes, a carriage return)."""

from __future__ import annotations

import enum
import re
import stat
from dataclasses import dataclass, field


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
    # Why the changed lines are unknown, when they are (the diff could not be had): the engine
    # says so in a notice instead of passing the file's findings for pre-existing ones.
    unknown_lines: str | None = None

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


# -- hunks ----------------------------------------------------------------------------------------

_HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _hunk(lines: list[bytes], i: int, added: set[int]) -> int:
    """Read the hunk whose header is ``lines[i]``; add its head-side ``+`` lines to ``added``;
    return the index of the first line after it. Lines are read by the header's counts, so
    their content never matters."""
    match = _HUNK.match(lines[i])
    if match is None:
        raise DiffError(f"malformed hunk header: {lines[i][:80]!r}")
    old = 1 if match[2] is None else int(match[2])
    new = 1 if match[4] is None else int(match[4])
    number = int(match[3])
    i += 1
    while old > 0 or new > 0:
        if i >= len(lines):
            raise DiffError(f"hunk {lines[i - 1][:40]!r}... ends early: {old} old and {new} new lines missing")
        line = lines[i]
        tag = line[:1]
        if tag == b"+":
            if new == 0:
                raise DiffError("hunk has more added lines than its header says")
            added.add(number)
            number += 1
            new -= 1
        elif tag == b"-":
            if old == 0:
                raise DiffError("hunk has more removed lines than its header says")
            old -= 1
        elif tag in (b" ", b""):  # context; an empty line is a blank context line (diff.suppressBlankEmpty)
            if old == 0 or new == 0:
                raise DiffError("hunk has more context lines than its header says")
            number += 1
            old -= 1
            new -= 1
        elif tag != b"\\":  # "\ No newline at end of file"
            raise DiffError(f"unexpected line in a hunk: {line[:80]!r}")
        i += 1
    while i < len(lines) and lines[i][:1] == b"\\":
        i += 1
    return i


def _split_lines(text: str | bytes) -> list[bytes]:
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    lines = data.split(b"\n")  # only "\n" ends a line for git: never str.splitlines
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def added_lines(patch: str | bytes) -> frozenset[int]:
    """The head lines that one file's hunks add: ``patch`` is hunk text as GitHub's
    ``pulls/{n}/files`` gives it (``@@ -a,b +c,d @@`` and the lines after; no headers)."""
    lines = _split_lines(patch)
    added: set[int] = set()
    i = 0
    while i < len(lines):
        if not lines[i].startswith(b"@@ "):
            raise DiffError(f"expected a hunk header, got {lines[i][:80]!r}")
        i = _hunk(lines, i, added)
    return frozenset(added)


# -- git diff --raw -z -p -----------------------------------------------------------------------

NULL_OID = "0" * 40


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One ``git diff --raw -z`` record: ``:old_mode new_mode old_oid new_oid status``, path(s)."""

    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    status: str  # A, C, D, M, R, T, U, X
    path: str  # the head-side path (for R/C the destination)
    old_path: str | None = None  # for R and C: the source

    @property
    def sections(self) -> int:
        """How many ``diff --git`` sections git's patch has for this record: a change between a
        regular file, a symlink and a submodule is shown as a deletion then a creation; an
        unmerged path as a line of its own."""
        if self.status == "U":
            return 0
        if self.status == "T" and _file_type(self.old_mode) != _file_type(self.new_mode):
            return 2
        return 1


def _file_type(mode: str) -> int:
    return stat.S_IFMT(int(mode, 8))


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def parse_raw(data: bytes, end: int | None = None) -> tuple[list[RawRecord], int]:
    """The records at the start of ``git diff --raw -z`` output, and the offset after them
    (where ``-p`` output begins, past the NUL that separates it)."""
    try:
        return _parse_raw(data, len(data) if end is None else end)
    except ValueError as exc:  # a record cut short: no NUL where one must be
        raise DiffError(f"malformed raw diff output: {exc}") from None


def _parse_raw(data: bytes, end: int) -> tuple[list[RawRecord], int]:
    records: list[RawRecord] = []
    pos = 0
    while pos < end and data[pos : pos + 1] == b":":
        meta_end = data.index(b"\0", pos)
        fields = data[pos + 1 : meta_end].split(b" ")
        if len(fields) != 5:
            raise DiffError(f"malformed raw diff record: {data[pos:meta_end][:120]!r}")
        old_mode, new_mode, old_oid, new_oid, status = (f.decode("ascii") for f in fields)
        letter = status[:1]
        path_end = data.index(b"\0", meta_end + 1)
        first = _decode(data[meta_end + 1 : path_end])
        pos = path_end + 1
        if letter in ("R", "C"):
            second_end = data.index(b"\0", pos)
            second = _decode(data[pos:second_end])
            pos = second_end + 1
            records.append(RawRecord(old_mode, new_mode, old_oid, new_oid, letter, second, first))
        else:
            records.append(RawRecord(old_mode, new_mode, old_oid, new_oid, letter, first))
    if pos < end and data[pos : pos + 1] == b"\0":
        pos += 1
    return records, pos


@dataclass(slots=True)
class Section:
    """One ``diff --git`` section of a patch: what its extended headers say, and the head lines
    its hunks add."""

    new_file: bool = False
    deleted_file: bool = False
    rename: bool = False
    copy: bool = False
    index: tuple[str, str] | None = None  # (old oid, new oid) from the "index" line
    added: set[int] = field(default_factory=set)


def parse_patch(data: bytes) -> list[Section]:
    """The sections of ``git diff -p`` output, in order."""
    lines = _split_lines(data)
    sections: list[Section] = []
    current: Section | None = None
    in_header = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(b"diff --git "):
            current = Section()
            sections.append(current)
            in_header = True
            i += 1
        elif line.startswith(b"@@ ") and current is not None:
            in_header = False
            i = _hunk(lines, i, current.added)
        elif in_header and current is not None:
            if line.startswith(b"new file mode "):
                current.new_file = True
            elif line.startswith(b"deleted file mode "):
                current.deleted_file = True
            elif line.startswith(b"rename from "):
                current.rename = True
            elif line.startswith(b"copy from "):
                current.copy = True
            elif line.startswith(b"index "):
                old, _, new = line[6:].split(b" ")[0].partition(b"..")
                current.index = (old.decode("ascii", "replace"), new.decode("ascii", "replace"))
            i += 1
        else:
            # Outside a section's headers and hunks: "* Unmerged path <name>" and the like.
            if line.startswith(b"@@ ") or line[:1] in (b"+", b"-", b" "):
                raise DiffError(f"diff line outside a hunk: {line[:80]!r}")
            i += 1
    return sections


def pair_sections(records: list[RawRecord], sections: list[Section]) -> list[list[Section]]:
    """Each record's sections: git writes one section per file pair (two for a change of file
    type) in the order of its raw records. Checked against what each section's headers say, so
    a mismatch is an error, never a file reviewed with another file's lines."""
    grouped: list[list[Section]] = []
    pos = 0
    for record in records:
        mine = sections[pos : pos + record.sections]
        pos += record.sections
        if len(mine) != record.sections or not _consistent(record, mine):
            raise DiffError(f"git diff's patch does not match its file list at {record.path!r}")
        grouped.append(mine)
    if pos != len(sections):
        raise DiffError(f"git diff's patch has {len(sections) - pos} more sections than its file list")
    return grouped


def _consistent(record: RawRecord, sections: list[Section]) -> bool:
    if record.sections == 2:
        gone, made = sections
        return (
            gone.deleted_file
            and made.new_file
            and _oids_match(record.old_oid, NULL_OID, gone)
            and _oids_match(NULL_OID, record.new_oid, made)
        )
    if record.sections == 0:
        return True
    (section,) = sections
    expected = {
        "A": (True, False, False, False),
        "D": (False, True, False, False),
        "R": (False, False, True, False),
        "C": (False, False, False, True),
    }.get(record.status, (False, False, False, False))
    shape = (section.new_file, section.deleted_file, section.rename, section.copy)
    return shape == expected and _oids_match(record.old_oid, record.new_oid, section)


def _oids_match(old: str, new: str, section: Section) -> bool:
    """The section's ``index`` line (full oids, ``--full-index``) names the record's blobs; a
    zero oid (a working-tree file git did not hash for the raw record) matches anything."""
    if section.index is None:
        return True
    index_old, index_new = section.index
    return (old == NULL_OID or index_old == old) and (new == NULL_OID or index_new == new)


_STATUS = {"A": Status.ADDED, "C": Status.ADDED, "D": Status.REMOVED, "R": Status.RENAMED}


def changed_file(
    record: RawRecord,
    sections: list[Section],
    *,
    binary: bool = False,
    lines: frozenset[int] | None = None,
    unknown_lines: str | None = None,
) -> ChangedFile:
    """The ChangedFile of a raw record: its status from the record (A/C/D/M/R/T/U), its lines
    from its sections' hunks unless given (a copy's hunks are edits of the source, not of an
    empty file, so the caller passes all its lines)."""
    status = _STATUS.get(record.status, Status.MODIFIED)
    if lines is None:
        lines = frozenset(n for s in sections for n in s.added) if status is not Status.REMOVED else frozenset()
    old_path = record.old_path if record.status == "R" else None
    return ChangedFile(
        record.path,
        status,
        old_path,
        lines,
        binary and status is not Status.REMOVED,
        unknown_lines if status is not Status.REMOVED else None,
    )


def line_count(data: bytes) -> int:
    """Lines in the sense of git: ``\\n``-terminated, plus an unterminated last one."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


BINARY_PROBE = 8000  # git's own rule: a NUL byte in the first 8000 bytes makes a file binary


def looks_binary(prefix: bytes) -> bool:
    return b"\0" in prefix[:BINARY_PROBE]
