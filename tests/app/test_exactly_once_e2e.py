"""Exactly once, end to end (in-process service, GitHub emulator): findings outside the diff
live in one summary comment edited in place, so a rescan or a same-head push posts nothing
again, and two rescans close together do not run at once."""

import asyncio
import json

import httpx

from tests.app.test_emulator_e2e import app_key  # noqa: F401  (fixture)
from tests.app.test_lifecycle_e2e import DELIVERY, calls, deliver, harness, pull_request_event
from tests.app.test_review import BASE, PR
from tests.app.test_webhook import headers

OFF_BASE = {
    "app/main.py": 'import requests\n\n\ndef f():\n    return requests.get("x", timeout=1)\n',
    "requirements.txt": "requests==2.31.0\nflask==3.0\n",
}
OFF_PR = {"requirements.txt": "flask==3.0\n"}  # app/main.py still imports requests: DEP005 on a line off the diff


def rescan(login="dev", comment_id=99):
    return (
        "issue_comment",
        {
            "action": "created",
            "installation": {"id": 1},
            "repository": {"full_name": "octo/app"},
            "issue": {"number": 7, "pull_request": {}, "user": {"login": "author"}},
            "sender": {"login": login, "type": "User"},
            "comment": {
                "id": comment_id,
                "body": "/undertow rescan",
                "author_association": "MEMBER",
                "user": {"login": login, "type": "User"},
            },
        },
    )


def test_findings_outside_the_diff_are_posted_once_and_edited_in_place(make_pr, app_key):  # noqa: F811
    repo = make_pr(OFF_BASE, OFF_PR)
    state, service, _ = harness(repo, app_key, permissions={"dev": "write"})
    marks = {}

    def mark():
        marks["after_open"] = (len(state.reviews), [dict(c) for c in state.issue_comments], len(state.requests))

    def fix():  # a push that removes the import too
        repo.commit({"app/main.py": "def f():\n    return 1\n"})
        marks["before_fix"] = len(state.requests)
        return ("pull_request", pull_request_event(state, "synchronize"))

    same_head_push = pull_request_event(state, "synchronize")
    asyncio.run(
        deliver(
            service,
            [("pull_request", pull_request_event(state)), mark, rescan(), ("pull_request", same_head_push), fix],
        )
    )
    reviews, comments, after_open = marks["after_open"]
    (summary,) = comments
    assert reviews == 0  # nothing inline: no review at all
    assert summary["body"].startswith(
        "<!-- undertow:summary -->\n**Undertow**: 1 finding outside this pull request's diff"
    )
    assert "`DEP005` `app/main.py:1`" in summary["body"]
    # The rescan and the same-head push: the summary is found by its marker, unchanged, and
    # nothing is posted or edited again (the rescan's reply is the "eyes" reaction only).
    between = calls(state)[after_open : marks["before_fix"]]
    assert [c for c in between if c[0] != "GET"] == [
        ("POST", "/issues/comments/99/reactions", 201),
        ("PATCH", "/check-runs/1", 200),  # the rescan completes the head's check run again
        ("PATCH", "/check-runs/1", 200),
        ("PATCH", "/check-runs/1", 200),  # and so does the same-head push
        ("PATCH", "/check-runs/1", 200),
    ]
    # The fix edits the one summary comment in place.
    after_fix = [c for c in calls(state)[marks["before_fix"] :] if c[0] != "GET"]
    assert ("PATCH", f"/issues/comments/{summary['id']}", 200) in after_fix
    assert not any(c[0] == "POST" and "/issues/" in c[1] for c in after_fix)
    (edited,) = state.issue_comments
    assert edited["body"] == "<!-- undertow:summary -->\n**Undertow**: no findings outside this pull request's diff."
    assert state.reviews == []


def test_two_rescans_close_together_run_one_after_the_other_and_post_once(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    state, service, _ = harness(repo, app_key, permissions={"dev": "write"})

    async def scenario():
        service.reviews.start()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://u.test") as web:
            for event, payload in [rescan(comment_id=1), rescan(comment_id=2)]:  # no drain in between
                body = json.dumps(payload).encode()
                await web.post("/webhook", content=body, headers=headers(event, body, f"r-{next(DELIVERY)}"))
            await service.drain()
        await service.reviews.stop()

    asyncio.run(scenario())
    assert len(state.reviews) == 1 and len(state.comments) == 2  # one inline comment per finding
    assert len(state.check_runs) == 1
    posts = [c for c in calls(state) if c[0] == "POST" and c[1].endswith("/reviews")]
    assert posts == [("POST", "/pulls/7/reviews", 200)]
