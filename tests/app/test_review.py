"""A whole review against FakeGitHub: check run, annotations, review comments, idempotence."""

import asyncio

from tests.app.gitcache import repos
from tests.fakegithub import FakeGitHub
from undertow.app.review import ReviewJob, run_review

BASE = {"app/jobs.py": "import subprocess\n\n\ndef old():\n    return 1\n", "README.md": "hi\n"}
PR = {
    "app/jobs.py": "import subprocess\n\n\ndef old():\n    return 1\n\n\ndef new(p):\n    subprocess.run(['ffmpeg', p])\n",
    "requirements.txt": "mylib @ git+https://github.com/acme/mylib.git@main\n",
}


def review(gh, **kw):
    return asyncio.run(run_review(gh, ReviewJob("octo/app", 7, 1), repos(), **kw))


def test_review_publishes_check_run_annotations_and_inline_comments(make_pr):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    outcome = review(gh)
    assert (outcome.status, outcome.conclusion, outcome.findings, outcome.comments) == ("published", "failure", 2, 2)
    run = gh.check_runs[1]
    assert (run["name"], run["status"], run["conclusion"]) == ("Undertow", "completed", "failure")
    assert run["actions"] == [
        {"label": "Rescan", "description": "Review this pull request again", "identifier": "rescan"}
    ]
    assert [(a["path"], a["start_line"], a["annotation_level"]) for a in run["annotations"]] == [
        ("app/jobs.py", 9, "warning"),
        ("requirements.txt", 1, "failure"),
    ]
    (posted,) = gh.reviews
    assert posted["event"] == "COMMENT"
    assert [(c["path"], c["line"]) for c in posted["comments"]] == [("app/jobs.py", 9), ("requirements.txt", 1)]
    assert "```suggestion\n    subprocess.run(['ffmpeg', p], timeout=60)\n```" in posted["comments"][0]["body"]
    # The repository is read with git (one fetch: capabilities, then upload-pack), REST only for
    # what git has no equivalent for; no tree, blob or pulls/files request.
    head, base = gh.git.resolve("HEAD"), gh.git.resolve("main")
    assert gh.paths() == [
        "GET /repos/octo/app/pulls/7",
        "POST /repos/octo/app/check-runs",
        f"GET /repos/octo/app/compare/{base}...{head}",
        "PATCH /repos/octo/app/check-runs/1",
        "GET /repos/octo/app/pulls/7/comments",
        "POST /repos/octo/app/pulls/7/reviews",
        "GET /repos/octo/app/issues/7/comments",
    ]
    assert [(m, p.split("?")[0], s) for m, p, s in gh.git_requests] == [
        ("GET", "/octo/app.git/info/refs", 200),
        ("POST", "/octo/app.git/git-upload-pack", 200),
    ]


def test_a_rescan_of_the_same_head_posts_nothing_twice(make_pr):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    review(gh)
    calls_before = len(gh.reviews)
    outcome = review(gh)
    assert outcome.comments == 0
    assert len(gh.reviews) == calls_before  # no second review, no duplicate comment
    assert len(gh.comments) == 2


def test_a_push_that_fixes_a_finding_marks_its_comment_resolved(make_pr):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    review(gh)
    repo.commit({"app/jobs.py": PR["app/jobs.py"].replace("p])", "p], timeout=600)")})
    outcome = review(gh)
    assert outcome.conclusion == "failure"  # DEP004 still stands
    resolved = [c for c in gh.comments if c["body"].startswith("✅ **Resolved**")]
    assert [c["path"] for c in resolved] == ["app/jobs.py"]
    assert len(gh.reviews) == 1  # nothing new to say


def test_stale_head_is_not_published(make_pr):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)

    newer = "b" * 40
    asked = []

    async def superseded_by(head):
        asked.append(head)  # current at the start; a newer push lands during the analysis
        return None if len(asked) == 1 else newer

    outcome = review(gh, superseded_by=superseded_by)
    assert (outcome.status, outcome.conclusion) == ("superseded", "cancelled")
    assert gh.reviews == [] and len(gh.check_runs) == 1
    run = gh.check_runs[1]
    assert (run["status"], run["conclusion"]) == ("completed", "cancelled")
    assert run["output"] == {"title": "Superseded", "summary": f"superseded by {newer}"}


