"""Property-based: every parser entry point of the schema, Python and diff readers, fed generated
and mutated input, returns or reports (a notice, Unparseable, DiffError, ConfigError) and never
lets an exception escape or records an internal failure; and its work grows linearly, counted
as the interpreter's call and line events (never wall time).

The manifest, YAML and Dockerfile readers have the same properties in test_hostile_input.py."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analyzers.rules.schema.fixtures import ALEMBIC_1, MODELS_20, SQL_INIT
from undertow.analyzers.core import failures
from undertow.analyzers.core.changes import DiffError, added_lines, pair_sections, parse_patch, parse_raw
from undertow.analyzers.core.config import ConfigError, parse_config
from undertow.analyzers.python.facts import extract
from undertow.analyzers.python.syntax import Unparseable, parse_ast
from undertow.analyzers.schema.alembic import apply_call, parse_revision
from undertow.analyzers.schema.model import Schema
from undertow.analyzers.schema.orm import extract_models
from undertow.analyzers.schema.sql_replay import apply_sql

PYTHON = (
    "import subprocess\nfrom fastapi import APIRouter\nr = APIRouter(prefix='/v1')\n"
    "type Ids = list[int]\n"
    "@r.get(f\"{P['x']}/items\")\ndef first[T](items: list[T]) -> T:\n    try:\n        return items[0]\n"
    "    except IndexError, KeyError:\n        subprocess.run(['x'])\n"
)
PATCH = "@@ -1,2 +1,3 @@\n context\n-old\n+new\n+added\n@@ -10 +11,0 @@\n-gone\n\\ No newline at end of file\n"
CONFIG = "rules: {RSK001: off}\npaths:\n  exclude: ['vendor/*']\nschema:\n  dialect: postgres\n"
PIECES = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    '"""',
    "\\",
    "\n",
    "\t",
    " " * 64,
    "#" * 64,
    "\0",
    "\udcff",
    ":",
    "def f[",
    "type X = ",
    "except A, B:",
    "f'{",
    "t'{",
    "@@ -1 +0,0 @@\n",
    "-- ",
    ";",
    "CHECK (",
    "op.",
    "*" * 32,
]


def mutated(sample: str) -> st.SearchStrategy[str]:
    """``sample`` with pieces inserted, characters deleted, or a piece repeated many times."""

    @st.composite
    def build(draw) -> str:
        text = sample
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, len(text)))
            kind = draw(st.sampled_from(["insert", "delete", "repeat", "random"]))
            if kind == "insert":
                text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
            elif kind == "delete":
                text = text[:at] + text[at + draw(st.integers(1, 20)) :]
            elif kind == "repeat":
                text = text[:at] + draw(st.sampled_from(PIECES)) * draw(st.integers(10, 400)) + text[at:]
            else:
                text = text[:at] + draw(st.text(max_size=40)) + text[at:]
        return text

    return build()


def _python(text: str) -> None:
    try:
        parse_ast(text, "app/m.py")
    except Unparseable:
        pass
    extract("app/m.py", text)
    extract_models("app/models.py", text)
    info = parse_revision("alembic/versions/x.py", text)
    schema = Schema()
    for call in (info or {}).get("calls", []):
        apply_call(schema, call, "alembic/versions/x.py", "postgres")


def _sql(text: str) -> None:
    apply_sql(Schema(), text, "migrations/1.sql", "postgres")


def _patch(text: str) -> None:
    try:
        added_lines(text)
    except DiffError:
        pass


# `git diff --raw -p -z -M -U0 --text` of an added file: the raw record, then its patch section.
GIT_DIFF = (
    ":000000 100644 " + "0" * 40 + " c74f77988184cdd21eab48be5cdcd984c5f4970c A\0b.py\0\0"
    "diff --git a/b.py b/b.py\nnew file mode 100644\nindex " + "0" * 40 + "..c74f77988184cdd21eab48be5cdcd984c5f4970c\n"
    '--- /dev/null\n+++ b/b.py\n@@ -0,0 +1,2 @@\n+import subprocess\n+subprocess.run(["x"])\n'
)


def _git_diff(text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    try:
        records, offset = parse_raw(data)
        pair_sections(records, parse_patch(data[offset:]))
    except DiffError:
        pass


def _config(text: str) -> None:
    try:
        parse_config(text)
    except ConfigError:
        pass


ENTRY_POINTS = {
    "python": (_python, PYTHON),
    "alembic": (_python, ALEMBIC_1),
    "models": (_python, MODELS_20),
    "sql": (_sql, SQL_INIT),
    "diff": (_patch, PATCH),
    "git-diff": (_git_diff, GIT_DIFF),
    "config": (_config, CONFIG),
}


def _events(function, text: str) -> int:
    """Call and line events of the interpreter while ``function(text)`` runs, inside a review's
    failure log, which must stay empty: a parser reports bad input, it does not fail on it."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += 1
        return tracer

    with failures.collecting() as log:
        previous = sys.gettrace()
        sys.settrace(tracer)
        try:
            function(text)
        finally:
            sys.settrace(previous)
    assert log.failures == [], log.failures
    return count


@pytest.mark.parametrize("kind", sorted(ENTRY_POINTS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_input_never_escapes_a_parser(kind, data):
    function, sample = ENTRY_POINTS[kind]
    text = data.draw(mutated(sample))
    _events(function, text)


@pytest.mark.parametrize("kind", sorted(ENTRY_POINTS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(piece=st.sampled_from(PIECES), at=st.floats(0, 1))
def test_work_grows_linearly_with_a_repeated_piece(kind, piece, at):
    """A hostile run of one piece, 4× longer, costs at most about 4× the events."""
    function, sample = ENTRY_POINTS[kind]
    cut = int(len(sample) * at)

    def text(n: int) -> str:
        return sample[:cut] + piece * n + sample[cut:]

    small, large = _events(function, text(250)), _events(function, text(1000))
    assert large <= 5 * small + 2000, (small, large)
