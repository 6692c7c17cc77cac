"""Columns the ORM maps through a wrapper (``schema/orm.py``): ``typing.cast(T, Column(...))``
and SQLAlchemy's declarative mapping of a ``@dataclass`` (``field(metadata={"sa": Column(...)})``).
SCH002 must not call them unmapped, and SCH001 must still see the ones no migration creates."""

from undertow.analyzers.core.engine import review
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO, revision
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.schema.migration_without_model import MigrationWithoutModel
from undertow.analyzers.rules.schema.model_without_migration import ModelWithoutMigration
from undertow.analyzers.schema.orm import extract_models

CAST_MODEL = (
    "import typing\n"  # 1
    "import typing as t\n"
    "from typing import cast\n"
    "from sqlalchemy import Column, Integer, String\n"
    "from sqlalchemy.orm import declarative_base\n"  # 5
    "Base = declarative_base()\n"
    "class Job(Base):\n"
    "    __tablename__ = 'jobs'\n"
    "    id = cast(int, Column(Integer, primary_key=True))\n"
    "    job_type = typing.cast(str, Column(String(32), nullable=False))\n"  # 10
    "    owner = t.cast('str | None', Column(String(40)))\n"
)

DATACLASS_MODEL = (
    "from dataclasses import dataclass, field\n"  # 1
    "from sqlalchemy import Column, Integer, String\n"
    "from sqlalchemy.orm import registry\n"
    "mapper_registry = registry()\n"
    "@mapper_registry.mapped\n"  # 5
    "@dataclass\n"
    "class Job:\n"
    "    __tablename__ = 'jobs'\n"
    "    __sa_dataclass_metadata_key__ = 'sa'\n"
    "    id: int = field(init=False, metadata={'sa': Column(Integer, primary_key=True)})\n"  # 10
    "    job_type: str = field(metadata={'sa': Column(String(32), nullable=False)})\n"
    "    note: str = field(default='', metadata={'sa': Column(String(80))})\n"
    "    scratch: int = 0\n"
)


def _columns(text: str) -> list[tuple[str, str, bool, bool, int]]:
    [model] = extract_models("app/models.py", text)
    return [(c.name, c.type, c.nullable, c.primary_key, c.line) for c in model.columns]


def test_a_cast_column_is_the_column_it_wraps():
    assert _columns(CAST_MODEL) == [
        ("id", "integer", False, True, 9),
        ("job_type", "varchar", False, False, 10),
        ("owner", "varchar", True, False, 11),
    ]


def test_sqlalchemy_cast_of_a_column_to_a_type_is_no_column():
    # SQLAlchemy's `cast(expression, type)`: the expression first, the type second.
    text = CAST_MODEL.replace("t.cast('str | None', Column(String(40)))", "cast(Column(String(40)), Integer)")
    assert [name for name, *_ in _columns(text)] == ["id", "job_type"]


def test_a_dataclass_field_maps_the_column_of_its_metadata():
    # A plain annotation (`str`) says nothing of nullability: `note` is nullable as its Column is.
    assert _columns(DATACLASS_MODEL) == [
        ("id", "integer", False, True, 10),
        ("job_type", "varchar", False, False, 11),
        ("note", "varchar", True, False, 12),
    ]


def test_the_class_names_the_metadata_key():
    text = DATACLASS_MODEL.replace("'sa'", "'db'")
    assert [name for name, *_ in _columns(text)] == ["id", "job_type", "note"]
    # Under another key than the class's, the metadata is someone else's: no column.
    other = DATACLASS_MODEL.replace("__sa_dataclass_metadata_key__ = 'sa'", "__sa_dataclass_metadata_key__ = 'x'")
    assert _columns(other) == []


def _findings(head: dict[str, str | None], base: dict[str, str] = ALEMBIC_REPO) -> list[tuple[str, str, int, str]]:
    case = Case(base=dict(base), head=head)
    old, new = case.snapshots()
    report = review(old, new, case.change_set(), case.config(), rules=[MigrationWithoutModel, ModelWithoutMigration])
    return [(f.rule, f.path, f.line, f.message) for f in report.findings]


def test_sch002_quiet_when_the_model_casts_its_columns():
    assert (
        _findings({"app/models.py": CAST_MODEL.replace("    owner = t.cast('str | None', Column(String(40)))\n", "")})
        == []
    )


def test_sch002_quiet_on_a_dataclass_mapping():
    head = DATACLASS_MODEL.replace("    note: str = field(default='', metadata={'sa': Column(String(80))})\n", "")
    assert _findings({"app/models.py": head}) == []


def test_sch001_sees_a_dataclass_column_no_migration_creates_and_not_one_a_migration_adds():
    [(rule, path, line, message)] = _findings({"app/models.py": DATACLASS_MODEL})
    assert (rule, path, line) == ("SCH001", "app/models.py", 12)
    assert message.startswith(
        "jobs.note is mapped by Job here, but the only migration, alembic/versions/a1_init.py, does not create it"
    )
    add = revision("a2", "a1", "    op.add_column('jobs', sa.Column('note', sa.String(80), nullable=True))\n")
    assert _findings({"app/models.py": DATACLASS_MODEL, "alembic/versions/a2_note.py": add}) == []


def test_sch001_sees_a_cast_column_no_migration_creates():
    [(rule, path, line, message)] = _findings({"app/models.py": CAST_MODEL})
    assert (rule, path, line) == ("SCH001", "app/models.py", 11)
    assert message.startswith("jobs.owner is mapped by Job here")


def test_sqlalchemy_2_dataclass_mappings_map_their_annotated_columns():
    decorated = (
        "from sqlalchemy.orm import Mapped, mapped_column, registry\n"
        "reg = registry()\n"
        "@reg.mapped_as_dataclass\n"
        "class Job:\n"
        "    __tablename__ = 'jobs'\n"
        "    id: Mapped[int] = mapped_column(init=False, primary_key=True)\n"
        "    job_type: Mapped[str]\n"
        "    note: Mapped[str | None] = mapped_column(default=None)\n"
    )
    assert _columns(decorated) == [
        ("id", "integer", False, True, 6),
        ("job_type", "text", False, False, 7),
        ("note", "text", True, False, 8),
    ]
    inherited = (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column\n"
        "class Base(MappedAsDataclass, DeclarativeBase):\n"
        "    pass\n"
        "class Job(Base):\n"
        "    __tablename__ = 'jobs'\n"
        "    id: Mapped[int] = mapped_column(init=False, primary_key=True)\n"
        "    job_type: Mapped[str]\n"
    )
    assert _findings({"app/models.py": inherited}) == []
