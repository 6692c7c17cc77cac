"""Local git access: revisions, diffs, and snapshots read through one `git cat-file --batch`."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Iterable, Mapping

from analyzers import codec
from analyzers.codec import DecodedMapping
from analyzers.changes import ChangeSet, ChangedFile, Status, parse_unified_diff
from analyzers.context import FactCache
from analyzers.snapshot import Entry

WORKTREE = "WORKTREE"
GIT_TIMEOUT = 300  # seconds; a git command on a local repository that takes longer is stuck


class GitError(RuntimeError):
    """A repository problem reported to the user in one line (exit status 2)."""


class GitRepo:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise GitError(f"{self.path}: no such directory")
        try:
            self.git_dir = self._run("rev-parse", "--git-dir").strip()
        except GitError:
            raise GitError(f"{self.path} is not a git repository") from None
        self._batch: _CatFileBatch | None = None

    # -- plumbing -----------------------------------------------------------------------------

    def _run(self, *args: str, input: bytes | None = None) -> str:
        return self._run_bytes(*args, input=input).decode("utf-8", "surrogateescape")

    def _run_bytes(self, *args: str, input: bytes | None = None) -> bytes:
        cmd = ["git", "-c", "core.quotePath=false", "-C", str(self.path), *args]
        try:
            proc = subprocess.run(cmd, input=input, capture_output=True, timeout=GIT_TIMEOUT, env=_git_env())
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(message[-1] if message else f"git {args[0]} failed")
        return proc.stdout

    def close(self) -> None:
        if self._batch is not None:
            self._batch.close()
            self._batch = None

    def __enter__(self) -> "GitRepo":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- revisions ----------------------------------------------------------------------------

    def resolve(self, rev: str) -> str:
        try:
            return self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip()
        except GitError:
            raise GitError(f"unknown revision {rev!r} in {self.path}") from None

    def merge_base(self, a: str, b: str) -> str:
        try:
            return self._run("merge-base", a, b).strip()
        except GitError:
            raise GitError(f"{a[:12]} and {b[:12]} have no common ancestor") from None

    def default_base(self) -> str:
        """The remote default branch (origin/HEAD), else main or master."""
        for candidate in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
            try:
                return self.resolve(candidate)
            except GitError:
                continue
        raise GitError("no base revision: pass --base (no origin/HEAD, main or master here)")

    # -- diffs --------------------------------------------------------------------------------

    def changes(self, base: str, head: str) -> ChangeSet:
        """The three-dot diff merge-base(base, head)..head; ``head`` may be WORKTREE."""
        args = ["diff", "--no-color", "--no-ext-diff", "-M", "-U0", "--src-prefix=a/", "--dst-prefix=b/"]
        if head == WORKTREE:
            text = self._run(*args, base, "--")
            changes = parse_unified_diff(text)
            return ChangeSet(list(changes.files) + self._untracked())
        return parse_unified_diff(self._run(*args, base, head, "--"))

    def _untracked(self) -> list[ChangedFile]:
        out = self._run_bytes("ls-files", "--others", "--exclude-standard", "-z")
        files = []
        for raw in filter(None, out.split(b"\0")):
            path = raw.decode("utf-8", "surrogateescape")
            full = self.path / path
            try:
                count = full.read_bytes().count(b"\n") + 1 if full.is_file() and not full.is_symlink() else 1
            except OSError:
                count = 1
            files.append(ChangedFile(path, Status.ADDED, lines=frozenset(range(1, count + 1))))
        return files

    # -- snapshots ----------------------------------------------------------------------------

    def snapshot(self, rev: str, cache: FactCache | None = None, base: "GitSnapshot | None" = None) -> "GitSnapshot | WorktreeSnapshot":
        """The tree at ``rev``; with a cache, a commit's listing is kept under its sha. Given the
        ``base`` it is reviewed against, the listing is the base's plus what differs."""
        if rev == WORKTREE:
            return WorktreeSnapshot(self)
        return GitSnapshot(self, rev, cache, base)

    def batch(self) -> "_CatFileBatch":
        if self._batch is None:
            self._batch = _CatFileBatch(self)
        return self._batch

    def tree(self, commit: str, cache: FactCache | None = None) -> "Listing":
        key = f"tree:{commit}"
        if cache is not None and (raw := cache.get(key)) is not None:
            return Listing(codec.loads(raw))
        listing = self._list_tree(commit)
        if cache is not None:
            cache.set(key, codec.dumps(listing.raw))
        return listing

    def tree_delta(self, base: str, head: str) -> list[list]:
        """``[path, oid, kind, size]`` for each path whose entry differs from ``base`` to
        ``head``; oid None for a path ``head`` no longer has."""
        out = self._run_bytes("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", base, head)
        fields = out.split(b"\0")
        changed: list[tuple[str, bytes, bytes]] = []
        for meta, raw_path in zip(fields[0::2], fields[1::2]):
            _old_mode, new_mode, _old_oid, new_oid, _status = meta.lstrip(b":").split()
            changed.append((raw_path.decode("utf-8", "surrogateescape"), new_mode, new_oid))
        wanted = [oid for _p, mode, oid in changed if mode not in (b"000000", b"160000")]
        sizes: dict[bytes, int] = {}
        if wanted:
            listing = self._run_bytes("cat-file", "--batch-check=%(objectname) %(objectsize)", input=b"\n".join(wanted) + b"\n")
            sizes = {oid: int(size) for oid, size in (line.split() for line in listing.splitlines())}
        delta: list[list] = []
        for path, mode, oid in changed:
            if mode == b"000000":
                delta.append([path, None, None, None])
            else:
                delta.append([path, oid.decode(), _kind(mode), sizes.get(oid)])
        return delta

    def _list_tree(self, commit: str) -> "Listing":
        out = self._run_bytes("ls-tree", "-r", "-z", "--long", "--full-tree", commit)
        raw: dict[str, list] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, _type, oid, size = meta.split()
            raw[raw_path.decode("utf-8", "surrogateescape")] = [oid.decode(), _kind(mode), None if size == b"-" else int(size)]
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


