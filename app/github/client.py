"""Retries for GitHub API calls: 5xx and network errors with backoff and jitter; 403/429 rate
limits honouring Retry-After and x-ratelimit-reset (GitHub's documented procedure)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping

import httpx
from gidgethub.httpx import GitHubAPI as HttpxGitHubAPI

MAX_ATTEMPTS = 5
MAX_WAIT = 120.0  # seconds: a longer limit fails the review (retried later) instead of holding a worker
SECONDARY_WAIT = 60.0  # GitHub: "wait at least one minute" when no header says how long


def retry_delay(
    status: int, headers: Mapping[str, str], attempt: int, now: float, rng: random.Random | None = None
) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or None when the response is final."""
    rng = rng or random.Random()
    if attempt >= MAX_ATTEMPTS:
        return None
    if status in (403, 429):
        retry_after = headers.get("retry-after")
        if retry_after is not None and retry_after.strip().isdigit():
            wait = float(retry_after)
        elif headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
            wait = max(0.0, float(headers["x-ratelimit-reset"]) - now) + 1
        elif status == 429 or "rate limit" in headers.get("x-undertow-body-hint", ""):
            wait = SECONDARY_WAIT * (2 ** (attempt - 1))
        else:
            return None  # a plain 403 (permissions) is final
        return wait if wait <= MAX_WAIT else None
    if status >= 500 or status == 0:  # 0: the connection failed
        return min(MAX_WAIT, (2 ** (attempt - 1)) * (0.5 + rng.random()))
    return None


class ResilientGitHubAPI(HttpxGitHubAPI):
    """gidgethub's httpx client with retries and a cap on requests in flight."""

    def __init__(
        self, *args, max_in_flight: int = 8, clock=time.time, metrics=None, refresh_token=None, **kwargs
    ) -> None:
        """``refresh_token``: an async callable minting a new installation token; on a 401 the
        cached token is dropped, a new one minted, and the request retried once with it."""
        super().__init__(*args, **kwargs)
        self._refresh_token = refresh_token
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._clock = clock
        self._metrics = metrics
        self.attempts = 0

    async def new_token(self) -> str:
        """A newly minted installation token in place of the one held (git refused it)."""
        if self._refresh_token is None:
            return str(self.oauth_token)
        self.oauth_token = await self._refresh_token()
        return str(self.oauth_token)

    async def _request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""):
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            self.attempts += 1
            try:
                async with self._in_flight:
                    status, response_headers, data = await self._send(method, url, headers, body)
            except (TimeoutError, httpx.TransportError):
                delay = retry_delay(0, {}, attempt, self._clock())
                if delay is None:
                    raise
                await self.sleep(delay)
                continue
            lowered = {k.lower(): v for k, v in response_headers.items()}
            if self._metrics is not None:
                self._metrics.github_calls.labels(method).inc()
                if lowered.get("x-ratelimit-remaining", "").isdigit():
                    self._metrics.rate_limit_remaining.set(int(lowered["x-ratelimit-remaining"]))
            if status == 401 and self._refresh_token is not None and not refreshed:
                refreshed = True
                self.oauth_token = await self._refresh_token()
                headers = {**{k: v for k, v in headers.items() if k.lower() != "authorization"}}
                headers["authorization"] = f"token {self.oauth_token}"
                continue
            if status in (403, 429) and b"secondary rate limit" in data.lower():
                lowered["x-undertow-body-hint"] = "rate limit"
            delay = retry_delay(status, lowered, attempt, self._clock())
            if delay is None:
                return status, response_headers, data
            await self.sleep(delay)

    async def _send(self, method: str, url: str, headers: Mapping[str, str], body: bytes):
        return await HttpxGitHubAPI._request(self, method, url, headers, body)
