"""SCH006: an upsert naming a constraint or columns no unique index of the table has."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.code_sites import is_model, sites_to_check
from undertow.analyzers.schema.facts import model_classes, schema_facts


class UnknownConflictTarget(RepoRule):
    """## What it does
    Flags `insert(Model).on_conflict_do_update(constraint="...")` / `on_conflict_do_nothing`
    and `index_elements=[...]` that name a constraint, or a column set, that no unique
    constraint, unique index or primary key of the migrated table has.

    The statement is followed through a variable, the documented idiom
    (`stmt = insert(M).values(...)`; `stmt = stmt.on_conflict_do_update(...)`), whatever name
    `insert` is imported under; `index_elements` may be column names or `M.attr`. When the
    change touches migrations (a dropped unique index), unchanged upserts are checked again.

    ## Why is this bad?
    Postgres rejects the statement (`constraint "<name>" for table "<table>" does not exist`, or
    `there is no unique or exclusion constraint matching the ON CONFLICT specification`): the
    upsert path fails every time, typically in a background job nobody watches.

    ## Example
    ```python
    insert(Stat).values(**row).on_conflict_do_update(constraint="uq_stats_day", set_=row)
    ```

    ## Use instead
    Create the constraint in a migration, or name the one the table has.
    """

    id = "SCH006"
    name = "unknown-conflict-target"
    severity = Severity.ERROR
    fix = "create that unique constraint/index in a migration, or target an existing one"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return
        classes = model_classes(ctx.facts)
        for path, site in sites_to_check(ctx, {"conflict"}):
            model = classes.get(site.model or "")
            table = facts.schema.table(model.table) if model and is_model(model, site, path) else None
            if model is None or table is None or table.partial or site.conflict is None:
                continue
            constraint, columns = site.conflict.constraint, site.conflict.columns
            if columns is not None and site.conflict.attributes:
                named = [model.columns.get(attr) for attr in columns]
                if any(name is None for name in named):
                    continue  # an attribute that is no column (SCH008's business): no guess
                columns = tuple(name for name in named if name is not None)
            names = (
                {u[0] for u in table.uniques if u[0]}
                | set(table.constraints)
                | set(table.indexes)
                | {f"{table.name}_pkey"}
            )
            # Without index_where= an upsert cannot use a partial unique index.
            usable = [u for u in table.uniques if site.conflict.partial or u[0] not in table.partial_uniques]
            sets = [sorted(u[1]) for u in usable] + ([sorted(table.primary_key)] if table.primary_key else [])
            if constraint is not None and constraint.lower() not in names:
                known = ", ".join(sorted(n for n in names if n)) or "none"
                message = (
                    f"upserts into {table.name} ON CONFLICT ON CONSTRAINT {constraint}, "
                    f"which the table does not have (it has: {known}); {self.fix}"
                )
                key = f"{table.name}:{constraint}"
            elif columns is not None and not _covered({c.lower() for c in columns}, sets, site.conflict.partial):
                message = (
                    f"upserts into {table.name} ON CONFLICT ({', '.join(columns)}), but no unique constraint "
                    f"or index of {table.name} covers exactly those columns; {self.fix}"
                )
                key = f"{table.name}:({','.join(columns)})"
            else:
                continue
            yield self.report(path, message, key, line=site.line)


def _covered(columns: set[str], sets: list[list[str]], partial: bool) -> bool:
    """Whether a unique constraint, unique index or primary key has exactly those columns (for
    an upsert with ``index_where=``, partial unique indexes included)."""
    return any(set(s) == columns for s in sets)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_UPSERT = "from sqlalchemy.dialects.postgresql import insert\nfrom app.models import Job\n"

_SAVE = (  # the documented idiom: the statement built through a variable
    "from sqlalchemy.dialects.postgresql import insert as pg_insert\n"
    "from app.models import Job\n"
    "def save(session, rows):\n"
    "    stmt = pg_insert(Job).values(rows)\n"
    "    stmt = stmt.on_conflict_do_update(constraint={!r}, set_={{'job_type': stmt.excluded.job_type}})\n"
    "    session.execute(stmt)\n"
)

INVALID = [
    Case(
        base=ALEMBIC_REPO,
        head={
            "app/upsert.py": _UPSERT
            + "a = insert(Job).values(job_type='x').on_conflict_do_update(constraint='uq_jobs_type', set_={})\n"
        },
        expect=[("SCH006", "app/upsert.py", 3)],
    ),
    Case(base=ALEMBIC_REPO, head={"app/save.py": _SAVE.format("uq_jobs_type")}, expect=[("SCH006", "app/save.py", 5)]),
    Case(  # on_conflict_do_nothing on a variable, columns as model attributes
        base=ALEMBIC_REPO,
        head={
            "app/save.py": _UPSERT + "async def save(session, row):\n"
            "    stmt = insert(Job).values(**row)\n"
            "    await session.execute(stmt.on_conflict_do_nothing(index_elements=[Job.id, Job.job_type]))\n"
        },
        expect=[("SCH006", "app/save.py", 5)],
    ),
]
VALID = [
    Case(
        base=ALEMBIC_REPO,
        head={"app/upsert.py": _UPSERT + "d = insert(Job).on_conflict_do_nothing(index_elements=['job_type'])\n"},
    ),
    Case(base=ALEMBIC_REPO, head={"app/save.py": _SAVE.format("uq_jobs_job_type")}),
    Case(  # a statement that comes from elsewhere (a parameter) or is rebound: unknown, quiet
        base=ALEMBIC_REPO,
        head={
            "app/save.py": _UPSERT + "def save(session, stmt, other):\n"
            "    session.execute(stmt.on_conflict_do_nothing(index_elements=['nope']))\n"
            "    s = insert(Job)\n"
            "    s = other\n"
            "    session.execute(s.on_conflict_do_nothing(index_elements=['nope']))\n"
        },
    ),
]
