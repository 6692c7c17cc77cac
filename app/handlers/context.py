"""What handlers get besides the event and the GitHub client: where review requests go."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from undertow.app.permissions import PermissionCache
from undertow.app.review import ReviewJob


class Reviews(Protocol):
    async def request(self, job: ReviewJob, *, fresh: bool = False) -> None: ...

    async def cancel(self, repo: str, number: int) -> None: ...

    async def dismiss(self, repo: str, number: int, rule: str, reason: str) -> None: ...


@dataclass
class HandlerContext:
    reviews: Reviews
    bot_login: str = "undertow[bot]"
    # Who may run commands: one cache per process, shared by every delivery it handles.
    permissions: PermissionCache = field(default_factory=PermissionCache)
