"""Benchmark (not a test): the App. REST calls and git HTTP requests per review and
webhook-to-check latency on the emulator with 50 ms per REST call, cold, warm and after a new
push; and webhook ingestion on loopback at a fixed offered load (acknowledgement p50/p99, lost
or duplicated jobs).

    python -m tests.benchmarks.app_service [--scales 1 16] [--json build/bench-app.json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.benchmarks.synthetic import add_push, build, pull_request
from undertow.analyzers.facts.context import MemoryCache
from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator
from undertow.app.github.auth import InstallationTokens
from undertow.app.github.client import ResilientGitHubAPI
from undertow.app.queue.dedupe import MemoryDeduper
from undertow.app.repos.cache import RepoCache
from undertow.app.review import ReviewJob, run_review
from undertow.app.service.webhook import create_app

LATENCY = 0.05
SECRET = "bench"


async def review_calls(repo: Path, head: str, push_head: str) -> list[dict]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    state = EmulatedGitHub(
        repo, "bench/repo", 1, key.public_key(), pulls={1: PullRequest(1, "main", head)}, faults=Faults(latency=LATENCY)
    )
    results = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_emulator(state)), base_url="http://github.test"
    ) as client:
        token = await InstallationTokens(1, pem).token(
            ResilientGitHubAPI(client, "bench", base_url="http://github.test"), 1
        )
        gh = ResilientGitHubAPI(client, "bench", oauth_token=token, base_url="http://github.test")
        cache_dir = tempfile.TemporaryDirectory(prefix="undertow-bench-git-")
        git_cache, facts = RepoCache(cache_dir.name), MemoryCache()
        for label in ("cold", "warm", "push"):
            if label == "push":
                state.pulls[1] = PullRequest(1, "main", push_head)
            pr = state.pulls[1]
            before, git_before = len(state.requests), len(state.git_requests)
            started = time.perf_counter()
            job = ReviewJob(
                "bench/repo",
                1,
                1,
                state.git.resolve(pr.head),
                "synchronize",
                state.git.resolve("main"),
                clone_url=state.clone_url,
            )
            await run_review(gh, job, git_cache, cache=facts)
            elapsed = time.perf_counter() - started
            results.append(
                {
                    "run": label,
                    "api_calls": len(state.requests) - before,
                    "git_requests": len(state.git_requests) - git_before,
                    "seconds": elapsed,
                    "sequential_round_trips_est": round(elapsed / LATENCY, 1),
                }
            )
    state.close()
    cache_dir.cleanup()
    return results


async def webhook_to_check(repo: Path, head: str, push_head: str) -> list[dict]:
    """Seconds from posting a signed webhook to `undertow serve` (uvicorn on loopback, in-process
    queue) until the emulator holds a completed check run for the head: cold (first review),
    warm (`/undertow rescan` of the same head) and a new push of 10 other files."""
    from undertow.app.service.wiring import Service

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    state = EmulatedGitHub(
        repo, "bench/repo", 1, key.public_key(), pulls={1: PullRequest(1, "main", head)}, faults=Faults(latency=LATENCY)
    )
    state.permissions = {"octocat": "admin"}  # `/undertow rescan` needs write access
    github = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_emulator(state)), base_url="http://github.test")
    tokens = InstallationTokens(1, pem)

    async def github_for(installation_id: int):
        token = await tokens.token(ResilientGitHubAPI(github, "bench", base_url="http://github.test"), installation_id)
        return ResilientGitHubAPI(github, "bench", oauth_token=token, base_url="http://github.test")

    cache_dir = tempfile.TemporaryDirectory(prefix="undertow-bench-git-")
    service = Service(SECRET, github_for, repos=RepoCache(cache_dir.name))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(service.app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    results = []
    pr = {
        "number": 1,
        "installation": {"id": 1},
        "repository": {"full_name": "bench/repo", "clone_url": state.clone_url},
    }
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

        async def deliver(label: str, event: str, payload: dict, sha: str) -> None:
            body = json.dumps(payload).encode()
            headers = {
                "x-github-event": event,
                "x-github-delivery": "latency-" + hashlib.sha1(label.encode()).hexdigest()[:12],
                "content-type": "application/json",
                "x-hub-signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
            }
            done = len(
                [r for r in state.check_runs.values() if r.get("head_sha") == sha and r.get("status") == "completed"]
            )
            before, git_before = len(state.requests), len(state.git_requests)
            started = time.perf_counter()
            assert (await client.post("/webhook", content=body, headers=headers)).status_code in (200, 202)
            while (
                len(
                    [
                        r
                        for r in state.check_runs.values()
                        if r.get("head_sha") == sha and r.get("status") == "completed"
                    ]
                )
                == done
            ):
                await asyncio.sleep(0.005)
            results.append(
                {
                    "run": label,
                    "seconds": time.perf_counter() - started,
                    "api_calls": len(state.requests) - before,
                    "git_requests": len(state.git_requests) - git_before,
                }
            )

        head_sha = state.git.resolve(head)
        opened = {
            **pr,
            "action": "opened",
            "pull_request": {"number": 1, "head": {"sha": head_sha}, "base": {"sha": state.git.resolve("main")}},
        }
        await deliver("cold", "pull_request", opened, head_sha)
        await service.drain()
        rescan = {
            **pr,
            "action": "created",
            "issue": {"number": 1, "pull_request": {"url": "x"}},
            "comment": {
                "id": 1,
                "body": "/undertow rescan",
                "user": {"login": "octocat", "type": "User"},
                "author_association": "OWNER",
            },
        }
        await deliver("warm (rescan, same head)", "issue_comment", rescan, head_sha)
        await service.drain()
        state.pulls[1] = PullRequest(1, "main", push_head)
        push_sha = state.git.resolve(push_head)
        pushed = {
            **pr,
            "action": "synchronize",
            "pull_request": {"number": 1, "head": {"sha": push_sha}, "base": {"sha": state.git.resolve("main")}},
        }
        await deliver("new push (10 more files)", "pull_request", pushed, push_sha)
        await service.drain()
    server.should_exit = True
    await task
    await github.aclose()
    state.close()
    cache_dir.cleanup()
    return results


class CountingQueue:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def put(self, delivery) -> None:
        self.ids.append(delivery.delivery_id)

    def depth(self) -> int:
        return len(self.ids)


async def ingestion(rate: int = 200, seconds: float = 5.0) -> dict:
    queue = CountingQueue()
    app = create_app(SECRET, queue, MemoryDeduper())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    body = json.dumps({"action": "opened", "number": 1, "pull_request": {"number": 1}}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    total = int(rate * seconds)
    latencies: list[float] = []
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_connections=64)
    ) as client:

        async def send(i: int) -> None:
            headers = {
                "x-github-event": "pull_request",
                "x-github-delivery": f"d-{i}",
                "content-type": "application/json",
                "x-hub-signature-256": signature,
            }
            started = time.perf_counter()
            response = await client.post("/webhook", content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 202

        started = time.perf_counter()
        tasks = []
        for i in range(total):  # a fixed offered load: one delivery every 1/rate seconds
            tasks.append(asyncio.create_task(send(i)))
            await asyncio.sleep(max(0.0, started + (i + 1) / rate - time.perf_counter()))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    server.should_exit = True
    await task
    latencies.sort()
    return {
        "offered_per_s": rate,
        "deliveries": total,
        "achieved_per_s": round(total / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "lost": total - len(set(queue.ids)),
        "duplicated": len(queue.ids) - len(set(queue.ids)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=Path("build/bench-app.json"))
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 16], help="repository sizes (1x: ~600 files)")
    args = parser.parse_args(argv)
    reviews = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            repo = build(Path(tmp), scale)
            _, head = pull_request(repo, 10, "pr")
            push = add_push(repo, head, 10)
            reviews += [{"scale": scale, **r} for r in asyncio.run(review_calls(repo, head, push))]
            if scale == args.scales[0]:
                latency = asyncio.run(webhook_to_check(repo, head, push))
    ingest = asyncio.run(ingestion())
    print(f"10-file review on the emulator ({int(LATENCY * 1000)} ms per REST call):")
    for r in reviews:
        print(
            f"  {r['scale']:>2}x {r['run']:<5} {r['api_calls']:>3} REST calls, {r['git_requests']} git requests, {r['seconds']:.2f} s "
            f"webhook-free review time (≈{r['sequential_round_trips_est']} sequential round trips)"
        )
    print(f"Webhook to completed check run through `undertow serve` on loopback ({args.scales[0]}x, same emulator):")
    for r in latency:
        print(f"  {r['run']:<26} {r['seconds']:.2f} s, {r['api_calls']} REST calls, {r['git_requests']} git requests")
    print(
        f"Webhook ingestion at {ingest['offered_per_s']}/s on loopback: {ingest['achieved_per_s']}/s achieved, "
        f"p50 {ingest['p50_ms']} ms, p99 {ingest['p99_ms']} ms, {ingest['lost']} lost, {ingest['duplicated']} duplicated"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"reviews": reviews, "webhook_to_check": latency, "ingestion": ingest}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
