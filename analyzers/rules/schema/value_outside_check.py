"""SCH005: code writes a value the column's CHECK constraint or enum type rejects."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.code_sites import changed_sites
from undertow.analyzers.schema.facts import model_classes, schema_facts


class ValueOutsideCheck(RepoRule):
    """## What it does
    Flags a string literal written to (or compared with) a mapped column, as in
    `Job(job_type="analyze_video_v2")` or `Video.status == "transcribed"`, when the migrated
    schema's `CHECK (col IN (...))` or enum type does not allow that value.

    ## Why is this bad?
    The INSERT fails with `violates check constraint` (or `invalid input value for enum`) in
    production only: tests built with `create_all()` from the models have no such constraint.
    A comparison with an impossible value silently matches nothing.

    ## Example
    ```python
    session.add(Job(job_type="analyze_video_v2"))  # CHECK (job_type IN ('analyze_video', 'transcribe'))
    ```

    ## Use instead
    Widen the constraint in a migration in the same change, or write an allowed value.
    """

    id = "SCH005"
    name = "value-outside-check"
    severity = Severity.ERROR
    fix = "widen the CHECK/enum in a migration in this change, or use an allowed value"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return
        classes = model_classes(ctx.facts)
        for path, site in changed_sites(ctx, {"write"}):
            model = classes.get(site.model or "")
            if model is None:
                continue
            column_name = model.columns.get(site.attribute or "")
            table = facts.schema.table(model.table)
            column = table.columns.get(column_name) if table and column_name else None
            if column is None or column.allowed is None or site.value in column.allowed:
                continue
            allowed = ", ".join(repr(v) for v in column.allowed)
            what = f"enum type {column.enum_type}" if column.enum_type else "CHECK constraint"
            message = (
                f"writes {site.value!r} to {model.table}.{column_name}, but its {what} allows only {allowed}: "
                f"the statement fails in the database; {self.fix}"
            )
            yield self.report(path, message, f"{model.table}.{column_name}={site.value}", line=site.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={"app/jobs.py": "from app.models import Video\nv = Video(title='x', status='transcribed')\n"},
        expect=[("SCH005", "app/jobs.py", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO, head={"app/jobs.py": "from app.models import Video\nv = Video(title='x', status='analyzed')\n"}
    ),
]
