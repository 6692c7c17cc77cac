"""Local git access: revisions, diffs, and snapshots read through one `git cat-file --batch`.

Every git command is told to show the bytes: the user's and the system's git config, the
system and user attributes files, textconv and external diff drivers, `binary`/`-diff`
attributes (``--text``), replace refs and lazy fetches of a partial clone are all turned off, so
what is reviewed is what the commits hold, whatever the machine or the repository says."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from undertow.analyzers.core.changes import (
    BINARY_PROBE,
    NULL_OID,
    ChangedFile,
    ChangeSet,
    DiffError,
    RawRecord,
    Section,
    Status,
    changed_file,
    line_count,
    looks_binary,
    pair_sections,
    parse_patch,
    parse_raw,
)
from undertow.analyzers.core.errors import UserError
from undertow.analyzers.core.limits import MAX_FILE_BYTES
from undertow.analyzers.core.snapshot import Entry
from undertow.analyzers.facts import codec
from undertow.analyzers.facts.codec import DecodedMapping
from undertow.analyzers.facts.context import FactCache, fact_key

WORKTREE = "WORKTREE"  # --head: the working tree (tracked changes and untracked, not ignored files)
INDEX = "INDEX"  # --head: the staged change, what `git commit` would commit (GitRepo.index_tree)
UPSTREAM = "UPSTREAM"  # --base: the current branch's upstream, else the default base (GitRepo.base_ref)
GIT_TIMEOUT = 300  # seconds; a git command on a local repository that takes longer is stuck

# Config that the repository's own .git/config could set and that changes what git prints; the
# user's and the system's config are not read at all (see _git_env).
_CONFIG = (
    "core.quotePath=false",
    "core.attributesFile=/dev/null",
    "core.fsmonitor=false",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "diff.suppressBlankEmpty=false",
    "diff.autoRefreshIndex=true",
    "diff.renames=true",
    "diff.interHunkContext=0",
    "diff.algorithm=default",
    "diff.indentHeuristic=true",
    "diff.submodule=short",
    "diff.ignoreSubmodules=none",
    "color.ui=false",
    "color.diff=false",
)

# `git diff --raw -p -z` of one pair of revisions: exact names and statuses (raw records), and
# the changed lines of each (patch sections, in the same order), from one invocation.
_DIFF = (
    "diff",
    "--raw",
    "-p",
    "-z",
    "--no-abbrev",
    "--full-index",
    "-U0",
    "--inter-hunk-context=0",
    "--text",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--submodule=short",
    "--ignore-submodules=none",
    "-O/dev/null",
    "--diff-algorithm=default",
)
_RAW = (
    "diff",
    "--raw",
    "-z",
    "--no-abbrev",
    "--no-ext-diff",
    "--no-relative",
    "--ignore-submodules=none",
    "-O/dev/null",
)
_PATHS_PER_DIFF = 500  # pathspecs per command when a diff is redone for part of the files

# Environment variables that change what git prints or which config it reads.
_DROPPED_ENV = {
    "GIT_DIFF_OPTS",
    "GIT_EXTERNAL_DIFF",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG",
    "GIT_CONFIG_SYSTEM",
    "GIT_ATTR_SOURCE",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
    "GIT_DIFF_PATH_COUNTER",
    "GIT_DIFF_PATH_TOTAL",
    "GIT_PAGER",
    "GIT_REPLACE_REF_BASE",
}


class GitError(UserError, RuntimeError):
    """A repository problem reported to the user in one line (exit status 2)."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


