"""Delivery dedupe in memory and in a real Redis; readiness reports an unreachable Redis."""

import asyncio
import uuid

import redis.asyncio as aioredis
from fastapi.testclient import TestClient

from undertow.app.queue.dedupe import MemoryDeduper, RedisDeduper
from undertow.app.service.wiring import Service


def test_memory_dedupe_expires():
    now = [0.0]
    deduper = MemoryDeduper(ttl=10, clock=lambda: now[0])

    async def scenario():
        first, again = await deduper.first_time("a"), await deduper.first_time("a")
        now[0] = 11
        return first, again, await deduper.first_time("a")

    assert asyncio.run(scenario()) == (True, False, True)


def test_redis_dedupe_is_shared_between_clients(redis_url):
    delivery = f"d-{uuid.uuid4()}"

    async def scenario():
        one, two = aioredis.from_url(redis_url), aioredis.from_url(redis_url)
        try:
            results = (await RedisDeduper(one).first_time(delivery), await RedisDeduper(two).first_time(delivery))
            ttl = await one.ttl("undertow:delivery:" + delivery)
            await one.delete("undertow:delivery:" + delivery)
            return results, ttl
        finally:
            await one.aclose()
            await two.aclose()

    (first, second), ttl = asyncio.run(scenario())
    assert (first, second) == (True, False)
    assert 0 < ttl <= 7 * 24 * 3600


def test_readiness_fails_when_redis_is_unreachable():
    async def github_for(installation_id):
        raise AssertionError("not called")

    unreachable = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    service = Service("secret", github_for, redis=unreachable)
    with TestClient(service.app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"][0].startswith("redis unreachable:")
    assert "127.0.0.1:1" not in response.text
