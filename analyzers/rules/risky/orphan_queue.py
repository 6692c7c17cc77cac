"""RSK011: a Redis list or stream that is pushed and never popped, or popped and never pushed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.python.fact_types import RedisKeyUse
from undertow.analyzers.python.facts import is_test_path
from undertow.analyzers.python.index import python_index
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


class OrphanQueue(RepoRule):
    """## What it does
    Indexes every Redis list and stream key the repository pushes (`lpush`, `rpush`, `xadd`,
    the target of `lmove`/`brpoplpush`) and pops (`blpop`, `brpop`, `lpop`, `rpop`, `xread`,
    `xreadgroup`), by string literal or module constant (also through imports), and flags a
    key pushed that no code pops, or popped that no code pushes.

    ## Why is this bad?
    Producer and consumer drift apart silently: one side pushes to a queue name the other
    side no longer pops (renamed on one side only). Nothing fails: jobs pile up in Redis,
    users wait for ever, and the worker logs say it is idle.

    ## Example
    ```python
    # app/api.py
    redis.lpush("job_queue", job.json())
    # app/worker.py
    redis.brpop("transcription_queue")
    ```

    ## Use instead
    Share the key as one constant imported by both sides:
    ```python
    # app/queues.py
    TRANSCRIPTION_QUEUE = "transcription_queue"
    ```
    """

    id = "RSK011"
    name = "orphan-queue"
    severity = Severity.ERROR
    fix = "make producer and consumer use the same key (one shared constant)"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        index = python_index(ctx.facts)
        pushes: dict[str, list[tuple[str, int, str]]] = {}
        pops: dict[str, list[tuple[str, int, str]]] = {}
        redis: Mapping[str, list[RedisKeyUse]] = index.part("redis")
        for path, uses in sorted(redis.items()):
            if is_test_path(path):
                continue
            for op, role, (kind, value), line in uses:
                key = value if kind == "lit" else index.constant(index.module_of[path], value)
                if key is None:
                    continue
                (pushes if role == "push" else pops).setdefault(key, []).append((path, line, op))
        for key, sites in sorted(pushes.items()):
            if key not in pops:
                yield from self._orphans(key, sites, pops, "pushes to", "pops")
        for key, sites in sorted(pops.items()):
            if key not in pushes:
                yield from self._orphans(key, sites, pushes, "pops from", "pushes")

    def _orphans(
        self,
        key: str,
        sites: list[tuple[str, int, str]],
        others: dict[str, list[tuple[str, int, str]]],
        verb: str,
        other_verb: str,
    ) -> Iterable[Finding]:
        nearest = sorted(others.items(), key=lambda item: -_similarity(key, item[0]))[:1]
        for path, line, op in sites:
            if nearest:
                other_key, other_sites = nearest[0]
                other_path, other_line, _ = other_sites[0]
                tail = f"the closest key code {other_verb} is `{other_key}` ({other_path}:{other_line})"
            else:
                tail = f"no code {other_verb} any list or stream"
            message = f"{op}() {verb} Redis key `{key}`, but no code {other_verb} it; {tail}; {self.fix}"
            yield self.report(path, message, f"{verb}:{key}", line=line)


def _similarity(a: str, b: str) -> int:
    import difflib

    return int(difflib.SequenceMatcher(None, a, b).ratio() * 1000)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_WORKER = "def main(r):\n    while True:\n        job = r.brpop('transcription_queue', timeout=5)\n"

INVALID = [
    Case(
        base={"app/worker.py": _WORKER},
        head={"app/api.py": "def submit(r, job):\n    r.lpush('job_queue', job)\n"},
        expect=[("RSK011", "app/api.py", 2)],  # the worker's pop was an orphan before the change
    ),
]
VALID = [
    Case(
        base={"app/worker.py": _WORKER},
        head={"app/api.py": "def submit(r, job):\n    r.lpush('transcription_queue', job)\n"},
    ),
]
