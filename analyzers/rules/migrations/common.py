"""The operations of the migrations a change adds or edits, with what existed before it."""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from undertow.analyzers.core.config import Config
from undertow.analyzers.core.findings import Finding
from undertow.analyzers.facts.context import RepoContext, RevisionFacts
from undertow.analyzers.python.fact_types import SqlText
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.schema.facts import SchemaFacts, expected_columns, is_migration_path, schema_facts
from undertow.analyzers.schema.function_migrations import is_function_migration_path
from undertow.analyzers.schema.model import Schema
from undertow.analyzers.schema.paths import is_migration_source
from undertow.analyzers.schema.sql_replay import Operation

# Case-insensitive `\bNAME\b` has no literal prefix to skip ahead with: each word start of the
# SQL is compared with the whole name. Names are identifiers (at most 63 characters in
# PostgreSQL, 64 in MySQL), so a longer one is never searched for.
_MAX_NAME_CHARS = 128
_DEFAULT_CONFIG = Config()  # where migration functions live by default (a migrations.py)


_DIALECT_DIRECTORIES = {
    "sqlite": "sqlite",
    "mysql": "mysql",
    "mariadb": "mysql",
    "postgres": "postgres",
    "postgresql": "postgres",
}


def migration_dialect(path: str, configured: str) -> str:
    """The dialect a migration runs on: its tree's, for repositories that keep one Alembic tree
    per dialect (``versions/sqlite/``, ``versions/postgresql/``: seen on real projects), else the
    configured one."""
    for part in path.split("/")[:-1]:
        if part.lower() in _DIALECT_DIRECTORIES:
            return _DIALECT_DIRECTORIES[part.lower()]
    return configured


@dataclass
class ChangedOperation:
    path: str
    op: Operation  # one replayed operation
    base_facts: SchemaFacts
    head_facts: SchemaFacts | None = None  # the schema after the change (None: not known)

    @property
    def base(self) -> Schema:
        """The schema before the change (decoded only if a rule asks what existed)."""
        return self.base_facts.schema

    def dialect(self, configured: str) -> str:
        """The dialect this operation runs on: its `if` branch's (``if dialect == "mysql":``),
        else its tree's (``migration_dialect``), else the configured one."""
        branch = self.op.detail.get("dialect")
        return branch if isinstance(branch, str) else migration_dialect(self.path, configured)

    @property
    def existing_table(self) -> bool:
        """The table has rows when the operation runs: it exists before the change, and the
        change's own migrations do not create it first (``created_first``)."""
        return self.base.table(self.op.table) is not None and not self.created_first()

    def existing_column(self) -> bool:
        table = self.base.table(self.op.table)
        return (
            table is not None
            and (table.partial or (self.op.column or "") in table.columns)
            and not self.created_first()
        )

    def created_first(self) -> bool:
        """Whether the migrations of this change create the operation's table before it runs:
        earlier in the same migration, or in a revision the change adds that this one descends
        from (down_revision, within its own tree). Such a table is new and empty however the
        base's schema names a table (another root revision, another tree, a table dropped
        before): an index built on it, a column added to it, blocks and breaks nothing."""
        head = self.head_facts
        if head is None or not self.op.table:
            return False
        if self._creates(head.operations.get(self.path, []), before=self.op):
            return True
        revisions = head.revisions
        by_path = {r.path: key for key, r in revisions.items()}
        own = by_path.get(self.path)
        if own is None:
            return False  # a SQL file or a migration function: only its own statements are known
        base_paths = {r.path for r in self.base_facts.revisions.values()}
        tree = own.rpartition(":")[0]  # "dir:" prefix of the keys when there are several trees
        pending, seen = [own], {own}
        while pending:
            for down in revisions[pending.pop()].down:
                key = f"{tree}:{down}" if tree else down
                parent = revisions.get(key)
                if key in seen or parent is None or parent.path in base_paths:
                    continue  # what the base already had ran before the change, on a table with rows
                seen.add(key)
                if self._creates(head.operations.get(parent.path, []), before=None):
                    return True
                pending.append(key)
        return False

    def _creates(self, operations: list[Operation], before: Operation | None) -> bool:
        for operation in operations:
            if operation is before or operation == before:
                return False
            if operation.op == "create_table" and operation.table == self.op.table:
                return True
        return False


