"""Every check run ends. A review that fails for a reason retrying can fix (GitHub 5xx, network,
rate limits, Redis blips) is tried again, with exponential backoff and jitter, until it lands or
the deadline (UNDERTOW_REVIEW_DEADLINE, 30 minutes) passes; then its check run completes as
`timed_out`, with the reason and the Rescan button. A failure retrying cannot fix (a bug in
Undertow) completes the check run with the reason, never a traceback (that goes to the log).
Each attempt reuses the check run the first one created (publishing is idempotent)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from gidgethub import BadRequest, GitHubBroken, RateLimitExceeded
from gidgethub.abc import GitHubAPI

from undertow.app.publish import CHECK_NAME

log = logging.getLogger("undertow.lifecycle")
DEFAULT_DEADLINE = 30 * 60.0
FIRST_DELAY = 2.0
MAX_DELAY = 120.0
# How long completing a review's check run is retried after the review itself ended (timed out in
# an outage, most often: completing it then meets the same outage). A run left in_progress keeps
# a required check blocking, never green, but says nothing; this outlasts most outages.
FINISH_GRACE = 15 * 60.0
RESCAN_BUTTON = {"label": "Rescan", "description": "Review this pull request again", "identifier": "rescan"}

TIMED_OUT_TITLE = "Review timed out"
TIMED_OUT = (
    "Undertow could not complete this review within {minutes} minutes: {reason}. It was retried "
    "{attempts} time(s) with backoff. Re-run the check or comment `/undertow rescan` to start over."
)
FAILED_TITLE = "Review failed"
FAILED = (
    "Undertow failed while reviewing this pull request: `{reason}`. This is a problem in Undertow, "
    "not in the pull request; nothing was published from this attempt and the log has the details. "
    "Re-run the check or comment `/undertow rescan` to try again."
)

try:  # Redis is optional (in-process reviews)
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    _REDIS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    _REDIS = ()


def transient(exc: BaseException) -> bool:
    """Whether retrying later can fix it."""
    if isinstance(exc, GitHubBroken | RateLimitExceeded):
        return True
    if isinstance(exc, BadRequest):
        return int(exc.status_code) == 429
    return isinstance(exc, (httpx.TransportError, TimeoutError, ConnectionError, *_REDIS))


def describe(exc: BaseException) -> str:
    """The reason, as the check run says it: what failed, without the request's details."""
    if isinstance(exc, GitHubBroken):
        return f"GitHub answered {int(exc.status_code)} ({exc.status_code.phrase})"
    if isinstance(exc, RateLimitExceeded | BadRequest):
        return f"GitHub's rate limit ({int(exc.status_code)})"
    if isinstance(exc, httpx.TransportError | TimeoutError | ConnectionError):
        return f"the connection to GitHub failed ({type(exc).__name__})"
    if _REDIS and isinstance(exc, _REDIS):
        return f"Redis was unreachable ({type(exc).__name__})"
    return type(exc).__name__


def backoff(attempt: int, rng: random.Random) -> float:
    """Seconds before attempt ``attempt + 1``: doubling from FIRST_DELAY, capped, with full-range jitter."""
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (attempt - 1)) * (0.5 + rng.random())


@dataclass
class Attempt:
    """How far a review got, kept across its attempts: the head it reviews and its check run."""

    head: str | None = None
    check_run_id: int | None = None
    attempts: int = 0


class CheckRuns:
    """(repository, head sha) → the check run reviewing it, so that a retried, re-run or taken-over
    review completes that run instead of creating another. In memory (one process)."""

    def __init__(self, limit: int = 10_000) -> None:
        self.runs: dict[tuple[str, str], int] = {}
        self.limit = limit

    async def get(self, repo: str, head: str) -> int | None:
        return self.runs.get((repo, head))

    async def set(self, repo: str, head: str, run_id: int) -> None:
        if len(self.runs) >= self.limit:
            self.runs.pop(next(iter(self.runs)))
        self.runs[(repo, head)] = run_id


