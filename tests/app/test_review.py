"""A whole review against FakeGitHub: check run, annotations, review comments, idempotence."""

import asyncio

from tests.fakegithub import FakeGitHub
from undertow.app.github_data import BlobCache
from undertow.app.review import ReviewJob, run_review

BASE = {"app/jobs.py": "import subprocess\n\n\ndef old():\n    return 1\n", "README.md": "hi\n"}
PR = {
    "app/jobs.py": "import subprocess\n\n\ndef old():\n    return 1\n\n\ndef new(p):\n    subprocess.run(['ffmpeg', p])\n",
    "requirements.txt": "mylib @ git+https://github.com/acme/mylib.git@main\n",
}


def review(gh, **kw):
    return asyncio.run(run_review(gh, ReviewJob("octo/app", 7, 1), BlobCache(), **kw))


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
    # Only the blobs the analyzers read were fetched: the changed files at head and the changed
    # Python file at base (cross-file rules compare both sides); README.md never.
    fetched = {p.rsplit("/", 1)[1] for p in gh.paths("GET") if "/git/blobs/" in p}
    head_tree, base_tree = gh.git.tree(gh.git.resolve("HEAD")), gh.git.tree(gh.git.resolve("main"))
    assert fetched == {head_tree["app/jobs.py"].oid, head_tree["requirements.txt"].oid, base_tree["app/jobs.py"].oid}


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


def test_a_warm_review_from_a_webhook_makes_at_most_six_api_calls(make_pr):
    from undertow.analyzers.facts.context import MemoryCache

    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)
    job = ReviewJob("octo/app", 7, 1, gh.git.resolve("HEAD"), "synchronize", gh.git.resolve("main"))
    blobs, facts = BlobCache(), MemoryCache()
    asyncio.run(run_review(gh, job, blobs, cache=facts))
    before = len(gh.calls)
    asyncio.run(run_review(gh, job, blobs, cache=facts))  # the same head again: everything is cached
    warm = [f"{m} {p}" for m, p, _ in gh.calls[before:]]
    assert len(warm) <= 6, warm
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
