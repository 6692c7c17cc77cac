"""Who may run `/undertow` commands: the repository permission GitHub reports for the user
(`GET /repos/{owner}/{repo}/collaborators/{username}/permission`), never `author_association`
(an organisation MEMBER or a COLLABORATOR may have read access only). The App's `metadata: read`
permission covers the lookup. Answers are cached for a few minutes per repository and user."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import quote

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

log = logging.getLogger("undertow.permissions")
# `role_name` is the role itself (maintain included); the legacy `permission` maps maintain to
# write and triage to read (GitHub's description of the operation).
WRITE_ROLES = frozenset({"admin", "maintain", "write"})
CACHE_SECONDS = 300.0
MAX_ENTRIES = 10_000


class PermissionCache:
    """(repository, login) → may write, for ``ttl`` seconds (one per process)."""

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._answers: dict[tuple[str, str], tuple[bool, float]] = {}

    async def can_write(self, gh: GitHubAPI, repo: str, login: str) -> bool:
        key = (repo.lower(), login.lower())
        now = self.clock()
        cached = self._answers.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        allowed = await lookup(gh, repo, login)
        if len(self._answers) >= MAX_ENTRIES:
            self._answers = {k: v for k, v in self._answers.items() if v[1] > now}
        self._answers[key] = (allowed, now + self.ttl)
        return allowed


async def lookup(gh: GitHubAPI, repo: str, login: str) -> bool:
    try:
        data = await gh.getitem(f"/repos/{repo}/collaborators/{quote(login, safe='')}/permission")
    except BadRequest as exc:  # 404: not a user GitHub knows, or no access at all
        log.info("permission lookup refused", extra={"repo": repo, "user": login, "status": int(exc.status_code)})
        return False
    role = str(data.get("role_name") or "").lower()
    permission = str(data.get("permission") or "").lower()
    return role in WRITE_ROLES or permission in WRITE_ROLES
