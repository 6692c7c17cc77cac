"""The Redis-backed queue (arq) shared by web replicas and `undertow worker` processes.

Deliveries become `handle_delivery` jobs; reviews become `review_pull_request` jobs whose id
names the PR and head sha, so a redelivery or a second replica cannot queue the same review
twice, and a newer head makes older jobs stop before they publish (at-least-once delivery is
safe because publishing is idempotent)."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Any

from arq.connections import ArqRedis
from gidgethub import sansio

from undertow.app.events import Delivery
from undertow.app.handlers import router
from undertow.app.handlers.context import HandlerContext
from undertow.app.permissions import PermissionCache
from undertow.app.review import ReviewJob

log = logging.getLogger("undertow.queue")
QUEUE = "undertow:queue"
STATE_TTL = 7 * 24 * 3600
CLOSED = "<closed>"


def _pr_key(repo: str, number: int) -> str:
    return f"{repo}#{number}"


class RedisDeliveryQueue:
    """The webhook's side: enqueue and return."""

    def __init__(self, redis: ArqRedis, queue_name: str = QUEUE) -> None:
        self.redis, self.queue_name, self.queued = redis, queue_name, 0

    async def put(self, delivery: Delivery) -> None:
        await self.redis.enqueue_job(
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
        await self.redis.enqueue_job(
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

    async def still_current(self, repo: str, number: int, head: str) -> bool:
        raw = await self.redis.get(f"undertow:head:{_pr_key(repo, number)}")
        latest = raw.decode() if isinstance(raw, bytes) else raw
        return latest in (None, "", head)

    async def closed(self, repo: str, number: int) -> bool:
        latest = await self.redis.get(f"undertow:head:{_pr_key(repo, number)}")
        return (latest.decode() if isinstance(latest, bytes) else latest) == CLOSED

    async def dismissed(self, repo: str, number: int) -> frozenset[str]:
        rules = await self.redis.hkeys(f"undertow:dismissed:{_pr_key(repo, number)}")  # type: ignore[misc]  # as hset
        return frozenset(r.decode() if isinstance(r, bytes) else r for r in rules)


# -- arq job functions (ctx holds "github_for", "reviews", "blobs", and "facts") -----------------


async def handle_delivery(ctx: dict[str, Any], event: str, delivery_id: str, data: dict) -> None:
    installation = data.get("installation", {}).get("id", 0)
    gh = await ctx["github_for"](installation)
    context = HandlerContext(ctx["reviews"], permissions=ctx.setdefault("permissions", PermissionCache()))
    await router.dispatch(sansio.Event(data, event=event, delivery_id=delivery_id), gh, context)


async def review_pull_request(ctx: dict[str, Any], job_data: dict) -> str:
    from undertow.app.review import run_review

    job = ReviewJob(**job_data)
    reviews: RedisReviews = ctx["reviews"]
    if await reviews.closed(job.repo, job.number):
        return "closed"
    gh = await ctx["github_for"](job.installation_id)

    async def still_current(head: str) -> bool:
        return await reviews.still_current(job.repo, job.number, head)

    outcome = await run_review(
        gh,
        job,
        ctx["blobs"],
        cache=ctx.get("facts"),
        still_current=still_current,
        dismissed=await reviews.dismissed(job.repo, job.number),
    )
    log.info("review job done", extra={"repo": job.repo, "pr": job.number, "status": outcome.status})
    return outcome.status


WORKER_FUNCTIONS: list[Any] = [handle_delivery, review_pull_request]
