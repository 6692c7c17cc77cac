"""The in-process queue: coalescing per PR, cancellation, staleness."""

import asyncio

from undertow.app.coordinator import InProcessReviews
from undertow.app.review import ReviewJob


def test_requests_for_one_pr_coalesce_to_the_newest_head():
    ran = []

    async def run(job, fresh, dismissed, still_current):
        ran.append((job.head_sha, fresh))

    async def scenario():
        reviews = InProcessReviews(run, concurrency=1)
        await reviews.request(ReviewJob("o/r", 1, 9, "a"))
        await reviews.request(ReviewJob("o/r", 1, 9, "b"), fresh=True)
        await reviews.request(ReviewJob("o/r", 1, 9, "c"))
        await reviews.request(ReviewJob("o/r", 2, 9, "x"))
        reviews.start()
        await reviews.drain()
        await reviews.stop()

    asyncio.run(scenario())
    assert ran == [("c", True), ("x", False)]


def test_closed_pr_drops_queued_work():
    ran = []

    async def run(job, fresh, dismissed, still_current):
        ran.append(job.number)

    async def scenario():
        reviews = InProcessReviews(run)
        await reviews.request(ReviewJob("o/r", 1, 9, "a"))
        await reviews.cancel("o/r", 1)
        reviews.start()
        await reviews.drain()
        await reviews.stop()

    asyncio.run(scenario())
    assert ran == []


def test_a_newer_push_during_a_review_makes_it_stale_and_runs_again():
    seen = []

    async def scenario():
        reviews = InProcessReviews(None, concurrency=1)
        started = asyncio.Event()
        proceed = asyncio.Event()

        async def run(job, fresh, dismissed, still_current):
            if job.head_sha == "a":
                started.set()
                await proceed.wait()
            seen.append((job.head_sha, await still_current(job.head_sha), sorted(dismissed)))

        reviews.run = run
        await reviews.dismiss("o/r", 1, "RSK003", "")
        await reviews.request(ReviewJob("o/r", 1, 9, "a"))
        reviews.start()
        await started.wait()
        await reviews.request(ReviewJob("o/r", 1, 9, "b"))
        proceed.set()
        await reviews.drain()
        await reviews.stop()

    asyncio.run(scenario())
    assert seen == [("a", False, ["RSK003"]), ("b", True, ["RSK003"])]
