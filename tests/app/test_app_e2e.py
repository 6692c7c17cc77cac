"""The App end to end: signed webhooks → `serve` with a real Redis queue → `worker` → the GitHub
emulator (with faults), including a redelivery, a rescan command and a fixing push."""

import asyncio
import hashlib
import hmac
import json
import uuid

import httpx
from arq import Worker
from arq.connections import RedisSettings, create_pool

from tests.app.gitcache import repos
from tests.app.test_emulator_e2e import APP_ID, NoWaitGitHub, app_key  # noqa: F401 (fixture)
from tests.app.test_review import BASE, PR
from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator
from undertow.app.github.auth import InstallationTokens
from undertow.app.queue.redis_queue import WORKER_FUNCTIONS, RedisReviews
from undertow.app.service.wiring import Service

SECRET = "e2e-secret"


def signed(event: str, delivery: str, payload: dict) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    return body, {
        "x-github-event": event,
        "x-github-delivery": delivery,
        "content-type": "application/json",
        "x-hub-signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }


def test_webhooks_through_redis_workers_to_the_emulator(make_pr, app_key, redis_url):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = EmulatedGitHub(
        repo.path,
        "octo/app",
        APP_ID,
        app_key[1],
        pulls={7: PullRequest(7)},
        faults=Faults(get_error_ratio=0.2, rate_limit_every_nth_write=3, seed=3),
        permissions={"dev": "write"},
    )

    async def scenario():
        github = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_emulator(state)), base_url="http://github.test"
        )
        tokens = InstallationTokens(APP_ID, app_key[0])

        async def github_for(installation_id):
            token = await tokens.token(NoWaitGitHub(github, "undertow", base_url="http://github.test"), installation_id)
            return NoWaitGitHub(github, "undertow", oauth_token=token, base_url="http://github.test")

        pool = await create_pool(RedisSettings.from_dsn(redis_url))
        queue_name = f"undertow:e2e:{uuid.uuid4().hex}"
        service = Service(SECRET, github_for, queue=pool)
        service.deliveries.queue_name = queue_name
        web = httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://undertow.test")

        async def deliver(event, delivery, payload):
            body, headers = signed(event, delivery, payload)
            return (await web.post("/webhook", content=body, headers=headers)).status_code

        async def work():
            worker = Worker(
                WORKER_FUNCTIONS,
                redis_pool=pool,
                queue_name=queue_name,
                burst=True,
                handle_signals=False,
                poll_delay=0.05,
                ctx={"github_for": github_for, "reviews": RedisReviews(pool, queue_name), "repos": repos()},
            )
            await worker.main()

        pr = {
            "action": "opened",
            "number": 7,
            "installation": {"id": 1},
            "repository": {"full_name": "octo/app", "clone_url": state.clone_url},
            "pull_request": {"number": 7, "head": {"sha": state.git.resolve("HEAD")}},
        }
        comment = {
            "action": "created",
            "installation": {"id": 1},
            "repository": {"full_name": "octo/app", "clone_url": state.clone_url},
            "issue": {"number": 7, "pull_request": {}},
            "sender": {"type": "User"},
            "comment": {
                "id": 99,
                "body": "/undertow rescan",
                "author_association": "MEMBER",
                "user": {"login": "dev", "type": "User"},
            },
        }
        try:
            statuses = [await deliver("pull_request", "d1", pr), await deliver("pull_request", "d1", pr)]
            await work()
            after_open = (len(state.reviews), len(state.comments))
            statuses.append(await deliver("issue_comment", "d2", comment))
            await work()
            after_rescan = (len(state.reviews), len(state.comments), len(state.check_runs), list(state.reactions))
            fixed = {
                "app/jobs.py": PR["app/jobs.py"].replace("p])", "p], timeout=600)"),
                "requirements.txt": "mylib==1.0\n",
            }
            repo.commit(fixed)
            sync = {
                **pr,
                "action": "synchronize",
                "pull_request": {"number": 7, "head": {"sha": state.git.resolve("HEAD")}},
            }
            statuses.append(await deliver("pull_request", "d3", sync))
            await work()
        finally:
            await pool.flushdb()
            await pool.aclose()
            await web.aclose()
            await github.aclose()
        return statuses, after_open, after_rescan

    statuses, after_open, after_rescan = asyncio.run(scenario())
    assert statuses == [202, 200, 202, 202]  # the redelivery of d1 is dropped at the door
    assert after_open == (1, 2)  # one review, two inline comments
    # The rescan ran (completing the same check run again) and added nothing twice.
    assert after_rescan == (1, 2, 1, [(99, "eyes")])
    last = list(state.check_runs.values())[-1]
    assert (last["status"], last["conclusion"]) == ("completed", "success")
    assert all(c["body"].startswith("✅ **Resolved**") for c in state.comments)
    assert {s for _, _, s in state.requests} >= {502, 403}  # and all of it through injected faults
