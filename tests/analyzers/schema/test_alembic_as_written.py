"""Alembic revisions as projects write them: table names in module constants or loop variables,
op.drop_index, ids written u"..." or annotated, labelled branches, and Python 2 era files."""

from undertow.analyzers.core.config import Config
from undertow.analyzers.core.engine import review
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.engine.notices import UnparseableFile
from undertow.analyzers.rules.schema.migration_graph_broken import MigrationGraphBroken
from undertow.analyzers.schema.facts import schema_facts

HEADER = "from alembic import op\nimport sqlalchemy as sa\n"


def _facts(files: dict[str, str]):
    return schema_facts(RevisionFacts(MemorySnapshot(files)), Config())


def test_module_constants_name_tables_and_annotated_unicode_ids_are_read():
    files = {
        "alembic/versions/a1.py": HEADER + "revision: str = u'a1'\ndown_revision: str | None = None\n"
        "TABLE = 'users'\nINDEX = 'ix_users_email'\n"
        "def upgrade():\n"
        "    op.create_table(TABLE, sa.Column('id', sa.Integer(), primary_key=True), sa.Column('email', sa.String()))\n"
        "    op.create_index(op.f(INDEX), TABLE, ['email'])\n"
        "def downgrade():\n    op.drop_table(TABLE)\n",
    }
    facts = _facts(files)
    assert list(facts.revisions) == ["a1"]
    users = facts.schema.table("users")
    assert users is not None and sorted(users.columns) == ["email", "id"]
    assert users.indexes == {"ix_users_email": ["email"]}


def test_drop_index_is_replayed_with_or_without_its_table():
    files = {
        "alembic/versions/a1.py": HEADER + "revision = 'a1'\ndown_revision = None\ndef upgrade():\n"
        "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('x', sa.Integer()))\n"
        "    op.create_index('ix_t_x', 't', ['x'], unique=True)\n    op.create_index('ix_t_id', 't', ['id'])\n",
        "alembic/versions/b1.py": HEADER + "revision = 'b1'\ndown_revision = 'a1'\ndef upgrade():\n"
        "    op.drop_index(op.f('ix_t_x'), table_name='t')\n"
        "    with op.batch_alter_table('t') as batch_op:\n        batch_op.drop_index('ix_t_id')\n",
    }
    table = _facts(files).schema.table("t")
    assert table is not None and table.indexes == {} and table.uniques == [("", ["id"])]
    assert [o.op for o in _facts(files).operations["alembic/versions/b1.py"]] == ["drop_index", "drop_index"]


def test_a_loop_variable_table_is_a_notice_naming_the_variable():
    body = "def upgrade():\n    for table in ('a', 'b'):\n        op.add_column(table, sa.Column('x', sa.Integer()))\n"
    case = Case(
        base={"alembic/versions/a1.py": HEADER + "revision = 'a1'\ndown_revision = None\ndef upgrade():\n    pass\n"},
        head={"alembic/versions/b1.py": HEADER + "revision = 'b1'\ndown_revision = 'a1'\n" + body},
    )
    base, head = case.snapshots()
    [finding] = review(base, head, case.change_set(), case.config(), rules=[UnparseableFile]).findings
    assert (finding.path, finding.line) == ("alembic/versions/b1.py", 7)
    assert "names its table with the loop variable table; its schema change is not modelled" in finding.message


def test_heads_of_labelled_branches_are_on_purpose_but_a_fork_inside_one_is_not():
    def rev(rev_id: str, down: str | None, labels: str = "None") -> str:
        return (
            HEADER
            + f"revision = {rev_id!r}\ndown_revision = {down!r}\nbranch_labels = {labels}\ndef upgrade():\n    pass\n"
        )

    files = {
        "alembic/versions/a1.py": rev("a1", None, "('core',)"),
        "alembic/versions/a2.py": rev("a2", "a1"),
        "alembic/versions/p1.py": rev("p1", None, "('plugin',)"),
    }
    assert _facts(files).graph_problems == []
    forked = {**files, "alembic/versions/a3.py": rev("a3", "a1")}
    assert _facts(forked).graph_problems == ["heads:a2,a3,p1"]
    case = Case(base=files, head={"alembic/versions/a3.py": rev("a3", "a1")})
    base, head = case.snapshots()
    findings = review(base, head, case.change_set(), case.config(), rules=[MigrationGraphBroken]).findings
    assert sorted(f.path for f in findings) == [
        "alembic/versions/a2.py",
        "alembic/versions/a3.py",
        "alembic/versions/p1.py",
    ]


PY2 = (
    '"""Python 2 era revision."""\n'
    "revision = u'abc123'\ndown_revision = None\n"
    "from alembic import op\nimport sqlalchemy as sa\n"
    "def upgrade():\n"
    '    print "creating users"\n'
    "    op.create_table(u'users', sa.Column('id', sa.Integer(), primary_key=True))\n"
    "    try:\n        op.create_index('ix_users_id', 'users', ['id'])\n"
    "    except Exception, e:\n        print e\n"
    "def downgrade():\n    op.drop_table('users')\n"
)


