"""Failures inside Undertow, kept local to the input they concern and reported, never silent.

Every parse or extraction step works on one input (a file, a SQL statement, an Alembic
operation, a manifest) inside a ``boundary``: an exception there is recorded in the review's
``FailureLog`` and the step's caller goes on with the next input. The engine turns each
recorded failure into an ``UND004 analysis-incomplete`` finding, so a review that could not
look at something says so instead of passing for "no findings".

A result computed while a failure was recorded is never cached (``FailureLog.count`` before and
after): the next review computes it again, meets the same failure, and reports it again.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Failure:
    """What could not be reviewed: ``what`` names the step ("rule SCH001 at head", "the SQL
    replay"), ``path``/``line`` the input when one is known (``""`` for the whole revision)."""

    what: str
    path: str
    line: int
    error: str  # the exception type
    detail: str  # the exception's message, shortened
    rule: str | None = None  # the rule whose findings are missing, when one is

    @property
    def key(self) -> str:
        return f"{self.rule or ''}:{self.what}:{self.path}:{self.error}"


@dataclass
class FailureLog:
    failures: list[Failure] = field(default_factory=list)

    def record(self, failure: Failure) -> None:
        self.failures.append(failure)

    @property
    def count(self) -> int:
        return len(self.failures)

    def unique(self) -> list[Failure]:
        seen: dict[str, Failure] = {}
        for failure in self.failures:
            seen.setdefault(failure.key, failure)
        return list(seen.values())


_current: contextvars.ContextVar[FailureLog | None] = contextvars.ContextVar("undertow_failures", default=None)


@contextlib.contextmanager
def collecting(failures: FailureLog | None = None) -> Iterator[FailureLog]:
    """Make ``failures`` (a new log by default) the one ``boundary`` records into."""
    failures = failures if failures is not None else FailureLog()
    token = _current.set(failures)
    try:
        yield failures
    finally:
        _current.reset(token)


def current() -> FailureLog | None:
    return _current.get()


def failure_count() -> int:
    """How many failures the current review has recorded (0 outside a review)."""
    failures = _current.get()
    return failures.count if failures is not None else 0


def record(exc: BaseException, what: str, path: str = "", line: int = 1, rule: str | None = None) -> Failure:
    failure = Failure(
        what=what, path=path, line=max(int(line or 1), 1), error=type(exc).__name__, detail=_short(exc), rule=rule
    )
    failures = _current.get()
    if failures is not None:
        failures.record(failure)
    log.error(
        "%s failed%s: %s: %s",
        what,
        f" on {path}" if path else "",
        failure.error,
        failure.detail,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return failure


@contextlib.contextmanager
def boundary(what: str, path: str = "", line: int = 1, rule: str | None = None) -> Iterator[None]:
    """Run one step on one input: an exception is recorded and swallowed, so the caller goes on
    with the next input. Outside a review (no log collecting) it propagates: nothing is silent."""
    try:
        yield
    except Exception as exc:  # the point of the boundary: any bug stays local to this input
        if _current.get() is None:
            raise
        record(exc, what, path, line, rule)


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ").strip()
    return text[:200] + ("…" if len(text) > 200 else "")
