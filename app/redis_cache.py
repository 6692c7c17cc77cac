"""Redis-backed caches shared by every worker: analysis facts (keys embed immutable shas and
the analyzer digest, so entries never go stale) and installation tokens (until near expiry)."""

from __future__ import annotations

import hashlib

FACT_TTL = 7 * 24 * 3600


class RedisFactCache:
    """A FactCache for the engine, which runs in a worker thread: a synchronous client."""

    def __init__(self, redis, prefix: str = "undertow:fact:") -> None:
        self.redis, self.prefix = redis, prefix

    def _key(self, key: str) -> str:
        return self.prefix + hashlib.sha256(key.encode()).hexdigest()

    def get(self, key: str) -> bytes | None:
        try:
            return self.redis.get(self._key(key))
        except Exception:  # a cache that is down only costs speed
            return None

    def set(self, key: str, value: bytes) -> None:
        try:
            self.redis.set(self._key(key), value, ex=FACT_TTL)
        except Exception:
            pass
