"""SCH007: raw SQL naming a table the migrated schema does not have."""

from __future__ import annotations

from collections.abc import Iterable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.code_sites import changed_sites
from undertow.analyzers.schema.facts import schema_facts
from undertow.analyzers.schema.sql_replay import DIALECTS

_SQL_START = ("select", "insert", "update", "delete", "with", "merge")


def tables_in(sql: str, dialect: str) -> set[str] | None:
    """Tables a statement reads or writes, less CTE names and temporary tables; None if unparseable."""
    try:
        trees = sqlglot.parse(sql, read=DIALECTS.get(dialect, "postgres"))
    except (ParseError, TokenError):
        return None
    found: set[str] = set()
    for tree in trees:
        if tree is None:
            continue
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            other_schema = bool(table.db) and table.db.lower() != "public"
            if name and name not in ctes and not other_schema and not name.startswith("pg_"):
                found.add(name)
    return found


class UnknownRelationInSql(RepoRule):
    """## What it does
    Parses raw SQL in `text("...")`, `execute("...")`, `exec_driver_sql`, asyncpg's
    `fetch`/`fetchrow` and pandas' `read_sql`, and flags a table that no migration creates
    (CTE names, system catalogs and schema-qualified tables of other schemas are fine).

    ## Why is this bad?
    `relation "job_runs" does not exist`: raw SQL is invisible to the ORM and to tests that
    mock the session, so a table renamed or never created breaks the query only in production.

    ## Example
    ```python
    db.execute(text("SELECT count(*) FROM job_runs WHERE status = 'failed'"))  # table is "jobs"
    ```

    ## Use instead
    Query the table the migrations create, or add the migration that creates it.
    """

    id = "SCH007"
    name = "unknown-relation-in-sql"
    severity = Severity.ERROR
    fix = "name a table the migrations create, or add the migration"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations or not facts.schema.tables:
            return
        for path, site in changed_sites(ctx, {"sql"}):
            text = (site.value or "").strip()
            if not text.lower().startswith(_SQL_START):
                continue
            tables = tables_in(text, ctx.config.schema_.dialect)
            for table in sorted(tables or ()):
                if facts.schema.table(table) is None:
                    message = (
                        f"this SQL reads or writes {table}, but none of the {len(facts.migration_files)} "
                        f"migrations creates a table of that name; {self.fix}"
                    )
                    yield self.report(path, message, table, line=site.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base=SQL_REPO,
        head={
            "app/report.py": "from sqlalchemy import text\n"
            "a = db.execute(text('SELECT count(*) FROM job_runs WHERE status = 1'))\n"
        },
        expect=[("SCH007", "app/report.py", 2)],
    ),
    Case(  # sqlalchemy's text under another name
        base=SQL_REPO,
        head={"app/report.py": "from sqlalchemy import text as sql\nq = sql('SELECT * FROM job_runs')\n"},
        expect=[("SCH007", "app/report.py", 2)],
    ),
]
VALID = [
    Case(
        base=SQL_REPO,
        head={
            "app/report.py": "from sqlalchemy import text\n"
            "b = db.execute(text('WITH recent AS (SELECT * FROM videos) SELECT * FROM recent'))\n"
        },
    ),
    Case(  # an HTML builder's text() (seen on a real project) is not SQL
        base=SQL_REPO,
        head={"app/page.py": "from tagflow import text\ntext('Update Status')\n"},
    ),
]
