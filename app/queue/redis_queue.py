"""The Redis-backed queue (arq) shared by web replicas and `undertow worker` processes.

Deliveries become `handle_delivery` jobs; reviews become `review_pull_request` jobs whose id
names the PR and head sha, so a redelivery or a second replica cannot queue the same review
twice while it waits or runs, and a newer head makes older jobs stop before they publish
(at-least-once delivery is safe because publishing is idempotent). Review jobs keep no result
(``keep_result=0``): once one has ended, however it ended, a new delivery for that head queues
it again.

A running review job keeps two keys alive (every HEARTBEAT seconds, for LEASE seconds): arq's
in-progress key of the job, so that when its worker dies (SIGKILL, a lost machine) another
worker takes the job over within LEASE seconds instead of arq's job timeout; and the PR's lock,
so that reviews of one PR never run at once on any worker."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from typing import Any

from arq import Worker, func
from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix
from arq.worker import Retry
from gidgethub import sansio
from redis.asyncio.retry import Retry as RedisRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from undertow.app.events import Delivery
from undertow.app.handlers import router
from undertow.app.handlers.context import HandlerContext
from undertow.app.permissions import PermissionCache
from undertow.app.queue.lifecycle import DEFAULT_DEADLINE, Attempt, RedisCheckRuns, review_until_done
from undertow.app.review import CLOSED, ReviewJob

log = logging.getLogger("undertow.queue")
QUEUE = "undertow:queue"
STATE_TTL = 7 * 24 * 3600
LEASE = 30.0  # seconds a dead worker's job and PR lock outlive it
HEARTBEAT = 5.0
LOCK_WAIT = 5.0  # seconds a job waits for its PR's lock before it is deferred
LOCK_RETRY = 5.0
# Enough tries for takeovers and lock deferrals; the review deadline bounds the time anyway.
MAX_TRIES = 1000
ENQUEUE_TRIES = 30  # about 15 s of Redis lost mid-enqueue (each try retries its connection too)
# Redis lost, as redis-py reports it: a WatchError when the connection dropped while a
# transaction watched a key (redis-py never retries that itself: the watch is gone).
REDIS_LOST: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    WatchError,
    ConnectionError,
    OSError,
)


def redis_settings(url: str) -> RedisSettings:
    """arq's settings for ``url``, with every command retried through a Redis blip of a few
    seconds (a restart, a failover) instead of failing."""
    settings = RedisSettings.from_dsn(url)
    settings.retry_on_timeout = True
    settings.retry_on_error = [RedisConnectionError, RedisTimeoutError, ConnectionError, OSError]
    settings.retry = RedisRetry(ExponentialBackoff(cap=2.0, base=0.1), 12)
    settings.conn_retries = 30
    return settings


class ResilientWorker(Worker):
    """An arq worker that waits for Redis to come back instead of exiting: a failed poll is
    logged and tried again; running reviews go on (their own Redis calls retry)."""

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_LOST as exc:
            log.warning("redis unreachable, polling again", extra={"error": type(exc).__name__})
            await asyncio.sleep(1.0)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq's, one job at a time: arq takes a worker slot for a job before the Redis calls
        that start it and gives it back only when they answer, so each slot a failed call took
        is given back here (a worker would otherwise end up with none and never review again).
        The job stays queued and is started by the next poll."""
        for job_id in job_ids:
            try:
                await super().start_jobs([job_id])
            except Exception:
                # No task was started (that is the last step): the slot this job took is free.
                self.job_counter -= 1
                self.sem.release()
                raise


def _pr_key(repo: str, number: int) -> str:
    return f"{repo}#{number}"


async def _enqueue(redis: ArqRedis, function: str, *args: Any, **kwargs: Any) -> None:
    """arq's enqueue_job, tried again when Redis is lost while it watches the job's key (a
    WatchError that redis-py does not retry): the job id makes it idempotent."""
    for tries in range(1, ENQUEUE_TRIES + 1):
        try:
            await redis.enqueue_job(function, *args, **kwargs)
            return
        except WatchError:
            if tries == ENQUEUE_TRIES:
                raise
            log.warning("redis lost while queueing, trying again", extra={"job": kwargs.get("_job_id")})
            await asyncio.sleep(0.5)


class RedisDeliveryQueue:
    """The webhook's side: enqueue and return."""

    def __init__(self, redis: ArqRedis, queue_name: str = QUEUE) -> None:
        self.redis, self.queue_name, self.queued = redis, queue_name, 0

    async def put(self, delivery: Delivery) -> None:
        await _enqueue(
            self.redis,
            "handle_delivery",
            delivery.event,
            delivery.delivery_id,
            delivery.data,
            _job_id=f"delivery:{delivery.delivery_id}",
            _queue_name=self.queue_name,
        )
        self.queued += 1

    def depth(self) -> int:
        return self.queued

    async def drain(self) -> None:
        """Nothing runs here: workers drain the Redis queue."""


