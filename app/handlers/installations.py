"""installation / installation_repositories: recorded in the log; nothing to analyse."""

from __future__ import annotations

import logging

from gidgethub.routing import Router

router = Router()
log = logging.getLogger("undertow.installations")


@router.register("installation")
@router.register("installation_repositories")
async def installation(event, gh, ctx) -> None:
    data = event.data
    log.info(
        "installation event",
        extra={
            "action": data.get("action"),
            "installation": data.get("installation", {}).get("id"),
            "account": data.get("installation", {}).get("account", {}).get("login"),
        },
    )
