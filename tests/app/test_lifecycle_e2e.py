"""Every check run ends, end to end: signed webhooks into the in-process service, reviews on the
GitHub emulator with its faults (an outage window, revoked tokens), on a virtual clock (no test
waits for the backoff it checks)."""

import asyncio
import json
import logging

import httpx
import pytest

from tests.app.test_emulator_e2e import APP_ID, app_key  # noqa: F401  (fixture)
from tests.app.test_review import BASE, PR
from tests.app.test_webhook import SECRET, headers
from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator
from undertow.app.github.client import ResilientGitHubAPI
from undertow.app.service.settings import load_settings
from undertow.app.service.wiring import Service, github_factory

API = "http://github.test"
DELIVERY = iter(range(10**6))


class VirtualTime:
    def __init__(self) -> None:
        self.now = 1_000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def harness(repo, pem_and_key, deadline=1800.0, **state_kw):
    time = VirtualTime()
    state = EmulatedGitHub(
        repo.path,
        "octo/app",
        APP_ID,
        pem_and_key[1],
        pulls={7: PullRequest(7)},
        faults=Faults(clock=time.clock),
        **state_kw,
    )

    class VirtualGitHub(ResilientGitHubAPI):
        async def sleep(self, seconds):  # the client's own retries wait on the virtual clock too
            time.now += seconds

    settings = load_settings(
        {
            "GITHUB_APP_ID": str(APP_ID),
            "GITHUB_PRIVATE_KEY": pem_and_key[0],
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": API,
        }
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_emulator(state)), base_url=API)
    github_for = github_factory(settings, client=client, api=VirtualGitHub)
    service = Service(SECRET, github_for, deadline=deadline, clock=time.clock, sleep=time.sleep)
    return state, service, time


def pull_request_event(state, action="opened"):
    return {
        "action": action,
        "number": 7,
        "installation": {"id": 1},
        "repository": {"full_name": "octo/app", "clone_url": state.clone_url},
        "pull_request": {
            "number": 7,
            "head": {"sha": state.git.resolve("HEAD")},
            "base": {"sha": state.git.resolve("main")},
        },
    }


async def deliver(service, deliveries):
    """Each (event, payload) delivered and its work drained; a callable in the list runs between
    (and what it returns, if anything, is delivered)."""
    service.reviews.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://u.test") as web:
        for item in deliveries:
            if callable(item):
                item = item()
                if item is None:
                    continue
            event, payload = item
            body = json.dumps(payload).encode()
            response = await web.post(
                "/webhook", content=body, headers=headers(event, body, f"{event}-{next(DELIVERY)}")
            )
            assert response.status_code == 202
            await service.drain()
    await service.reviews.stop()


def calls(state, since=0):
    """The requests the App made, as (method, path without the repository, status)."""
    return [(m, p.replace("/repos/octo/app", ""), s) for m, p, s in state.requests[since:]]


