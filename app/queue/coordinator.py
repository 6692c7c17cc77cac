"""In-process review queue (`undertow serve` without Redis): per-PR coalescing, bounded
concurrency, cancellation on close, and the staleness check a running review asks before it
publishes. Reviews of one pull request never run at once: a request that arrives while its PR
is being reviewed waits, coalesced, until that review ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from undertow.app.review import CLOSED, ReviewJob

log = logging.getLogger("undertow.queue")
Key = tuple[str, int]
# run(job, fresh, dismissed rules, superseded_by(head) -> the newer head, CLOSED, or None)
Runner = Callable[[ReviewJob, bool, frozenset[str], Callable[[str], Awaitable[str | None]]], Awaitable[object]]


class InProcessReviews:
    def __init__(self, run: Runner, concurrency: int = 4) -> None:
        self.run = run
        self.concurrency = concurrency
        self.pending: dict[Key, tuple[ReviewJob, bool]] = {}
        self.latest_head: dict[Key, str | None] = {}
        self.dismissed: dict[Key, dict[str, str]] = {}
        self.queue: asyncio.Queue[Key] = asyncio.Queue()
        self.running: set[Key] = set()
        self._workers: list[asyncio.Task] = []

    # -- what handlers call -----------------------------------------------------------------

    async def request(self, job: ReviewJob, *, fresh: bool = False) -> None:
        key = (job.repo, job.number)
        previous = self.pending.get(key)
        # A newer request supersedes a queued one; a fresh (rescan) request stays fresh.
        self.pending[key] = (job, fresh or bool(previous and previous[1]))
        self.latest_head[key] = job.head_sha
        # One review per PR at a time: while one runs, the request waits in `pending` and the
        # running review's worker queues it when done.
        if previous is None and key not in self.running:
            await self.queue.put(key)

    async def cancel(self, repo: str, number: int) -> None:
        key = (repo, number)
        self.pending.pop(key, None)
        self.latest_head[key] = CLOSED

    async def dismiss(self, repo: str, number: int, rule: str, reason: str) -> None:
        self.dismissed.setdefault((repo, number), {})[rule] = reason

    def depth(self) -> int:
        return len(self.pending)

    # -- workers ----------------------------------------------------------------------------

    def start(self) -> None:
        self._workers = [asyncio.create_task(self._work(), name=f"review-worker-{i}") for i in range(self.concurrency)]

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until every queued review has run (tests, graceful shutdown)."""
        await self.queue.join()

    async def _work(self) -> None:
        while True:
            key = await self.queue.get()
            try:
                if key in self.running:
                    continue  # its running review queues it again when it ends
                item = self.pending.pop(key, None)
                if item is None:
                    continue  # cancelled, or coalesced into a run that already happened
                job, fresh = item
                self.running.add(key)

                async def superseded_by(head: str, key=key) -> str | None:
                    latest = self.latest_head.get(key)
                    return None if latest is None or latest == head else latest

                try:
                    await self.run(job, fresh, frozenset(self.dismissed.get(key, {})), superseded_by)
                except Exception:  # one review failing must not stop the worker
                    log.exception("review failed", extra={"repo": job.repo, "pr": job.number})
                finally:
                    self.running.discard(key)
                    if key in self.pending:  # a newer request arrived while this one ran
                        await self.queue.put(key)
            finally:
                self.queue.task_done()
