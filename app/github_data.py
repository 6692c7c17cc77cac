"""Reading a pull request through the GitHub API: its changed files as a ChangeSet, and the
base and head trees as Snapshots (blobs fetched only when an analyzer reads them, cached by sha)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterable
from typing import Any

from gidgethub.abc import GitHubAPI

from undertow.analyzers.core.changes import ChangedFile, ChangeSet, DiffError, Status, added_lines
from undertow.analyzers.core.snapshot import Entry
from undertow.analyzers.facts import codec

MAX_FILES = 3000  # the pulls/files API stops there
_STATUS = {
    "added": Status.ADDED,
    "removed": Status.REMOVED,
    "renamed": Status.RENAMED,
    "modified": Status.MODIFIED,
    "changed": Status.MODIFIED,
    "copied": Status.ADDED,
    "unchanged": Status.MODIFIED,
}


async def pull_request_changes(gh: GitHubAPI, repo: str, number: int) -> tuple[ChangeSet, bool]:
    """The PR's files with the head lines each patch adds; and whether the list was cut at 3000."""
    files: list[ChangedFile] = []
    async for item in gh.getiter(f"/repos/{repo}/pulls/{number}/files?per_page=100"):
        files.append(changed_file(item))
        if len(files) >= MAX_FILES:
            return ChangeSet(files), True
    return ChangeSet(files), False


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


class BlobCache:
    """Blob contents by sha: immutable, so shared by every review (memory here; Redis in a worker fleet)."""

    def __init__(self, limit: int = 20_000) -> None:
        self.data: dict[str, bytes] = {}
        self.limit = limit

    def get(self, oid: str) -> bytes | None:
        return self.data.get(oid)

    def set(self, oid: str, content: bytes) -> None:
        if len(self.data) >= self.limit:
            self.data.pop(next(iter(self.data)))
        self.data[oid] = content


class GitHubSnapshot:
    """A commit of a repository on GitHub, for the (synchronous) engine running in a worker
    thread: each read hands the request to the event loop and waits for it."""

    def __init__(
        self, gh: GitHubAPI, repo: str, sha: str, loop: asyncio.AbstractEventLoop, blobs: BlobCache, cache=None
    ) -> None:
        self.gh, self.repo, self.sha, self.loop, self.blobs = gh, repo, sha, loop, blobs
        self.cache = cache  # a FactCache: a commit's tree never changes, so its listing is cached by sha
        self._entries: dict[str, Entry] | None = None
        self.truncated = False
        self.requests = 0

    @property
    def revision(self) -> str:
        return self.sha

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            key = f"tree:{self.repo}:{self.sha}"
            raw = self.cache.get(key) if self.cache is not None else None
            if raw is not None:
                self._entries = {e[0]: Entry(*e) for e in codec.loads(raw)}
            else:
                self._entries = self._run(self._tree())
                if self.cache is not None and not self.truncated:
                    self.cache.set(key, codec.dumps([[e.path, e.oid, e.kind, e.size] for e in self._entries.values()]))
        return self._entries

    async def _tree(self) -> dict[str, Entry]:
        self.requests += 1
        data = await self.gh.getitem(f"/repos/{self.repo}/git/trees/{self.sha}?recursive=1")
        self.truncated = bool(data.get("truncated"))
        entries = {}
        for item in data.get("tree", []):
            if item.get("type") == "tree":
                continue
            kind = {"120000": "symlink", "160000": "submodule"}.get(item.get("mode", ""), "file")
            entries[item["path"]] = Entry(item["path"], item["sha"], kind, item.get("size"))
        return entries

    def read(self, path: str) -> bytes | None:
        return self.read_many([path]).get(path)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        entries = self.entries()
        wanted = {p: entries[p] for p in paths if p in entries and entries[p].kind == "file"}
        if not wanted:
            return {}
        return self._run(self._blobs(wanted))

    async def _blobs(self, wanted: dict[str, Entry]) -> dict[str, bytes]:
        async def one(path: str, entry: Entry) -> tuple[str, bytes]:
            cached = self.blobs.get(entry.oid)
            if cached is not None:
                return path, cached
            self.requests += 1
            blob = await self.gh.getitem(f"/repos/{self.repo}/git/blobs/{entry.oid}")
            content = (
                base64.b64decode(blob["content"]) if blob.get("encoding") == "base64" else blob["content"].encode()
            )
            self.blobs.set(entry.oid, content)
            return path, content

        # A bounded fan-out: the App's per-installation cap applies on top of this.
        semaphore = asyncio.Semaphore(8)

        async def limited(path: str, entry: Entry):
            async with semaphore:
                return await one(path, entry)

        return dict(await asyncio.gather(*(limited(p, e) for p, e in wanted.items())))