def test_a_two_minute_outage_delays_the_review_and_it_lands_once(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    state, service, time = harness(repo, app_key)
    state.faults.outage(120)
    start = time.now
    asyncio.run(deliver(service, [("pull_request", pull_request_event(state))]))
    assert time.now - start >= 120  # it waited the outage out (virtually)
    failed = [c for c in calls(state) if c[2] >= 500]
    assert failed and all(c == ("POST", "/app/installations/1/access_tokens", 500) for c in failed)
    answered = [c for c in calls(state) if c[2] < 500]
    head = state.git.resolve("HEAD")
    assert answered == [  # the repository itself came over git, not REST
        ("POST", "/app/installations/1/access_tokens", 201),
        ("POST", "/check-runs", 201),
        ("GET", f"/compare/{state.git.resolve('main')}...{head}", 200),
        ("PATCH", "/check-runs/1", 200),
        ("GET", "/pulls/7/comments", 200),
        ("POST", "/pulls/7/reviews", 200),
        ("GET", "/issues/7/comments", 200),  # the summary comment of findings off the diff: none
    ]
    (run,) = state.check_runs.values()
    assert (run["head_sha"], run["status"], run["conclusion"]) == (head, "completed", "failure")
    assert len(state.reviews) == 1 and len(state.comments) == 2


def test_an_outage_past_the_deadline_times_the_check_run_out_and_a_rerun_completes_it(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    state, service, time = harness(repo, app_key, deadline=600)
    event = pull_request_event(state)
    state.faults.outage(3600, methods=("GET",))  # reads fail for an hour; writes still work
    seen = {}

    def github_is_back():
        seen["run"] = dict(state.check_runs[1], output=dict(state.check_runs[1]["output"]))
        seen["calls"] = len(state.requests)
        state.faults.outage_end = 0

    rerun = {  # "Re-run" on that check run starts over and completes the same run
        "action": "rerequested",
        "installation": {"id": 1},
        "repository": {"full_name": "octo/app", "clone_url": state.clone_url},
        "check_run": {"id": 1, "head_sha": event["pull_request"]["head"]["sha"], "pull_requests": [{"number": 7}]},
    }
    asyncio.run(deliver(service, [("pull_request", event), github_is_back, ("check_run", rerun)]))
    run = seen["run"]
    assert (run["status"], run["conclusion"]) == ("completed", "timed_out")
    assert run["output"]["title"] == "Review timed out"
    summary = run["output"]["summary"]
    assert summary.startswith(
        "Undertow could not complete this review within 10 minutes: GitHub answered 500 (Internal Server Error)."
    )
    assert "Re-run the check or comment `/undertow rescan`" in summary and "Traceback" not in summary
    assert run["actions"] == [
        {"label": "Rescan", "description": "Review this pull request again", "identifier": "rescan"}
    ]
    writes = [c for c in calls(state)[: seen["calls"]] if c[0] != "GET"]
    assert writes == [
        ("POST", "/app/installations/1/access_tokens", 201),
        ("POST", "/check-runs", 201),
        ("PATCH", "/check-runs/1", 200),  # timed_out
    ]
    assert len(state.check_runs) == 1
    assert (state.check_runs[1]["status"], state.check_runs[1]["conclusion"]) == ("completed", "failure")
    assert [c for c in calls(state)[seen["calls"] :] if c[0] != "GET"][:2] == [
        ("PATCH", "/check-runs/1", 200),  # back to in_progress
        ("PATCH", "/check-runs/1", 200),  # completed
    ]
    assert len(state.reviews) == 1


def test_completing_the_timed_out_check_run_outlasts_the_outage_that_timed_it_out(make_pr, app_key, caplog):  # noqa: F811
    repo = make_pr(BASE, PR)
    state, service, time = harness(repo, app_key, deadline=600)
    start = time.now
    original = service.reviews.run

    async def run_in_an_outage(*args, **kwargs):  # GitHub fails for 20 minutes from the review's start
        state.faults.outage(20 * 60, methods=("GET", "POST", "PATCH", "PUT", "DELETE"))
        return await original(*args, **kwargs)

    service.reviews.run = run_in_an_outage
    with caplog.at_level(logging.WARNING, logger="undertow"):
        asyncio.run(deliver(service, [("pull_request", pull_request_event(state))]))
    (run,) = state.check_runs.values()
    assert (run["status"], run["conclusion"]) == ("completed", "timed_out")
    assert time.now - start >= 20 * 60  # completed once GitHub answered again, past the deadline
    assert any(r.message == "completing the check run failed, retrying" for r in caplog.records)
    assert not any("stays in progress" in r.message for r in caplog.records)


def test_an_outage_longer_than_the_grace_leaves_the_run_in_progress_and_says_so(make_pr, app_key, caplog):  # noqa: F811
    from undertow.app.queue.lifecycle import FINISH_GRACE

    repo = make_pr(BASE, PR)
    state, service, time = harness(repo, app_key, deadline=600)
    original = service.reviews.run

    async def run_in_an_outage(*args, **kwargs):
        state.faults.outage(600 + FINISH_GRACE + 3600, methods=("GET", "POST", "PATCH", "PUT", "DELETE"))
        return await original(*args, **kwargs)

    service.reviews.run = run_in_an_outage
    with caplog.at_level(logging.WARNING, logger="undertow"):
        asyncio.run(deliver(service, [("pull_request", pull_request_event(state))]))
    assert [(r["status"], r["conclusion"]) for r in state.check_runs.values()] in ([], [("in_progress", None)])
    assert any(r.message == "could not complete the check run: it stays in progress" for r in caplog.records)


def test_a_revoked_token_is_replaced_once_and_the_review_goes_on(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    state, service, _ = harness(repo, app_key)
    marks = {}

    def revoke_and_push():
        state.revoke_tokens()
        repo.commit({"app/jobs.py": PR["app/jobs.py"].replace("p])", "p], timeout=600)")})
        marks["before"] = len(state.requests)
        return ("pull_request", pull_request_event(state, "synchronize"))

    asyncio.run(deliver(service, [("pull_request", pull_request_event(state)), revoke_and_push]))
    before = marks["before"]
    after = calls(state, before)
    assert after[:3] == [
        ("POST", "/check-runs", 401),  # the cached token, revoked
        ("POST", "/app/installations/1/access_tokens", 201),  # dropped, a new one minted
        ("POST", "/check-runs", 201),  # and the request retried once with it
    ]
    assert [c[2] for c in after].count(401) == 1
    runs = list(state.check_runs.values())
    assert [(r["status"], r["conclusion"]) for r in runs] == [("completed", "failure"), ("completed", "failure")]
    assert runs[1]["head_sha"] == state.git.resolve("HEAD")


def test_a_bug_completes_the_check_run_with_the_reason_and_no_traceback(make_pr, app_key, monkeypatch, caplog):  # noqa: F811
    repo = make_pr(BASE, PR)
    state, service, _ = harness(repo, app_key)

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr("undertow.app.review.plan_review", broken)
    with caplog.at_level(logging.ERROR, logger="undertow.lifecycle"):
        asyncio.run(deliver(service, [("pull_request", pull_request_event(state))]))
    (run,) = state.check_runs.values()
    assert (run["status"], run["conclusion"], run["output"]["title"]) == ("completed", "failure", "Review failed")
    assert run["output"]["summary"].startswith(
        "Undertow failed while reviewing this pull request: `KeyError: 'boom'`. This is a problem in Undertow"
    )
    assert "Traceback" not in run["output"]["summary"]
    (record,) = [r for r in caplog.records if r.name == "undertow.lifecycle"]
    assert record.getMessage() == "review failed" and record.exc_info[0] is KeyError  # the traceback: the log's
    assert state.reviews == []
    # One attempt only: retrying cannot fix a bug.
    assert [c for c in calls(state) if c[0] == "POST" and c[1] == "/check-runs"] == [("POST", "/check-runs", 201)]


@pytest.mark.parametrize("closed", [False, True])
def test_a_superseded_head_cancels_its_check_run(make_pr, app_key, closed):  # noqa: F811
    repo = make_pr(BASE, PR)
    state, service, _ = harness(repo, app_key)
    first = pull_request_event(state)
    pushed = {}

    # A push (or closing the PR) lands while the first head is being analysed.
    original = service.reviews.run

    async def run(job, fresh, dismissed, superseded_by):
        async def later(head):
            if not pushed:
                pushed["sha"] = "f" * 40
                if closed:
                    await service.reviews.cancel("octo/app", 7)
                else:
                    await service.reviews.request(type(job)("octo/app", 7, 1, "f" * 40, "synchronize"))
                return None
            return await superseded_by(head)

        return await original(job, fresh, dismissed, later)

    service.reviews.run = run
    asyncio.run(deliver(service, [("pull_request", first)]))
    run1 = state.check_runs[1]
    assert (run1["head_sha"], run1["status"], run1["conclusion"]) == (
        first["pull_request"]["head"]["sha"],
        "completed",
        "cancelled",
    )
    expected = "the pull request was closed" if closed else f"superseded by {'f' * 40}"
    assert run1["output"]["summary"] == expected and state.reviews == []
