"""`undertow worker` as the SIGKILL test runs it (python -m tests.app.redis_worker): the real
worker loop and GitHub client, on a test queue, with a short lease so that the takeover the
test waits for takes seconds. It records its pid in Redis when it starts a review."""

import asyncio
import logging
import os

from arq.connections import create_pool

from tests.app.gitcache import repos
from undertow.app.queue import redis_queue
from undertow.app.service.settings import load_settings
from undertow.app.service.wiring import github_factory

redis_queue.LEASE, redis_queue.HEARTBEAT = 3.0, 0.5
original = redis_queue.review_pull_request


async def review_pull_request(ctx, job_data):
    await ctx["redis"].set("undertow:test:reviewing", str(os.getpid()))
    return await original(ctx, job_data)


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings()
    url = settings.redis_url.get_secret_value()
    redis = await create_pool(redis_queue.redis_settings(url))
    functions = [
        redis_queue.handle_delivery,
        redis_queue.func(review_pull_request, name="review_pull_request", keep_result=0, max_tries=100),
    ]
    worker = redis_queue.ResilientWorker(
        functions,
        redis_pool=redis,
        queue_name=os.environ["UNDERTOW_TEST_QUEUE"],
        poll_delay=0.1,
        ctx={
            "github_for": github_factory(settings, redis=redis),
            "reviews": redis_queue.RedisReviews(redis, os.environ["UNDERTOW_TEST_QUEUE"]),
            "repos": repos(),
        },
        job_timeout=600,
    )
    await worker.async_run()


if __name__ == "__main__":
    asyncio.run(main())
