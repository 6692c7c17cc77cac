"""The arq queue on a real Redis: webhook → delivery job → handler → review job → published review,
once, however often GitHub redelivers; an older head does not publish."""

import asyncio
import json
import uuid

from arq import Worker
from arq.connections import RedisSettings, create_pool

from tests.app.gitcache import repos
from tests.app.test_review import BASE, PR
from tests.app.test_webhook import PAYLOADS
from tests.fakegithub import FakeGitHub
from undertow.app.events import Delivery
from undertow.app.queue.redis_queue import WORKER_FUNCTIONS, RedisDeliveryQueue, RedisReviews
from undertow.app.review import ReviewJob


async def _run(redis_url, gh, scenario):
    redis = await create_pool(RedisSettings.from_dsn(redis_url))
    queue_name = f"undertow:test:{uuid.uuid4().hex}"
    reviews = RedisReviews(redis, queue_name)

    async def github_for(installation_id):
        return gh

    try:
        await scenario(redis, queue_name, reviews)
        worker = Worker(
            WORKER_FUNCTIONS,
            redis_pool=redis,
            queue_name=queue_name,
            burst=True,
            handle_signals=False,
            poll_delay=0.05,
            ctx={"github_for": github_for, "reviews": reviews, "repos": repos()},
        )
        # Burst mode: run until the queue is empty, including jobs the handlers enqueue.
        await worker.main()
        await worker.close()
    finally:
        await redis.flushdb()
        await redis.aclose()


def test_webhook_delivery_to_published_review_once(make_pr, redis_url):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    data = json.loads((PAYLOADS / "pull_request/opened.json").read_text())
    data["repository"]["full_name"], data["pull_request"]["number"] = "octo/app", 7
    data["pull_request"]["head"]["sha"] = gh.git.resolve("HEAD")
    data["pull_request"]["base"]["sha"] = gh.git.resolve("main")
    data["repository"]["clone_url"] = gh.clone_url  # the fake's git server, never github.com

    async def scenario(redis, queue_name, reviews):
        deliveries = RedisDeliveryQueue(redis, queue_name)
        await deliveries.put(Delivery("pull_request", "del-1", data))
        await deliveries.put(Delivery("pull_request", "del-1", data))  # a second replica got it too
        await reviews.request(
            ReviewJob("octo/app", 7, 1, gh.git.resolve("HEAD"), "synchronize")
        )  # and a near-duplicate event

    asyncio.run(_run(redis_url, gh, scenario))
    assert len(gh.reviews) == 1 and len(gh.comments) == 2
    assert [r["conclusion"] for r in gh.check_runs.values() if r.get("status") == "completed"][:1] == ["failure"]


def test_older_head_is_superseded_and_closed_prs_are_skipped(make_pr, redis_url):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)

    async def scenario(redis, queue_name, reviews):
        await reviews.request(ReviewJob("octo/app", 7, 1, "0" * 40, "synchronize"))  # an older push
        await reviews.request(ReviewJob("octo/app", 8, 1, "1" * 40, "opened"))
        await reviews.cancel("octo/app", 8)

    asyncio.run(_run(redis_url, gh, scenario))
    assert gh.reviews == [] and gh.check_runs == {}


def test_a_worker_killed_mid_review_leaves_the_job_to_another_worker(make_pr, redis_url):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)

    class DiesBeforePublishing(FakeGitHub):
        async def _request(self, method, url, headers, body=b""):
            if method == "POST" and url.endswith("/reviews"):
                raise asyncio.CancelledError()  # the worker process is being killed
            return await gh._request(method, url, headers, body)

    dying = DiesBeforePublishing(repo.path)

    async def scenario():
        redis = await create_pool(RedisSettings.from_dsn(redis_url))
        queue_name = f"undertow:test:{uuid.uuid4().hex}"
        reviews = RedisReviews(redis, queue_name)
        try:
            await reviews.request(ReviewJob("octo/app", 7, 1, gh.git.resolve("HEAD"), "opened"))
            for github in (dying, gh):  # the first worker dies; the second one takes the job over

                async def github_for(installation_id, github=github):
                    return github

                # The dying worker takes one job and is gone; arq puts the job back for the next one.
                worker = Worker(
                    WORKER_FUNCTIONS,
                    redis_pool=redis,
                    queue_name=queue_name,
                    burst=True,
                    handle_signals=False,
                    poll_delay=0.05,
                    max_burst_jobs=1 if github is dying else -1,
                    ctx={"github_for": github_for, "reviews": reviews, "repos": repos()},
                )
                await worker.main()
            assert worker.jobs_complete == 1
        finally:
            await redis.flushdb()
            await redis.aclose()

    asyncio.run(scenario())
    # Two attempts, one check run: the one the killed attempt created, completed by the second.
    assert [(r["status"], r["conclusion"]) for r in gh.check_runs.values()] == [("completed", "failure")]
    assert len(gh.reviews) == 1 and len(gh.comments) == 2  # and the review was posted once
