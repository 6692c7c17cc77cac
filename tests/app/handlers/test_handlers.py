"""Handlers on GitHub's own example payloads: what each event asks of the review queue."""

import asyncio
import json
from pathlib import Path

import pytest
from gidgethub import sansio

from undertow.app.handlers import router
from undertow.app.handlers.context import HandlerContext
from undertow.app.permissions import CACHE_SECONDS, PermissionCache
from undertow.app.review import ReviewJob

PAYLOADS = Path(__file__).resolve().parents[4] / "shared/github/payloads"


class FakeReviews:
    def __init__(self) -> None:
        self.requests, self.cancelled, self.dismissed = [], [], []

    async def request(self, job, *, fresh=False):
        self.requests.append((job, fresh))

    async def cancel(self, repo, number):
        self.cancelled.append((repo, number))

    async def dismiss(self, repo, number, rule, reason):
        self.dismissed.append((repo, number, rule, reason))


class RecordingGitHub:
    """Records the calls a command handler makes (permission lookups, replies, reactions), and
    answers the permission lookup as GitHub does (legacy `permission`, `role_name`)."""

    def __init__(self, roles=None) -> None:
        self.posts, self.gets = [], []
        self.roles = roles or {}

    async def getitem(self, url, **kw):
        self.gets.append(url)
        login = url.split("/collaborators/", 1)[1].split("/", 1)[0]
        role = self.roles.get(login)
        legacy = {"maintain": "write", "triage": "read"}.get(role or "", role or "none")
        return {"permission": legacy, "role_name": role or "none", "user": {"login": login} if role else None}

    async def post(self, url, *, data, accept=None, **kw):
        self.posts.append((url, data))
        return {}


def dispatch(event_name, payload, data_patch=None, roles=None, context=None):
    data = json.loads((PAYLOADS / event_name / payload).read_text())
    if data_patch:
        data_patch(data)
    reviews, gh = FakeReviews(), RecordingGitHub(roles)
    if context is not None:
        context.reviews = reviews
    asyncio.run(
        router.dispatch(sansio.Event(data, event=event_name, delivery_id="1"), gh, context or HandlerContext(reviews))
    )
    return data, reviews, gh


@pytest.mark.parametrize(
    "payload",
    [
        "opened.json",
        "reopened.json",
        "synchronize.real-pytorch.json",
        "ready_for_review.json",
        "opened.real-octocrab.json",
    ],
)
def test_pull_request_events_request_a_review_of_the_head(payload):
    data, reviews, _ = dispatch("pull_request", payload)
    pr = data["pull_request"]
    expected = ReviewJob(
        data["repository"]["full_name"],
        pr["number"],
        data.get("installation", {}).get("id", 0),
        pr["head"]["sha"],
        data["action"],
        pr["base"]["sha"],
        clone_url=data["repository"]["clone_url"],  # the base repository's, where git fetches from
    )
    assert expected.clone_url.startswith("https://github.com/")
    assert reviews.requests == [(expected, False)]


def test_closed_drops_queued_work_and_edits_only_matter_for_the_base():
    data, reviews, _ = dispatch("pull_request", "closed.json")
    assert (
        reviews.cancelled == [(data["repository"]["full_name"], data["pull_request"]["number"])]
        and reviews.requests == []
    )
    _, reviews, _ = dispatch("pull_request", "edited.json")  # a body edit
    assert reviews.requests == []
    _, reviews, _ = dispatch(
        "pull_request", "edited.json", lambda d: d.__setitem__("changes", {"base": {"ref": {"from": "dev"}}})
    )
    assert [(j.reason, fresh) for j, fresh in reviews.requests] == [("base changed", True)]


COMMENT = "created.on-pull-request.real-octocrab.json"
COMMENTER = json.loads((PAYLOADS / "issue_comment" / COMMENT).read_text())["comment"]["user"]["login"]


def _comment(body, association="COLLABORATOR", login=None):
    def patch(data):
        data["comment"]["body"] = body
        data["comment"]["author_association"] = association
        data["comment"]["user"]["type"] = "User"
        data["sender"]["type"] = "User"
        if login is not None:
            data["comment"]["user"]["login"] = data["sender"]["login"] = login
            data["issue"]["user"]["login"] = login  # the pull request's own author

    return patch