class GitRepo:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise GitError(f"{self.path}: no such directory")
        self._trusted: tuple[str, ...] = ()
        self._batch: _CatFile | None = None
        self._check: _CatFile | None = None
        self._present: dict[str, bool] = {}
        self._promisor: bool | None = None
        self._absent: set[str] = set()  # of a partial clone: blobs of the revisions in _learned it lacks
        self._learned: set[str] = set()
        try:
            self.git_dir = self._run("rev-parse", "--git-dir").strip()
        except GitError as exc:
            if "dubious ownership" not in exc.stderr:
                raise GitError(f"{self.path} is not a git repository") from None
            # Whether a checkout owned by another user is safe is the user's decision, made in
            # their own config (CI does this): that one key is passed on, the rest stays unread.
            self._trusted = _user_safe_directories()
            try:
                self.git_dir = self._run("rev-parse", "--git-dir").strip()
            except GitError as again:
                raise GitError(f"{self.path}: {_first_fatal(again.stderr) or again}") from None

    # -- plumbing -----------------------------------------------------------------------------

    def command(self, *args: str) -> list[str]:
        """The argv of a git command on this repository, with the config that shows the bytes."""
        config = [opt for item in (*_CONFIG, *(f"safe.directory={d}" for d in self._trusted)) for opt in ("-c", item)]
        return ["git", *config, "-C", str(self.path), *args]

    def _run(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        return self._run_bytes(*args, input=input, env=env).decode("utf-8", "surrogateescape")

    def _run_bytes(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
        try:
            proc = subprocess.run(
                self.command(*args),
                input=input,
                capture_output=True,
                timeout=GIT_TIMEOUT,
                env={**_git_env(), **(env or {})},
            )
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
        if proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace")
            message = stderr.strip().splitlines()
            raise GitError(message[-1] if message else f"git {args[0]} failed", stderr)
        return proc.stdout

    def close(self) -> None:
        for process in (self._batch, self._check):
            if process is not None:
                process.close()
        self._batch = self._check = None

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- revisions ----------------------------------------------------------------------------

    def resolve(self, rev: str) -> str:
        try:
            return self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip()
        except GitError:
            raise GitError(f"unknown revision {rev!r} in {self.path}") from None

    def merge_base(self, a: str, b: str, *more: str) -> str:
        """The best common ancestor of ``a`` and ``b`` (with ``more``: of ``a`` and a merge of
        ``b`` and ``more``, as `git merge-base` computes it)."""
        try:
            return self._run("merge-base", a, b, *more).strip()
        except GitError:
            message = f"{a[:12]} and {b[:12]} have no common ancestor"
            try:
                shallow = self._run("rev-parse", "--is-shallow-repository").strip() == "true"
            except GitError:
                shallow = False
            if shallow:
                # The usual cause in CI: a depth-1 checkout has no history to meet in.
                message += (
                    "; this clone is shallow: fetch more history (git fetch --deepen=<commits>, or "
                    "git fetch --unshallow) or use Undertow's GitHub Action, which fetches what it needs"
                )
            raise GitError(message) from None

    def default_base(self) -> str:
        """The remote default branch (origin/HEAD), else main or master."""
        for candidate in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
            try:
                return self.resolve(candidate)
            except GitError:
                continue
        raise GitError("no base revision: pass --base (no origin/HEAD, main or master here)")

    def upstream(self) -> str | None:
        """The commit of the current branch's upstream (``@{upstream}``); None when HEAD is
        detached, the branch tracks nothing, or its remote-tracking branch is gone."""
        try:
            return self.resolve("@{upstream}")
        except GitError:
            return None

    def base_ref(self, rev: str | None) -> str:
        """The commit ``--base`` names: ``rev``; UPSTREAM, the current branch's upstream when it
        has one, else the default base; None, the default base (never the upstream: a branch
        pushed with ``-u`` tracks its own remote copy, and the review would lose what it has
        already pushed)."""
        if rev is None:
            return self.default_base()
        if rev == UPSTREAM:
            return self.upstream() or self.default_base()
        return self.resolve(rev)

    def head_commit(self) -> str | None:
        """The commit HEAD points at; None in a repository (or on an orphan branch) with no commit yet."""
        try:
            return self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip()
        except GitError:
            return None

    def merging(self) -> list[str]:
        """The commits a merge in progress brings in (``MERGE_HEAD``): with HEAD, the parents of
        the commit that concludes it."""
        path = self.path / self._run("rev-parse", "--git-path", "MERGE_HEAD").strip()
        try:
            return path.read_text().split()
        except OSError:
            return []

    def index_tree(self) -> str:
        """The index as a tree object: what ``git commit`` would commit (intent-to-add entries,
        ``git add -N``, are not part of it). The tree is written by ``git write-tree`` into the
        object store (the staged blobs are there already) from a copy of the index, so that the
        repository's index is neither locked nor rewritten: a scan works while another git
        command holds ``index.lock``, and in a pre-commit hook it reads the index the commit is
        made from (``GIT_INDEX_FILE``, which git sets for its hooks)."""
        if self._run("rev-parse", "--is-bare-repository").strip() == "true":
            raise GitError(f"--head {INDEX}: {self.path} is a bare repository, which has no index")
        index = self.path / self._run("rev-parse", "--git-path", "index").strip()
        with tempfile.TemporaryDirectory(prefix="undertow-index-") as tmp:
            copy = Path(tmp) / "index"
            try:
                shutil.copyfile(index, copy)
            except FileNotFoundError:
                pass  # nothing was ever staged: the index is empty (and write-tree gives the empty tree)
            except OSError as exc:
                raise GitError(f"cannot read the index {index}: {exc.strerror}") from None
            # Without a split index, the copy is written whole (never a shared index in .git).
            env = {"GIT_INDEX_FILE": str(copy)}
            try:
                return self._run("-c", "core.splitIndex=false", "write-tree", env=env).strip()
            except GitError as exc:
                out = self._run_bytes("ls-files", "--unmerged", "-z", env=env)
                unmerged = sorted(
                    {r.partition(b"\t")[2].decode("utf-8", "surrogateescape") for r in out.split(b"\0") if r}
                )
                if not unmerged:
                    raise GitError(f"--head {INDEX}: git write-tree failed: {exc}", exc.stderr) from None
                shown = ", ".join(unmerged[:5]) + (f" and {len(unmerged) - 5} more" if len(unmerged) > 5 else "")
                raise GitError(
                    f"--head {INDEX}: the index has unmerged paths ({shown}): resolve the conflict and "
                    "`git add` them first, there is no staged change to review until then"
                ) from None

    # -- diffs --------------------------------------------------------------------------------

    def changes(self, base: str, head: str) -> ChangeSet:
        """The diff ``base..head`` (the caller passes the merge base, for GitHub's three-dot
        diff); ``head`` may be WORKTREE (tracked changes against ``base`` plus untracked, not
        ignored files), INDEX (the staged change: the diff to the index's tree, see
        ``index_tree``) or a tree id.

        The files and statuses are git's raw records, the lines the hunks of the same command.
        When that command fails (a blob missing from this clone), the lines are computed again
        for the files whose blobs are here; a file whose blob is missing gets no lines, and
        ``GitSnapshot.missing`` says so."""
        if head == INDEX:
            head = self.index_tree()
        worktree = head == WORKTREE
        revs = (base,) if worktree else (base, head)
        self.learn_objects(*revs)
        try:
            records, _ = parse_raw(self._run_bytes(*_RAW, "-M", *revs, "--"))
            large = self._over_size(records, worktree)
        except (GitError, DiffError):
            records, large = [], set()
        try:
            if large:
                # A file over the size limit is skipped by the review (UND003): its hunks, which
                # --text would print in full (50 MB of "+" lines), are never asked for.
                grouped = self._sections_except(revs, records, large)
            else:
                out = self._run_bytes(*_DIFF, "-M", *revs, "--")
                records, offset = parse_raw(out)
                grouped = list(pair_sections(records, parse_patch(out[offset:])))
        except (GitError, DiffError):
            records, grouped = self._changes_of_present_files(revs)
        self.present_objects(oid for record in records for oid in _blobs(record))  # one command for all
        files = [
            self._changed_file(record, sections, worktree) for record, sections in zip(records, grouped, strict=True)
        ]
        if worktree:
            files += self._untracked()
        return ChangeSet(files)

    def _over_size(self, records: list[RawRecord], worktree: bool) -> set[int]:
        """Indices of the records whose old or new blob is over the per-file size limit."""
        oids = {oid for r in records for oid in (r.old_oid, r.new_oid) if oid != NULL_OID}
        sizes = self._blob_sizes(self.present_objects(oids))
        large = set()
        for i, record in enumerate(records):
            size = max(sizes.get(record.old_oid, 0), sizes.get(record.new_oid, 0))
            if worktree and record.new_oid == NULL_OID and record.new_mode != "000000":
                try:
                    size = max(size, (self.path / record.path).lstat().st_size)
                except OSError:
                    pass
            if size > MAX_FILE_BYTES:
                large.add(i)
        return large

    def _blob_sizes(self, oids: Iterable[str]) -> dict[str, int]:
        wanted = sorted(oids)
        if not wanted:
            return {}
        out = self._run_bytes(
            "cat-file", "--batch-check=%(objectname) %(objectsize)", input="\n".join(wanted).encode() + b"\n"
        )
        return {
            oid.decode(): int(size)
            for oid, _, size in (line.partition(b" ") for line in out.splitlines())
            if size.isdigit()
        }

    def _sections_except(
        self, revs: tuple[str, ...], records: list[RawRecord], large: set[int]
    ) -> list[list[Section] | None]:
        grouped: list[list[Section] | None] = [[] if i in large else None for i in range(len(records))]
        wanted = [i for i in range(len(records)) if i not in large]
        for start in range(0, len(wanted), _PATHS_PER_DIFF):
            chunk = wanted[start : start + _PATHS_PER_DIFF]
            for i, sections in zip(chunk, self._sections_of(revs, "-M", [records[i] for i in chunk]), strict=True):
                grouped[i] = sections
        return grouped

    def _changes_of_present_files(self, revs: tuple[str, ...]) -> tuple[list[RawRecord], list[list[Section] | None]]:
        try:
            records, _ = parse_raw(self._run_bytes(*_RAW, "-M", *revs, "--"))
            renames = "-M"
        except (GitError, DiffError):
            # Inexact rename detection reads blobs: without it a rename is a removal and an addition.
            records, _ = parse_raw(self._run_bytes(*_RAW, "--no-renames", *revs, "--"))
            renames = "--no-renames"
        here = self.present_objects(oid for r in records for oid in _blobs(r))
        grouped: list[list[Section] | None] = [None] * len(records)
        wanted = [i for i, r in enumerate(records) if all(oid in here for oid in _blobs(r))]
        for start in range(0, len(wanted), _PATHS_PER_DIFF):
            chunk = wanted[start : start + _PATHS_PER_DIFF]
            for i, sections in zip(chunk, self._sections_of(revs, renames, [records[i] for i in chunk]), strict=True):
                grouped[i] = sections
        return records, grouped

    def _sections_of(self, revs: tuple[str, ...], renames: str, records: list[RawRecord]) -> list[list[Section] | None]:
        """The patch sections of these records, by a diff limited to their paths; halved until
        what fails is one record (None)."""
        paths = list(dict.fromkeys(p for r in records for p in (r.old_path, r.path) if p))
        try:
            out = self._run_bytes(*_DIFF, renames, *revs, "--", *paths)
            found, offset = parse_raw(out)
            grouped = pair_sections(found, parse_patch(out[offset:]))
        except (GitError, DiffError):
            if len(records) == 1:
                return [None]
            middle = len(records) // 2
            return self._sections_of(revs, renames, records[:middle]) + self._sections_of(
                revs, renames, records[middle:]
            )
        by_key = {(r.status, r.old_path, r.path): sections for r, sections in zip(found, grouped, strict=True)}
        return [by_key.get((r.status, r.old_path, r.path)) for r in records]

    def _changed_file(self, record: RawRecord, sections: list[Section] | None, worktree: bool) -> ChangedFile:
        missing = [oid for oid in _blobs(record) if not self.has_object(oid)]
        if record.new_oid in missing:
            return changed_file(record, [])  # no lines known: the head's GitSnapshot.missing(path) says why (UND003)
        binary = False
        if record.new_mode in ("100644", "100755"):
            prefix = self._head_prefix(record, worktree)
            binary = prefix is not None and looks_binary(prefix)
        if sections is None and missing:
            return changed_file(
                record,
                [],
                binary=binary,
                unknown_lines="the base revision's version of it is not in this clone, so git could not diff it",
            )
        if record.status in ("C", "U") or sections is None:
            # A copy's hunks are edits of its source and an unmerged path has none; a file whose
            # hunks git could not give although its blobs are here counts as new in every line.
            return changed_file(
                record, [], binary=binary, lines=frozenset(range(1, self._head_lines(record, worktree) + 1))
            )
        return changed_file(record, sections, binary=binary)

    def _head_prefix(self, record: RawRecord, worktree: bool) -> bytes | None:
        if worktree:
            try:
                with open(self.path / record.path, "rb") as handle:
                    return handle.read(BINARY_PROBE)
            except OSError:
                return None
        return self.batch().read_prefix(record.new_oid, BINARY_PROBE)

    def _head_lines(self, record: RawRecord, worktree: bool) -> int:
        if record.new_mode == "000000":
            return 0
        if _is_gitlink(record.new_mode) or record.new_mode == "120000":
            return 1  # "Subproject commit <sha>", or a symlink's target
        if worktree:
            return _file_lines(self.path / record.path)
        data = self.batch().read(record.new_oid)
        return line_count(data) if data is not None else 0

    def _untracked(self) -> list[ChangedFile]:
        out = self._run_bytes("ls-files", "--others", "--exclude-standard", "-z")
        files = []
        for raw in filter(None, out.split(b"\0")):
            path = raw.decode("utf-8", "surrogateescape")
            full = self.path / path
            binary = False
            if full.is_symlink() or not full.is_file():
                count = 1  # a symlink's target, or a nested repository's "Subproject commit" line
            else:
                count = _file_lines(full)
                try:
                    with open(full, "rb") as handle:
                        binary = looks_binary(handle.read(BINARY_PROBE))
                except OSError:
                    pass
            files.append(ChangedFile(path, Status.ADDED, lines=frozenset(range(1, count + 1)), binary=binary))
        return files

    # -- objects ------------------------------------------------------------------------------

    def partial(self) -> bool:
        """Whether this is a partial clone (a promisor remote): git would fetch a blob it lacks
        on demand, and with fetching turned off (see _git_env) it dies instead of saying the blob
        is missing, so what it lacks is listed first (``learn_objects``) and never asked for."""
        if self._promisor is None:
            try:
                out = self._run_bytes(
                    "config", "-z", "--get-regexp", r"^(remote\..+\.promisor|extensions\.partialclone)$"
                )
            except GitError:
                out = b""  # none set
            values = [item.partition(b"\n")[::2] for item in out.split(b"\0") if item]
            self._promisor = any(
                bool(value) if key.startswith(b"extensions.") else value.lower() in (b"true", b"yes", b"on", b"1")
                for key, value in values
            )
        return self._promisor

    def learn_objects(self, *revs: str) -> None:
        """In a partial clone, note which blobs of these commits' trees are not here, with the
        one command that lists them without fetching them."""
        wanted = [rev for rev in revs if rev not in self._learned and rev != WORKTREE]
        if not wanted or not self.partial():
            return
        out = self._run_bytes(
            "rev-list", "--objects", "--no-object-names", "--no-walk", "--missing=print", *wanted, "--"
        )
        self._absent.update(line[1:].decode() for line in out.splitlines() if line.startswith(b"?"))
        self._learned.update(wanted)

    def has_object(self, oid: str) -> bool:
        """Whether this clone's object store holds ``oid`` (a partial clone or a mirror without
        large files may not). Nothing is fetched."""
        if self.partial():
            return oid not in self._absent
        known = self._present.get(oid)
        if known is None:
            if self._check is None:
                self._check = _CatFile(self, check=True)
            known = self._present[oid] = self._check.info(oid) is not None
        return known

    def present_objects(self, oids: Iterable[str]) -> set[str]:
        """Those of ``oids`` that the object store holds, asked in one command."""
        oids = set(oids)
        if self.partial():
            return oids - self._absent
        unknown = sorted(o for o in oids if o not in self._present)
        if unknown:
            out = self._run_bytes(
                "cat-file", "--batch-check=%(objectname) %(objecttype)", input="\n".join(unknown).encode() + b"\n"
            )
            listed = dict(line.split(b" ", 1) for line in out.splitlines() if b" " in line)
            for oid in unknown:
                self._present[oid] = listed.get(oid.encode(), b"missing") not in (b"missing", b"ambiguous")
        return {o for o in oids if self._present[o]}

    # -- snapshots ----------------------------------------------------------------------------

    def snapshot(
        self, rev: str, cache: FactCache | None = None, base: GitSnapshot | None = None
    ) -> GitSnapshot | WorktreeSnapshot:
        """The tree at ``rev``; with a cache, a commit's listing is kept under its sha. Given the
        ``base`` it is reviewed against, the listing is the base's plus what differs. WORKTREE
        is the working tree; INDEX is the index's tree (``index_tree``): a snapshot of a tree
        id, read from the object store like a commit's (the staged blobs, not the files), and
        cached under the tree id, which names its content as a commit id does."""
        if rev == WORKTREE:
            return WorktreeSnapshot(self)
        if rev == INDEX:
            rev = self.index_tree()
        return GitSnapshot(self, rev, cache, base)

    def batch(self) -> _CatFile:
        if self._batch is None:
            self._batch = _CatFile(self)
        return self._batch

    def tree(self, commit: str, cache: FactCache | None = None) -> Listing:
        key = fact_key("tree", commit)
        if cache is not None and (raw := cache.get(key)) is not None:
            return Listing(codec.loads(raw))
        listing = self._list_tree(commit)
        if cache is not None:
            cache.set(key, codec.dumps(listing.raw))
        return listing

    def tree_delta(self, base: str, head: str) -> list[list]:
        """``[path, oid, kind, size]`` for each path whose entry differs from ``base`` to
        ``head``; oid None for a path ``head`` no longer has; size None for a blob this clone
        does not hold."""
        out = self._run_bytes("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", "--no-abbrev", base, head)
        fields = out.split(b"\0")
        changed: list[tuple[str, bytes, bytes]] = []
        for meta, raw_path in zip(fields[0::2], fields[1::2], strict=False):  # a trailing NUL ends the output
            _old_mode, new_mode, _old_oid, new_oid, _status = meta.lstrip(b":").split()
            changed.append((raw_path.decode("utf-8", "surrogateescape"), new_mode, new_oid))
        self.learn_objects(head)
        sizes = self._sizes(oid for _p, mode, oid in changed if mode not in (b"000000", b"160000"))
        delta: list[list] = []
        for path, mode, oid in changed:
            if mode == b"000000":
                delta.append([path, None, None, None])
            else:
                delta.append([path, oid.decode(), _kind(mode), sizes.get(oid)])
        return delta

    def _sizes(self, oids: Iterable[bytes]) -> dict[bytes, int]:
        """The sizes of those blobs this clone holds, from one ``cat-file --batch-check``."""
        wanted = [oid for oid in oids if oid.decode() not in self._absent]
        sizes: dict[bytes, int] = {}
        if wanted:
            listing = self._run_bytes(
                "cat-file", "--batch-check=%(objectname) %(objectsize)", input=b"\n".join(wanted) + b"\n"
            )
            for line in listing.splitlines():
                oid, _, size = line.partition(b" ")
                if size.isdigit():  # "<oid> missing" for a blob this clone lacks
                    sizes[oid] = int(size)
        return sizes

    def _list_tree(self, commit: str) -> Listing:
        self.learn_objects(commit)
        if self.partial():
            # ls-tree --long would ask for (fetch, or die on) each missing blob's size.
            out = self._run_bytes("ls-tree", "-r", "-z", "--full-tree", commit)
            entries = [(meta.split(), path) for meta, _, path in (r.partition(b"\t") for r in out.split(b"\0") if r)]
            sizes = self._sizes(fields[2] for fields, _path in entries if fields[1] == b"blob")
            return Listing(
                {
                    path.decode("utf-8", "surrogateescape"): [oid.decode(), _kind(mode), sizes.get(oid)]
                    for (mode, _type, oid), path in entries
                }
            )
        out = self._run_bytes("ls-tree", "-r", "-z", "--long", "--full-tree", commit)
        raw: dict[str, list] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, _type, oid, size = meta.split()
            # The size is "-" for a submodule and "BAD" for a blob this clone does not hold.
            raw[raw_path.decode("utf-8", "surrogateescape")] = [
                oid.decode(),
                _kind(mode),
                int(size) if size.isdigit() else None,
            ]
        return Listing(raw)


class Listing(DecodedMapping[Entry]):
    """A commit's paths (``raw``: path -> [oid, kind, size]), each entry built when first asked
    for: most reviews look up a few paths, and building thousands of entries cost more than
    listing them."""

    def _build(self, path: str, raw: list) -> Entry:
        oid, kind, size = raw
        return Entry(path, oid, kind, size)


def _kind(mode: bytes) -> str:
    return {b"120000": "symlink", b"160000": "submodule"}.get(mode, "file")


def _is_gitlink(mode: str) -> bool:
    return mode == "160000"


def _blobs(record: RawRecord) -> list[str]:
    """The blob ids a record's diff reads from the object store (not a submodule's commit, not
    the zero id of a side that does not exist or of a working-tree file)."""
    return [
        oid
        for mode, oid in ((record.old_mode, record.old_oid), (record.new_mode, record.new_oid))
        if mode != "000000" and not _is_gitlink(mode) and oid != NULL_OID
    ]


def _file_lines(path: Path) -> int:
    count, last = 0, b"\n"
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return 0  # skipped by the review from its size (UND003): never read to count its lines
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                count += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError:
        return 0
    return count + (0 if last == b"\n" else 1)


def _first_fatal(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if line.startswith("fatal: ")), "")


def _is_sha(rev: str) -> bool:
    return len(rev) == 40 and all(c in "0123456789abcdef" for c in rev)


def _git_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _DROPPED_ENV and not k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_CONFIG_GLOBAL": os.devnull,  # the user's ~/.gitconfig and ~/.config/git/config
            "GIT_CONFIG_NOSYSTEM": "1",  # /etc/gitconfig
            "GIT_ATTR_NOSYSTEM": "1",  # /etc/gitattributes
            "GIT_NO_REPLACE_OBJECTS": "1",  # refs/replace must not swap what a commit holds
            "GIT_LITERAL_PATHSPECS": "1",  # a pathspec is a file name, whatever its characters
            "GIT_NO_LAZY_FETCH": "1",  # git >= 2.44: a partial clone never fetches a missing object
            "GIT_ALLOW_PROTOCOL": "undertow-no-network",  # older git: every transport refused, so no fetch either
        }
    )
    return env


