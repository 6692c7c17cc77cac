"""Columns the ORM maps through a wrapper (``schema/orm.py``): ``typing.cast(T, Column(...))``.
SCH002 must not call them unmapped, and SCH001 must still see the ones no migration creates."""

from undertow.analyzers.core.engine import review
from undertow.analyzers.rules.case_repos import ALEMBIC_REPO
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


def test_sch001_sees_a_cast_column_no_migration_creates():
    [(rule, path, line, message)] = _findings({"app/models.py": CAST_MODEL})
    assert (rule, path, line) == ("SCH001", "app/models.py", 11)
    assert message.startswith("jobs.owner is mapped by Job here")
