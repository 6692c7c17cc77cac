"""pull_request: review on open/push/ready, again when the base branch changes, drop on close."""

from __future__ import annotations

from gidgethub.routing import Router

from undertow.app.review import ReviewJob

router = Router()


def job_for(event, reason: str) -> ReviewJob:
    pr = event.data["pull_request"]
    return ReviewJob(
        repo=event.data["repository"]["full_name"],
        number=pr["number"],
        installation_id=event.data.get("installation", {}).get("id", 0),
        head_sha=pr["head"]["sha"],
        reason=reason,
        base_sha=pr.get("base", {}).get("sha"),
        clone_url=event.data["repository"].get("clone_url"),  # the base repository's, for a fork's PR too
    )


@router.register("pull_request", action="opened")
@router.register("pull_request", action="reopened")
@router.register("pull_request", action="synchronize")
@router.register("pull_request", action="ready_for_review")
async def review_pull_request(event, gh, ctx) -> None:
    await ctx.reviews.request(job_for(event, event.data["action"]))


@router.register("pull_request", action="edited")
async def base_changed(event, gh, ctx) -> None:
    if "base" in event.data.get("changes", {}):
        await ctx.reviews.request(job_for(event, "base changed"), fresh=True)


@router.register("pull_request", action="closed")
async def closed(event, gh, ctx) -> None:
    pr = event.data["pull_request"]
    await ctx.reviews.cancel(event.data["repository"]["full_name"], pr["number"])
