"""One parse per file per review: the Python facts, the ORM models and the Alembic revision of a
file come from the same ``ast`` tree, and the schema rules' code sites reuse it."""

from collections import Counter

import pytest

from undertow.analyzers.core.engine import review
from undertow.analyzers.python import syntax
from undertow.analyzers.rules.case_repos import revision
from undertow.analyzers.rules.cases import Case

MODELS = (
    "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase\n"
    "class Base(DeclarativeBase):\n    pass\n"
    "class Job(Base):\n    __tablename__ = 'jobs'\n    id = sa.Column(sa.Integer, primary_key=True)\n"
)
CASE = Case(
    base={
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/api.py": "from app.models import Job\ndef get():\n    return Job(id=1)\n",
        "alembic/versions/a1.py": revision(
            "a1", None, "    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True))\n"
        ),
    },
    head={
        "app/models.py": MODELS + "    owner = sa.Column(sa.String, nullable=False)\n",
        "app/api.py": "from app.models import Job\ndef get():\n    return Job(id=1, owner='x')\n",
        "alembic/versions/b1.py": revision(
            "b1", "a1", "    op.add_column('jobs', sa.Column('owner', sa.String(), nullable=False))\n"
        ),
    },
)


def test_every_python_file_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parses: Counter[tuple[str, str]] = Counter()
    real = syntax._ast_parse

    def counting(source: str, path: str):  # type: ignore[no-untyped-def]
        parses[(path, source)] += 1
        return real(source, path)

    monkeypatch.setattr(syntax, "_ast_parse", counting)
    syntax.clear_parse_memo()
    base, head = CASE.snapshots()
    report = review(base, head, CASE.change_set(), CASE.config())
    assert report.complete
    # Each version of each Python file (a base and a head version of the changed ones).
    expected = {(p, s) for p, s in CASE.base.items()} | {(p, s) for p, s in CASE.head_files().items()}
    assert set(parses) == {(p, s) for p, s in expected if p.endswith(".py")}
    assert max(parses.values()) == 1
