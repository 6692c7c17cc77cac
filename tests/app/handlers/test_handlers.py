"""Handlers on GitHub's own example payloads: what each event asks of the review queue."""

import asyncio
import json
from pathlib import Path

import pytest
from gidgethub import sansio

from undertow.app.handlers import router
from undertow.app.handlers.context import HandlerContext
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
    """Records the writes a command handler makes (replies, reactions)."""

    def __init__(self) -> None:
        self.posts = []

    async def post(self, url, *, data, accept=None, **kw):
        self.posts.append((url, data))
        return {}


def dispatch(event_name, payload, data_patch=None):
    data = json.loads((PAYLOADS / event_name / payload).read_text())
    if data_patch:
        data_patch(data)
    reviews, gh = FakeReviews(), RecordingGitHub()
    asyncio.run(router.dispatch(sansio.Event(data, event=event_name, delivery_id="1"), gh, HandlerContext(reviews)))
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
    )
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


def _comment(body, association="COLLABORATOR"):
    def patch(data):
        data["comment"]["body"] = body
        data["comment"]["author_association"] = association
        data["comment"]["user"]["type"] = "User"
        data["sender"]["type"] = "User"

    return patch


def test_rescan_by_a_collaborator():
    data, reviews, gh = dispatch(
        "issue_comment", "created.on-pull-request.real-octocrab.json", _comment("/undertow rescan")
    )
    repo, number = data["repository"]["full_name"], data["issue"]["number"]
    assert [(j.repo, j.number, j.head_sha, fresh) for j, fresh in reviews.requests] == [(repo, number, None, True)]
    assert gh.posts == [(f"/repos/{repo}/issues/comments/{data['comment']['id']}/reactions", {"content": "eyes"})]


def test_rescan_by_someone_without_write_access_is_refused():
    data, reviews, gh = dispatch(
        "issue_comment", "created.on-pull-request.real-octocrab.json", _comment("/undertow rescan", "CONTRIBUTOR")
    )
    assert reviews.requests == []
    ((url, body),) = gh.posts
    assert url.endswith(f"/issues/{data['issue']['number']}/comments")
    assert body["body"].startswith(f"Sorry @{data['comment']['user']['login']}, only people with write access")


def test_help_ignore_unknown_bots_and_plain_issues():
    _, _, gh = dispatch("issue_comment", "created.on-pull-request.real-octocrab.json", _comment("/undertow help"))
    assert gh.posts[0][1]["body"].startswith("Undertow commands")
    _, reviews, gh = dispatch(
        "issue_comment",
        "created.on-pull-request.real-octocrab.json",
        _comment("/undertow ignore rsk003 handled upstream"),
    )
    assert reviews.dismissed[0][2:] == ("RSK003", "handled upstream")
    assert (
        gh.posts[-1][1]["body"]
        == "OK: RSK003 findings are dismissed on this pull request (handled upstream). `/undertow rescan` re-reviews it."
    )
    _, _, gh = dispatch("issue_comment", "created.on-pull-request.real-octocrab.json", _comment("/undertow dance"))
    assert gh.posts[0][1]["body"].startswith("I don't know `/undertow dance`.")

    def bot(data):
        _comment("/undertow rescan")(data)
        data["comment"]["user"]["type"] = "Bot"

    _, reviews, gh = dispatch("issue_comment", "created.on-pull-request.real-octocrab.json", bot)
    assert reviews.requests == [] and gh.posts == []
    _, reviews, gh = dispatch("issue_comment", "created.on-issue.real-octocrab.json", _comment("/undertow rescan"))
    assert reviews.requests == [] and gh.posts == []


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

    posts = []
    for body, association in [
        ("/undertow rescan", "OWNER"),
        ("/undertow help", "MEMBER"),
        ("/undertow ignore RSK003 why", "COLLABORATOR"),
        ("/undertow what", "OWNER"),
        ("/undertow rescan", "NONE"),
    ]:
        _, _, gh = dispatch("issue_comment", "created.on-pull-request.real-octocrab.json", _comment(body, association))
        posts += gh.posts
    assert len(posts) >= 6
    assert [e for url, data in posts for e in request_errors("POST", url, data)] == []