class RedisCheckRuns:
    """The same, shared by every worker."""

    def __init__(self, redis, ttl: int = 7 * 24 * 3600) -> None:
        self.redis, self.ttl = redis, ttl

    async def get(self, repo: str, head: str) -> int | None:
        raw = await self.redis.get(f"undertow:check-run:{repo}@{head}")
        return int(raw) if raw else None

    async def set(self, repo: str, head: str, run_id: int) -> None:
        await self.redis.set(f"undertow:check-run:{repo}@{head}", str(run_id), ex=self.ttl)


async def review_until_done(
    github: Callable[[], Awaitable[GitHubAPI]],
    repo: str,
    review: Callable[[GitHubAPI, Attempt], Awaitable[object]],
    *,
    head: str | None = None,
    deadline: float = DEFAULT_DEADLINE,
    started: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
    attempt: Attempt | None = None,
) -> object:
    """Run ``review`` until it returns, retrying transient failures until ``deadline`` seconds
    after ``started``; the return value is the review's, or "timed_out" / "failed"."""
    rng = rng or random.Random()
    attempt = attempt or Attempt(head=head)
    started = clock() if started is None else started
    while True:
        attempt.attempts += 1
        try:
            gh = await github()
            return await review(gh, attempt)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not transient(exc):
                log.exception("review failed", extra={"repo": repo, "head": attempt.head})
                summary = FAILED.format(reason=_bug(exc))
                await _finish(github, repo, attempt, "failure", FAILED_TITLE, summary, clock, sleep, rng)
                return "failed"
            reason = describe(exc)
            delay = backoff(attempt.attempts, rng)
            if clock() + delay > started + deadline:
                log.warning("review timed out", extra={"repo": repo, "head": attempt.head, "reason": reason})
                summary = TIMED_OUT.format(minutes=round(deadline / 60), reason=reason, attempts=attempt.attempts)
                await _finish(github, repo, attempt, "timed_out", TIMED_OUT_TITLE, summary, clock, sleep, rng)
                return "timed_out"
            log.warning(
                "review attempt failed, retrying",
                extra={
                    "repo": repo,
                    "head": attempt.head,
                    "reason": reason,
                    "attempt": attempt.attempts,
                    "delay": delay,
                },
            )
            await sleep(delay)


async def retrying(
    call: Callable[[], Awaitable[object]],
    what: str,
    *,
    deadline: float = DEFAULT_DEADLINE,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> None:
    """Run ``call`` (a delivery's handler) until it returns, retrying transient failures with
    the same backoff until ``deadline``; other failures and the deadline are logged."""
    rng = rng or random.Random()
    started, attempts = clock(), 0
    while True:
        attempts += 1
        try:
            await call()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            delay = backoff(attempts, rng)
            if not transient(exc) or clock() + delay > started + deadline:
                log.exception("%s failed", what)
                return
            log.warning(f"{what} failed, retrying", extra={"reason": describe(exc), "attempt": attempts})
            await sleep(delay)


def _bug(exc: BaseException) -> str:
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


async def _finish(
    github,
    repo: str,
    attempt: Attempt,
    conclusion: str,
    title: str,
    summary: str,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    rng: random.Random,
    grace: float = FINISH_GRACE,
) -> bool:
    """Complete the attempt's check run (or create it completed, when the review got as far as
    knowing its head but not as its check run), retrying transient failures for ``grace``
    seconds; whether it was completed."""
    data = {
        "status": "completed",
        "conclusion": conclusion,
        "output": {"title": title, "summary": summary},
        "actions": [RESCAN_BUTTON],
    }
    started, tries = clock(), 0
    while True:
        tries += 1
        try:
            gh = await github()
            if attempt.check_run_id is not None:
                await gh.patch(f"/repos/{repo}/check-runs/{attempt.check_run_id}", data=data)
            elif attempt.head is not None:
                await gh.post(f"/repos/{repo}/check-runs", data={"name": CHECK_NAME, "head_sha": attempt.head, **data})
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            delay = backoff(tries, rng)
            if not transient(exc) or clock() + delay > started + grace:
                log.exception(
                    "could not complete the check run: it stays in progress",
                    extra={"repo": repo, "head": attempt.head, "conclusion": conclusion},
                )
                return False
            log.warning(
                "completing the check run failed, retrying",
                extra={"repo": repo, "head": attempt.head, "reason": describe(exc), "attempt": tries},
            )
            await sleep(delay)