def _is_sha(rev: str) -> bool:
    return len(rev) == 40 and all(c in "0123456789abcdef" for c in rev)


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"})
    return env


class _CatFileBatch:
    """One long-lived ``git cat-file --batch`` process: a blob per request, no process per file."""

    def __init__(self, repo: GitRepo) -> None:
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            ["git", "-C", str(repo.path), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_git_env(),
        )

    def read(self, oid: str) -> bytes | None:
        with self._lock:
            assert self._proc.stdin and self._proc.stdout
            self._proc.stdin.write(oid.encode() + b"\n")
            self._proc.stdin.flush()
            header = self._proc.stdout.readline()
            if not header:
                raise GitError("git cat-file exited unexpectedly")
            fields = header.split()
            if len(fields) != 3:  # "<oid> missing"
                return None
            size = int(fields[2])
            data = self._proc.stdout.read(size)
            self._proc.stdout.read(1)  # the newline after the content
            return data if fields[1] == b"blob" else None

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


class GitSnapshot:
    """A commit of a local repository, read from the object store (no checkout needed)."""

    def __init__(self, repo: GitRepo, commit: str, cache: FactCache | None = None, base: "GitSnapshot | None" = None) -> None:
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
            self._entries = self._derived() if self._base is not None else self.repo.tree(self._revision, self._cache)
        return self._entries

    def _derived(self) -> Listing:
        """The base's listing with the paths that differ replaced: a head revision costs what
        its change costs, not another listing of the whole repository."""
        assert self._base is not None
        key = f"tree-delta:{self._base.revision}:{self._revision}"
        raw = self._cache.get(key) if self._cache is not None else None
        delta = codec.loads(raw) if raw is not None else self.repo.tree_delta(self._base.revision, self._revision)
        if raw is None and self._cache is not None:
            self._cache.set(key, codec.dumps(delta))
        raw = dict(self._base.entries().raw)
        for path, oid, kind, size in delta:
            if oid is None:
                raw.pop(path, None)
            else:
                raw[path] = [oid, kind, size]
        return Listing(raw)

    def read(self, path: str) -> bytes | None:
        entry = self.entries().get(path)
        if entry is None or entry.kind != "file":
            return None
        return self.repo.batch().read(entry.oid)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        return {p: data for p in paths if (data := self.read(p)) is not None}


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