def test_a_python_2_revision_still_creates_its_tables_with_a_notice_per_line_left_out():
    facts = _facts({"alembic/versions/abc123_init.py": PY2})
    assert list(facts.revisions) == ["abc123"]
    users = facts.schema.table("users")
    assert users is not None and users.indexes == {"ix_users_id": ["id"]} and not users.partial
    assert facts.notices["alembic/versions/abc123_init.py"] == [
        [line, f"line {line} is syntax no supported Python reads (Python 2?): left out of the schema replay"]
        for line in (7, 11, 12)
    ]


def test_a_file_no_line_by_line_reading_saves_declares_no_revision():
    facts = _facts({"alembic/versions/x.py": "revision = 'x'\ndown_revision = None\n" + "def f(:\n" * 100})
    assert facts.revisions == {}


def test_a_table_created_under_a_computed_name_makes_a_missing_table_a_notice_not_an_error():
    from undertow.analyzers.core.findings import Severity
    from undertow.analyzers.rules.schema.model_without_migration import ModelWithoutMigration

    prefixed = HEADER + (
        "revision = 'a1'\ndown_revision = None\nPREFIX = get_prefix()\ndef upgrade():\n"
        "    op.create_table(f'{PREFIX}users', sa.Column('id', sa.Integer(), primary_key=True))\n"
        "    op.execute(f'CREATE TABLE {PREFIX}audit (id integer)')\n"
    )
    models = (
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"
        "class User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
        "class Audit(Base):\n    __tablename__ = 'audit'\n    id = Column(Integer, primary_key=True)\n"
        "class Account(Base):\n    __tablename__ = 'accounts'\n    id = Column(Integer, primary_key=True)\n"
    )
    case = Case(base={"alembic/versions/a1.py": prefixed}, head={"app/models.py": models})
    base, head = case.snapshots()
    # users and audit end the computed names (f"{PREFIX}users", f"CREATE TABLE {PREFIX}audit"):
    # created there. accounts may be one of them, or none: a notice that says so.
    [finding] = review(base, head, case.change_set(), case.config(), rules=[ModelWithoutMigration]).findings
    assert (finding.rule, finding.path, finding.line, finding.severity) == (
        "SCH001",
        "app/models.py",
        10,
        Severity.NOTICE,
    )
    assert finding.message == (
        "table accounts is mapped by Account here, and no migration creates it by name; a migration creates a table "
        "whose name is computed (not a string literal), which Undertow cannot read: check that one of them creates it"
    )
    notices = _facts({"alembic/versions/a1.py": prefixed}).notices["alembic/versions/a1.py"]
    assert [n[1] for n in notices] == [
        "op.create_table() names its table with an expression, not a string literal; its schema change is not modelled",
        "op.execute() runs SQL built at run time (an f-string); its schema change is not modelled",
    ]


def test_ddl_through_the_migration_connection_and_sa_text_is_replayed():
    files = {
        "alembic/versions/a1.py": HEADER + "revision = 'a1'\ndown_revision = None\ndef upgrade():\n"
        "    op.execute(sa.text('CREATE TABLE t (id integer PRIMARY KEY, x integer)'))\n"
        "    conn = op.get_bind()\n"
        "    conn.exec_driver_sql('CREATE INDEX ix_t_x ON t (x)')\n"
        "    op.get_bind().execute(sa.text('CREATE UNIQUE INDEX ux_t_id ON t (id)'))\n",
    }
    table = _facts(files).schema.table("t")
    assert table is not None and table.indexes == {"ix_t_x": ["x"], "ux_t_id": ["id"]}


def test_drop_constraint_removes_the_name_as_well_as_the_unique():
    files = {
        "alembic/versions/a1.py": HEADER + "revision = 'a1'\ndown_revision = None\ndef upgrade():\n"
        "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('code', sa.String()),\n"
        "        sa.UniqueConstraint('code', name='uq_t_code'))\n",
        "alembic/versions/b1.py": HEADER + "revision = 'b1'\ndown_revision = 'a1'\ndef upgrade():\n"
        "    op.drop_constraint('uq_t_code', 't', type_='unique')\n",
    }
    table = _facts(files).schema.table("t")
    assert table is not None and table.constraints == [] and table.uniques == [("", ["id"])]


def test_calls_in_a_dialect_branch_carry_that_dialect():
    files = {
        "alembic/versions/a1.py": HEADER + "revision = 'a1'\ndown_revision = None\ndef upgrade():\n"
        "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n"
        "    bind = op.get_bind()\n"
        "    if bind.dialect.name != 'sqlite':\n"
        "        op.create_index('ix_a', 't', ['id'])\n"
        "    else:\n"
        "        with op.batch_alter_table('t') as batch_op:\n"
        "            batch_op.create_index('ix_b', ['id'])\n"
        "    if bind.dialect.name in ('mysql', 'mariadb'):\n"
        "        op.create_index('ix_c', 't', ['id'])\n",
    }
    operations = _facts(files).operations["alembic/versions/a1.py"]
    assert [(o.op, o.detail.get("index"), o.detail.get("dialect")) for o in operations] == [
        ("create_table", None, None),
        ("create_index", "ix_a", None),
        ("create_index", "ix_b", "sqlite"),
        ("create_index", "ix_c", "mysql"),
    ]
