"""`/undertow` commands in pull-request comments: rescan, help, ignore; permission-checked."""

from __future__ import annotations

import logging
import re

from gidgethub.routing import Router

from undertow.app.queue.lifecycle import transient
from undertow.app.review import ReviewJob

router = Router()
log = logging.getLogger("undertow.handlers")

HELP = (
    "Undertow commands (for users with write access):\n\n"
    "- `/undertow rescan`: review this pull request again from scratch\n"
    "- `/undertow ignore RULE [reason]`: dismiss a rule's findings on this pull request\n"
    "- `/undertow help`: this message"
)
REFUSED = "Sorry @{user}, only people with write access to this repository can run `/undertow {command}`."
UNKNOWN = "I don't know `/undertow {command}`.\n\n" + HELP
IGNORED = "OK: {rule} findings are dismissed on this pull request{reason}. `/undertow rescan` re-reviews it."
BAD_RULE = "`{rule}` is not a rule id (e.g. `RSK001`); `undertow rules` lists them."
# A command that failed for good (not an outage the delivery's retries will outlast) is answered:
# no reply at all would read as "done" or "ignored".
FAILED = (
    "Sorry @{user}, `/undertow {command}` failed inside Undertow ({reason}), so nothing was done. "
    "It is logged for the operators; try again, and report it if it keeps failing."
)
_COMMAND = re.compile(r"^/undertow(?:\s++(\S++))?(?:\s++(.*))?$")  # possessive: nothing to retry


@router.register("issue_comment", action="created")
async def command(event, gh, ctx) -> None:
    data = event.data
    comment, issue = data["comment"], data["issue"]
    body = (comment.get("body") or "").strip()
    if not body.startswith("/undertow") or "pull_request" not in issue:
        return
    if comment.get("user", {}).get("type") == "Bot" or data.get("sender", {}).get("type") == "Bot":
        return
    match = _COMMAND.match(body.splitlines()[0].strip())
    if match is None:
        return
    name, args = (match.group(1) or "help").lower(), (match.group(2) or "").strip()
    repo = data["repository"]["full_name"]
    comments_url = f"/repos/{repo}/issues/{issue['number']}/comments"
    login = comment["user"]["login"]
    # author_association (MEMBER, COLLABORATOR, the PR's author...) never authorises: only the
    # repository permission GitHub reports for the user does.
    if not await ctx.permissions.can_write(gh, repo, login):
        await gh.post(comments_url, data={"body": REFUSED.format(user=login, command=name)})
        return
    try:
        await _run(name, args, data, gh, ctx)
    except Exception as exc:
        if transient(exc):
            raise  # the delivery is retried (lifecycle.retrying, or the worker's job retries)
        log.exception("/undertow %s failed", name, extra={"repo": repo, "number": issue["number"]})
        await gh.post(
            f"/repos/{repo}/issues/comments/{comment['id']}/reactions",
            data={"content": "confused"},
            accept="application/vnd.github+json",
        )
        reason = type(exc).__name__
        await gh.post(comments_url, data={"body": FAILED.format(user=login, command=name, reason=reason)})


async def _run(name: str, args: str, data: dict, gh, ctx) -> None:
    comment, issue = data["comment"], data["issue"]
    repo = data["repository"]["full_name"]
    comments_url = f"/repos/{repo}/issues/{issue['number']}/comments"
    if name == "rescan":
        await gh.post(
            f"/repos/{repo}/issues/comments/{comment['id']}/reactions",
            data={"content": "eyes"},
            accept="application/vnd.github+json",
        )
        job = ReviewJob(
            repo,
            issue["number"],
            data.get("installation", {}).get("id", 0),
            None,
            reason="/undertow rescan",
            clone_url=data.get("repository", {}).get("clone_url"),
        )
        await ctx.reviews.request(job, fresh=True)
    elif name == "help":
        await gh.post(comments_url, data={"body": HELP})
    elif name == "ignore":
        rule, _, reason = args.partition(" ")
        if not re.fullmatch(r"[A-Za-z]{3}\d{3}", rule or ""):
            await gh.post(comments_url, data={"body": BAD_RULE.format(rule=rule or "(none)")})
            return
        await gh.post(
            f"/repos/{repo}/issues/comments/{comment['id']}/reactions",
            data={"content": "eyes"},
            accept="application/vnd.github+json",
        )
        await ctx.reviews.dismiss(repo, issue["number"], rule.upper(), reason.strip())
        await gh.post(
            comments_url,
            data={"body": IGNORED.format(rule=rule.upper(), reason=f" ({reason.strip()})" if reason.strip() else "")},
        )
    else:
        await gh.post(comments_url, data={"body": UNKNOWN.format(command=name)})
