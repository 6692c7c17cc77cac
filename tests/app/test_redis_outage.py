"""Redis mode through Redis outages, end to end: the real `undertow worker` process, a private
redis-server on a free loopback port (started with the queue Redis's arguments from
deploy/docker-compose.yml, its --dir a temporary directory) and the GitHub emulator over loopback
HTTP. A gate in front of the emulator holds the review at a known point (the answer to its
creating the check run) so that each fault lands mid-review, not before or after it.

- A Redis outage of 3 s mid-review (the server paused with SIGSTOP, or shut down and started
  again): the worker does not exit, and the review completes after Redis is back, its check run
  created once and completed once, its review posted once.
- A Redis restart with appendonly: deliveries queued while no worker runs survive it and are
  reviewed by the worker started afterwards (without appendonly they are lost: what the README
  warns of).
- A push while the previous head's review runs: the old head's check run ends `cancelled`,
  "superseded by <sha>", and the new head is reviewed.

Every server here listens on 127.0.0.1 only and is stopped by the test; every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis as sync_redis
import uvicorn
import yaml
from arq.connections import create_pool

from tests.app.test_emulator_e2e import APP_ID, app_key  # noqa: F401  (fixture)
from tests.app.test_review import BASE, PR
from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator
from undertow.app.events import Delivery
from undertow.app.queue.redis_queue import QUEUE, RedisDeliveryQueue, redis_settings

ROOT = Path(__file__).resolve().parents[2]
UNDERTOW = Path(sys.executable).with_name("undertow")  # the console script: `undertow worker`
REDIS_SERVER = shutil.which("redis-server")
CHECK_RUNS = "/repos/octo/app/check-runs"
OUTAGE = 3.0

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (scripts/ensure-redis installs it)")


def queue_redis_args(source: str = "compose") -> list[str]:
    """The queue Redis's arguments in the deploy configuration (after the `redis-server`)."""
    if source == "compose":
        compose = yaml.safe_load((ROOT / "deploy/docker-compose.yml").read_text())
        args = compose["services"]["redis"]["command"]
    else:
        documents = yaml.safe_load_all((ROOT / "deploy/k8s/redis.yaml").read_text())
        deployment = next(
            d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "undertow-redis"
        )
        args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[0] == "redis-server"
    return list(args[1:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """A private redis-server on a free loopback port, its files in ``directory``; stopped (and
    waited for) by ``close``. ``args`` are redis-server's, without --port/--bind/--dir."""

    def __init__(self, directory: Path, args: list[str]) -> None:
        self.directory, self.port = directory, free_port()
        directory.mkdir(parents=True, exist_ok=True)
        self.args = [a for i, a in enumerate(args) if a != "--dir" and (i == 0 or args[i - 1] != "--dir")]
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, *self.args, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        try:
            wait_for(lambda: self._pings(client), 10, f"redis-server on port {self.port}")
        finally:
            client.close()

    def _pings(self, client) -> bool:
        assert self.process is not None and self.process.poll() is None, (self.directory / "redis.log").read_text()
        try:
            return bool(client.ping())
        except sync_redis.RedisError:
            return False

    def client(self) -> sync_redis.Redis:
        return sync_redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=1)

    def stop(self) -> None:
        """SIGTERM, as `docker restart` and Kubernetes send it: Redis shuts down (its AOF flushed)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Gate:
    """ASGI middleware in front of the emulator: the first request for ``path`` is served (the
    emulator's state changes) but its response waits, up to 15 s, until ``open`` is set;
    ``reached`` says it arrived. Held there, the App is mid-review: its check run exists."""

    def __init__(self, app, method: str, path: str) -> None:
        self.app, self.method, self.path = app, method, path
        self.reached, self.open = threading.Event(), threading.Event()

    async def __call__(self, scope, receive, send):
        if not (
            scope["type"] == "http"
            and (scope["method"], scope["path"]) == (self.method, self.path)
            and not self.reached.is_set()
        ):
            return await self.app(scope, receive, send)
        held: list[dict] = []

        async def hold(message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        self.reached.set()
        for _ in range(1500):
            if self.open.is_set():
                break
            await asyncio.sleep(0.01)
        for message in held:
            await send(message)


class Emulator:
    """The emulator (behind a Gate) on a loopback port, served from a thread; stops with the test."""

    def __init__(self, state: EmulatedGitHub) -> None:
        self.gate = Gate(create_emulator(state), "POST", CHECK_RUNS)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(self.gate, log_config=None, access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=asyncio.run, args=(self.server.serve(sockets=[self.sock]),), daemon=True)

    def __enter__(self) -> Emulator:
        self.thread.start()
        wait_for(lambda: self.server.started, 10, "the emulator")
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        return self

    def __exit__(self, *exc) -> None:
        self.gate.open.set()
        self.server.should_exit = True
        self.thread.join(10)


class Worker:
    """`undertow worker` as deployed, in a subprocess on ``redis_url``; killed by ``close``."""

    def __init__(self, tmp_path: Path, pem: str, api: str, redis_url: str, **extra_env: str) -> None:
        key = tmp_path / "app.pem"
        key.write_text(pem)
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:8]}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UNDERTOW_", "GITHUB_", "REDIS_"))}
        env.update(
            {
                "GITHUB_APP_ID": str(APP_ID),
                "GITHUB_PRIVATE_KEY_PATH": str(key),
                "GITHUB_WEBHOOK_SECRET": "s",
                "GITHUB_API_URL": api,
                "REDIS_URL": redis_url,
                "UNDERTOW_LOG_FORMAT": "console",
                **extra_env,
            }
        )
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [str(UNDERTOW), "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text()

    def close(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(10)


def emulated(repo, app_key) -> EmulatedGitHub:  # noqa: F811
    return EmulatedGitHub(
        repo.path, "octo/app", APP_ID, app_key[1], pulls={7: PullRequest(7)}, faults=Faults(latency=0.02)
    )


def pull_request_event(state: EmulatedGitHub, action: str = "opened") -> dict:
    return {
        "action": action,
        "number": 7,
        "installation": {"id": 1},
        "repository": {"full_name": "octo/app"},
        "pull_request": {
            "number": 7,
            "head": {"sha": state.git.resolve("HEAD")},
            "base": {"sha": state.git.resolve("main")},
        },
    }


def enqueue(redis_url: str, *events: dict) -> None:
    """What the webhook service does with each signed delivery: queue it on Redis and return."""

    async def put() -> None:
        pool = await create_pool(redis_settings(redis_url))
        try:
            queue = RedisDeliveryQueue(pool)
            for event in events:
                await queue.put(Delivery("pull_request", f"delivery-{uuid.uuid4().hex}", json.loads(json.dumps(event))))
        finally:
            await pool.aclose()

    asyncio.run(put())


def writes(state: EmulatedGitHub, since: int = 0) -> list[tuple[str, str, int]]:
    """The App's writes to the repository's REST API, as (method, path without the repository, status)."""
    return [
        (m, p.replace("/repos/octo/app", ""), s)
        for m, p, s in state.requests[since:]
        if m != "GET" and p.startswith("/repos/octo/app/")
    ]


def drained(redis: RedisServer, worker: Worker, timeout: float = 30) -> None:
    """Wait until the queue is empty: arq drops a job once it has ended, and each delivery's job
    queues its review before it ends, so the queue empties only when every review has ended. The
    worker must not exit meanwhile."""
    client = redis.client()

    def empty() -> bool:
        assert worker.alive(), worker.output()
        return client.zcard(QUEUE) == 0

    try:
        wait_for(empty, timeout, "the queued jobs to end")
    finally:
        client.close()


REVIEWED = [  # one review of the head: its check run created, completed, the review posted
    ("POST", "/check-runs", 201),
    ("PATCH", "/check-runs/1", 200),
    ("POST", "/pulls/7/reviews", 200),
]


# -- 1. a Redis outage of a few seconds mid-review ----------------------------------------------


@pytest.mark.parametrize("outage", ["paused", "restarted"])
def test_a_redis_outage_mid_review_neither_stops_the_worker_nor_the_review(make_pr, app_key, tmp_path, outage):  # noqa: F811
    state = emulated(make_pr(BASE, PR), app_key)
    with RedisServer(tmp_path / "redis", queue_redis_args()) as redis, Emulator(state) as github:
        worker = Worker(tmp_path, app_key[0], github.url, redis.url)
        try:
            enqueue(redis.url, pull_request_event(state))
            assert github.gate.reached.wait(20), worker.output()  # the review is under way
            assert writes(state) == [("POST", "/check-runs", 201)]
            if outage == "paused":
                redis.pause()
            else:
                redis.stop()
            github.gate.open.set()  # the review goes on, and needs Redis before it publishes
            time.sleep(OUTAGE)
            assert worker.alive(), worker.output()
            assert writes(state) == [("POST", "/check-runs", 201)]  # nothing published without Redis
            back = len(state.requests)
            if outage == "paused":
                redis.resume()
            else:
                redis.start()  # the same port, its append-only file read back
            drained(redis, worker)
            assert worker.alive(), worker.output()
        finally:
            worker.close()
    assert writes(state) == REVIEWED, worker.output()
    assert [m for m, p, _ in state.requests[:back] if p == "/repos/octo/app/check-runs/1"] == []  # completed after
    (run,) = state.check_runs.values()
    assert (run["head_sha"], run["status"], run["conclusion"]) == (state.git.resolve("HEAD"), "completed", "failure")
    assert len(state.reviews) == 1 and len(state.comments) == 2
    # Redis's commands were retried through the outage (redis_settings): no job failed or was retried.
    assert "Traceback" not in worker.output() and "failed" not in worker.output() and "↻" not in worker.output()


# -- 2. deliveries queued while no worker runs survive a Redis restart -------------------------


@pytest.mark.parametrize("source", ["compose", "k8s"])
def test_deliveries_queued_without_a_worker_survive_a_redis_restart(make_pr, app_key, tmp_path, source):  # noqa: F811
    state = emulated(make_pr(BASE, PR), app_key)
    with RedisServer(tmp_path / "redis", queue_redis_args(source)) as redis, Emulator(state) as github:
        github.gate.open.set()
        enqueue(redis.url, pull_request_event(state))
        redis.stop()  # a restart (SIGTERM, then started again on its volume) while no worker runs
        redis.start()
        client = redis.client()
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.zcard(QUEUE) == 1  # the delivery is still queued
        worker = Worker(tmp_path, app_key[0], github.url, redis.url)
        try:
            drained(redis, worker)
        finally:
            worker.close()
            client.close()
    assert writes(state) == REVIEWED, worker.output()
    (run,) = state.check_runs.values()
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    assert len(state.reviews) == 1


def test_without_appendonly_a_redis_restart_loses_the_queued_deliveries(tmp_path):
    """What the README warns of, and what the deploy configurations' appendonly prevents."""
    args = queue_redis_args()
    args[args.index("--appendonly") + 1] = "no"
    with RedisServer(tmp_path / "redis", args) as redis:
        enqueue(redis.url, {"action": "opened", "installation": {"id": 1}})
        client = redis.client()
        assert client.zcard(QUEUE) == 1
        client.close()
        redis.stop()
        redis.start()
        client = redis.client()
        assert client.zcard(QUEUE) == 0
        client.close()


# -- 3. a push while the previous head's review runs --------------------------------------------


def test_a_push_mid_review_cancels_the_old_heads_check_run_on_a_redis_worker(make_pr, app_key, tmp_path):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = emulated(repo, app_key)
    with RedisServer(tmp_path / "redis", queue_redis_args()) as redis, Emulator(state) as github:
        worker = Worker(tmp_path, app_key[0], github.url, redis.url)
        client = redis.client()
        try:
            first = pull_request_event(state)
            old = first["pull_request"]["head"]["sha"]
            enqueue(redis.url, first)
            assert github.gate.reached.wait(20), worker.output()  # the old head's review is under way
            repo.commit({"app/jobs.py": PR["app/jobs.py"].replace("p])", "p], timeout=600)")})
            new = state.git.resolve("HEAD")
            assert new != old
            enqueue(redis.url, pull_request_event(state, "synchronize"))
            # The worker handles the push's delivery: the PR's head is now the new one.
            wait_for(lambda: client.get("undertow:head:octo/app#7") == new.encode(), 20, "the push to be handled")
            github.gate.open.set()
            drained(redis, worker)
            assert worker.alive(), worker.output()
        finally:
            worker.close()
            client.close()
    assert writes(state) == [
        ("POST", "/check-runs", 201),  # the old head's
        ("PATCH", "/check-runs/1", 200),  # cancelled: superseded
        ("POST", "/check-runs", 201),  # the new head's
        ("PATCH", "/check-runs/2", 200),  # completed
        ("POST", "/pulls/7/reviews", 200),  # one review, of the new head
    ], worker.output()
    old_run, new_run = state.check_runs[1], state.check_runs[2]
    assert (old_run["head_sha"], old_run["status"], old_run["conclusion"]) == (old, "completed", "cancelled")
    assert old_run["output"]["title"] == "Superseded" and old_run["output"]["summary"] == f"superseded by {new}"
    assert (new_run["head_sha"], new_run["status"]) == (new, "completed")
    assert len(state.reviews) == 1 and state.reviews[0]["commit_id"] == new


# -- 4. Redis lost while a command watches a key -------------------------------------------------


class CuttingProxy:
    """A TCP proxy on loopback in front of Redis that, once armed, drops the connection whose
    ``nth`` WATCH it has seen as soon as that connection sends its next command: Redis lost
    between WATCH and the transaction (a restart, a failover, a network cut), which redis-py
    reports as a WatchError instead of retrying. Served from a thread; stops with the test."""

    def __init__(self, target_port: int, nth: int) -> None:
        self.target_port, self.nth = target_port, nth
        self.watches, self.cut = 0, threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", self.target_port)
        doomed = False

        async def down() -> None:
            with contextlib.suppress(Exception):
                while data := await upstream_reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        pump = asyncio.create_task(down())
        try:
            while data := await reader.read(65536):
                if doomed:
                    self.cut.set()
                    break  # the command after WATCH never reaches Redis, and the connection drops
                if b"WATCH" in data and not self.cut.is_set():
                    self.watches += 1
                    doomed = self.watches == self.nth
                upstream.write(data)
                await upstream.drain()
        except Exception:
            pass
        finally:
            upstream.close()
            writer.close()
            pump.cancel()

    def __enter__(self) -> CuttingProxy:
        self.thread.start()

        async def serve():
            self.sock.listen()
            self.sock.setblocking(False)
            self.server = await asyncio.start_server(self._client, sock=self.sock)

        asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        async def close():
            self.server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.mark.parametrize("nth", [1, 2, 3], ids=["starting-the-delivery", "queueing-the-review", "starting-the-review"])
def test_redis_lost_while_the_worker_watches_a_key_neither_stops_it_nor_loses_the_review(
    make_pr,
    app_key,  # noqa: F811
    tmp_path,
    nth,
):
    """The worker's WATCHes, in order: arq starting the delivery's job, the delivery's handler
    queueing the review (arq's enqueue_job), arq starting the review's job. One worker slot
    (UNDERTOW_MAX_CONCURRENCY=1), so a slot lost with the connection would stop every review."""
    state = emulated(make_pr(BASE, PR), app_key)
    with (
        RedisServer(tmp_path / "redis", queue_redis_args()) as redis,
        CuttingProxy(redis.port, nth) as proxy,
        Emulator(state) as github,
    ):
        github.gate.open.set()
        worker = Worker(tmp_path, app_key[0], github.url, proxy.url, UNDERTOW_MAX_CONCURRENCY="1")
        try:
            enqueue(redis.url, pull_request_event(state))
            assert proxy.cut.wait(20), worker.output()
            drained(redis, worker)
            assert worker.alive(), worker.output()
        finally:
            worker.close()
    assert writes(state) == REVIEWED, worker.output()
    (run,) = state.check_runs.values()
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    assert len(state.reviews) == 1
