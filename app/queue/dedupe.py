"""Delivery dedupe: GitHub redelivers, and a replica may see the same delivery twice."""

from __future__ import annotations

import time
from typing import Protocol

DELIVERY_TTL = 7 * 24 * 3600  # GitHub keeps redelivery available for days


class Deduper(Protocol):
    async def first_time(self, delivery_id: str) -> bool: ...


class MemoryDeduper:
    """One process: a dict with expiry (embedded `undertow serve` without Redis)."""

    def __init__(self, ttl: float = DELIVERY_TTL, clock=time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self.seen: dict[str, float] = {}

    async def first_time(self, delivery_id: str) -> bool:
        now = self.clock()
        if len(self.seen) > 100_000:
            self.seen = {k: t for k, t in self.seen.items() if t > now}
        if self.seen.get(delivery_id, 0) > now:
            return False
        self.seen[delivery_id] = now + self.ttl
        return True


class RedisDeduper:
    """Shared by every replica: SET NX with a TTL is atomic."""

    def __init__(self, redis, prefix: str = "undertow:delivery:") -> None:
        self.redis, self.prefix = redis, prefix

    async def first_time(self, delivery_id: str) -> bool:
        return bool(await self.redis.set(self.prefix + delivery_id, "1", nx=True, ex=DELIVERY_TTL))
