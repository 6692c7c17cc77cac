"""Two `undertow worker` processes on a real Redis and the GitHub emulator over loopback HTTP:
the one reviewing is killed with SIGKILL mid-review; the other takes the job over within the
lease and completes the same check run; the review is posted once."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import redis as sync_redis
import uvicorn
from arq.connections import create_pool

from tests.app.test_emulator_e2e import APP_ID, app_key  # noqa: F401  (fixture)
from tests.app.test_review import BASE, PR
from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator
from undertow.app.queue import redis_queue
from undertow.app.queue.redis_queue import RedisReviews, redis_settings
from undertow.app.review import ReviewJob

ROOT = Path(__file__).resolve().parents[2]


class Emulator:
    """The emulator on a loopback port, served from a thread; stops with the test."""

    def __init__(self, state) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(create_emulator(state), log_config=None, access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=asyncio.run, args=(self.server.serve(sockets=[self.sock]),), daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {predicate.__doc__ or ''}")


def test_the_lease_lets_another_worker_take_over_within_a_minute():
    assert redis_queue.LEASE + redis_queue.HEARTBEAT < 60


def test_a_worker_killed_mid_review_leaves_its_job_and_check_run_to_the_other(make_pr, app_key, redis_url, tmp_path):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = EmulatedGitHub(
        repo.path, "octo/app", APP_ID, app_key[1], pulls={7: PullRequest(7)}, faults=Faults(latency=0.15)
    )
    key = tmp_path / "app.pem"
    key.write_text(app_key[0])
    queue = f"undertow:test:{uuid.uuid4().hex}"
    redis = sync_redis.Redis.from_url(redis_url)
    redis.flushdb()  # this test's database (tokens, check runs, locks) starts empty
    with Emulator(state) as api:
        env = {
            **os.environ,
            "GITHUB_APP_ID": str(APP_ID),
            "GITHUB_PRIVATE_KEY_PATH": str(key),
            "GITHUB_WEBHOOK_SECRET": "s",
            "GITHUB_API_URL": api,
            "REDIS_URL": redis_url,
            "UNDERTOW_TEST_QUEUE": queue,
            "UNDERTOW_LOG_FORMAT": "console",
        }
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.app.redis_worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / f"worker-{n}.log", "w"),
            )
            for n in range(2)
        ]
        try:

            async def enqueue():
                pool = await create_pool(redis_settings(redis_url))
                await RedisReviews(pool, queue).request(
                    ReviewJob("octo/app", 7, 1, state.git.resolve("HEAD"), "opened", state.git.resolve("main"))
                )
                await pool.aclose()

            asyncio.run(enqueue())
            wait_for(
                lambda: any(s == 201 and p.endswith("/check-runs") for _, p, s in state.requests), 60, "a check run"
            )
            victim = int(wait_for(lambda: redis.get("undertow:test:reviewing"), 10, "the reviewing worker"))
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            redis.delete("undertow:test:reviewing")
            wait_for(lambda: redis.zcard(queue) == 0, 60, "the job to finish")  # arq drops it when done
            taken_over_after = time.monotonic() - killed_at
            run = state.check_runs[1]
            survivor = int(redis.get("undertow:test:reviewing") or 0)
        finally:
            for process in workers:
                process.kill()
                process.wait(10)
            redis.flushdb()
            redis.close()
    assert survivor and survivor != victim  # the other worker took the job over
    assert taken_over_after < 60  # the bound (the lease here is shortened to 3 s)
    assert len(state.check_runs) == 1 and (run["status"], run["conclusion"]) == ("completed", "failure")
    assert len(state.reviews) == 1 and len(state.comments) == 2, [r for r in state.requests if r[0] != "GET"]
    assert [p for m, p, s in state.requests if m == "POST" and p.endswith("/check-runs")] == [
        "/repos/octo/app/check-runs"
    ]