def alembic_call(ctx: RepoContext, change: ChangedOperation, name: str) -> dict[str, Any] | None:
    """The Alembic ``op.<name>(...)`` (or ``batch_op.<name>(...)``) call the operation replays,
    as the revision's facts parsed it (``args``, ``kwargs``: literals and tagged ``{"call": ...}``
    dicts); None for a SQL migration or a call not found on the operation's line."""
    from undertow.analyzers.python.index import python_part

    info = python_part(ctx.facts, "revision").get(change.path)
    if not isinstance(info, dict):
        return None
    for call in info.get("calls") or []:
        if call.get("op") != name or call.get("line") != change.op.line:
            continue
        names = [a.lower() for a in call.get("args") or [] if isinstance(a, str)]
        if change.op.column is None or change.op.column in names:
            found: dict[str, Any] = call
            return found
    return None


def changed_operations(ctx: RepoContext) -> Iterator[ChangedOperation]:
    """At head: operations on added/changed lines of migration files; nothing at base."""
    if ctx.side != "head" or ctx.base_facts is None:
        return
    if not any(is_migration_path(changed.path, ctx.config) for changed in ctx.changes.present):
        return  # no migration changed: the schema facts need not be read at all
    head: SchemaFacts = schema_facts(ctx.facts, ctx.config)
    base: SchemaFacts = schema_facts(ctx.base_facts, ctx.config)
    for changed in ctx.changes.present:
        if changed.path not in head.operations or ctx.config.is_excluded(changed.path):
            continue
        for op in head.operations[changed.path]:
            if op.line in changed.lines:
                yield ChangedOperation(changed.path, op, base, head)


def mapped_by(facts: RevisionFacts, table: str, column: str | None) -> str | None:
    """Where code uses table(.column) at that revision, as "path:line", or None: a model that
    maps it, or raw SQL in the code that names the table (and the column)."""
    for expected in expected_columns(facts):
        if expected.table == table and (column is None or expected.column == column):
            return f"{expected.path}:{expected.line}"
    from undertow.analyzers.python.index import python_index

    if len(table) > _MAX_NAME_CHARS or len(column or "") > _MAX_NAME_CHARS:
        return None  # no database has such a name; and a search for it costs its length per position
    table_word = re.compile(rf"\b{re.escape(table)}\b", re.IGNORECASE)
    # A column's name, not a placeholder named after it (`payment_hash = :hash`, `%(hash)s`).
    column_word = re.compile(rf"(?<![:@$])(?<!%\()\b{re.escape(column)}\b", re.IGNORECASE) if column else None
    sql_sites: Mapping[str, list[SqlText]] = python_index(facts).part("sql")
    for path, sites in sorted(sql_sites.items()):
        if is_migration_source(path) or is_function_migration_path(path, _DEFAULT_CONFIG):
            continue  # a migration's own SQL (migrations/, versions/, a migrations.py) is no code using it
        for line, sql in sites:
            if table_word.search(sql) and (column_word is None or column_word.search(sql)):
                return f"{path}:{line} (raw SQL)"
    return None


def gone(change: ChangedOperation) -> tuple[str, str | None, str] | None:
    """``dropped``, when the schema after the change no longer has it: a table dropped and
    created again in the same change is there for the code that uses it (its rows are not: that
    is MIG001's business)."""
    found = dropped(change)
    if found is None or change.head_facts is None or change.op.op.startswith("rename"):
        return found
    table = change.head_facts.schema.table(found[0])
    if table is not None and not table.partial and (found[1] is None or found[1] in table.columns):
        return None
    return found


def dropped(change: ChangedOperation) -> tuple[str, str | None, str] | None:
    """(table, column, description) when the operation drops or renames something."""
    op = change.op
    if op.op == "drop_column":
        return op.table, op.column, f"drops column {op.table}.{op.column}"
    if op.op == "drop_table":
        return op.table, None, f"drops table {op.table}"
    if op.op == "rename_column":
        return op.table, op.column, f"renames column {op.table}.{op.column} to {op.detail['to']}"
    if op.op == "rename_table":
        return op.table, None, f"renames table {op.table} to {op.detail['to']}"
    return None


class OperationRule(RepoRule):
    """Base of the rules that judge each changed migration operation on its own."""

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        for change in changed_operations(ctx):
            problem = self.judge(change, ctx)
            if problem is None:
                continue
            op = change.op
            key = f"{op.op}:{op.table}.{op.column or ''}:{op.detail.get('index', '')}"
            message = f"{problem}; {self.fix}"
            yield self.report(change.path, message, key, line=op.line)

    @abc.abstractmethod
    def judge(self, change: ChangedOperation, ctx: RepoContext) -> str | None:
        """The problem with this operation, or None."""
