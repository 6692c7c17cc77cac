"""End to end on the local GitHub emulator (ASGI, no sockets): installation token from an app
JWT, a full review through the retrying client, with and without faults."""

import asyncio
import base64

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.app.gitcache import repos
from tests.app.test_review import BASE, PR
from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator
from undertow.app.github.auth import InstallationTokens
from undertow.app.github.client import ResilientGitHubAPI
from undertow.app.review import ReviewJob, run_review

APP_ID = 4242


class NoWaitGitHub(ResilientGitHubAPI):
    async def sleep(self, seconds):  # the emulator's Retry-After is honoured, without waiting in tests
        self.waited = getattr(self, "waited", 0) + seconds


@pytest.fixture(scope="module")
def app_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, key.public_key()


def emulate(repo, app_key, faults=None):
    from tests.openapi import spec

    return EmulatedGitHub(
        repo.path, "octo/app", APP_ID, app_key[1], pulls={7: PullRequest(7)}, faults=faults or Faults(), openapi=spec()
    )


async def review_twice(state, pem, push=None):
    transport = httpx.ASGITransport(app=create_emulator(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://github.test") as client:
        app_gh = NoWaitGitHub(client, "undertow", base_url="http://github.test")
        token = await InstallationTokens(APP_ID, pem).token(app_gh, 1)
        gh = NoWaitGitHub(client, "undertow", oauth_token=token, base_url="http://github.test")
        first = await run_review(gh, ReviewJob("octo/app", 7, 1), repos())
        if push:
            push()
        second = await run_review(gh, ReviewJob("octo/app", 7, 1), repos())
        return first, second, gh


def test_review_on_the_emulator(make_pr, app_key):
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key)
    first, second, _ = asyncio.run(review_twice(state, app_key[0]))
    assert (first.status, first.conclusion, first.comments) == ("published", "failure", 2)
    assert second.comments == 0 and len(state.reviews) == 1 and len(state.comments) == 2
    runs = list(state.check_runs.values())
    assert [r["conclusion"] for r in runs] == ["failure", "failure"]
    assert [a["start_line"] for a in runs[0]["annotations"]] == [9, 1]


def test_review_survives_faults(make_pr, app_key):
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key, Faults(get_error_ratio=0.2, rate_limit_every_nth_write=3, seed=7))

    def push():
        repo.commit({"app/jobs.py": PR["app/jobs.py"].replace("p])", "p], timeout=600)")})

    first, second, gh = asyncio.run(review_twice(state, app_key[0], push))
    assert first.status == second.status == "published"
    assert len(state.reviews) == 1 and len(state.comments) == 2
    assert [c["body"].startswith("✅ **Resolved**") for c in state.comments] == [True, False]
    statuses = [s for _, _, s in state.requests]
    assert 502 in statuses and 403 in statuses  # the faults really happened, and were retried
    assert gh.waited >= 1


