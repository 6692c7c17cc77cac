"""The incremental schema replay (``schema/facts._incremental``: a head's schema facts as the
base's plus the migrations the change appends) equals the full replay of the head, over
generated migration histories: Alembic revisions, SQL files or both, then a change that appends
one to three migrations (sometimes out of order, or branching, where a full replay is due)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.schema.facts import _compute, _incremental, _schema_parts

TABLES = ("t0", "t1", "t2")
COLUMNS = ("c0", "c1", "c2")
PARTS = ("schema", "operations", "notices", "revisions", "migration_files", "graph_problems", "style", "trees")
NAME = "schema:postgres:"  # schema_facts' name for the default configuration

tables, columns = st.sampled_from(TABLES), st.sampled_from(COLUMNS)
# One operation, as (Alembic call, SQL statement).
operations = st.one_of(
    st.builds(
        lambda t: (
            f"op.create_table('{t}', sa.Column('id', sa.Integer(), primary_key=True))",
            f"CREATE TABLE {t} (id INTEGER PRIMARY KEY);",
        ),
        tables,
    ),
    st.builds(
        lambda t, c, null: (
            f"op.add_column('{t}', sa.Column('{c}', sa.String(), nullable={null}))",
            f"ALTER TABLE {t} ADD COLUMN {c} TEXT{'' if null else ' NOT NULL'};",
        ),
        tables,
        columns,
        st.booleans(),
    ),
    st.builds(lambda t, c: (f"op.drop_column('{t}', '{c}')", f"ALTER TABLE {t} DROP COLUMN {c};"), tables, columns),
    st.builds(
        lambda t, c: (
            f"op.alter_column('{t}', '{c}', nullable=False)",
            f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;",
        ),
        tables,
        columns,
    ),
    st.builds(
        lambda t, c: (
            f"op.alter_column('{t}', '{c}', type_=sa.Text())",
            f"ALTER TABLE {t} ALTER COLUMN {c} TYPE TEXT;",
        ),
        tables,
        columns,
    ),
    st.builds(
        lambda t, c: (
            f"op.create_index('ix_{t}_{c}', '{t}', ['{c}'])",
            f"CREATE INDEX ix_{t}_{c} ON {t} ({c});",
        ),
        tables,
        columns,
    ),
    st.builds(lambda a, b: (f"op.rename_table('{a}', '{b}')", f"ALTER TABLE {a} RENAME TO {b};"), tables, tables),
    st.builds(
        lambda t, a, b: (
            f"op.alter_column('{t}', '{a}', new_column_name='{b}')",
            f"ALTER TABLE {t} RENAME COLUMN {a} TO {b};",
        ),
        tables,
        columns,
        columns,
    ),
)
# A migration: its kind and its operations.
migrations = st.tuples(st.sampled_from(("alembic", "sql")), st.lists(operations, min_size=1, max_size=3))


def _alembic(rev: str, down: str | None, calls: list[str]) -> str:
    body = "".join(f"    {call}\n" for call in calls)
    return (
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n"
        f"def upgrade():\n{body}def downgrade():\n    pass\n"
    )


def _history(
    migrations: list, files: dict[str, str], number: int, last: str | None, shuffle: bool
) -> tuple[int, str | None]:
    """Writes ``migrations`` after migration ``number`` (the Alembic head being ``last``);
    ``shuffle`` numbers a SQL file before the others and branches an Alembic revision."""
    for kind, ops in migrations:
        number += 1
        if kind == "sql":
            sql_number = 0 if shuffle else number
            files[f"migrations/{sql_number:03d}_m{number}.sql"] = "\n".join(sql for _, sql in ops) + "\n"
        else:
            rev = f"r{number:03d}"
            down = None if shuffle and last is not None else last
            files[f"alembic/versions/{rev}.py"] = _alembic(rev, down, [call for call, _ in ops])
            last = rev
    return number, last


def _replays(base_files: dict[str, str], head_files: dict[str, str]) -> tuple[dict | None, dict]:
    base, head = MemorySnapshot(base_files, "base"), MemorySnapshot(head_files, "head")
    added = sorted(set(head_files) - set(base_files))
    changes = ChangeSet([ChangedFile(p, Status.ADDED, lines=frozenset({1})) for p in added])
    facts = RevisionFacts(head)
    facts.base, facts.changes = RevisionFacts(base), changes
    base_parts = _schema_parts(facts.base, Config(), NAME)
    return _incremental(base_parts, facts, Config()), _compute(head, Config(), RevisionFacts(head))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.lists(migrations, min_size=1, max_size=5),
    change=st.lists(migrations, min_size=1, max_size=3),
    shuffle=st.booleans(),
    duplicate=st.booleans(),
)
def test_incremental_replay_equals_the_full_replay(base, change, shuffle, duplicate):
    base_files: dict[str, str] = {"app/__init__.py": ""}
    number, last = _history(base, base_files, 0, None, False)
    if duplicate and last is not None:  # a second file with the base's last revision id
        base_files["alembic/versions/z_copy.py"] = base_files[f"alembic/versions/{last}.py"]
    head_files = dict(base_files)
    _history(change, head_files, number, last, shuffle)
    incremental, full = _replays(base_files, head_files)
    if incremental is None:
        # The incremental replay declines (out of order, a new root, SQL files that replay
        # before the base's Alembic revisions): never when the change only appends.
        assert shuffle or ("sql" in {kind for kind, _ in change} and "alembic" in {kind for kind, _ in base})
        return
    assert {part: incremental[part] for part in PARTS} == {part: full[part] for part in PARTS}