def _permission_url(data, login):
    return f"/repos/{data['repository']['full_name']}/collaborators/{login}/permission"


@pytest.mark.parametrize("role", ["admin", "maintain", "write"])
def test_rescan_by_a_writer(role):
    data, reviews, gh = dispatch("issue_comment", COMMENT, _comment("/undertow rescan", "NONE"), {COMMENTER: role})
    repo, number = data["repository"]["full_name"], data["issue"]["number"]
    assert gh.gets == [_permission_url(data, COMMENTER)]
    assert [(j.repo, j.number, j.head_sha, fresh) for j, fresh in reviews.requests] == [(repo, number, None, True)]
    assert gh.posts == [(f"/repos/{repo}/issues/comments/{data['comment']['id']}/reactions", {"content": "eyes"})]


@pytest.mark.parametrize(
    "association, role, login",
    [
        ("MEMBER", "read", None),  # an organisation member with read access
        ("COLLABORATOR", "triage", None),  # a collaborator who may triage, not write
        ("CONTRIBUTOR", None, "the-author"),  # the pull request's own author, no access
        ("OWNER", "read", "the-author"),  # whatever author_association claims
    ],
)
@pytest.mark.parametrize("command", ["/undertow rescan", "/undertow ignore SCH001 not ours"])
def test_commands_by_someone_without_write_access_are_refused(association, role, login, command):
    user = login or COMMENTER
    data, reviews, gh = dispatch(
        "issue_comment", COMMENT, _comment(command, association, login), {user: role} if role else {}
    )
    assert gh.gets == [_permission_url(data, user)]
    assert reviews.requests == [] and reviews.dismissed == []
    ((url, body),) = gh.posts  # the refusal, and no reaction
    assert url == f"/repos/{data['repository']['full_name']}/issues/{data['issue']['number']}/comments"
    assert body == {
        "body": f"Sorry @{user}, only people with write access to this repository can run "
        f"`/undertow {command.split()[1]}`."
    }


def test_the_permission_is_looked_up_once_per_user_and_repository_for_a_few_minutes():
    now = [1000.0]
    context = HandlerContext(FakeReviews(), permissions=PermissionCache(clock=lambda: now[0]))
    _, _, first = dispatch("issue_comment", COMMENT, _comment("/undertow rescan"), {COMMENTER: "write"}, context)
    _, _, second = dispatch("issue_comment", COMMENT, _comment("/undertow help"), {COMMENTER: "write"}, context)
    now[0] += CACHE_SECONDS + 1
    _, _, third = dispatch("issue_comment", COMMENT, _comment("/undertow help"), {COMMENTER: "read"}, context)
    assert (len(first.gets), len(second.gets), len(third.gets)) == (1, 0, 1)
    assert third.posts[0][1]["body"].startswith("Sorry @")


def test_help_ignore_unknown_bots_and_plain_issues():
    writer = {COMMENTER: "write"}
    _, _, gh = dispatch("issue_comment", COMMENT, _comment("/undertow help"), writer)
    assert gh.posts[0][1]["body"].startswith("Undertow commands")
    _, reviews, gh = dispatch("issue_comment", COMMENT, _comment("/undertow ignore rsk003 handled upstream"), writer)
    assert reviews.dismissed[0][2:] == ("RSK003", "handled upstream")
    assert (
        gh.posts[-1][1]["body"]
        == "OK: RSK003 findings are dismissed on this pull request (handled upstream). `/undertow rescan` re-reviews it."
    )
    _, _, gh = dispatch("issue_comment", COMMENT, _comment("/undertow dance"), writer)
    assert gh.posts[0][1]["body"].startswith("I don't know `/undertow dance`.")

    def bot(data):
        _comment("/undertow rescan")(data)
        data["comment"]["user"]["type"] = "Bot"

    _, reviews, gh = dispatch("issue_comment", COMMENT, bot, writer)
    assert reviews.requests == [] and gh.posts == [] and gh.gets == []
    _, reviews, gh = dispatch("issue_comment", "created.on-issue.real-octocrab.json", _comment("/undertow rescan"))
    assert reviews.requests == [] and gh.posts == [] and gh.gets == []


