"""`undertow serve`: the webhook app wired to handlers, the in-process review queue and GitHub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import httpx
from fastapi import FastAPI
from gidgethub import sansio
from gidgethub.abc import GitHubAPI

from undertow.app.cache import MemoryFactCache
from undertow.app.events import Delivery
from undertow.app.github.auth import InstallationTokens
from undertow.app.github.client import ResilientGitHubAPI
from undertow.app.handlers import router
from undertow.app.handlers.context import HandlerContext
from undertow.app.metrics import Metrics
from undertow.app.queue.coordinator import InProcessReviews
from undertow.app.queue.dedupe import MemoryDeduper, RedisDeduper
from undertow.app.queue.lifecycle import DEFAULT_DEADLINE, CheckRuns, retrying, review_until_done
from undertow.app.queue.redis_queue import RedisDeliveryQueue
from undertow.app.repos.cache import RepoCache, default_root
from undertow.app.review import Outcome, ReviewJob, run_review
from undertow.app.service.settings import Settings, git_cache_dir
from undertow.app.service.webhook import create_app

log = logging.getLogger("undertow.service")
GitHubFactory = Callable[[int], Awaitable[GitHubAPI]]
USER_AGENT = "undertow"


class DeliveryQueue:
    """Runs handlers for each delivery as its own task (handlers only enqueue or reply)."""

    def __init__(self, github_for: GitHubFactory, context: HandlerContext, **retry) -> None:
        """``retry``: deadline, clock and sleep of lifecycle.retrying (a handler that meets a
        GitHub outage is retried, not dropped)."""
        self.github_for, self.context, self.retry = github_for, context, retry
        self.tasks: set[asyncio.Task] = set()

    async def put(self, delivery: Delivery) -> None:
        task = asyncio.create_task(self._handle(delivery))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def depth(self) -> int:
        return len(self.tasks)

    async def _handle(self, delivery: Delivery) -> None:
        async def handle() -> None:
            installation = delivery.data.get("installation", {}).get("id", 0)
            gh = await self.github_for(installation)
            event = sansio.Event(delivery.data, event=delivery.event, delivery_id=delivery.delivery_id)
            await router.dispatch(event, gh, self.context)

        await retrying(handle, f"handler of delivery {delivery.delivery_id} ({delivery.event})", **self.retry)

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
        deadline: float = DEFAULT_DEADLINE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        repos: RepoCache | None = None,
    ) -> None:
        """``queue``: an arq pool; deliveries then go to Redis for `undertow worker` processes.
        ``deadline``: seconds a review is retried for before its check run times out.
        ``repos``: the git cache reviews fetch into (default: under the user cache directory)."""
        self.repos = repos if repos is not None else RepoCache(default_root())
        self.facts = MemoryFactCache()  # reviews in this process share derived facts (workers use Redis)
        self.metrics = metrics or Metrics()
        self.github_for = github_for
        self.deadline, self.clock, self.sleep = deadline, clock, sleep
        self.check_runs = CheckRuns()
        self.reviews = InProcessReviews(self._run, concurrency)
        self.deliveries = (
            RedisDeliveryQueue(queue)
            if queue is not None
            else DeliveryQueue(github_for, HandlerContext(self.reviews), deadline=deadline, clock=clock, sleep=sleep)
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

    async def _run(self, job: ReviewJob, fresh: bool, dismissed, superseded_by) -> None:
        async def attempt(gh, progress):
            return await run_review(
                gh,
                job,
                self.repos,
                cache=self.facts,
                superseded_by=superseded_by,
                dismissed=dismissed,
                attempt=progress,
                check_runs=self.check_runs,
            )

        with self.metrics.review_seconds.time():
            outcome = await review_until_done(
                lambda: self.github_for(job.installation_id),
                job.repo,
                attempt,
                head=job.head_sha,
                deadline=self.deadline,
                clock=self.clock,
                sleep=self.sleep,
            )
        if isinstance(outcome, Outcome):
            for rule, count in outcome.rules.items():
                self.metrics.findings.labels(rule).inc(count)
        status = outcome.status if isinstance(outcome, Outcome) else outcome
        log.info("review finished", extra={"repo": job.repo, "pr": job.number, "status": status})

    async def drain(self) -> None:
        """Wait until every delivery and every review it queued is done (tests, shutdown)."""
        await self.deliveries.drain()
        await self.reviews.drain()


def github_factory(
    settings: Settings,
    metrics: Metrics | None = None,
    redis=None,
    client: httpx.AsyncClient | None = None,
    api: type[ResilientGitHubAPI] = ResilientGitHubAPI,
) -> GitHubFactory:
    """Installation clients: tokens cached (in Redis too when given), one retrying client per
    installation, whose 401s replace the cached token (``client``/``api``: tests' transport)."""
    client = client or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
    tokens = InstallationTokens(settings.github_app_id, settings.private_key, redis=redis)
    app_gh = api(client, USER_AGENT, base_url=settings.github_api_url)
    in_flight: dict[int, ResilientGitHubAPI] = {}

    async def github_for(installation_id: int) -> GitHubAPI:
        token = await tokens.token(app_gh, installation_id)
        # One client per installation keeps its in-flight cap shared by that installation's reviews.
        gh = in_flight.get(installation_id)
        if gh is None or gh.oauth_token != token:

            async def refresh() -> str:  # a 401: the cached token was revoked or expired early
                return await tokens.refresh(app_gh, installation_id)

            gh = in_flight[installation_id] = api(
                client,
                USER_AGENT,
                oauth_token=token,
                base_url=settings.github_api_url,
                metrics=metrics,
                refresh_token=refresh,
            )
        return gh

    return github_for


async def build_service(settings: Settings) -> Service:
    redis = queue = None
    if settings.redis_url is not None:
        import redis.asyncio as aioredis
        from arq.connections import create_pool

        from undertow.app.queue.redis_queue import redis_settings

        url = settings.redis_url.get_secret_value()
        redis = aioredis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        queue = await create_pool(redis_settings(url))
    metrics = Metrics()
    service = Service(
        settings.github_webhook_secret.get_secret_value(),
        github_factory(settings, metrics, redis),
        settings.max_concurrency,
        redis=redis,
        queue=queue,
        metrics=metrics,
        deadline=settings.review_deadline,
        repos=repo_cache(settings),
    )
    return service


def repo_cache(settings: Settings) -> RepoCache:
    return RepoCache(git_cache_dir(settings), settings.git_cache_mb, settings.git_fetch_timeout)
