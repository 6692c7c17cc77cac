"""Redis-backed caches on a real Redis: facts shared by reviews, tokens shared by workers."""

import asyncio
import json

import redis as sync_redis
import redis.asyncio as aioredis

from tests.app.gitcache import repos
from tests.app.test_review import BASE, PR
from tests.fakegithub import FakeGitHub
from undertow.app.github.auth import InstallationTokens
from undertow.app.redis_cache import RedisFactCache
from undertow.app.review import ReviewJob, run_review


def test_a_second_review_reuses_facts_from_redis(make_pr, redis_url):
    repo = make_pr(BASE, PR)
    client = sync_redis.Redis.from_url(redis_url)
    client.flushdb()
    try:
        cache = RedisFactCache(client)
        first_gh, second_gh = FakeGitHub(repo.path), FakeGitHub(repo.path)
        asyncio.run(run_review(first_gh, ReviewJob("octo/app", 7, 1), repos(), cache=cache))
        stored = client.keys("undertow:fact:*")
        asyncio.run(run_review(second_gh, ReviewJob("octo/app", 7, 1), repos(), cache=cache))
        assert stored and all(client.ttl(k) > 0 for k in stored)
        # Every per-file result and revision fact came from Redis: the second review stored nothing new.
        assert set(client.keys("undertow:fact:*")) == set(stored)
        assert [c["body"] for c in second_gh.comments] == [c["body"] for c in first_gh.comments]
    finally:
        client.flushdb()
        client.close()


def test_tokens_are_shared_through_redis(redis_url):
    calls = []

    class TokenGitHub:
        pass

    async def scenario():
        redis = aioredis.from_url(redis_url)
        await redis.flushdb()
        try:
            import undertow.app.github.auth as auth

            async def fake_exchange(gh, *, installation_id, app_id, private_key):
                calls.append(installation_id)
                return {"token": f"ghs_{len(calls)}", "expires_at": "2030-01-01T01:00:00Z"}

            original, auth.apps.get_installation_access_token = auth.apps.get_installation_access_token, fake_exchange
            try:
                now = lambda: 1893456000.0  # noqa: E731
                one = await InstallationTokens(1, "k", clock=now, redis=redis).token(TokenGitHub(), 5)
                two = await InstallationTokens(1, "k", clock=now, redis=redis).token(TokenGitHub(), 5)  # another worker
                return one, two, json.dumps(await redis.ttl("undertow:token:5"))
            finally:
                auth.apps.get_installation_access_token = original
        finally:
            await redis.flushdb()
            await redis.aclose()

    one, two, ttl = asyncio.run(scenario())
    assert (one, two, calls) == ("ghs_1", "ghs_1", ["5"])
    assert 0 < int(ttl) <= 3600