def test_bad_config_on_base_is_a_neutral_check(make_pr):
    repo = make_pr({**BASE, ".github/undertow.yml": "rules: {RSK001: loud}\n"}, PR)
    gh = FakeGitHub(repo.path)
    outcome = review(gh)
    assert outcome.status == "neutral"
    run = gh.check_runs[1]
    assert (run["conclusion"], run["output"]["title"]) == ("neutral", "Configuration error")
    assert "rules.RSK001" in run["output"]["summary"]


def test_every_request_matches_githubs_openapi_description(make_pr):
    from tests.openapi import request_errors

    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    review(gh)
    repo.commit({"app/jobs.py": PR["app/jobs.py"].replace("p])", "p], timeout=600)")})
    review(gh)  # the second review also marks a comment resolved (PATCH)
    methods = {m for m, _, _ in gh.calls}
    assert {"GET", "POST", "PATCH"} <= methods
    errors = [e for method, path, body in gh.calls for e in request_errors(method, path, body)]
    assert errors == []


def test_a_warm_review_from_a_webhook_makes_five_rest_calls_and_no_git_request(make_pr):
    from undertow.analyzers.facts.context import MemoryCache

    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    head, base = gh.git.resolve("HEAD"), gh.git.resolve("main")
    job = ReviewJob("octo/app", 7, 1, head, "synchronize", base, clone_url=gh.clone_url)
    git_cache, facts = repos(), MemoryCache()
    asyncio.run(run_review(gh, job, git_cache, cache=facts))
    before, git_before = len(gh.calls), len(gh.git_requests)
    asyncio.run(run_review(gh, job, git_cache, cache=facts))  # the same head again: everything is cached
    warm = [f"{m} {p}" for m, p, _ in gh.calls[before:]]
    assert warm == [
        "POST /repos/octo/app/check-runs",
        f"GET /repos/octo/app/compare/{base}...{head}",
        "PATCH /repos/octo/app/check-runs/2",
        "GET /repos/octo/app/pulls/7/comments",
        "GET /repos/octo/app/issues/7/comments",
    ]
    assert len(gh.git_requests) == git_before  # both revisions are in the git cache: no fetch
    assert not any("/git/" in call for call in warm)  # no tree, no blob


def test_config_comes_from_the_base_branch_tip_not_the_merge_base(make_pr):
    repo = make_pr({**BASE, ".github/undertow.yml": "rules: {RSK001: off, DEP004: off}\n"}, PR)
    repo.git("checkout", "-q", "main")
    repo.commit({".github/undertow.yml": "rules: {DEP004: off}\n"}, "the team turns RSK001 back on")
    repo.git("checkout", "-q", "pr")
    gh = FakeGitHub(repo.path)
    outcome = review(gh)
    assert outcome.rules == {"RSK001": 1}


def test_a_failure_inside_undertow_fails_the_check_and_says_what_was_not_reviewed(make_pr, monkeypatch):
    from undertow.analyzers.rules.risky.subprocess_without_timeout import SubprocessWithoutTimeout
    from undertow.app.publish import SUMMARY_INCOMPLETE

    def visit_call(self, node):
        raise KeyError("boom")

    monkeypatch.setattr(SubprocessWithoutTimeout, "visit_Call", visit_call)
    repo = make_pr(BASE, {"app/jobs.py": PR["app/jobs.py"]})
    gh = FakeGitHub(repo.path)
    outcome = review(gh)
    assert (outcome.conclusion, outcome.rules) == ("failure", {"UND004": 1})
    run = gh.check_runs[1]
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == "Review incomplete · 1 error"
    summary = run["output"]["summary"]
    assert summary.startswith(SUMMARY_INCOMPLETE.format(n=1))
    assert "- rule RSK001 subprocess-without-timeout failed on `app/jobs.py`: `KeyError`" in summary
    assert [(a["path"], a["start_line"], a["annotation_level"], a["title"]) for a in run["annotations"]] == [
        ("app/jobs.py", 1, "failure", "UND004 analysis-incomplete")
    ]
