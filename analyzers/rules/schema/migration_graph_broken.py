"""SCH009: an Alembic revision graph with two heads, a missing parent or a duplicate id."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import schema_facts


class MigrationGraphBroken(RepoRule):
    """## What it does
    Orders Alembic revisions by their `revision`/`down_revision` graph and flags two or more
    heads, a `down_revision` no revision has, and a revision id used twice.

    ## Why is this bad?
    `alembic upgrade head` refuses to run with several heads ("Multiple head revisions are
    present"), so the deploy's migration step fails; a dangling parent or a duplicate id breaks
    every later upgrade the same way.

    ## Example
    Two branches each add a revision on top of `a1b2c3`, and both merge.

    ## Use instead
    ```sh
    alembic merge -m "merge heads" <head1> <head2>
    ```
    """

    id = "SCH009"
    name = "migration-graph-broken"
    severity = Severity.ERROR
    fix = "merge the heads (alembic merge) or fix down_revision"
    depends_on = "schema"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        for problem in facts.graph_problems:
            kind, _, rest = problem.partition(":")
            by_id = {info.id: info for info in facts.revisions.values()}
            if kind == "heads":
                heads = rest.split(",")
                for head in heads:
                    path = by_id[head].path
                    others = ", ".join(h for h in heads if h != head)
                    message = (
                        f"revision {head} is one of {len(heads)} heads (also {others}): "
                        f"alembic upgrade head will refuse to run; {self.fix}"
                    )
                    yield self._at(ctx, path, "down_revision", message, f"head:{head}")
            elif kind == "missing":
                child, parent = rest.split(":", 1)
                path = by_id[child].path
                message = f"revision {child} has down_revision {parent!r}, which no revision defines; {self.fix}"
                yield self._at(ctx, path, "down_revision", message, f"missing:{child}:{parent}")
            elif kind == "duplicate":
                rev, path, first = rest.split(":", 2)
                message = (
                    f"revision id {rev} is also used by {first}: Alembic cannot tell them apart; "
                    "give this revision a new id"
                )
                yield self._at(ctx, path, "revision", message, f"duplicate:{rev}")

    def _at(self, ctx: RepoContext, path: str, word: str, message: str, key: str) -> Finding:
        data = ctx.snapshot.read(path) or b""
        line = next(
            (
                n
                for n, text in enumerate(data.decode("utf-8", "replace").splitlines(), start=1)
                if text.startswith(word)
            ),
            1,
        )
        return self.report(path, message, key, line=line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    # two revisions on the same parent: two heads
    Case(
        base=ALEMBIC_REPO,
        head={
            "alembic/versions/b1.py": revision("b1", "a1", "    pass\n"),
            "alembic/versions/b2.py": revision("b2", "a1", "    pass\n"),
        },
        expect=[("SCH009", "alembic/versions/b1.py", 4), ("SCH009", "alembic/versions/b2.py", 4)],
    ),
]
VALID = [
    Case(
        base=ALEMBIC_REPO,
        head={
            "alembic/versions/b1.py": revision("b1", "a1", "    pass\n"),
            "alembic/versions/b2.py": revision("b2", "b1", "    pass\n"),
        },
    ),
]
