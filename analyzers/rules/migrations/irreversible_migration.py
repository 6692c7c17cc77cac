"""MIG008: an Alembic revision whose downgrade does nothing while its upgrade changes the schema."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import schema_facts


class IrreversibleMigration(RepoRule):
    """## What it does
    Flags an Alembic revision added or changed by the change whose `upgrade()` changes the
    schema while `downgrade()` is missing, empty, only `pass`, or raises.

    ## Why is this bad?
    When the release has to be rolled back, `alembic downgrade` silently does nothing (or
    stops), and the old code runs against the new schema.

    ## Example
    ```python
    def upgrade():
        op.add_column("videos", sa.Column("channel_id", sa.Integer()))

    def downgrade():
        pass
    ```

    ## Use instead
    ```python
    def downgrade():
        op.drop_column("videos", "channel_id")
    ```
    """

    id = "MIG008"
    name = "irreversible-migration"
    severity = Severity.WARNING
    fix = "write the downgrade() that undoes upgrade()"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        if ctx.side != "head":
            return
        facts = schema_facts(ctx.facts, ctx.config)
        for info in sorted(facts.revisions.values(), key=lambda i: i.path):
            rev_id = info.id
            changed = ctx.changes.get(info.path)
            if changed is None or not info.changes or not info.downgrade_empty:
                continue
            data = (ctx.snapshot.read(info.path) or b"").decode("utf-8", "replace").splitlines()
            line = next((n for n, text in enumerate(data, start=1) if text.startswith("def downgrade")), 1)
            if changed.lines and line not in changed.lines and changed.status.value != "added":
                continue
            message = (
                f"revision {rev_id} changes the schema in upgrade() but its downgrade() undoes nothing; {self.fix}"
            )
            yield self.report(info.path, message, rev_id, line=line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_ADD = "    op.add_column('jobs', sa.Column('owner', sa.String()))\n"

INVALID = [
    Case(
        base=ALEMBIC_REPO,
        head={"alembic/versions/b1.py": revision("b1", "a1", _ADD)},
        expect=[("MIG008", "alembic/versions/b1.py", 7)],
    ),
]
VALID = [
    Case(
        base=ALEMBIC_REPO,
        head={"alembic/versions/b1.py": revision("b1", "a1", _ADD, "    op.drop_column('jobs', 'owner')\n")},
    ),
]