class RedisReviews:
    """The handlers' side of review requests, when reviews run in `undertow worker`."""

    def __init__(self, redis: ArqRedis, queue_name: str = QUEUE) -> None:
        self.redis, self.queue_name = redis, queue_name

    async def request(self, job: ReviewJob, *, fresh: bool = False) -> None:
        key = _pr_key(job.repo, job.number)
        await self.redis.set(f"undertow:head:{key}", job.head_sha or "", ex=STATE_TTL)
        suffix = f"rescan:{uuid.uuid4().hex}" if fresh or not job.head_sha else job.head_sha
        await _enqueue(
            self.redis,
            "review_pull_request",
            dataclasses.asdict(job),
            _job_id=f"review:{key}@{suffix}",
            _queue_name=self.queue_name,
        )

    async def cancel(self, repo: str, number: int) -> None:
        await self.redis.set(f"undertow:head:{_pr_key(repo, number)}", CLOSED, ex=STATE_TTL)

    async def dismiss(self, repo: str, number: int, rule: str, reason: str) -> None:
        # redis-py types hset/hkeys as `Awaitable[T] | T` (one command mixin for sync and async clients).
        await self.redis.hset(f"undertow:dismissed:{_pr_key(repo, number)}", rule, reason or "-")  # type: ignore[misc]
        await self.redis.expire(f"undertow:dismissed:{_pr_key(repo, number)}", STATE_TTL)

    async def superseded_by(self, repo: str, number: int, head: str) -> str | None:
        """The PR's newer head (or CLOSED), None while ``head`` is current."""
        raw = await self.redis.get(f"undertow:head:{_pr_key(repo, number)}")
        latest = raw.decode() if isinstance(raw, bytes) else raw
        return None if latest in (None, "", head) else latest

    async def closed(self, repo: str, number: int) -> bool:
        latest = await self.redis.get(f"undertow:head:{_pr_key(repo, number)}")
        return (latest.decode() if isinstance(latest, bytes) else latest) == CLOSED

    async def dismissed(self, repo: str, number: int) -> frozenset[str]:
        rules = await self.redis.hkeys(f"undertow:dismissed:{_pr_key(repo, number)}")  # type: ignore[misc]  # as hset
        return frozenset(r.decode() if isinstance(r, bytes) else r for r in rules)


# -- arq job functions (ctx holds "github_for", "reviews", "repos" (the git cache), and "facts") --


async def handle_delivery(ctx: dict[str, Any], event: str, delivery_id: str, data: dict) -> None:
    installation = data.get("installation", {}).get("id", 0)
    gh = await ctx["github_for"](installation)
    context = HandlerContext(ctx["reviews"], permissions=ctx.setdefault("permissions", PermissionCache()))
    await router.dispatch(sansio.Event(data, event=event, delivery_id=delivery_id), gh, context)


async def review_pull_request(ctx: dict[str, Any], job_data: dict) -> str:
    from undertow.app.review import Outcome, run_review

    job = ReviewJob(**job_data)
    reviews: RedisReviews = ctx["reviews"]
    redis = ctx.get("redis") or reviews.redis
    clock = ctx.get("clock", time.time)
    job_id = ctx.get("job_id")
    if await reviews.closed(job.repo, job.number):
        return "closed"
    lock = redis.lock(f"undertow:lock:{_pr_key(job.repo, job.number)}", timeout=LEASE)
    async with _heartbeat(redis, job_id, lock):
        if not await lock.acquire(blocking=True, blocking_timeout=LOCK_WAIT):
            raise Retry(defer=LOCK_RETRY)  # another worker reviews this PR: after it
        try:
            # The deadline runs from the job's first attempt, across takeovers by other workers.
            started_key = f"undertow:started:{job_id}"
            await redis.set(started_key, str(clock()), nx=True, ex=STATE_TTL)
            started = float((await redis.get(started_key)) or clock())

            async def superseded_by(head: str) -> str | None:
                return await reviews.superseded_by(job.repo, job.number, head)

            async def attempt(gh, progress: Attempt):
                return await run_review(
                    gh,
                    job,
                    ctx["repos"],
                    cache=ctx.get("facts"),
                    superseded_by=superseded_by,
                    dismissed=await reviews.dismissed(job.repo, job.number),
                    attempt=progress,
                    check_runs=RedisCheckRuns(redis),
                    taken_over=ctx.get("job_try", 1) > 1,
                )

            outcome = await review_until_done(
                lambda: ctx["github_for"](job.installation_id),
                job.repo,
                attempt,
                head=job.head_sha,
                deadline=ctx.get("deadline", DEFAULT_DEADLINE),
                started=started,
                clock=clock,
                sleep=ctx.get("sleep", asyncio.sleep),
            )
            await redis.delete(started_key)
        finally:
            with contextlib.suppress(Exception):  # expired or lost with Redis: it times out anyway
                await lock.release()
    status = outcome.status if isinstance(outcome, Outcome) else str(outcome)
    log.info("review job done", extra={"repo": job.repo, "pr": job.number, "status": status})
    return status


@contextlib.asynccontextmanager
async def _heartbeat(redis, job_id: str | None, lock):
    """Keep the job's in-progress key and the PR lock for LEASE seconds past the last beat."""

    async def beat() -> None:
        while True:
            with contextlib.suppress(Exception):  # a Redis blip: the next beat tries again
                if job_id is not None:
                    await redis.pexpire(in_progress_key_prefix + job_id, int(LEASE * 1000))
                if lock.local.token is not None:
                    await lock.extend(LEASE, replace_ttl=True)
            await asyncio.sleep(HEARTBEAT)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


WORKER_FUNCTIONS: list[Any] = [
    handle_delivery,
    # keep_result=0: a finished job leaves nothing under its id, so the same head can be queued again.
    func(review_pull_request, name="review_pull_request", keep_result=0, max_tries=MAX_TRIES),
]
