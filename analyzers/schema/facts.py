"""The schema facts of one revision: migrations found and replayed in order, the resulting
schema, each migration's operations, and the tables and columns the ORM models expect."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, NamedTuple, cast

from undertow.analyzers.core import failures
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.limits import within_size
from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.facts.codec import DecodedMapping
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.facts.indexes import file_facts
from undertow.analyzers.schema import function_migrations
from undertow.analyzers.schema.alembic import apply_call, order_revisions
from undertow.analyzers.schema.model import Schema, Table
from undertow.analyzers.schema.orm import OrmColumn, OrmModel, convention_name, decode_models, table_by_rule
from undertow.analyzers.schema.paths import is_alembic_candidate
from undertow.analyzers.schema.sql_replay import Operation, apply_sql

SQL_DIRS = ("migrations/", "db/migrations/", "supabase/migrations/", "sql/", "schema/migrations/")


def natural_key(path: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", posixpath.basename(path))]


def is_sql_migration(path: str, config: Config) -> bool:
    if not path.endswith(".sql"):
        return False
    configured = [m.rstrip("/") + "/" for m in config.schema_.migrations]
    if configured:
        return any(path.startswith(m) for m in configured)
    return any(path.startswith(d) or f"/{d}" in path for d in SQL_DIRS)


# The parts a revision's schema facts are cached in, each decoded only when a rule reads it:
# part -> the keys of the computed facts it holds ("schema" is the replayed tables).
SCHEMA_PARTS = {
    "tables": ("schema",),
    "operations": ("operations", "notices"),
    "trees": ("trees",),
    "meta": ("graph_problems", "revisions", "migration_files", "style"),
}


class Revision(NamedTuple):
    """One replayed Alembic revision."""

    id: str
    path: str
    down: list[str]  # its down_revision(s)
    downgrade_empty: bool  # downgrade() undoes nothing
    changes: bool  # upgrade() changes the schema


class SchemaFacts:
    """A revision's replayed schema and migrations, each part decoded when a rule first reads
    it (a base revision is often asked for its tables alone, or whether it has migrations)."""

    def __init__(self, load: Callable[[str], dict[str, Any]]) -> None:
        self._load = load

    @cached_property
    def _operations(self) -> dict[str, Any]:
        return self._load("operations")

    @cached_property
    def _meta(self) -> dict[str, Any]:
        return self._load("meta")

    @cached_property
    def schema(self) -> Schema:
        return Schema.read_only(self._load("tables")["schema"])

    @cached_property
    def operations(self) -> Mapping[str, list[Operation]]:
        """path -> the operations its migration makes, in order (each file's decoded when read)."""
        return _Operations(self._operations["operations"])

    @property
    def notices(self) -> dict[str, list[list[Any]]]:
        notices: dict[str, list[list[Any]]] = self._operations["notices"]
        return notices

    @property
    def graph_problems(self) -> list[str]:
        problems: list[str] = self._meta["graph_problems"]
        return problems

    @cached_property
    def revisions(self) -> dict[str, Revision]:
        """The replayed Alembic revisions by id (``tree:id`` when there are several trees)."""
        return {key: Revision(**info) for key, info in self._meta["revisions"].items()}

    @property
    def migration_files(self) -> list[str]:
        files: list[str] = self._meta["migration_files"]
        return files

    @property
    def style(self) -> str:
        """ "alembic", "sql" or "" """
        style: str = self._meta["style"]
        return style

    @cached_property
    def trees(self) -> dict[str, Schema]:
        """Per Alembic versions/ directory, when there are several."""
        return {d: Schema.read_only(t) for d, t in self._load("trees")["trees"].items()}

    @property
    def has_migrations(self) -> bool:
        return bool(self.migration_files)


class _Operations(DecodedMapping[list[Operation]]):
    def _build(self, key: str, raw: Any) -> list[Operation]:
        return [Operation(**op) for op in raw]


def _compute(snapshot: Snapshot, config: Config, facts: RevisionFacts) -> dict[str, Any]:
    sql_files = sorted(
        (p for p, e in snapshot.entries().items() if e.kind == "file" and is_sql_migration(p, config)), key=natural_key
    )
    # An over-size migration is not read (the engine gives a changed one its UND003 notice).
    readable_sql = [p for p in sql_files if within_size(snapshot.entries().get(p))]
    alembic_texts = _alembic_index(facts)
    schema = Schema()
    operations: dict[str, list[dict[str, Any]]] = {}
    notices: dict[str, list[list[Any]]] = {}
    dialect = config.schema_.dialect
    for path, data in snapshot.read_many(readable_sql).items():
        text = data.decode("utf-8", "replace")
        ops, found = apply_sql(schema, text, path, dialect)
        operations[path] = [asdict(o) for o in ops]
        notices[path] = [[n.line, n.message] for n in found]
    function_files = _replay_function_migrations(schema, snapshot, config, facts, operations, notices)
    # Each versions/ (or plugin migrations/) directory is its own Alembic tree: its graph is
    # checked on its own.
    trees: dict[str, dict[str, dict[str, Any]]] = {}
    duplicates: list[str] = []
    for path, info in sorted(alembic_texts.items()):
        if not info:
            continue
        tree = trees.setdefault(posixpath.dirname(path), {})
        if info["revision"] in tree:
            duplicates.append(f"duplicate:{info['revision']}:{path}:{tree[info['revision']]['path']}")
            continue
        tree[info["revision"]] = {**info, "path": path}
    problems: list[str] = []
    revisions: dict[str, dict[str, Any]] = {}
    tree_schemas: dict[str, dict[str, Any]] = {}
    # All trees act on one database, one after the other (core before plugins, as deployments run
    # them); each is also replayed alone, so that trees kept per dialect can be compared (SCH011).
    for directory, tree in sorted(trees.items(), key=lambda item: (item[0].count("/"), item[0])):
        order, tree_problems = order_revisions(tree)
        problems += tree_problems
        alone = Schema() if len(trees) > 1 else None
        for rev_id in order:
            info = tree[rev_id]
            ops_here, notes = _replay_revision(schema, info, dialect)
            if alone is not None:
                _replay_revision(alone, info, dialect)
            operations[info["path"]] = ops_here
            notices[info["path"]] = notes
            info["changes"] = bool(ops_here)
            revisions[f"{directory}:{rev_id}" if len(trees) > 1 else rev_id] = info
        if alone is not None:
            tree_schemas[directory] = alone.to_json()
    slim = {
        r: {
            "id": i["revision"],
            "path": i["path"],
            "down": i["down"],
            "downgrade_empty": i["downgrade_empty"],
            "changes": i.get("changes", False),
        }
        for r, i in revisions.items()
    }
    style = "alembic" if revisions else ("sql" if sql_files or function_files else "")
    return {
        "schema": schema.to_json(),
        "operations": operations,
        "notices": notices,
        "graph_problems": problems + duplicates,
        "revisions": slim,
        "migration_files": sql_files + function_files + sorted(i["path"] for i in revisions.values()),
        "style": style,
        "trees": tree_schemas,
    }


def _replay_function_migrations(
    schema: Schema,
    snapshot: Snapshot,
    config: Config,
    facts: RevisionFacts,
    operations: dict[str, list[dict[str, Any]]],
    notices: dict[str, list[list[Any]]],
) -> list[str]:
    """Replay the migration functions (``function_migrations``) after the SQL files, core
    first; the files that hold any, in the order replayed."""
    candidates = function_migrations.order_files(
        p
        for p, e in snapshot.entries().items()
        if e.kind == "file" and within_size(e) and function_migrations.is_function_migration_path(p, config)
    )
    replayed: list[str] = []
    for path in candidates:
        found = function_migrations.decode(file_facts(facts, "function-migrations", path, function_migrations.extract))
        if not found:
            continue
        ops, notes = function_migrations.replay(schema, path, found, config.schema_.dialect)
        operations[path] = [asdict(o) for o in ops]
        notices[path] = [[n.line, n.message] for n in notes]
        replayed.append(path)
    return replayed


def _alembic_index(facts: RevisionFacts) -> Mapping[str, dict[str, Any]]:
    """Every Alembic revision of the revision, parsed (from the files' Python facts)."""
    from undertow.analyzers.python.index import python_part

    revisions: Mapping[str, dict[str, Any]] = python_part(facts, "revision")
    return revisions


def _revision_of(facts: RevisionFacts, path: str) -> dict[str, Any] | None:
    """One file's Alembic revision, if it is one (its Python facts, cached by blob)."""
    from undertow.analyzers.python.facts import extract

    found = file_facts(facts, "python", path, extract) if is_alembic_candidate(path) else None
    revision: dict[str, Any] | None = (found or {}).get("revision")
    return revision


class _ModelsByFile(DecodedMapping[list[OrmModel]]):
    def _build(self, key: str, raw: Any) -> list[OrmModel]:
        return decode_models(raw)


def orm_models(facts: RevisionFacts) -> Mapping[str, list[OrmModel]]:
    """The ORM models of every file that maps one (from the files' Python facts)."""
    from undertow.analyzers.python.index import python_part

    return _ModelsByFile(dict(python_part(facts, "models")))


def _replay_revision(
    schema: Schema, info: dict[str, Any], dialect: str
) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """Apply one Alembic revision's calls; its operations and replay notices as JSON."""
    operations: list[dict[str, Any]] = []
    notes: list[list[Any]] = [
        [line, f"line {line} is syntax no supported Python reads (Python 2?): left out of the schema replay"]
        for line in info.get("skipped_lines", [])
    ]
    for call in info["calls"]:
        # One operation at a time: a failure is this call's alone (UND004); the replay goes on.
        with failures.boundary(f"the Alembic replay of op.{call.get('op')}", info["path"], call.get("line", 1)):
            ops, found = apply_call(schema, call, info["path"], dialect)
            operations += [asdict(o) for o in ops]
            notes += [[call["line"], n] for n in found]
    return operations, notes


def is_migration_path(path: str | None, config: Config) -> bool:
    """A file the schema replay reads as a migration: a SQL migration (``is_sql_migration``:
    the configured ``schema.migrations`` directories, else ``SQL_DIRS``) or an Alembic
    revision candidate (``paths.is_alembic_candidate``). The one migration-path predicate."""
    if not path:
        return False
    return (
        is_sql_migration(path, config)
        or is_alembic_candidate(path)
        or function_migrations.is_function_migration_path(path, config)
    )


def _incremental(base_parts: _SchemaParts, facts: RevisionFacts, config: Config) -> dict[str, Any] | None:
    """Head facts as base facts plus the migrations the change adds, when the change only
    appends migrations (the usual case); None when a full replay is needed."""
    from undertow.analyzers.core.changes import Status

    base, changes = base_parts.facts, facts.changes
    if changes is None:
        return None
    touched = [c for c in changes.files if is_migration_path(c.path, config) or is_migration_path(c.old_path, config)]
    if any(c.status is not Status.ADDED for c in touched):
        return None
    if any(function_migrations.is_function_migration_path(c.path, config) for c in touched):
        return None  # migration functions replay between the SQL files and the revisions
    base_data = base_parts.data()
    if base_data["trees"]:
        return None
    base_sql = [p for p in base_data["migration_files"] if p.endswith(".sql")]
    revision_paths = {r["path"] for r in base_data["revisions"].values()}
    base_functions = [
        p for p in base_data["migration_files"] if not p.endswith(".sql") and p not in revision_paths
    ]  # migration functions (``function_migrations``), in the order replayed
    added_sql = sorted((c.path for c in touched if is_sql_migration(c.path, config)), key=natural_key)
    if added_sql and base_sql and natural_key(added_sql[0]) <= max(natural_key(p) for p in base_sql):
        return None  # inserted before an existing migration: order changes, replay everything
    if added_sql and (base_data["revisions"] or base_functions):
        return None  # SQL files replay before migration functions and Alembic revisions
    added_revisions: dict[str, dict[str, Any]] = {}
    for path in (c.path for c in touched if c.path.endswith(".py")):
        info = _revision_of(facts, path)
        if info is not None:
            if info["revision"] in added_revisions:
                return None  # a duplicate id among the new revisions: the full replay reports it
            added_revisions[info["revision"]] = {**info, "path": path}
    base_dirs = {posixpath.dirname(r["path"]) for r in base_data["revisions"].values()}
    if any(posixpath.dirname(i["path"]) not in base_dirs for i in added_revisions.values()) and base_dirs:
        return None
    if any(rev in base_data["revisions"] for rev in added_revisions):
        return None  # a duplicate id: let the full replay report it
    schema = Schema.overlay(base_data["schema"])
    operations, notices = dict(base_data["operations"]), dict(base_data["notices"])
    dialect = config.schema_.dialect
    for path, data in facts.snapshot.read_many(
        p for p in added_sql if within_size(facts.snapshot.entries().get(p))
    ).items():
        ops, found = apply_sql(schema, data.decode("utf-8", "replace"), path, dialect)
        operations[path] = [asdict(o) for o in ops]
        notices[path] = [[n.line, n.message] for n in found]
    # The head's graph as the full replay orders it (the base's revisions with their depends_on,
    # from the base's index of revisions): the new revisions must come after all of the base's,
    # else (a new root, a branch off an old revision) the order changes and everything replays.
    base_index = _alembic_index(base)
    # A base revision's index entry is its parsed revision (the replay skips the None entries).
    graph = {
        rev: {**cast(dict[str, Any], base_index[info["path"]]), "path": info["path"]}
        for rev, info in base_data["revisions"].items()
    }
    graph.update({rev: info for rev, info in added_revisions.items()})
    order, problems = order_revisions(graph)
    if order[: len(base_data["revisions"])] != list(base_data["revisions"]):
        return None
    revisions = dict(base_data["revisions"])
    for rev_id in order:
        if rev_id not in added_revisions:
            continue
        info = added_revisions[rev_id]
        ops_here, notes = _replay_revision(schema, info, dialect)
        operations[info["path"]], notices[info["path"]] = ops_here, notes
        revisions[rev_id] = {
            "id": rev_id,
            "path": info["path"],
            "down": info["down"],
            "downgrade_empty": info["downgrade_empty"],
            "changes": bool(ops_here),
        }
    files = (
        sorted(base_sql + added_sql, key=natural_key) + base_functions + sorted(i["path"] for i in revisions.values())
    )
    style = "alembic" if revisions else ("sql" if files else "")
    return {
        "schema": schema.to_json(),
        "operations": operations,
        "notices": notices,
        # The base's duplicate ids stand (a new duplicate declined the incremental replay).
        "graph_problems": problems + [p for p in base_data["graph_problems"] if p.startswith("duplicate:")],
        "revisions": revisions,
        "migration_files": files,
        "style": style,
        "trees": {},
    }


class _SchemaParts:
    """A revision's schema facts as JSON by part (``SCHEMA_PARTS``), each cached under the
    revision id on its own; ``replay`` computes every part at once when one is missing."""

    def __init__(self, facts: RevisionFacts, name: str, replay: Callable[[], dict[str, Any]]) -> None:
        self.facts, self._name, self._replay = facts, name, replay
        self._replayed: dict[str, Any] | None = None

    def part(self, which: str) -> dict[str, Any]:
        value = self._take(which)
        if self._replayed is not None:  # a replay just ran: keep every part, it must not run twice
            for other in SCHEMA_PARTS:
                self._take(other)
        return value

    def data(self) -> dict[str, Any]:
        return {k: v for part in SCHEMA_PARTS for k, v in self.part(part).items()}

    def _take(self, which: str) -> dict[str, Any]:
        data: dict[str, Any] = self.facts.get(
            f"{self._name}:{which}", lambda _snapshot: {k: self._all()[k] for k in SCHEMA_PARTS[which]}
        )
        return data

    def _all(self) -> dict[str, Any]:
        if self._replayed is None:
            self._replayed = self._replay()
        return self._replayed


def _schema_parts(facts: RevisionFacts, config: Config, name: str) -> _SchemaParts:
    """The schema facts of a revision: a full replay, or at a head the base's plus the
    migrations the change appends (``_incremental``; a full replay when it declines)."""

    def whole(rev: RevisionFacts) -> _SchemaParts:
        return _SchemaParts(rev, name, lambda: _compute(rev.snapshot, config, rev))

    def derive(base: _SchemaParts, head: RevisionFacts) -> _SchemaParts:
        return _SchemaParts(
            head, name, lambda: _incremental(base, head, config) or _compute(head.snapshot, config, head)
        )

    return facts.derived(f"schema-parts:{name}", whole, derive)


def schema_facts(facts: RevisionFacts, config: Config) -> SchemaFacts:
    def build(snapshot: Snapshot) -> SchemaFacts:
        name = f"schema:{config.schema_.dialect}:{','.join(config.schema_.migrations)}"
        return SchemaFacts(_schema_parts(facts, config, name).part)

    return facts.local("schema-facts", build)


@dataclass
class Expected:
    table: str
    column: str | None
    path: str
    line: int
    model: str
    info: OrmColumn | None  # the column as the model maps it (None for the table itself)
    inherited: bool = False  # a single-table-inheritance subclass's column, on its parent's table


@dataclass
class ExpectedIndex:
    """An index or unique constraint a model declares (``__table_args__``, ``index=True``,
    ``unique=True``). ``name`` None: unnamed, expected by its shape (a unique constraint, unique
    index or primary key on the same columns); ``suggested`` is the name to give it."""

    table: str
    name: str | None
    columns: list[str]
    unique: bool
    path: str
    line: int
    model: str
    suggested: str = ""


def expected_indexes(facts: RevisionFacts) -> list[ExpectedIndex]:
    def build(_snapshot: Snapshot) -> list[ExpectedIndex]:
        mapping = _mapping(facts)
        convention = _naming_convention(facts)
        found: list[ExpectedIndex] = []
        for mapped in mapping.mapped():
            table, label = mapped.table, mapped.label
            for arg in mapped.model.table_args:
                if arg.kind not in ("UniqueConstraint", "Index"):
                    continue
                if arg.name:
                    found.append(
                        ExpectedIndex(table, arg.name.lower(), arg.columns, arg.unique, mapped.path, arg.line, label)
                    )
                elif arg.kind == "UniqueConstraint" and arg.columns:
                    name = _unique_name(convention, table, arg.columns)
                    found.append(ExpectedIndex(table, None, arg.columns, True, mapped.path, arg.line, label, name))
            for owner_path, column in mapped.columns:
                if column.indexed:
                    # index=True: named by the naming convention (SQLAlchemy's default: ix_<table>_<column>)
                    name = (convention and convention_name(convention, "ix", table, [column.name])) or (
                        f"ix_{table}_{column.name}"
                    )
                    found.append(
                        ExpectedIndex(table, name, [column.name], column.unique, owner_path, column.line, label)
                    )
                elif column.unique and not column.primary_key:
                    name = _unique_name(convention, table, [column.name])
                    found.append(ExpectedIndex(table, None, [column.name], True, owner_path, column.line, label, name))
        return found

    return facts.local("expected-indexes", build)


def _unique_name(convention: dict[str, str] | None, table: str, columns: list[str]) -> str:
    return (convention and convention_name(convention, "uq", table, columns)) or f"uq_{table}_{'_'.join(columns)}"


def _naming_convention(facts: RevisionFacts) -> dict[str, str] | None:
    """The repository's ``MetaData(naming_convention=...)``, when it declares exactly one."""
    from undertow.analyzers.python.index import python_part

    found = {json_key(c): c for conventions in python_part(facts, "naming").values() for c in conventions}
    return next(iter(found.values())) if len(found) == 1 else None


def json_key(value: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(value.items()))


def index_met(table: Table, expected: ExpectedIndex) -> bool:
    """Whether the migrated ``table`` has what a model's index or unique expectation asks for:
    a unique expectation is met by a unique constraint, unique index or primary key on the same
    columns, or by a unique one of the same name, never by a plain index sharing the name; a
    plain index by an index or constraint of its name."""
    columns = {c.lower() for c in expected.columns}
    # A partial unique index is unique among some rows only: it meets no model's expectation.
    uniques = [(name, {c.lower() for c in cols}) for name, cols in table.uniques if name not in table.partial_uniques]
    if expected.unique:
        if columns and (
            columns == {c.lower() for c in table.primary_key} or any(cols == columns for _, cols in uniques)
        ):
            return True
        return expected.name is not None and any(name == expected.name for name, _ in uniques)
    # A plain index is expected by its name (what `alembic check` compares).
    return expected.name is not None and (
        expected.name in table.indexes
        or expected.name in table.constraints
        or any(name == expected.name for name, _ in uniques)
    )


def expected_columns(facts: RevisionFacts) -> list[Expected]:
    """Every (table, column) a model maps, with inherited columns of mixins and abstract bases.
    A foreign key without a type takes the referenced column's (unknown if no model maps it)."""

    def build(_snapshot: Snapshot) -> list[Expected]:
        expected: list[Expected] = []
        for mapped in _mapping(facts).mapped():
            if mapped.inherits:
                # Single-table inheritance: a subclass without a table of its own adds its
                # columns to its mapped parent's table.
                for owner_path, column in mapped.columns:
                    expected.append(
                        Expected(mapped.table, column.name, owner_path, column.line, mapped.label, column, True)
                    )
                continue
            expected.append(Expected(mapped.table, None, mapped.path, mapped.model.line, mapped.label, None))
            for owner_path, column in mapped.columns:
                expected.append(Expected(mapped.table, column.name, owner_path, column.line, mapped.label, column))
        types = {(e.table, e.column): e.info.type for e in expected if e.info is not None and e.info.type}
        for item in expected:
            info = item.info
            if info is not None and not info.type and info.references and "." in info.references:
                referenced, _, name = info.references.rpartition(".")
                item.info = info._replace(type=types.get((referenced.rpartition(".")[2], name), ""))
        return expected

    return facts.local("expected-columns", build)


@dataclass
class Mapped:
    """A model class or Core table with the table it maps, once its bases are resolved."""

    path: str
    model: OrmModel
    table: str
    inherits: bool  # single-table inheritance: the table is its mapped parent's
    columns: list[tuple[str, OrmColumn]]  # (where declared, column): its own, then its mixins'

    @property
    def label(self) -> str:
        return self.model.cls or f"Table('{self.table}')"


class _Mapping:
    """The tables the revision's models map: a table named in the class, derived by the ORM's
    rules, by a base's ``@declared_attr`` ``__tablename__``, or a mapped parent's (single-table
    inheritance); and the columns each maps, its mixins' and abstract bases' included."""

    def __init__(self, facts: RevisionFacts) -> None:
        self.models_by_file = orm_models(facts)
        self.resolver = _BaseResolver(facts, self.models_by_file)
        self._tables: dict[tuple[str, int], tuple[str | None, bool]] = {}

    def mapped(self) -> list[Mapped]:
        found: list[Mapped] = []
        for path, models in sorted(self.models_by_file.items()):
            for model in models:
                table, inherits = self.table(path, model)
                if table is None:
                    continue
                columns: list[tuple[str, OrmColumn]] = []
                seen: set[str] = set()
                for owner, column in (
                    ((path, c) for c in model.columns) if inherits else self._columns(model, path, set())
                ):
                    if column.name not in seen:
                        seen.add(column.name)
                        columns.append((owner, column))
                found.append(Mapped(path, model, table, inherits, columns))
        return found

    def table(self, path: str, model: OrmModel, depth: int = 0) -> tuple[str | None, bool]:
        """(the table ``model`` maps, whether it is its parent's); (None, False) for abstract
        bases, mixins and classes whose table cannot be known."""
        key = (path, model.line)
        if key in self._tables:
            return self._tables[key]
        self._tables[key] = (None, False)  # a cycle of bases maps nothing
        found: tuple[str | None, bool] = (None, False)
        if model.abstract or depth > 20:
            pass
        elif model.naming == "given":
            found = (model.table, False)
        else:
            parent = self._parent_table(model, path, depth) if model.naming == "" else None
            rule = self._rule(model, path, set())
            if parent is not None:
                found = (parent, True)
            elif rule and model.cls:
                found = (table_by_rule(rule, model.cls), False)
            elif model.naming == "derived" and self._plain(model, path, 0):
                pass  # a mixin over plain classes of the repository (class UUIDModel(BaseModel)): no table
            else:
                found = (model.table, False)
        self._tables[key] = found
        return found

    def _plain(self, model: OrmModel, path: str, depth: int) -> bool:
        """Whether every base class is a plain class of the repository (no model, no declarative
        base anywhere above it): then the class is a mixin, whatever columns it declares. A base
        that cannot be read (third-party, an ORM root, a `Base = declarative_base()`) may be
        declarative: not plain."""
        if depth > 10:
            return False
        for base in model.bases:
            if base in ("object", ""):
                continue
            if self.resolver.resolve(base, path) is not None:
                return False
            plain = self.resolver.plain_class(base, path)
            if plain is None or not self._plain(plain[1], plain[0], depth + 1):
                return False
        return True

    def _parent_table(self, model: OrmModel, path: str, depth: int) -> str | None:
        for base_path, base in _unseen_bases(model, path, self.resolver, set()):
            table, _ = self.table(base_path, base, depth + 1)
            if table is not None:
                return table
        return None

    def _rule(self, model: OrmModel, path: str, seen: set[str]) -> str:
        """The ``@declared_attr`` ``__tablename__`` rule of the nearest base that has one."""
        for base_path, base in _unseen_bases(model, path, self.resolver, seen):
            if base.naming.startswith("rule:"):
                return base.naming
            rule = self._rule(base, base_path, seen)
            if rule:
                return rule
        return ""

    def _columns(self, model: OrmModel, path: str, seen: set[str]) -> Iterator[tuple[str, OrmColumn]]:
        for column in model.columns:
            yield path, column
        for base_path, base in _unseen_bases(model, path, self.resolver, seen):
            if self.table(base_path, base)[0] is not None:
                continue  # joined/single-table inheritance: the parent's columns live in its own table
            yield from self._columns(base, base_path, seen)


def _mapping(facts: RevisionFacts) -> _Mapping:
    return facts.local("orm-mapping", lambda _snapshot: _Mapping(facts))


class _BaseResolver:
    """Finds the class a base-class name refers to through the file's imports (first-party
    modules only), never by guessing from the name alone."""

    def __init__(self, facts: RevisionFacts, models_by_file: Mapping[str, list[OrmModel]]) -> None:
        from undertow.analyzers.python.index import python_index

        self.index = python_index(facts)
        self.models_by_file = models_by_file

    def resolve(self, base: str, path: str) -> tuple[str, OrmModel] | None:
        found = self._where(base, path)
        if found is None:
            return None
        module_path, name = found
        for model in self.models_by_file.get(module_path, []):
            if model.cls == name:
                return module_path, model
        return None

    def plain_class(self, base: str, path: str) -> tuple[str, OrmModel] | None:
        """A first-party base class that maps nothing (a mixin of methods only), as an abstract
        model with its attributes: found, so the model's bases are all known."""
        found = self._where(base, path)
        if found is None:
            return None
        module_path, name = found
        info = (self.index.files.get(module_path) or {}).get("classes", {}).get(name)
        if info is None:
            return None
        attributes = list(info["attributes"])
        return module_path, OrmModel(name, None, list(info["bases"]), [], attributes, True, 0, "plain", [])

    def _where(self, base: str, path: str) -> tuple[str, str] | None:
        """(file, class name) of a base class named in ``path``: defined there or imported from
        a first-party module."""
        head, _, rest = base.partition(".")
        if not rest and (
            any(m.cls == head for m in self.models_by_file.get(path, []))
            or head in ((self.index.files.get(path) or {}).get("classes") or {})
        ):
            return path, head
        imports = (self.index.files.get(path) or {}).get("imports", {})
        target = imports.get(head)
        if target is None:
            return None
        qualified = f"{target}.{rest}" if rest else target
        # Through re-exports (`from .base import RecordModel` in a package __init__).
        found = self.index.resolve(qualified, attributes=False)
        if found is None or found.external or not found.rest or "." in found.rest:
            return None
        module_path = self.index.by_module.get(found.module)
        return (module_path, found.rest) if module_path is not None else None


def _unseen_bases(
    model: OrmModel, path: str, resolver: _BaseResolver, seen: set[str]
) -> Iterator[tuple[str, OrmModel]]:
    """(path, model) of each base class of ``model`` the resolver finds, once per walk."""
    for base in model.bases:
        found = resolver.resolve(base, path)
        if found is None:
            continue
        key = f"{found[0]}:{found[1].cls}"
        if key not in seen:
            seen.add(key)
            yield found


def migration_description(facts: SchemaFacts, what: str = "it") -> str:
    """That no migration creates ``what``, said of the repository's migrations: "none of the 3
    migrations in alembic/versions/ creates it"; one migration is named, "the only migration,
    migrations/001_init.sql, does not create it"."""
    files = sorted(facts.migration_files)
    if not files:
        return f"no migration creates {what}"
    if len(files) == 1:
        return f"the only migration, {files[0]}, does not create {what}"
    dirs = sorted({posixpath.dirname(p) for p in files})
    where = ", ".join(d + "/" for d in dirs[:3]) + (" ..." if len(dirs) > 3 else "")
    return f"none of the {len(files)} migrations in {where} creates {what}"


@dataclass
class ModelClass:
    name: str
    table: str
    path: str
    line: int
    attributes: set[str]
    columns: dict[str, str]  # attribute -> column name
    resolved: bool  # every base class was found in the repository


def model_classes(facts: RevisionFacts) -> Mapping[str, ModelClass]:
    """Mapped classes by class name, with the attributes they and their bases define."""

    def build(_snapshot: Snapshot) -> dict[str, ModelClass]:
        mapping = _mapping(facts)
        resolver = mapping.resolver
        result: dict[str, ModelClass] = {}
        for path, models in sorted(mapping.models_by_file.items()):
            for model in models:
                if not model.cls or model.abstract:
                    continue
                table = mapping.table(path, model)[0]
                attributes: set[str] = set()
                columns: dict[str, str] = {}
                resolved = True
                stack, seen = [(path, model)], set()
                while stack:
                    current_path, current = stack.pop()
                    attributes.update(current.attributes)
                    for column in current.columns:
                        columns.setdefault(column.attr, column.name)
                        attributes.add(column.attr)
                    for base in current.bases:
                        found = resolver.resolve(base, current_path) or resolver.plain_class(base, current_path)
                        if found is not None:
                            key = f"{found[0]}:{found[1].cls}"
                            if key not in seen:
                                seen.add(key)
                                stack.append(found)
                        elif base.rsplit(".", 1)[-1] not in _ORM_ROOTS:
                            resolved = False
                if table:
                    result.setdefault(
                        model.cls,
                        ModelClass(model.cls, table, path, model.line, attributes, columns, resolved),
                    )
        # What relationships' backref= put on other classes (by class name, as SQLAlchemy does).
        for models in mapping.models_by_file.values():
            for model in models:
                for target, name in model.backrefs:
                    if target in result:
                        result[target].attributes.add(name)
        return result

    # Cached per revision: resolving every model's bases reads every model file's imports.
    classes: Mapping[str, ModelClass] = facts.get("model-classes", build, _models_json, _ModelClasses)
    return classes


def _models_json(models: dict[str, ModelClass]) -> dict[str, list[Any]]:
    return {name: [m.table, m.path, m.line, sorted(m.attributes), m.columns, m.resolved] for name, m in models.items()}


class _ModelClasses(DecodedMapping[ModelClass]):
    """Mapped classes by name, each decoded when first looked up."""

    def _build(self, name: str, raw: list[Any]) -> ModelClass:
        table, path, line, attributes, columns, resolved = raw
        return ModelClass(name, table, path, line, set(attributes), columns, resolved)


# Base classes that come from the ORM itself and add no mapped attributes of the repository's.
_ORM_ROOTS = {"object", "Base", "Model", "DeclarativeBase", "SQLModel", "db.Model", "AsyncAttrs", "MappedAsDataclass"}
