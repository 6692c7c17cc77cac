"""The in-process queue: coalescing per PR, cancellation, staleness."""

import asyncio

from undertow.app.queue.coordinator import InProcessReviews
from undertow.app.review import ReviewJob


def test_requests_for_one_pr_coalesce_to_the_newest_head():
    ran = []

    async def run(job, fresh, dismissed, superseded_by):
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

    async def run(job, fresh, dismissed, superseded_by):
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

        async def run(job, fresh, dismissed, superseded_by):
            if job.head_sha == "a":
                started.set()
                await proceed.wait()
            seen.append((job.head_sha, await superseded_by(job.head_sha), sorted(dismissed)))

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
    assert seen == [("a", "b", ["RSK003"]), ("b", None, ["RSK003"])]


def test_reviews_of_one_pr_never_run_at_once():
    events = []

    async def scenario():
        reviews = InProcessReviews(None, concurrency=4)
        first_started, release = asyncio.Event(), asyncio.Event()

        async def run(job, fresh, dismissed, superseded_by):
            events.append(("start", job.reason))
            if job.reason == "rescan 1":
                first_started.set()
                await release.wait()
            events.append(("end", job.reason))

        reviews.run = run
        reviews.start()
        await reviews.request(ReviewJob("o/r", 1, 9, None, "rescan 1"), fresh=True)
        await first_started.wait()
        await reviews.request(ReviewJob("o/r", 1, 9, None, "rescan 2"), fresh=True)  # while the first runs
        await reviews.request(ReviewJob("o/r", 2, 9, None, "other pr"), fresh=True)
        for _ in range(20):  # the other workers are free: they could start it, and must not
            await asyncio.sleep(0)
        release.set()
        await reviews.drain()
        await reviews.stop()

    asyncio.run(scenario())
    mine = [e for e in events if e[1] != "other pr"]
    assert mine == [("start", "rescan 1"), ("end", "rescan 1"), ("start", "rescan 2"), ("end", "rescan 2")]
    assert ("end", "other pr") in events and events.index(("end", "other pr")) < events.index(("end", "rescan 1"))
