"""App JWT → installation tokens, cached until shortly before they expire."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from gidgethub import apps
from gidgethub.abc import GitHubAPI

REFRESH_MARGIN = 300  # seconds before expiry at which a cached token is replaced


class InstallationTokens:
    """Per process, and in Redis when given one, so that every worker shares a token."""

    def __init__(self, app_id: int, private_key: str, clock: Callable[[], float] = time.time, redis=None) -> None:
        self.app_id, self.private_key, self.clock, self.redis = str(app_id), private_key, clock, redis
        self._tokens: dict[int, tuple[str, float]] = {}

    async def invalidate(self, installation_id: int) -> None:
        """Forget the cached token (GitHub answered 401 to it), here and in Redis."""
        self._tokens.pop(installation_id, None)
        if self.redis is not None:
            await self.redis.delete(f"undertow:token:{installation_id}")

    async def refresh(self, gh: GitHubAPI, installation_id: int) -> str:
        """A new token in place of the cached one."""
        await self.invalidate(installation_id)
        return await self.token(gh, installation_id)

    async def token(self, gh: GitHubAPI, installation_id: int) -> str:
        cached = self._tokens.get(installation_id)
        if cached is None and self.redis is not None:
            stored = await self.redis.get(f"undertow:token:{installation_id}")
            if stored:
                token, _, expires = (stored.decode() if isinstance(stored, bytes) else stored).rpartition("|")
                cached = self._tokens[installation_id] = (token, float(expires))
        if cached is not None and cached[1] - REFRESH_MARGIN > self.clock():
            return cached[0]
        data = await apps.get_installation_access_token(
            gh, installation_id=str(installation_id), app_id=self.app_id, private_key=self.private_key
        )
        expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00")).timestamp()
        self._tokens[installation_id] = (data["token"], expires)
        if self.redis is not None:
            ttl = int(expires - REFRESH_MARGIN - self.clock())
            if ttl > 0:
                await self.redis.set(f"undertow:token:{installation_id}", f"{data['token']}|{expires}", ex=ttl)
        return data["token"]
