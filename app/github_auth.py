"""App JWT → installation tokens, cached until shortly before they expire."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Callable

from gidgethub import apps
from gidgethub.abc import GitHubAPI

REFRESH_MARGIN = 300  # seconds before expiry at which a cached token is replaced


class InstallationTokens:
    def __init__(self, app_id: int, private_key: str, clock: Callable[[], float] = time.time) -> None:
        self.app_id, self.private_key, self.clock = str(app_id), private_key, clock
        self._tokens: dict[int, tuple[str, float]] = {}

    async def token(self, gh: GitHubAPI, installation_id: int) -> str:
        cached = self._tokens.get(installation_id)
        if cached is not None and cached[1] - REFRESH_MARGIN > self.clock():
            return cached[0]
        data = await apps.get_installation_access_token(
            gh, installation_id=str(installation_id), app_id=self.app_id, private_key=self.private_key
        )
        expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00")).timestamp()
        self._tokens[installation_id] = (data["token"], expires)
        return data["token"]
