"""`/undertow` commands in pull-request comments: rescan, help, ignore; permission-checked."""

from __future__ import annotations

import re

from gidgethub.routing import Router

from undertow.app.review import ReviewJob

router = Router()

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
