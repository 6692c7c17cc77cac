"""`undertow serve`: the webhook app wired to handlers, the in-process review queue and GitHub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import httpx
from fastapi import FastAPI
from gidgethub import sansio
from gidgethub.abc import GitHubAPI

from undertow.app.cache import MemoryFactCache
from undertow.app.coordinator import InProcessReviews
from undertow.app.dedupe import MemoryDeduper, RedisDeduper
from undertow.app.events import Delivery
from undertow.app.github_auth import InstallationTokens
from undertow.app.github_data import BlobCache
from undertow.app.github_retry import ResilientGitHubAPI
from undertow.app.handlers import router
from undertow.app.handlers.context import HandlerContext
from undertow.app.metrics import Metrics
from undertow.app.redis_queue import RedisDeliveryQueue
from undertow.app.review import ReviewJob, run_review
from undertow.app.settings import Settings
from undertow.app.webhook import create_app

log = logging.getLogger("undertow.service")
GitHubFactory = Callable[[int], Awaitable[GitHubAPI]]
USER_AGENT = "undertow"


class DeliveryQueue:
    """Runs handlers for each delivery as its own task (handlers only enqueue or reply)."""

    def __init__(self, github_for: GitHubFactory, context: HandlerContext) -> None:
        self.github_for, self.context = github_for, context
        self.tasks: set[asyncio.Task] = set()

    async def put(self, delivery: Delivery) -> None:
        task = asyncio.create_task(self._handle(delivery))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def depth(self) -> int:
        return len(self.tasks)

    async def _handle(self, delivery: Delivery) -> None:
        try:
            installation = delivery.data.get("installation", {}).get("id", 0)
            gh = await self.github_for(installation)
            event = sansio.Event(delivery.data, event=delivery.event, delivery_id=delivery.delivery_id)
            await router.dispatch(event, gh, self.context)
        except Exception:
            log.exception("handler failed", extra={"delivery": delivery.delivery_id, "event": delivery.event})

    async def drain(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


class Service:
    def __init__(
        self,
        secret: str,
        github_for: GitHubFactory,
        concurrency: int = 4,
        redis=None,
        queue=None,
        metrics: Metrics | None = None,
    ) -> None:
        """``queue``: an arq pool; deliveries then go to Redis for `undertow worker` processes."""
        self.blobs = BlobCache()
        self.facts = MemoryFactCache()  # reviews in this process share derived facts (workers use Redis)
        self.metrics = metrics or Metrics()
        self.github_for = github_for
        self.reviews = InProcessReviews(self._run, concurrency)
        self.deliveries = (
            RedisDeliveryQueue(queue) if queue is not None else DeliveryQueue(github_for, HandlerContext(self.reviews))
        )
        self.redis = redis
        deduper = RedisDeduper(redis) if redis is not None else MemoryDeduper()
        self.app = create_app(secret, self.deliveries, deduper, self.metrics, ready=self._ready)
        self.app.router.lifespan_context = self._lifespan
        self.app.state.service = self

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: FastAPI):
        self.reviews.start()
        try:
            yield
        finally:
            await self.reviews.stop()

    async def _ready(self) -> list[str]:
        if self.redis is None:
            return []
        try:
            await asyncio.wait_for(self.redis.ping(), timeout=2)
        except Exception as exc:  # any failure means "not ready"; the reason, never the URL
            return [f"redis unreachable: {type(exc).__name__}"]
        return []

    async def _run(self, job: ReviewJob, fresh: bool, dismissed, still_current) -> None:
        gh = await self.github_for(job.installation_id)
        with self.metrics.review_seconds.time():
            outcome = await run_review(
                gh, job, self.blobs, cache=self.facts, still_current=still_current, dismissed=dismissed
            )
        for rule, count in outcome.rules.items():
            self.metrics.findings.labels(rule).inc(count)
        log.info("review finished", extra={"repo": job.repo, "pr": job.number, "status": outcome.status})

    async def drain(self) -> None:
        """Wait until every delivery and every review it queued is done (tests, shutdown)."""
        await self.deliveries.drain()
        await self.reviews.drain()


def github_factory(settings: Settings, metrics: Metrics | None = None, redis=None) -> GitHubFactory:
    """Installation clients: tokens cached (in Redis too when given), one retrying client per installation."""
    client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
    tokens = InstallationTokens(settings.github_app_id, settings.private_key, redis=redis)
    app_gh = ResilientGitHubAPI(client, USER_AGENT, base_url=settings.github_api_url)
    in_flight: dict[int, ResilientGitHubAPI] = {}

    async def github_for(installation_id: int) -> GitHubAPI:
        token = await tokens.token(app_gh, installation_id)
        # One client per installation keeps its in-flight cap shared by that installation's reviews.
        gh = in_flight.get(installation_id)
        if gh is None or gh.oauth_token != token:
            gh = in_flight[installation_id] = ResilientGitHubAPI(
                client, USER_AGENT, oauth_token=token, base_url=settings.github_api_url, metrics=metrics
            )
        return gh

    return github_for


async def build_service(settings: Settings) -> Service:
    redis = queue = None
    if settings.redis_url is not None:
        import redis.asyncio as aioredis
        from arq.connections import RedisSettings, create_pool

        url = settings.redis_url.get_secret_value()
        redis = aioredis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        queue = await create_pool(RedisSettings.from_dsn(url))
    metrics = Metrics()
    service = Service(
        settings.github_webhook_secret.get_secret_value(),
        github_factory(settings, metrics, redis),
        settings.max_concurrency,
        redis=redis,
        queue=queue,
        metrics=metrics,
    )
    return service