@functools.lru_cache(maxsize=1)
def _user_safe_directories() -> tuple[str, ...]:
    """The ``safe.directory`` values of the user's and the system's config: the one setting of
    theirs a scan honours (e.g. CI marks a checkout owned by another user as safe)."""
    values: list[str] = []
    for scope in ("--system", "--global"):
        try:
            proc = subprocess.run(
                ["git", "config", scope, "--get-all", "safe.directory"], capture_output=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode == 0:
            values += proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    return tuple(values)


class _CatFile:
    """One long-lived ``git cat-file --batch`` (or ``--batch-check``) process: an object per
    request, no process per file. Each request has the same time limit as any git command."""

    def __init__(self, repo: GitRepo, check: bool = False) -> None:
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            repo.command("cat-file", "--batch-check" if check else "--batch"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a missing object is reported on stdout
            env=_git_env(),
        )
        self._repo = repo
        # One watchdog thread per process (a timer per request would cost more than the request):
        # it kills git when a request has run for GIT_TIMEOUT, and the read then fails.
        self._deadline: float | None = None
        self._closed = False
        self._watch = threading.Condition()
        threading.Thread(target=self._watchdog, name="git-cat-file-watchdog", daemon=True).start()

    def _watchdog(self) -> None:
        with self._watch:
            while not self._closed:
                if self._deadline is None:
                    self._watch.wait()
                elif (remaining := self._deadline - time.monotonic()) > 0:
                    self._watch.wait(remaining)
                else:
                    self._proc.kill()
                    self._deadline = None

    def _header(self, oid: str) -> list[bytes] | None:
        """Ask for ``oid``; its ``<oid> <type> <size>`` fields, None when the store lacks it."""
        assert self._proc.stdin and self._proc.stdout
        if oid in self._repo._absent:
            return None  # a partial clone's missing blob: asking would end the process
        try:
            self._proc.stdin.write(oid.encode() + b"\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise GitError("git cat-file exited unexpectedly") from None
        header = self._proc.stdout.readline()
        if not header:
            raise GitError("git cat-file exited unexpectedly (or took longer than the time limit)")
        fields = header.split()
        if len(fields) != 3:  # "<oid> missing", "<oid> ambiguous"
            self._repo._present[oid] = False
            return None
        self._repo._present[oid] = True
        return fields

    def _timed(self, work):
        with self._lock:
            with self._watch:
                self._deadline = time.monotonic() + GIT_TIMEOUT
                self._watch.notify()
            try:
                return work()
            finally:
                with self._watch:
                    self._deadline = None

    def info(self, oid: str) -> tuple[bytes, int] | None:
        """(type, size) of an object (``--batch-check`` process)."""

        def work():
            fields = self._header(oid)
            return None if fields is None else (fields[1], int(fields[2]))

        return self._timed(work)

    def read(self, oid: str) -> bytes | None:
        """The content of a blob; None when it is missing or not a blob."""

        def work():
            fields = self._header(oid)
            if fields is None:
                return None
            data = self._read_exactly(int(fields[2]))
            self._read_exactly(1)  # the newline after the content
            return data if fields[1] == b"blob" else None

        return self._timed(work)

    def read_prefix(self, oid: str, limit: int) -> bytes | None:
        """The first ``limit`` bytes of a blob, the rest read past without keeping it."""

        def work():
            fields = self._header(oid)
            if fields is None:
                return None
            size = int(fields[2])
            data = self._read_exactly(min(size, limit))
            rest = size - len(data) + 1  # and the newline after the content
            while rest > 0:
                rest -= len(self._read_exactly(min(rest, 1 << 20)))
            return data if fields[1] == b"blob" else None

        return self._timed(work)

    def _read_exactly(self, size: int) -> bytes:
        assert self._proc.stdout
        data = self._proc.stdout.read(size)
        if len(data) != size:
            raise GitError("git cat-file exited unexpectedly (or took longer than the time limit)")
        return data

    def close(self) -> None:
        with self._watch:
            self._closed = True
            self._watch.notify()
        if self._proc.poll() is None:
            assert self._proc.stdin
            try:
                self._proc.stdin.close()
            except OSError:
                pass
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


class GitSnapshot:
    """A commit (or a tree: the index's, for ``--head INDEX``) of a local repository, read from
    the object store (no checkout needed)."""

    def __init__(
        self, repo: GitRepo, commit: str, cache: FactCache | None = None, base: GitSnapshot | None = None
    ) -> None:
        self.repo = repo
        self._cache = cache
        self._base = base
        self._revision = commit if _is_sha(commit) else repo.resolve(commit)
        self._entries: Mapping[str, Entry] | None = None

    @property
    def revision(self) -> str:
        return self._revision

    def entries(self) -> Mapping[str, Entry]:
        if self._entries is None:
            self.repo.learn_objects(self._revision)
            self._entries = self._derived() if self._base is not None else self.repo.tree(self._revision, self._cache)
        return self._entries

    def _derived(self) -> Listing:
        """The base's listing with the paths that differ replaced: a head revision costs what
        its change costs, not another listing of the whole repository."""
        assert self._base is not None
        key = fact_key("tree-delta", self._base.revision, self._revision)
        raw = self._cache.get(key) if self._cache is not None else None
        delta = codec.loads(raw) if raw is not None else self.repo.tree_delta(self._base.revision, self._revision)
        if raw is None and self._cache is not None:
            self._cache.set(key, codec.dumps(delta))
        base_entries = self._base.entries()
        assert isinstance(base_entries, Listing)
        listing = dict(base_entries.raw)
        for path, oid, kind, size in delta:
            if oid is None:
                listing.pop(path, None)
            else:
                listing[path] = [oid, kind, size]
        return Listing(listing)

    def read(self, path: str) -> bytes | None:
        """The file's bytes; None when it is absent, not a regular file, or its blob is not in
        this clone (``missing`` tells that case apart)."""
        entry = self.entries().get(path)
        if entry is None or entry.kind != "file":
            return None
        return self.repo.batch().read(entry.oid)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        return {p: data for p in paths if (data := self.read(p)) is not None}

    def missing(self, path: str) -> bool:
        """True when the tree has ``path`` (a file or a symlink) but this clone's object store
        lacks its blob: a partial clone, or a mirror without large files."""
        entry = self.entries().get(path)
        if entry is None or entry.kind == "submodule":
            return False
        return not self.repo.has_object(entry.oid)


class WorktreeSnapshot:
    """The working tree (tracked and untracked, not ignored files): for ``--head WORKTREE``."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self._entries: dict[str, Entry] | None = None

    @property
    def revision(self) -> str:
        return WORKTREE

    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            out = self.repo._run_bytes("ls-files", "--cached", "--others", "--exclude-standard", "-z")
            entries = {}
            for raw in filter(None, out.split(b"\0")):
                path = raw.decode("utf-8", "surrogateescape")
                full = self.repo.path / path
                try:
                    st = full.lstat()
                except OSError:
                    continue  # deleted in the working tree
                if full.is_symlink():
                    entries[path] = Entry(path, "", "symlink", st.st_size)
                elif full.is_dir():
                    entries[path] = Entry(path, "", "submodule", None)
                else:
                    entries[path] = Entry(path, "", "file", st.st_size)
            self._entries = entries
        return self._entries

    def read(self, path: str) -> bytes | None:
        entry = self.entries().get(path)
        if entry is None or entry.kind != "file":
            return None
        try:
            return (self.repo.path / path).read_bytes()
        except OSError:
            return None

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        return {p: data for p in paths if (data := self.read(p)) is not None}

    def missing(self, path: str) -> bool:
        """Never: a working-tree file is on disk."""
        return False
