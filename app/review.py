"""One review of one pull request at one head sha: fetch, analyse, publish (idempotently).

Fetch: the merge base (GitHub's compare), the head and the base branch's tip are fetched with git
into the repository's bare cache (repos.cache); the change set and the snapshots are read from it
by the same code as `undertow scan` (GitRepo.changes, GitRepo.snapshot). REST serves only what git
has no equivalent for: the token, compare, check runs, comments, the review."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from undertow.analyzers.core.changes import ChangeSet
from undertow.analyzers.core.config import CONFIG_PATH, Config, ConfigError, parse_config
from undertow.analyzers.core.engine import Report, review
from undertow.analyzers.facts.context import FactCache
from undertow.analyzers.rules.catalogue import catalogue
from undertow.app.git import GitRepo, GitSnapshot
from undertow.app.publish import (
    CHECK_NAME,
    SUMMARY_MARKER,
    batches,
    check_annotations,
    check_output,
    conclusion,
    fingerprints_in,
    plan_review,
    resolved_body,
    summary_comment,
)
from undertow.app.queue.lifecycle import RESCAN_BUTTON, Attempt, CheckRuns, RedisCheckRuns
from undertow.app.repos.cache import FetchDenied, RepoCache, TokenSource

log = logging.getLogger("undertow.review")
CLOSED = "<closed>"  # what superseded_by answers for a pull request closed meanwhile
SUPERSEDED = "superseded by {sha}"
CLOSED_SUMMARY = "the pull request was closed"
# Above these the check is neutral with the reason, instead of a review that would take too
# long: files the change touches, and the bytes of their head versions.
MAX_CHANGED_FILES = 10_000
MAX_CHANGED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ReviewJob:
    repo: str  # owner/name
    number: int
    installation_id: int
    head_sha: str | None = None  # None: whatever the PR's head is when the job runs
    reason: str = "pull_request"
    base_sha: str | None = None  # the base branch's tip from the webhook, which spares a GET of the PR
    check_run_id: int | None = None  # a Re-run of this check run (for head_sha): complete it, not another
    clone_url: str | None = None  # the event's repository.clone_url (None: the PR's base.repo.clone_url)


@dataclass
class Outcome:
    status: str  # "published", "superseded", "neutral", "no_access" (lifecycle: "timed_out", "failed")
    conclusion: str | None = None
    findings: int = 0
    comments: int = 0
    rules: dict[str, int] = field(default_factory=dict)  # findings published, by rule


async def run_review(
    gh: GitHubAPI,
    job: ReviewJob,
    repos: RepoCache,
    cache: FactCache | None = None,
    superseded_by: Callable[[str], Awaitable[str | None]] | None = None,
    dismissed: frozenset[str] = frozenset(),
    attempt: Attempt | None = None,
    check_runs: CheckRuns | RedisCheckRuns | None = None,
    taken_over: bool = False,
) -> Outcome:
    """One attempt at the review. ``superseded_by(head)`` names a newer head (or CLOSED) when
    this one is no longer the PR's; ``attempt`` and ``check_runs`` find the check run an earlier
    attempt or review of this head created, which this one then completes; ``taken_over``: an
    earlier try of this job may have died between creating its check run and recording it, so
    GitHub's list of the head's check runs is asked too."""
    attempt = attempt if attempt is not None else Attempt()
    clone_url = job.clone_url
    if job.head_sha and job.base_sha and clone_url:
        head, base_tip = job.head_sha, job.base_sha  # from the webhook; staleness is checked before publishing
    else:
        pr = await gh.getitem(f"/repos/{job.repo}/pulls/{job.number}")
        head, base_tip = pr["head"]["sha"], pr["base"]["sha"]
        clone_url = clone_url or pr["base"]["repo"]["clone_url"]  # the base repository, even for a fork's PR
        if job.head_sha and job.head_sha != head:
            attempt.head = job.head_sha
            return await _superseded(gh, job, attempt, check_runs, head)
    attempt.head = head
    newer = await superseded_by(head) if superseded_by is not None else None
    if newer is not None:
        return await _superseded(gh, job, attempt, check_runs, newer)
    check_url = await _start_check_run(gh, job, head, attempt, check_runs, taken_over)
    reviewed = await _fetch_and_analyse(gh, job, repos, clone_url, head, base_tip, cache)
    if isinstance(reviewed, tuple):
        return await _unreviewed(gh, check_url, *reviewed)
    newer = await superseded_by(head) if superseded_by is not None else None
    if newer is not None:
        return await _superseded(gh, job, attempt, check_runs, newer)
    return await _publish(gh, job, head, check_url, reviewed, dismissed)


async def _fetch_and_analyse(
    gh: GitHubAPI,
    job: ReviewJob,
    repos: RepoCache,
    clone_url: str,
    head: str,
    base_tip: str,
    cache: FactCache | None,
) -> _Reviewed | tuple[str, str, str]:
    """Fetch: the merge base (GitHub's compare), the head and the base tip into the git cache;
    analyse them there as `undertow scan` would. A (status, title, summary) for a neutral check instead
    when the config is unusable or the change is over Undertow's limits, a failed one (NO_ACCESS)
    when git refused even a freshly minted installation token."""
    compare = await gh.getitem(f"/repos/{job.repo}/compare/{base_tip}...{head}")
    base_sha = compare["merge_base_commit"]["sha"]
    try:
        async with repos.checkout(clone_url, job.repo, [base_sha, head, base_tip], token_source(gh)) as git:
            try:
                return await asyncio.to_thread(_analyse, git, base_sha, head, base_tip, cache)
            except ConfigError as exc:
                return ("neutral", "Configuration error", f"`{CONFIG_PATH}` on the base branch cannot be used: {exc}")
            except TooLarge as exc:
                return ("neutral", "Diff too large", str(exc))
    except FetchDenied as exc:
        log.warning("git refused the App's access", extra={"repo": job.repo, "head": head, "reason": exc.detail})
        return ("no_access", NO_ACCESS_TITLE, NO_ACCESS.format(repo=job.repo, detail=exc.detail))


async def _publish(
    gh: GitHubAPI, job: ReviewJob, head: str, check_url: str, reviewed: _Reviewed, dismissed: frozenset[str]
) -> Outcome:
    """Complete the check run, post the review of new findings, keep the summary comment, mark
    fixed findings' comments resolved: each idempotently."""
    report, changes = reviewed.report, reviewed.changes
    if dismissed:  # `/undertow ignore RULE` on this pull request
        report.findings = [f for f in report.findings if f.rule not in dismissed]
    result = conclusion(report)
    items = check_annotations(report)
    output = check_output(report)
    chunks = batches(items)
    await gh.patch(
        check_url,
        data={
            "status": "completed",
            "conclusion": result,
            "output": {**output, "annotations": chunks[0]},
            "actions": [RESCAN_BUTTON],
        },
    )
    for chunk in chunks[1:]:
        await gh.patch(check_url, data={"output": {**output, "annotations": chunk}})
    existing: dict[str, str] = {}
    bodies: dict[str, str] = {}
    async for comment in gh.getiter(f"/repos/{job.repo}/pulls/{job.number}/comments?per_page=100"):
        if comment.get("user", {}).get("type") != "Bot":
            continue
        for fp in fingerprints_in(comment.get("body", "")):
            existing[fp] = str(comment["id"])
            bodies[str(comment["id"])] = comment["body"]
    diff_lines = {f.path: set(f.lines) for f in changes.present}
    plan = plan_review(report, diff_lines, existing)
    if plan.body is not None or plan.comments:
        await gh.post(
            f"/repos/{job.repo}/pulls/{job.number}/reviews",
            data={
                "commit_id": head,
                "event": "COMMENT",
                "body": plan.body or "",
                "comments": plan.comments,
            },
        )
    await _publish_summary(gh, job, plan.outside)
    for fp in plan.resolved:
        if fp.split(":", 1)[0] in dismissed:
            continue  # dismissed, not fixed
        comment_id = existing[fp]
        updated = resolved_body(bodies[comment_id])
        if updated != bodies[comment_id]:
            await gh.patch(f"/repos/{job.repo}/pulls/comments/{comment_id}", data={"body": updated})
    log.info(
        "review published",
        extra={
            "repo": job.repo,
            "pr": job.number,
            "head": head,
            "conclusion": result,
            "findings": len(report.findings),
        },
    )
    return Outcome(
        "published", result, len(report.findings), len(plan.comments), dict(Counter(f.rule for f in report.findings))
    )


async def _publish_summary(gh: GitHubAPI, job: ReviewJob, outside: list) -> None:
    """Findings outside the diff live in one conversation comment, found by its hidden marker
    and edited in place (only when its text changes): a rescan or a same-head push posts nothing
    new."""
    mine = None
    async for comment in gh.getiter(f"/repos/{job.repo}/issues/{job.number}/comments?per_page=100"):
        if comment.get("user", {}).get("type") == "Bot" and SUMMARY_MARKER in (comment.get("body") or ""):
            mine = comment
            break
    body = summary_comment(outside)
    if mine is None:
        if outside:
            await gh.post(f"/repos/{job.repo}/issues/{job.number}/comments", data={"body": body})
    elif mine.get("body") != body:
        await gh.patch(f"/repos/{job.repo}/issues/comments/{mine['id']}", data={"body": body})


async def _start_check_run(
    gh: GitHubAPI,
    job: ReviewJob,
    head: str,
    attempt: Attempt,
    check_runs: CheckRuns | RedisCheckRuns | None,
    taken_over: bool = False,
) -> str:
    """The check run of this head, in progress: the one a Re-run names, an earlier attempt or
    review created (PATCHed back to in_progress), else a new one."""
    if attempt.check_run_id is not None and attempt.head == head:
        return f"/repos/{job.repo}/check-runs/{attempt.check_run_id}"  # an earlier attempt's, still in progress
    run_id = None
    if job.check_run_id is not None and job.head_sha == head:
        run_id = job.check_run_id
    if run_id is None and check_runs is not None:
        run_id = await check_runs.get(job.repo, head)
    if run_id is None and taken_over:
        listed = await gh.getitem(f"/repos/{job.repo}/commits/{head}/check-runs?check_name={CHECK_NAME}&filter=latest")
        mine = [r for r in listed.get("check_runs", []) if r.get("external_id") == f"{job.number}"]
        run_id = int(mine[0]["id"]) if mine else None
    if run_id is not None:
        try:
            await gh.patch(
                f"/repos/{job.repo}/check-runs/{run_id}",
                data={"status": "in_progress", "output": {"title": "Reviewing", "summary": "Review in progress."}},
            )
        except BadRequest as exc:
            if int(exc.status_code) != 404:
                raise
            run_id = None  # deleted meanwhile: create another
    if run_id is None:
        check = await gh.post(
            f"/repos/{job.repo}/check-runs",
            data={"name": CHECK_NAME, "head_sha": head, "status": "in_progress", "external_id": f"{job.number}"},
        )
        run_id = int(check["id"])
        if check_runs is not None:
            await check_runs.set(job.repo, head, run_id)
    attempt.check_run_id = run_id
    return f"/repos/{job.repo}/check-runs/{run_id}"


async def _superseded(
    gh: GitHubAPI, job: ReviewJob, attempt: Attempt, check_runs: CheckRuns | RedisCheckRuns | None, newer: str
) -> Outcome:
    """A newer head (or closing the PR) replaces this review: its check run, if it has one,
    completes as cancelled, never left in progress."""
    run_id = attempt.check_run_id
    if run_id is None and check_runs is not None and attempt.head is not None:
        run_id = await check_runs.get(job.repo, attempt.head)
    if run_id is not None:
        summary = CLOSED_SUMMARY if newer == CLOSED else SUPERSEDED.format(sha=newer)
        await gh.patch(
            f"/repos/{job.repo}/check-runs/{run_id}",
            data={
                "status": "completed",
                "conclusion": "cancelled",
                "output": {"title": "Superseded" if newer != CLOSED else "Closed", "summary": summary},
            },
        )
    log.info("review superseded", extra={"repo": job.repo, "pr": job.number, "head": attempt.head, "by": newer})
    return Outcome("superseded", "cancelled" if run_id is not None else None)


def token_source(gh: GitHubAPI) -> TokenSource:
    """The installation token the client holds; a new one when a fetch was refused."""

    async def token(refresh: bool) -> str:
        renew = getattr(gh, "new_token", None)
        if refresh and renew is not None:
            return await renew()
        return str(gh.oauth_token)

    return token


NO_ACCESS_TITLE = "No access to the repository"
NO_ACCESS = (
    "GitHub refused the App's access to {repo} over git: {detail}; check the App's installation "
    "permissions (contents: read). A new installation token was refused too, so nothing was reviewed; "
    "re-run the check or comment `/undertow rescan` once the permissions are granted."
)


class TooLarge(Exception):
    """The change is over Undertow's own limits (MAX_CHANGED_FILES, MAX_CHANGED_BYTES)."""


@dataclass
class _Reviewed:
    report: Report
    changes: ChangeSet


def _analyse(git: GitRepo, base_sha: str, head: str, base_tip: str, cache: FactCache | None) -> _Reviewed:
    """What `undertow scan --base <merge base> --head <head>` does, on the fetched repository."""
    changes = git.changes(base_sha, head)
    base = git.snapshot(base_sha, cache)
    assert isinstance(base, GitSnapshot)
    head_snapshot = git.snapshot(head, cache, base=base)
    if len(changes.files) > MAX_CHANGED_FILES:
        raise TooLarge(
            f"This pull request changes {len(changes.files):,} files; Undertow reviews at most "
            f"{MAX_CHANGED_FILES:,}, so it did not review this one."
        )
    entries = head_snapshot.entries()
    size = sum((entries[f.path].size or 0) for f in changes.present if f.path in entries)
    if size > MAX_CHANGED_BYTES:
        raise TooLarge(
            f"The files this pull request changes hold {size / 2**20:,.0f} MiB; Undertow reviews at most "
            f"{MAX_CHANGED_BYTES / 2**20:,.0f} MiB of changed files, so it did not review this one."
        )
    # The config the team has agreed to now is on the base branch's tip, not at the merge base.
    tip = base if base_tip == base_sha else git.snapshot(base_tip, cache)
    data = tip.read(CONFIG_PATH)
    config = (
        parse_config(data, source=f"{CONFIG_PATH} (base branch)", known_rules=set(catalogue())) if data else Config()
    )
    return _Reviewed(review(base, head_snapshot, changes, config, cache=cache), changes)


async def _unreviewed(gh: GitHubAPI, check_url: str, status: str, title: str, summary: str) -> Outcome:
    """Complete the check run without a review: ``neutral`` (the config, Undertow's limits) or
    ``no_access`` (a failure, with the Rescan button for when the permissions are fixed)."""
    data: dict = {"status": "completed", "conclusion": "neutral", "output": {"title": title, "summary": summary}}
    if status == "no_access":
        data = {**data, "conclusion": "failure", "actions": [RESCAN_BUTTON]}
    await gh.patch(check_url, data=data)
    return Outcome(status, data["conclusion"])
