"""SCH002: the migrated schema has a column that the table's model does not map."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.python.index import python_index
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.schema.facts import SchemaFacts, expected_columns, model_classes, orm_models, schema_facts


class MigrationWithoutModel(RepoRule):
    """## What it does
    Flags a column that the migrations create (or keep) on a table the repository models,
    but that the model does not map: a model attribute removed without its migration, or a
    migration adding a column no code knows about. Tables without any model (raw-SQL-only
    repositories, tables managed elsewhere) are left alone. A notice, or an error when the
    column is NOT NULL without a default: inserts through the model will fail. A model class (or
    Core table) the change deletes while its table stays in the migrated schema is reported too
    (an error when other models still reference the table and its rows need NOT NULL columns
    without defaults); never because the model's file failed to parse.

    ## Why is this bad?
    Either the column is dead weight nobody will clean up, or, when it is required, every
    INSERT through the ORM fails with `null value in column ... violates not-null constraint`.

    ## Example
    ```sql
    ALTER TABLE videos ADD COLUMN channel_id INTEGER NOT NULL DEFAULT 0;  -- no model attribute
    ```

    ## Use instead
    Map the column in the model, or drop it in a migration.
    """

    id = "SCH002"
    name = "migration-without-model"
    severity = Severity.NOTICE
    fix = "map the column in the model, or drop it in a migration"
    uses_change = True  # at head, the models the change removes

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        facts = schema_facts(ctx.facts, ctx.config)
        if not facts.has_migrations:
            return
        yield from self._removed_models(ctx, facts)
        mapped: dict[str, set[str]] = {}
        where: dict[str, tuple[str, int, str]] = {}
        for expected in expected_columns(ctx.facts):
            if expected.column is None:
                where.setdefault(expected.table, (expected.path, expected.line, expected.model))
            else:
                mapped.setdefault(expected.table, set()).add(expected.column)
        unresolved = {m.table for m in model_classes(ctx.facts).values() if not m.resolved}
        for table_name, (path, line, model) in sorted(where.items()):
            table = facts.schema.table(table_name)
            if table is None or table.partial or table_name in unresolved:
                continue
            for column in table.columns.values():
                if column.name in mapped.get(table_name, set()):
                    continue
                required = not column.nullable and not column.has_default and column.name not in table.primary_key
                severity = Severity.ERROR if required else self.severity
                consequence = (
                    "it is NOT NULL without a default, so every INSERT through the model fails"
                    if required
                    else "no code reads or writes it through the model"
                )
                message = (
                    f"{table_name}.{column.name} exists in the migrated schema but {model} does not map it: "
                    f"{consequence}; {self.fix}"
                )
                yield self.report(path, message, f"{table_name}.{column.name}", line=line, severity=severity)

    def _removed_models(self, ctx: RepoContext, facts: SchemaFacts) -> Iterable[Finding]:
        """A model class or Core table the change deletes while its table stays in the migrated
        schema (no migration of the change drops it). Only where the model's file was deleted or
        still reads cleanly: a file that fails to parse has not removed anything."""
        if ctx.side != "head" or ctx.base_facts is None:
            return
        head_tables = {e.table for e in expected_columns(ctx.facts) if e.column is None}
        head_classes = {m.cls for models in orm_models(ctx.facts).values() for m in models if m.cls}
        index = python_index(ctx.facts)
        references = {
            e.info.references.rpartition(".")[0].rpartition(".")[2]: f"{e.table}.{e.column}"
            for e in expected_columns(ctx.facts)
            if e.info is not None and e.info.references and "." in e.info.references
        }
        for expected in expected_columns(ctx.base_facts):
            if expected.column is not None or expected.table in head_tables:
                continue
            model = expected.model
            if not model.startswith("Table(") and model in head_classes:
                continue  # the class is still there (its table is now named otherwise)
            if expected.path in ctx.snapshot.entries() and (
                expected.path not in index.files or index.files.get(expected.path) is None
            ):
                continue  # the file is there but unreadable: nothing is known to be removed
            table = facts.schema.table(expected.table)
            if table is None or table.partial:
                continue
            required = sorted(
                c.name
                for c in table.columns.values()
                if not c.nullable and not c.has_default and c.name not in table.primary_key
            )
            referrer = references.get(expected.table)
            severity = self.severity
            consequence = "the table and its rows stay behind with nothing that maps them"
            if required and referrer is not None:
                severity = Severity.ERROR
                consequence = (
                    f"{referrer} still references it, and its rows need {', '.join(required)} "
                    "(NOT NULL without a default), which no model can write any more"
                )
            message = (
                f"{model} is removed, but table {expected.table} stays in the migrated schema and no migration "
                f"of this change drops it: {consequence}; drop the table in a migration, or keep the model"
            )
            # Anchored where the migrations create the table: the model's own lines are gone.
            path, _, line = table.created_in.rpartition(":")
            if not path or not line.isdigit():
                path, line = expected.path, "1"
            yield self.report(path, message, f"removed:{expected.table}", line=int(line), severity=severity)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

# Two mapped tables in two files; comments.video_id references videos (title NOT NULL, no default).
_TAGS = {
    "migrations/002_tags.sql": "CREATE TABLE tags (\n  id SERIAL PRIMARY KEY,\n  name TEXT\n);\n",
    "app/tags.py": "from sqlalchemy.orm import Mapped, mapped_column\nfrom app.models import Base\n"
    "class Tag(Base):\n    __tablename__ = 'tags'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    name: Mapped[str | None]\n",
}
_COMMENTS = {
    "migrations/002_comments.sql": "CREATE TABLE comments (id SERIAL PRIMARY KEY, video_id INTEGER NOT NULL);\n",
    "app/comments.py": "from sqlalchemy import ForeignKey\nfrom sqlalchemy.orm import Mapped, mapped_column\n"
    "from app.models import Base\n"
    "class Comment(Base):\n    __tablename__ = 'comments'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    video_id: Mapped[int] = mapped_column(ForeignKey('videos.id'))\n",
}
_NO_VIDEO = SQL_REPO["app/models.py"].split("class Video(Base):")[0]

INVALID = [
    Case(
        base=SQL_REPO,
        head={"app/models.py": SQL_REPO["app/models.py"].replace("    title: Mapped[str]\n", "")},
        expect=[("SCH002", "app/models.py", 6)],
    ),
    # A whole model deleted, its table left in the schema: a notice where the migration creates it.
    Case(base={**SQL_REPO, **_TAGS}, head={"app/tags.py": None}, expect=[("SCH002", "migrations/002_tags.sql", 1)]),
    # An error: comments still reference videos, whose rows need a title nothing can write now.
    Case(
        base={**SQL_REPO, **_COMMENTS},
        head={"app/models.py": _NO_VIDEO},
        expect=[("SCH002", "migrations/001_init.sql", 1)],
    ),
]
VALID = [
    # a table no model maps is not drift: only a mapped table's missing columns are
    Case(base=SQL_REPO, head={"migrations/002_audit.sql": "CREATE TABLE audit (id SERIAL PRIMARY KEY);\n"}),
    # The model goes with a migration that drops its table.
    Case(base={**SQL_REPO, **_TAGS}, head={"app/tags.py": None, "migrations/003_drop.sql": "DROP TABLE tags;\n"}),
    # A model file that no longer parses has removed nothing (its content is unknown).
    Case(base={**SQL_REPO, **_TAGS}, head={"app/tags.py": _TAGS["app/tags.py"] + "def broken(:\n"}),
    # A private attribute that maps a column by name (a hybrid property's storage).
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": SQL_REPO["app/models.py"].replace(
                "    title: Mapped[str]\n", "    _title: Mapped[str] = mapped_column('title')\n"
            )
        },
    ),
    # The class moved to another module: its table is still mapped.
    Case(
        base={**SQL_REPO, **_TAGS},
        head={"app/tags.py": None, "app/labels.py": _TAGS["app/tags.py"]},
    ),
    # Columns wrapped in typing.cast for the type checker are mapped all the same.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": "from typing import cast\nimport typing as t\n"
            "from sqlalchemy import Column, DateTime, Integer, String, Text\n"
            "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"
            "class Video(Base):\n    __tablename__ = 'videos'\n"
            "    id = cast(int, Column(Integer, primary_key=True))\n"
            "    title = t.cast(str, Column(Text, nullable=False))\n"
            "    status: str = cast(str, Column(String(20), nullable=False))\n"
            "    published_at = cast('datetime | None', Column(DateTime))\n"
        },
    ),
    # SQLAlchemy's mapping of a @dataclass: each column in its field's metadata, under the key the
    # class names.
    Case(
        base=SQL_REPO,
        head={
            "app/models.py": "from dataclasses import dataclass, field\n"
            "from sqlalchemy import Column, DateTime, Integer, String, Text\n"
            "from sqlalchemy.orm import registry\nreg = registry()\n"
            "@reg.mapped\n@dataclass\nclass Video:\n    __tablename__ = 'videos'\n"
            "    __sa_dataclass_metadata_key__ = 'db'\n"
            "    id: int = field(init=False, metadata={'db': Column(Integer, primary_key=True)})\n"
            "    title: str = field(metadata={'db': Column(Text, nullable=False)})\n"
            "    status: str = field(default='new', metadata={'db': Column(String(20), nullable=False)})\n"
            "    published_at: object = field(default=None, metadata={'db': Column(DateTime)})\n"
        },
    ),
]
