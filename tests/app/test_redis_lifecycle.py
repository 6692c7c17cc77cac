"""Redis mode on a real Redis: a head whose job failed is queued again by the next delivery,
and reviews of one PR never run at once, even on two workers."""

import asyncio
import uuid

from arq.connections import create_pool

from tests.app.gitcache import repos
from tests.app.test_review import BASE, PR
from tests.fakegithub import FakeGitHub
from undertow.app.queue.redis_queue import WORKER_FUNCTIONS, RedisReviews, ResilientWorker, redis_settings
from undertow.app.review import ReviewJob


def worker(redis, queue_name, reviews, gh, **kw):
    async def github_for(installation_id):
        return gh

    return ResilientWorker(
        WORKER_FUNCTIONS,
        redis_pool=redis,
        queue_name=queue_name,
        burst=True,
        handle_signals=False,
        poll_delay=0.05,
        ctx={"github_for": github_for, "reviews": reviews, "repos": repos()},
        **kw,
    )


def test_a_head_whose_job_failed_is_queued_again_by_the_next_delivery(make_pr, redis_url, monkeypatch):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    job = ReviewJob("octo/app", 7, 1, gh.git.resolve("HEAD"), "opened", gh.git.resolve("main"))
    states = []

    async def scenario():
        redis = await create_pool(redis_settings(redis_url))
        queue_name = f"undertow:test:{uuid.uuid4().hex}"
        reviews = RedisReviews(redis, queue_name)
        try:
            with monkeypatch.context() as patched:
                patched.setattr("undertow.app.review.plan_review", lambda *a, **k: {}["a bug"])
                await reviews.request(job)
                await worker(redis, queue_name, reviews, gh).main()
            states.append([(r["status"], r["conclusion"], r["output"]["title"]) for r in gh.check_runs.values()])
            await reviews.request(job)  # GitHub delivers the same head again (a redelivery, a re-run)
            await worker(redis, queue_name, reviews, gh).main()
            states.append([(r["status"], r["conclusion"], r["output"]["title"]) for r in gh.check_runs.values()])
        finally:
            await redis.flushdb()
            await redis.aclose()

    asyncio.run(scenario())
    assert states == [
        [("completed", "failure", "Review failed")],
        [("completed", "failure", "1 error, 1 warning")],  # queued again, and the same check run
    ]
    assert len(gh.reviews) == 1 and len(gh.comments) == 2


def test_reviews_of_one_pr_never_run_at_once_on_two_workers(make_pr, redis_url):
    repo = make_pr(BASE, PR)
    active, overlaps = set(), []

    class SlowGitHub(FakeGitHub):
        async def _request(self, method, url, headers, body=b""):
            result = await super()._request(method, url, headers, body)
            method_path = self.calls[-1][:2]
            if method_path[1].endswith("/check-runs") or self.calls[-1][2] == {
                "status": "in_progress",
                "output": {"title": "Reviewing", "summary": "Review in progress."},
            }:
                if active:
                    overlaps.append(method_path)
                active.add(id(asyncio.current_task()))
            if "/compare/" in method_path[1]:
                await asyncio.sleep(0.3)  # a slow review: a second worker would start meanwhile
            if method_path[0] == "PATCH" and (self.calls[-1][2] or {}).get("status") == "completed":
                active.discard(id(asyncio.current_task()))
            return result

    gh = SlowGitHub(repo.path)

    async def scenario():
        redis = await create_pool(redis_settings(redis_url))
        queue_name = f"undertow:test:{uuid.uuid4().hex}"
        reviews = RedisReviews(redis, queue_name)
        try:
            await reviews.request(ReviewJob("octo/app", 7, 1, None, "/undertow rescan"), fresh=True)
            await reviews.request(ReviewJob("octo/app", 7, 1, None, "/undertow rescan"), fresh=True)
            workers = [worker(redis, queue_name, reviews, gh, max_jobs=1) for _ in range(2)]
            await asyncio.gather(*(w.main() for w in workers))
            return [w.jobs_complete for w in workers], [w.jobs_retried for w in workers]
        finally:
            await redis.flushdb()
            await redis.aclose()

    complete, _ = asyncio.run(scenario())
    assert sum(complete) == 2 and overlaps == []
    assert len(gh.check_runs) == 1 and len(gh.reviews) == 1 and len(gh.comments) == 2
