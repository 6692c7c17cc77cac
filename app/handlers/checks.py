"""check_run / check_suite: the "Re-run" buttons and the check run's "Rescan" action."""

from __future__ import annotations

from gidgethub.routing import Router

from undertow.app.review import RESCAN_BUTTON, ReviewJob

router = Router()
RESCAN_ACTION = RESCAN_BUTTON["identifier"]


def _jobs(event, pull_requests: list[dict], head_sha: str, check_run_id: int | None = None) -> list[ReviewJob]:
    repo = event.data["repository"]["full_name"]
    installation = event.data.get("installation", {}).get("id", 0)
    reason = f"{event.event} {event.data['action']}"
    # A Re-run of one check run completes that run again rather than creating another.
    return [
        ReviewJob(
            repo,
            pr["number"],
            installation,
            head_sha,
            reason=reason,
            check_run_id=check_run_id,
            clone_url=event.data["repository"].get("clone_url"),
        )
        for pr in pull_requests
    ]


@router.register("check_run", action="rerequested")
async def rerun(event, gh, ctx) -> None:
    run = event.data["check_run"]
    for job in _jobs(event, run.get("pull_requests", []), run["head_sha"], run.get("id")):
        await ctx.reviews.request(job, fresh=True)


@router.register("check_run", action="requested_action")
async def requested_action(event, gh, ctx) -> None:
    if event.data.get("requested_action", {}).get("identifier") != RESCAN_ACTION:
        return
    run = event.data["check_run"]
    for job in _jobs(event, run.get("pull_requests", []), run["head_sha"], run.get("id")):
        await ctx.reviews.request(job, fresh=True)


@router.register("check_suite", action="requested")
@router.register("check_suite", action="rerequested")
async def suite(event, gh, ctx) -> None:
    suite = event.data["check_suite"]
    for job in _jobs(event, suite.get("pull_requests", []), suite["head_sha"]):
        await ctx.reviews.request(job, fresh=event.data["action"] == "rerequested")