def test_emulator_enforces_githubs_rules(make_pr, app_key):
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key)

    async def scenario():
        transport = httpx.ASGITransport(app=create_emulator(state))
        async with httpx.AsyncClient(transport=transport, base_url="http://github.test") as client:
            anonymous = await client.get("/repos/octo/app/pulls/7")
            bad_jwt = await client.post("/app/installations/1/access_tokens", headers={"authorization": "Bearer nope"})
            token = await InstallationTokens(APP_ID, app_key[0]).token(
                NoWaitGitHub(client, "t", base_url="http://github.test"), 1
            )
            auth = {"authorization": f"token {token}"}
            off_diff = await client.post(
                "/repos/octo/app/pulls/7/reviews",
                headers=auth,
                json={"event": "COMMENT", "body": "", "comments": [{"path": "README.md", "line": 1, "body": "x"}]},
            )
            too_many = await client.post(
                "/repos/octo/app/check-runs",
                headers=auth,
                json={
                    "name": "Undertow",
                    "head_sha": "a" * 40,
                    "output": {
                        "title": "t",
                        "summary": "s",
                        "annotations": [
                            {"path": "a", "start_line": 1, "end_line": 1, "annotation_level": "notice", "message": "m"}
                        ]
                        * 51,
                    },
                },
            )
            state.issue_comments += [
                {"id": 1, "issue_number": 7, "body": "a", "user": {"login": "u", "type": "User"}},
                {"id": 2, "issue_number": 7, "body": "b", "user": {"login": "u", "type": "User"}},
            ]
            page = await client.get("/repos/octo/app/issues/7/comments?per_page=1", headers=auth)
            # git's smart HTTP, on the same app: Basic auth with an issued token, fetch only.
            basic = {"authorization": "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()}
            wrong = {"authorization": "Basic " + base64.b64encode(b"x-access-token:nope").decode()}
            refs = "/octo/app.git/info/refs?service=git-upload-pack"
            git = [
                (await client.get(refs)).status_code,
                (await client.get(refs, headers=wrong)).status_code,
                (await client.get(refs, headers=auth)).status_code,  # a REST token header is not git's auth
                (await client.get(refs, headers=basic)).status_code,
                (await client.get("/octo/app.git/info/refs?service=git-receive-pack", headers=basic)).status_code,
                (await client.post("/octo/app.git/git-receive-pack", headers=basic)).status_code,
                (await client.get("/octo/other.git/info/refs?service=git-upload-pack", headers=basic)).status_code,
            ]
            advertised = await client.get(refs, headers=basic)
            return anonymous, bad_jwt, off_diff, too_many, page, git, advertised

    anonymous, bad_jwt, off_diff, too_many, page, git, advertised = asyncio.run(scenario())
    assert (anonymous.status_code, bad_jwt.status_code, off_diff.status_code, too_many.status_code) == (
        401,
        401,
        422,
        422,
    )
    assert off_diff.json()["errors"] == ["Pull request review thread line must be part of the diff"]
    assert 'rel="next"' in page.headers["link"] and len(page.json()) == 1
    assert int(page.headers["x-ratelimit-remaining"]) < 5000
    assert git == [401, 401, 401, 200, 403, 403, 404]
    assert advertised.headers["content-type"] == "application/x-git-upload-pack-advertisement"
    assert b"# service=git-upload-pack" in advertised.content
    # git's requests are not metered by the REST rate limit, and are recorded apart
    assert [s for _, _, s in state.git_requests] == [*git, 200]


def test_the_emulators_answers_match_githubs_openapi_description(make_pr, app_key):
    from tests.openapi import response_errors

    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key)

    def push():
        repo.commit({"app/jobs.py": PR["app/jobs.py"].replace("p])", "p], timeout=600)")})

    asyncio.run(review_twice(state, app_key[0], push))
    answered = {(m, p.rsplit("/", 1)[0] if "/git/" in p else p) for m, p, status, _ in state.responses if status < 300}
    assert len(answered) >= 9
    errors = [e for m, p, status, body in state.responses if status < 300 for e in response_errors(m, p, status, body)]
    assert errors == []


def test_the_emulator_answers_the_permission_lookup_as_github_does(make_pr, app_key):
    from tests.openapi import response_errors

    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key)
    state.permissions = {"writer": "write", "keeper": "maintain", "reader": "read"}

    async def scenario():
        transport = httpx.ASGITransport(app=create_emulator(state))
        async with httpx.AsyncClient(transport=transport, base_url="http://github.test") as client:
            token = await InstallationTokens(APP_ID, app_key[0]).token(
                NoWaitGitHub(client, "t", base_url="http://github.test"), 1
            )
            auth = {"authorization": f"token {token}"}
            return {
                user: (await client.get(f"/repos/octo/app/collaborators/{user}/permission", headers=auth)).json()
                for user in ("writer", "keeper", "reader", "stranger")
            }

    answers = asyncio.run(scenario())
    assert {u: (a["permission"], a["role_name"]) for u, a in answers.items()} == {
        "writer": ("write", "write"),
        "keeper": ("write", "maintain"),
        "reader": ("read", "read"),
        "stranger": ("none", "none"),
    }
    errors = [
        e
        for m, p, status, body in state.responses
        if "/collaborators/" in p
        for e in response_errors(m, p, status, body)
    ]
    assert errors == []