def test_rerun_buttons():
    data, reviews, _ = dispatch("check_run", "rerequested.json")
    run = data["check_run"]
    assert [(j.number, j.head_sha, fresh) for j, fresh in reviews.requests] == [
        (pr["number"], run["head_sha"], True) for pr in run["pull_requests"]
    ]
    data, reviews, _ = dispatch("check_suite", "rerequested.json")
    assert [j.head_sha for j, _ in reviews.requests] == [data["check_suite"]["head_sha"]] * len(
        data["check_suite"]["pull_requests"]
    )
    _, reviews, _ = dispatch("check_run", "requested_action.json")  # its identifier is not ours
    assert reviews.requests == []
    _, reviews, _ = dispatch(
        "check_run", "requested_action.json", lambda d: d["requested_action"].__setitem__("identifier", "rescan")
    )
    assert len(reviews.requests) == len(
        json.loads((PAYLOADS / "check_run/requested_action.json").read_text())["check_run"]["pull_requests"]
    )


def test_command_replies_and_reactions_match_githubs_openapi_description():
    from tests.openapi import request_errors

    posts, gets = [], []
    for body, role in [
        ("/undertow rescan", "admin"),
        ("/undertow help", "write"),
        ("/undertow ignore RSK003 why", "maintain"),
        ("/undertow what", "write"),
        ("/undertow rescan", "read"),
    ]:
        _, _, gh = dispatch("issue_comment", COMMENT, _comment(body), {COMMENTER: role})
        posts += gh.posts
        gets += gh.gets
    assert len(posts) >= 6 and len(gets) == 5
    assert [e for url in gets for e in request_errors("GET", url, None)] == []
    assert [e for url, data in posts for e in request_errors("POST", url, data)] == []


class BrokenReviews(FakeReviews):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    async def request(self, job, *, fresh=False):
        raise self.error

    async def dismiss(self, repo, number, rule, reason):
        raise self.error


@pytest.mark.parametrize("command", ["rescan", "ignore RSK003 handled upstream"])
def test_a_command_that_fails_inside_undertow_is_answered_not_dropped(command):
    data = json.loads((PAYLOADS / "issue_comment" / COMMENT).read_text())
    _comment(f"/undertow {command}")(data)
    gh = RecordingGitHub({COMMENTER: "write"})
    context = HandlerContext(BrokenReviews(KeyError("job")))
    asyncio.run(router.dispatch(sansio.Event(data, event="issue_comment", delivery_id="1"), gh, context))
    repo, number, comment_id = data["repository"]["full_name"], data["issue"]["number"], data["comment"]["id"]
    name = command.split()[0]
    from tests.openapi import request_errors

    assert [e for url, body in gh.posts for e in request_errors("POST", url, body)] == []
    assert gh.posts[-2:] == [
        (f"/repos/{repo}/issues/comments/{comment_id}/reactions", {"content": "confused"}),
        (
            f"/repos/{repo}/issues/{number}/comments",
            {
                "body": f"Sorry @{COMMENTER}, `/undertow {name}` failed inside Undertow (KeyError), so nothing was "
                "done. It is logged for the operators; try again, and report it if it keeps failing."
            },
        ),
    ]


def test_a_command_meeting_an_outage_is_left_to_the_delivery_retries():
    data = json.loads((PAYLOADS / "issue_comment" / COMMENT).read_text())
    _comment("/undertow rescan")(data)
    gh = RecordingGitHub({COMMENTER: "write"})
    context = HandlerContext(BrokenReviews(ConnectionError("redis down")))
    with pytest.raises(ConnectionError):
        asyncio.run(router.dispatch(sansio.Event(data, event="issue_comment", delivery_id="1"), gh, context))
    assert [url for url, _ in gh.posts] == [
        f"/repos/{data['repository']['full_name']}/issues/comments/{data['comment']['id']}/reactions"
    ]
