"""Hostile input is cheap: every repository-controlled string is matched in linear time, every
input kind is bounded (file size from the tree listing, line length, nesting depth), and a
hostile line or document costs a notice, never the review of what is next to it.

No test here measures time: the hostile inputs are sized so that the former super-linear
patterns would have taken minutes to hours, the regular expressions are checked for the
constructs that backtrack super-linearly (`_backtracking_risks`), and the property-based tests
count the interpreter's events (a tracer), asserting that four times the hostile input costs at
most about four times the work."""

from __future__ import annotations

import re
import string
import sys
from re import _constants as C
from re import _parser as P

import pytest

from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.engine import Report, review
from undertow.analyzers.core.limits import MAX_LINE_CHARS
from undertow.analyzers.core.snapshot import MemorySnapshot


def _review(base: dict[str, str], changed: dict[str, str]) -> Report:
    """A pull request changing (or adding) ``changed`` on top of ``base``, every line new."""
    files = [
        ChangedFile(
            path, Status.MODIFIED if path in base else Status.ADDED, lines=frozenset(range(1, text.count("\n") + 2))
        )
        for path, text in changed.items()
    ]
    return review(MemorySnapshot(base), MemorySnapshot({**base, **changed}), ChangeSet(files), Config())


def _found(report: Report) -> list[tuple[str, str, int]]:
    assert report.failures == []
    return sorted((f.rule, f.path, f.line) for f in report.findings)


def _message(report: Report, rule: str, line: int) -> str:
    return next(f.message for f in report.findings if f.rule == rule and f.line == line)


UNPINNED = "mylib @ git+https://github.com/acme/mylib.git@main\n"


# -- 1. linear-time matching: the known slow cases --------------------------------------------


def test_requirement_line_with_100kb_of_blanks():
    hostile = "requests" + " " * 100_000 + ">=2\n"
    report = _review({}, {"requirements.txt": hostile + UNPINNED})
    assert _found(report) == [("DEP004", "requirements.txt", 2), ("UND001", "requirements.txt", 1)]
    assert _message(report, "UND001", 1) == (
        f"could not parse requirements.txt line 1: the line is longer than {MAX_LINE_CHARS} characters, so it is not read"
    )


def test_requirement_line_of_blanks_under_the_line_limit_is_read():
    from undertow.analyzers.deps.manifests.requirements import parse_requirements

    blanks = " " * (MAX_LINE_CHARS // 2 - 100)
    manifest = parse_requirements("requirements.txt", f"requests{blanks}>=2{blanks}# pinned\nhttpx  {blanks}\n")
    assert [(d.name, d.specifier, d.line) for d in manifest.declared] == [("requests", ">=2", 1), ("httpx", "", 2)]
    assert manifest.problems == ()


def test_url_requirement_followed_by_100kb_of_hashes():
    hostile = "pkg @ git+https://x/y.git@main" + "#" * 100_000 + "\n"
    report = _review({}, {"requirements.txt": hostile + UNPINNED})
    assert _found(report) == [("DEP004", "requirements.txt", 2), ("UND001", "requirements.txt", 1)]
    # Under the line limit, the same URL is read, and its #egg= found after all the "#".
    bare = "git+https://x/y.git@main" + "#" * (MAX_LINE_CHARS - 100) + "egg=pkg\n"
    report = _review({}, {"requirements.txt": bare + UNPINNED})
    assert _found(report) == [("DEP004", "requirements.txt", 1), ("DEP004", "requirements.txt", 2)]
    assert _message(report, "DEP004", 1).startswith("requirements.txt installs pkg from git+https://x/y.git@main###")


def _check_constraint_values(migration: str) -> list[str] | None:
    from undertow.analyzers.facts.context import RevisionFacts
    from undertow.analyzers.schema.facts import schema_facts

    facts = schema_facts(RevisionFacts(MemorySnapshot(migration)), Config())
    return facts.schema.table("videos").columns["status"].allowed


def test_blanks_inside_a_check_expression():
    blanks = " " * 100_000
    alembic = (
        "from alembic import op\nimport sqlalchemy as sa\nrevision = 'a1'\ndown_revision = None\n"
        "def upgrade():\n"
        "    op.create_table('videos', sa.Column('status', sa.String(20)),\n"
        f"        sa.CheckConstraint(\"({blanks}status{blanks}IN{blanks}('new',{blanks}'done'){blanks}){blanks}\"))\n"
        "def downgrade():\n    op.drop_table('videos')\n"
    )
    assert _check_constraint_values({"alembic/versions/a1_init.py": alembic}) == ["new", "done"]
    hostile = alembic.replace("IN", "x")  # the blanks then never reach an IN: no values, no rescans
    assert _check_constraint_values({"alembic/versions/a1_init.py": hostile}) is None
    sql = f"CREATE TABLE videos (status TEXT CHECK (status = ANY{blanks}(ARRAY['new',{blanks}'done'])));\n"
    assert _check_constraint_values({"migrations/001_init.sql": sql}) == ["new", "done"]


def test_300kb_docker_compose_line_in_a_script():
    hostile = "docker compose " * 20_000 + "-f gone.yml\n"  # 300 KB: over the line limit, not read
    under = "docker compose " * 1_000 + "-f missing.yml up\n"  # 15 KB: read, one linear scan
    script = hostile + under + "docker compose -f deploy/prod.yml pull\n"
    report = _review({"docker-compose.yml": "services: {}\n"}, {"scripts/deploy.sh": script})
    assert _found(report) == [("CFG002", "scripts/deploy.sh", 2), ("CFG002", "scripts/deploy.sh", 3)]
    assert _message(report, "CFG002", 3).startswith(
        "docker compose -f deploy/prod.yml: the repository has no such file"
    )


def test_360kb_run_pip_install_line_in_a_dockerfile():
    from undertow.analyzers.deps.services import dockerfile_facts

    hostile = "RUN " + "pip install " * 30_000 + "\n"  # 360 KB: over the line limit, not read
    dockerfile = "FROM python:3.12\n" + hostile + "COPY missing.txt /app/\nRUN pip install -r requirements.txt\n"
    report = _review({"requirements.txt": "redis==5\n"}, {"Dockerfile": dockerfile})
    assert _found(report) == [("CFG002", "Dockerfile", 3)]
    assert dockerfile_facts("Dockerfile", dockerfile)["installs"] == [["requirements", "requirements.txt"]]
    # Under the line limit: every `pip install` of the line, then the project argument, once.
    run = "RUN " + "pip install " * 1_300 + "&& pip install -e '.[worker]'\n"
    assert dockerfile_facts("Dockerfile", run)["installs"] == [["project", "worker"]]


def test_pyproject_with_100k_dependencies():
    from undertow.analyzers.deps.manifests import parse_manifest

    names = [f"pkg{i}" for i in range(100_000)]
    text = "[project]\nname = 'x'\ndependencies = [\n" + "".join(f'  "{n}",\n' for n in names) + "]\n"
    manifest = parse_manifest("pyproject.toml", text)
    assert len(manifest.declared) == 100_000
    assert [(d.name, d.line) for d in manifest.declared[::25_000]] == [
        (f"pkg{i}", i + 4) for i in range(0, 100_000, 25_000)
    ]
    poetry = "[tool.poetry.dependencies]\npython = '^3.11'\n" + "".join(f'{n} = "^1"\n' for n in names[:20_000])
    manifest = parse_manifest("pyproject.toml", poetry)
    assert [(d.name, d.line) for d in manifest.declared[::5_000]] == [
        (f"pkg{i}", i + 3) for i in range(0, 20_000, 5_000)
    ]


def test_check_blanks_and_many_dollars_in_sql_text():
    from undertow.analyzers.schema.sql_replay import _in_values, split_statements

    assert _in_values("status" + " " * 100_000 + "x") is None
    assert _in_values('("status"::text' + " " * 50_000 + "IN ('a', 'b''c')" + " )" * 50_000) == ("status", ["a", "b'c"])
    # Each "$" was matched against a copy of the rest of the text: quadratic in the number of "$".
    assert split_statements("SELECT '" + "$ " * 100_000 + "'; SELECT 1") == [
        (1, "SELECT '" + "$ " * 100_000 + "'"),
        (1, "SELECT 1"),
    ]


def test_other_repository_strings_are_matched_in_one_pass():
    from undertow.analyzers.core.suppression import parse_suppressions
    from undertow.analyzers.deps.manifests.setup_cfg import parse_setup_cfg
    from undertow.analyzers.python.routes import WILDCARD, matches
    from undertow.analyzers.rules.config.undeclared_env_var import _documented_names, _is_doc
    from undertow.app.handlers.commands import _COMMAND
    from undertow.app.publish import fingerprints_in

    # setup.cfg: configparser's own option pattern is quadratic in a line of blanks.
    blanks = " " * (MAX_LINE_CHARS - 100)
    cfg = parse_setup_cfg("setup.cfg", f"[options]\ninstall_requires =\n    requests\nname{blanks}x = 1\n")
    assert [d.name for d in cfg.declared] == ["requests"]
    many = "[options]\ninstall_requires =\n" + "".join(f"    p{i}\n" for i in range(50_000))
    assert [(d.name, d.line) for d in parse_setup_cfg("setup.cfg", many).declared[::10_000]] == [
        (f"p{i}", i + 3) for i in range(0, 50_000, 10_000)
    ]
    # .env: `^\s*` under re.MULTILINE ran over every following blank line from each of them.
    assert _documented_names(".env.example", "\n" * 200_000 + "  export API_KEY = 1\nx\n") == ["API_KEY"]
    # Paths: `(helm|...)/.+\.ya?ml$` rescanned the rest of the path from each such directory.
    assert _is_doc("helm/" * 20_000 + "values-prod.yaml") and not _is_doc("helm/" * 20_000 + "x.py")
    # A route with many wildcards against a long request path: every split was tried.
    route = "/" + "/".join(["{p:path}"] * 30) + "/end"
    assert matches(route, ["a"] * 200 + ["end"]) and not matches(route, ["a"] * 200)
    assert matches(WILDCARD + "/x", ["x"])
    # Comment bodies (GitHub): a marker start without its end on a long line.
    body = "<!-- undertow:fingerprint=" * 2_500 + "\n<!-- undertow:fingerprint=RSK001:a.py:k -->"
    assert fingerprints_in(body) == ["RSK001:a.py:k"]
    assert _COMMAND.match("/undertow" + " " * 60_000 + "ignore RSK001 " + " " * 60_000 + "why").groups() == (
        "ignore",
        "RSK001 " + " " * 60_000 + "why",
    )
    suppressions = parse_suppressions(
        ["x = 1  # " + "#" * 100_000 + " undertow: ignore[RSK001]", "# undertow:" + " " * 100_000]
    )
    assert suppressions.by_line == {1: frozenset({"RSK001"})}


def test_deep_paths_and_long_commands():
    from undertow.analyzers.deps.services import entry_points

    # A command of many VAR=value words: the list was sliced once per word.
    assert entry_points("A=1 " * 100_000 + "python -m app.main") == [("module", "app.main")]
    # A path 20,000 directories deep: every prefix of it was a string of its own (quadratic).
    deep = "/".join(["d"] * 20_000) + "/f.txt"
    base = {deep: "x\n", "static/app.css": "x\n", "docker-compose.yml": "services:\n  web:\n    build: .\n"}
    changed = {
        "scripts/run.sh": "docker compose -f gone.yml up\n",
        "app/main.py": "from fastapi.staticfiles import StaticFiles\na = StaticFiles(directory='static')\nb = StaticFiles(directory='gone')\n",
    }
    report = _review(base, changed)
    assert _found(report) == [("CFG002", "scripts/run.sh", 1), ("RSK007", "app/main.py", 3)]


# -- 2. size limits, from the tree listing ------------------------------------------------------


class _Recorded(MemorySnapshot):
    """A memory snapshot that records what is read (its listing computed once)."""

    def __init__(self, files: dict[str, str]) -> None:
        super().__init__(files)
        self.read_paths: list[str] = []
        self._listing = super().entries()

    def entries(self):
        return self._listing

    def read(self, path: str):
        self.read_paths.append(path)
        return super().read(path)


def test_no_file_over_its_size_limit_is_read():
    from undertow.analyzers.core.limits import MAX_FILE_BYTES, MAX_LOCK_FILE_BYTES

    padding = "#" * MAX_FILE_BYTES + "\n"
    files = {
        "docker-compose.yml": "services:\n  web:\n    build: .\n" + padding,
        "Dockerfile": "FROM python:3.12\nCOPY gone.txt .\n" + padding,
        "requirements.txt": "requests\n" + padding,
        "pyproject.toml": "[project]\ndependencies = ['httpx']\n" + padding,
        "setup.cfg": "[options]\ninstall_requires = httpx\n" + padding,
        "uv.lock": "version = 1\n" + "#" * MAX_LOCK_FILE_BYTES + "\n",
        ".env.example": "API_KEY=1\n" + padding,
        "README.md": "API_KEY\n" + padding,
        "helm/values.yaml": "env: {API_KEY: x}\n" + padding,
        "scripts/run.sh": "docker compose -f gone.yml up\n" + padding,
        "app/main.py": "import os\nkey = os.environ['API_KEY']\n",
    }
    head = _Recorded(files)
    changes = ChangeSet([ChangedFile(path, Status.ADDED, lines=frozenset({1, 2, 3})) for path in files])
    report = review(MemorySnapshot({}), head, changes, Config())
    assert set(head.read_paths) == {"app/main.py"}
    # The engine gives each changed file it would have read a size notice; the variable read
    # from the environment is undocumented, as far as Undertow could read.
    notices = {f.path for f in report.findings if f.rule == "UND003"}
    assert notices >= {
        "docker-compose.yml",
        "Dockerfile",
        "requirements.txt",
        "pyproject.toml",
        "setup.cfg",
        ".env.example",
        "helm/values.yaml",
    }
    assert [(f.rule, f.path, f.line) for f in report.findings if f.rule != "UND003"] == [("CFG001", "app/main.py", 2)]


def test_a_pyproject_over_the_limit_is_not_read_to_look_for_build_system():
    from types import SimpleNamespace

    from undertow.analyzers.core.limits import MAX_FILE_BYTES
    from undertow.analyzers.rules.dependencies.unbounded_requirement import _no_build_system

    snapshot = _Recorded({"pyproject.toml": "[project]\n" + "#" * MAX_FILE_BYTES, "app/pyproject.toml": "[project]\n"})
    assert _no_build_system(SimpleNamespace(snapshot=snapshot), "pyproject.toml") is False
    assert _no_build_system(SimpleNamespace(snapshot=snapshot), "app/pyproject.toml") is True
    assert snapshot.read_paths == ["app/pyproject.toml"]


def test_lock_files_have_their_own_limit():
    from undertow.analyzers.core.limits import MAX_FILE_BYTES, MAX_LOCK_FILE_BYTES, within_size
    from undertow.analyzers.core.snapshot import Entry

    assert MAX_LOCK_FILE_BYTES >= 16 * 1024 * 1024
    three_mib = 3 * 1024 * 1024
    assert within_size(Entry("uv.lock", "x", "file", three_mib)) and within_size(
        Entry("sub/poetry.lock", "x", "file", three_mib)
    )
    assert not within_size(Entry("uv.lock", "x", "file", MAX_LOCK_FILE_BYTES + 1))
    assert not within_size(Entry("requirements.txt", "x", "file", MAX_FILE_BYTES + 1))
    assert not within_size(Entry("uv.lock", "x", "symlink", 10)) and not within_size(None)


# -- 3. nesting limits, before the recursive parsers ---------------------------------------------

SOCKET_COMPOSE = "services:\n  ci:\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"


def test_20000_deep_value_in_a_compose_file():
    from undertow.analyzers.deps.services import compose_facts

    deep = "services:\n  web:\n    command: " + "[" * 20_000 + "]" * 20_000 + "\n"
    report = _review({}, {"docker-compose.yml": deep, "compose.override.yml": SOCKET_COMPOSE})
    assert _found(report) == [("CFG003", "compose.override.yml", 4), ("UND001", "docker-compose.yml", 1)]
    assert _message(report, "UND001", 1) == "could not parse docker-compose.yml: not valid YAML"
    assert compose_facts("docker-compose.yml", deep) == []
    for block in ("      " + "- " * 20_000 + "x\n", "".join(" " * (6 + 2 * i) + "- x:\n" for i in range(500))):
        report = _review({}, {"docker-compose.yml": "services:\n  web:\n    command:\n" + block})
        assert _found(report) == [("UND001", "docker-compose.yml", 1)]


def test_nesting_under_the_limit_and_aliases_are_read():
    from undertow.analyzers.deps.yaml_nodes import compose, elements, get

    nested = "services:\n  web:\n    command: " + "[" * 90 + "]" * 90 + "\n"
    assert compose(nested) is not None
    aliased = "x-vol: &vol [./a.env:/a]\nservices:\n  web: {volumes: *vol}\n  worker: {volumes: *vol}\n"
    assert [len(elements(get(body, "volumes"))) for _, body in get(compose(aliased), "services").value] == [1, 1]
    assert compose("a: &a [*a]\n") is not None  # an alias inside its own anchor: a cycle, composed once
    # Brackets in quoted scalars and comments are no nesting; a flow nesting over many lines is
    # refused by the composer's own count.
    assert compose("a: '" + "[" * 500 + "'  # " + "{" * 500 + '\nb: "' + "[" * 500 + '"\n') is not None
    assert compose("a:\n" + "  [\n" * 20_000) is None


def test_aliases_expanding_to_a_huge_tree_are_not_read():
    from undertow.analyzers.deps.yaml_nodes import compose

    # Each level repeats the one before ten times: 10**8 nodes from a few hundred bytes.
    levels = ["l0: &l0 [" + ", ".join(["x"] * 10) + "]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 8)]
    bomb = "\n".join(levels) + "\nservices:\n  web: {volumes: *l7}\n"
    assert compose(bomb) is None
    report = _review({}, {"docker-compose.yml": bomb, "compose.override.yml": SOCKET_COMPOSE})
    assert _found(report) == [("CFG003", "compose.override.yml", 4), ("UND001", "docker-compose.yml", 1)]


def test_5000_deep_toml_array_in_pyproject():
    deep = "[project]\nname = 'x'\ndependencies = " + "[" * 5_000 + "]" * 5_000 + "\n"
    report = _review({}, {"pyproject.toml": deep, "requirements.txt": UNPINNED})
    assert _found(report) == [("DEP004", "requirements.txt", 1), ("UND001", "pyproject.toml", 1)]
    assert (
        _message(report, "UND001", 1)
        == "could not parse pyproject.toml: not valid TOML: nested more than 100 levels deep"
    )
    # Brackets in strings and comments are not nesting.
    from undertow.analyzers.deps.manifests import parse_manifest

    quoted = "[project]\n# " + "[" * 500 + "\ndescription = '" + "{" * 500 + '\'\ndependencies = ["a"]\n'
    assert [d.name for d in parse_manifest("pyproject.toml", quoted).declared] == ["a"]


def test_deep_lock_file_and_dockerfile_exec_form():
    from undertow.analyzers.deps.manifests.locks import parse_lock
    from undertow.analyzers.deps.services import dockerfile_facts

    assert parse_lock("version = 1\nx = " + "[" * 5_000 + "]" * 5_000 + "\n") == {}
    assert parse_lock('[[package]]\nname = "Requests"\nversion = "2.32.3"\ndependencies = [{ name = "idna" }]\n') == {
        "requests": "2.32.3"
    }
    deep = "CMD " + "[" * 5_000 + "]" * 5_000 + "\n"
    facts = dockerfile_facts("Dockerfile", "FROM python:3.12\n" + deep + 'CMD ["python", "-m", "app.main"]\n')
    assert facts["commands"][1] == "python -m app.main"
    report = _review({}, {"Dockerfile": "FROM python:3.12\n" + deep + "COPY missing.txt /app/\n"})
    assert _found(report) == [("CFG002", "Dockerfile", 3)]


def test_deeply_nested_requirement_marker():
    from undertow.analyzers.deps.manifests.requirements import parse_requirements

    text = "a; " + "(" * 5_000 + "python_version > '3'" + ")" * 5_000 + "\nb==1\n"
    manifest = parse_requirements("requirements.txt", text)
    assert [d.name for d in manifest.declared] == ["b"]
    assert [p.line for p in manifest.problems] == [1]


def test_recursion_error_is_caught_at_each_document(monkeypatch):
    import tomllib

    import yaml

    from undertow.analyzers.deps.manifests import parse_manifest
    from undertow.analyzers.deps.manifests.locks import parse_lock
    from undertow.analyzers.deps.yaml_nodes import compose

    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(tomllib, "loads", deep)
    monkeypatch.setattr(yaml, "compose", deep)
    assert (
        parse_manifest("pyproject.toml", "[project]\n").problems[0].message
        == "not valid TOML: nested more than 100 levels deep"
    )
    assert parse_lock("version = 1\n") == {}
    assert compose("a: 1\n") is None


# -- the regular expressions themselves ---------------------------------------------------------

# Every module whose patterns are applied to repository content or GitHub comment bodies.
_PATTERN_MODULES = (
    "undertow.analyzers.core.limits",
    "undertow.analyzers.deps.manifests",
    "undertow.analyzers.deps.manifests.requirements",
    "undertow.analyzers.deps.manifests.pyproject",
    "undertow.analyzers.deps.manifests.setup_cfg",
    "undertow.analyzers.deps.manifests.locks",
    "undertow.analyzers.deps.services",
    "undertow.analyzers.deps.yaml_nodes",
    "undertow.analyzers.python.routes",
    "undertow.analyzers.python.env",
    "undertow.analyzers.core.suppression",
    "undertow.analyzers.rules.config.missing_build_path",
    "undertow.analyzers.rules.config.undeclared_env_var",
    "undertow.analyzers.rules.config.docker_socket_mount",
    "undertow.analyzers.rules.dependencies.unpinned_url_requirement",
    "undertow.analyzers.rules.migrations.common",
    "undertow.analyzers.schema.sql_replay",
    "undertow.analyzers.rules.risky.hardcoded_secret",
    "undertow.analyzers.rules.risky.secret_in_log",
    "undertow.analyzers.rules.risky.orphan_event",
    "undertow.app.publish",
    "undertow.app.handlers.commands",
)
# Patterns the check flags although they are linear, and why.
_LINEAR_ANYWAY = {
    # A start is the beginning of the path or a "/", which the loop cannot cross: each path
    # segment is scanned by one start only.
    "undertow.analyzers.deps.services._DOCKERFILE": "path segments",
    "undertow.analyzers.rules.config.missing_build_path._SCRIPT": "path segments",
    "undertow.analyzers.rules.config.undeclared_env_var._ENV_FILE": "path segments",
    "undertow.analyzers.rules.config.undeclared_env_var._DOCS": "path segments",
    # An attempt fails only when no quote follows its start, so no later attempt starts.
    "undertow.analyzers.schema.sql_replay._QUOTED": "quoted strings",
    # Applied with match() to one stripped line: one start.
    "undertow.analyzers.deps.manifests.setup_cfg._Parser.OPTCRE": "anchored",
}


def _patterns():
    import importlib

    for name in _PATTERN_MODULES:
        module = importlib.import_module(name)
        for attribute, value in sorted(vars(module).items()):
            if isinstance(value, re.Pattern):
                yield f"{name}.{attribute}", value
            elif isinstance(value, type) and value.__module__ == name:
                for inner, pattern in sorted(vars(value).items()):
                    if isinstance(pattern, re.Pattern):
                        yield f"{name}.{attribute}.{inner}", pattern


@pytest.mark.parametrize("name, pattern", list(_patterns()), ids=lambda v: v if isinstance(v, str) else "")
def test_no_pattern_backtracks_super_linearly(name, pattern):
    risks = _backtracking_risks(pattern)
    if name in _LINEAR_ANYWAY:
        assert risks, f"{name} no longer needs its exemption"
    else:
        assert risks == []


def test_the_check_flags_the_former_patterns():
    former = [
        r"(^|\s+)#.*$",
        r"#.*?egg=([A-Za-z0-9_.\-\[\]]+)",
        r"pip3?\s+install\b[^&;|]*?\s(-e\s+)?['\"]?\.(\[[^\]]+\])?['\"]?(\s|$)",
        r"docker[- ]compose\b[^\n]*?(?:\s-f\s*|\s--file[=\s]+)([^\s;&|]+)",
        r"""^\s*\(?\s*"?(\w+)"?\s*(?:::\w+)?\s+IN\s*\((.*)\)\s*\)?\s*$""",
        r"(^|/)(helm|charts|k8s|kubernetes|deploy)/.+\.ya?ml$",
        r"<!-- undertow:fingerprint=(.+?) -->",
        r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$",
        r"(\s+\w+)*x",
    ]
    assert [p for p in former if not _backtracking_risks(re.compile(p))] == []


# A conservative check of a compiled pattern's structure (from `re._parser`), over a sample
# alphabet. It flags: (1) a loop followed, past optional items, by another unbounded loop that
# can take some of the same characters, when something that can fail comes after (every split
# of a run between the two is tried); (2) a loop around a loop that can give characters back;
# (3) in a pattern not anchored at the start, a loop over nearly every character followed by
# something that can fail (each start of a search rescans the rest of the text). Possessive
# loops and atomic groups never give characters back, so they are what the rewrites use.

_ALPHABET = frozenset(string.printable) | {"\x00", "\u00a0", "\u00e9", "\u3000"}
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_ASSERTIONS = (C.AT, C.ASSERT, C.ASSERT_NOT)


def _consumes(items, flags: int) -> frozenset[str]:
    out: set[str] = set()
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL):
            chars = {chr(av), chr(av).lower(), chr(av).upper()} if flags & re.IGNORECASE else {chr(av)}
            out |= chars if op is C.LITERAL else _ALPHABET - chars
        elif op is C.ANY:
            out |= _ALPHABET if flags & re.DOTALL else _ALPHABET - {"\n"}
        elif op is C.IN:
            chars, negate = set(), False
            for kind, value in av:
                if kind is C.NEGATE:
                    negate = True
                elif kind is C.LITERAL:
                    chars.add(chr(value))
                elif kind is C.RANGE:
                    chars |= {c for c in _ALPHABET if value[0] <= ord(c) <= value[1]}
                elif kind is C.CATEGORY:
                    chars |= {c for c in _ALPHABET if re.fullmatch(_CATEGORIES[value], c)}
            out |= _ALPHABET - chars if negate else chars
        elif op in _REPEATS:
            out |= _consumes(av[2], flags)
        elif op is C.SUBPATTERN:
            out |= _consumes(av[3], flags)
        elif op is C.ATOMIC_GROUP:
            out |= _consumes(av, flags)
        elif op is C.BRANCH:
            for alternative in av[1]:
                out |= _consumes(alternative, flags)
        elif op is C.GROUPREF:
            out |= _ALPHABET
    return frozenset(out)


def _nullable(item) -> bool:
    op, av = item
    if op in _ASSERTIONS:
        return True
    if op in _REPEATS:
        return av[0] == 0 or all(map(_nullable, av[2]))
    if op is C.SUBPATTERN:
        return all(map(_nullable, av[3]))
    if op is C.ATOMIC_GROUP:
        return all(map(_nullable, av))
    if op is C.BRANCH:
        return any(all(map(_nullable, alternative)) for alternative in av[1])
    return False


def _can_fail(items) -> bool:
    return any(not _nullable(item) or item[0] in (*_ASSERTIONS, C.GROUPREF) for item in items)


def _loop(item, *, possessive_too: bool = False) -> bool:
    op, av = item
    return op in _REPEATS and av[1] == C.MAXREPEAT and (possessive_too or op is not C.POSSESSIVE_REPEAT)


def _flat(items) -> list:
    out = []
    for op, av in items:
        out += _flat(av[3]) if op is C.SUBPATTERN else [(op, av)]
    return out


def _anchored(items) -> bool:
    items = _flat(items)
    return bool(items) and items[0] == (C.AT, C.AT_BEGINNING)


def _inside(items):
    for op, av in items:
        yield op, av
        children = av[2] if op in _REPEATS else av[3] if op is C.SUBPATTERN else av if op is C.ATOMIC_GROUP else None
        if op is C.BRANCH:
            for alternative in av[1]:
                yield from _inside(alternative)
        elif children is not None:
            yield from _inside(children)


def _backtracking_risks(pattern: re.Pattern) -> list[str]:
    flags, risks = pattern.flags, set()

    def walk(items, after, anchored):
        sequence = _flat(items)
        for index, item in enumerate(sequence):
            op, av = item
            rest = sequence[index + 1 :] + after
            if op in _REPEATS:
                if _loop(item):
                    if any(_loop(inner) for inner in _inside(av[2])):
                        risks.add("a loop around a loop")
                    mine = _consumes([item], flags)
                    for position, other in enumerate(rest):
                        if (
                            _loop(other, possessive_too=True)
                            and mine & _consumes([other], flags)
                            and _can_fail(rest[position + 1 :])
                        ):
                            risks.add("adjacent loops over the same characters")
                            break
                        if not _nullable(other):
                            break
                    if not anchored and len(mine) > 0.8 * len(_ALPHABET) and _can_fail(rest):
                        risks.add("an unanchored loop over nearly everything")
                walk(av[2], [] if op is C.POSSESSIVE_REPEAT else rest, anchored)
            elif op is C.BRANCH:
                for alternative in av[1]:
                    walk(alternative, rest, anchored or _anchored(alternative))
            elif op is C.ATOMIC_GROUP:
                walk(av, [], anchored)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                walk(av[1], [], True)

    tree = list(P.parse(pattern.pattern, flags))
    walk(tree, [], _anchored(tree))
    return sorted(risks)


# -- 4. property-based: no input raises, and the work grows linearly ------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SETTINGS = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _work(fn, *args) -> int:
    """The interpreter events (calls, lines, returns) of ``fn(*args)``: the operation count."""
    events = 0

    def tracer(frame, event, arg):
        nonlocal events
        events += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(previous)
    return events


# Valid samples of each kind, mutated by the strategies below.
_SAMPLES = {
    "requirements": (
        "-r base.txt\n--index-url https://pypi.example/simple\nrequests[socks]>=2.31; python_version >= '3.11'  # web\n"
        "httpx==0.28.1 \\\n    --hash=sha256:aa\n-e git+https://github.com/acme/lib.git@main#egg=lib\n./local\n"
        "pkg @ https://x.example/pkg-1.0.zip#sha256=bb\n"
    ),
    "pyproject": (
        "[project]\nname = 'x'\ndependencies = [\"httpx>=0.27\", 'redis[hiredis]==5.0']\n"
        '[project.optional-dependencies]\ndev = ["pytest"]\n[dependency-groups]\nlint = ["ruff", {include-group = "dev"}]\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nlib = {git = "https://x/y.git", rev = "main"}\n"quoted" = "^1"\n'
    ),
    "setup.cfg": "[metadata]\nname = x\n[options]\ninstall_requires =\n    requests>=2\n    # comment\n    httpx\n[options.extras_require]\ndev = pytest\n",
    "lock": '[[package]]\nname = "Requests"\nversion = "2.32.3"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "idna" }]\n',
    "compose": (
        "x-env: &env [.env]\nservices:\n  web:\n    build: {context: ., dockerfile: docker/web.Dockerfile}\n    env_file: *env\n"
        '    command: ["uvicorn", "app.main:app"]\n    volumes:\n      - ./config/app.ini:/app/app.ini\n      - type: bind\n        source: ./x.conf\n'
        "  worker:\n    image: x\n    command: python -m app.worker\n    env_file:\n      - path: ./w.env\n        required: false\n"
    ),
    "dockerfile": (
        "FROM python:3.12 AS build\nCOPY requirements.txt .\nRUN pip install -r requirements.txt && \\\n    pip install -e '.[dev]'\n"
        'COPY --from=build /w /w\nADD app/ /app/\nCMD ["gunicorn", "app.main:app", "-k", "uvicorn.workers.UvicornWorker"]\n'
        "ENTRYPOINT sh -c 'celery -A app.tasks worker'\n"
    ),
    "env": "# settings\nexport API_KEY=1\nDATABASE_URL = postgres://x\n  REDIS_URL=\n",
    "script": "#!/bin/sh\ndocker compose -f docker-compose.yml up -d\ndocker-compose --file=deploy/prod.yml pull && echo done\n",
    "python": "import subprocess  # undertow: ignore[RSK001, RSK002]\nx = 1  -- undertow: ignore\n",
    "sql": "CREATE TABLE t (status TEXT CHECK (status IN ('a', 'b''c')));\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$;\n",
    "check": "(\"status\"::text IN ('new', 'done'))",
    "comment": "Finding\n\n<!-- undertow:fingerprint=RSK001:a.py:k -->\n/undertow ignore RSK001 flaky\n",
}


def _entry_points():
    from undertow.analyzers.core.suppression import parse_suppressions
    from undertow.analyzers.deps.manifests import parse_manifest
    from undertow.analyzers.deps.manifests.locks import parse_lock
    from undertow.analyzers.deps.services import compose_facts, dockerfile_facts, entry_points
    from undertow.analyzers.rules.config.missing_build_path import _compose_refs, _script_refs
    from undertow.analyzers.rules.config.undeclared_env_var import _documented_names
    from undertow.analyzers.schema.sql_replay import _in_values, split_statements
    from undertow.app.handlers.commands import _COMMAND
    from undertow.app.publish import fingerprints_in

    def dockerfile(text):
        facts = dockerfile_facts("Dockerfile", text)
        return [entry_points(command) for command in facts["commands"]]

    def compose(text):
        return compose_facts("docker-compose.yml", text), _compose_refs("docker-compose.yml", text)

    return {
        "requirements": lambda text: parse_manifest("requirements.txt", text),
        "pyproject": lambda text: parse_manifest("pyproject.toml", text),
        "setup.cfg": lambda text: parse_manifest("setup.cfg", text),
        "lock": parse_lock,
        "compose": compose,
        "dockerfile": dockerfile,
        "env": lambda text: (_documented_names(".env.example", text), _documented_names("README.md", text)),
        "script": lambda text: _script_refs("scripts/run.sh", text),
        "python": lambda text: parse_suppressions(text.splitlines()),
        "sql": split_statements,
        "check": _in_values,
        "comment": lambda text: (fingerprints_in(text), _COMMAND.match(text.strip().split("\n")[0])),
    }


_ENTRY_POINTS = _entry_points()
# What a hostile run is made of: blanks, brackets, quotes, comment and escape characters, NUL,
# a lone surrogate, and the words the patterns look for.
_RUN_UNITS = st.sampled_from(
    [
        " ",
        "\t",
        "\n",
        "#",
        "[",
        "]",
        "{",
        "(",
        ")",
        '"',
        "'",
        "\\",
        "\x00",
        "\ud800",
        "-",
        "=",
        ":",
        ";",
        "&",
        "|",
        "$",
        "é",
        "a",
        "- ",
        "[[",
        "{a=",
        "\\\n",
        "# ",
        "pip install ",
        "docker compose ",
        " -f",
        "egg=",
        "--hash=",
        "IN (",
        "'',",
        "&a ",
        "*a ",
        "? ",
        "${",
        "$$",
        "<!-- undertow:fingerprint=",
        "undertow: ignore[",
        "export ",
        "RUN ",
        '"""',
    ]
)
# Runs of whole items of each kind (many dependencies, lines, services, statements; "{i}" is the
# item's number, so that they differ), drawn as often as all the units above together.
_ITEM_UNITS = {
    "requirements": ["\np{i}==1", "\n-r r{i}.txt", " \\\n", "\ngit+https://x/y{i}#egg=p{i}"],
    "pyproject": ['"p{i}", ', "\np{i} = '1'", "\n[tool.poetry.group.g{i}.dependencies]\np{i} = '1'"],
    "setup.cfg": ["\n    p{i}", "\n    p{i}>=1 # c", "\n[s{i}]\na = 1"],
    "lock": ['\n[[package]]\nname = "p{i}"\nversion = "1"\n', '{{ name = "p{i}" }}, '],
    "compose": ["\n  s{i}: {{build: ., volumes: [./a{i}.txt:/a]}}", "\n      - ./a{i}.ini:/a", "\n- x{i}", "*env, "],
    "dockerfile": ["\nCOPY a{i} b", "\nRUN pip install -r r{i}.txt", '\nCMD ["python", "-m", "a{i}"]', " \\\n  x{i}"],
    "env": ["\nA{i}=1", "\nexport B_{i} = 2", "\n# x{i}"],
    "script": ["\ndocker compose -f a{i}.yml up", " && docker compose -f b{i}.yml"],
    "python": ["\n# undertow: ignore[RSK{i}]", "\nx = {i}"],
    "sql": ["; CREATE TABLE t{i} (a int)", " $$ ", "'a{i}'"],
    "check": ["'a{i}', ", " ", ")"],
    "comment": ["\n<!-- undertow:fingerprint=a{i} -->", "\n"],
}


def _run(unit: str, count: int) -> str:
    # Numbered with a fixed width: every item of a run has the same length.
    return "".join(unit.format(i=f"{i:05d}") for i in range(count)) if "{i}" in unit else unit * count


@st.composite
def _mutation(draw, kind: str):
    """A valid sample of ``kind``, mutated: the texts with a run of k, 2k and 4k units inserted."""
    sample = _SAMPLES[kind]
    for _ in range(draw(st.integers(0, 2))):  # a few small edits first
        at = draw(st.integers(0, len(sample)))
        sample = sample[:at] + draw(st.text(max_size=3)) + sample[at + draw(st.integers(0, 3)) :]
    at = draw(st.integers(0, len(sample)) | st.just(len(sample)))
    unit = draw(_RUN_UNITS | st.sampled_from(_ITEM_UNITS[kind]))
    # A multiple of 12: k, 2k and 4k units then leave the same remainder for any period up to 4
    # or of 6 and 12 (an odd number of quotes is another input than an even one).
    k = 12 * (draw(st.integers(150, 300)) // (12 * len(unit)) + 1)
    return [sample[:at] + _run(unit, n) + sample[at:] for n in (k, 2 * k, 4 * k)]


def _assert_linear(kind: str, texts: list[str]) -> None:
    """The work of k, 2k and 4k units: for a + b*k + c*k**2 events, the second step costs
    2 * (first step) + 6*c*k**2, so a quadratic part shows even when the constant a dominates.
    (When the first step costs nothing or less, the input crossed a limit between k and 2k,
    e.g. the nesting limit: then 4k costs at most about twice 2k.)"""
    parse = _ENTRY_POINTS[kind]
    for text in texts:
        parse(text)  # warm: lazily compiled patterns, caches
    small, middle, large = (_work(parse, text) for text in texts)
    first, second = middle - small, large - middle
    if first > 0:
        assert second <= 2.2 * first + 200, (kind, small, middle, large)
    else:
        assert large <= 2.2 * middle + 200, (kind, small, middle, large)


@pytest.mark.parametrize("kind", sorted(_SAMPLES))
def test_every_parser_reads_its_sample(kind):
    _ENTRY_POINTS[kind](_SAMPLES[kind])


@pytest.mark.parametrize("kind", sorted(_SAMPLES))
def test_mutated_samples_never_raise_and_cost_linear_work(kind):
    @_SETTINGS
    @given(_mutation(kind))
    def check(texts):
        _assert_linear(kind, texts)

    check()


@pytest.mark.parametrize("kind", sorted(_SAMPLES))
def test_random_text_never_raises(kind):
    @settings(max_examples=50, deadline=None, database=None)
    @given(
        st.text(max_size=300) | st.text(alphabet=st.sampled_from(" \t\n#[]{}()\"'\\=:-$;&|\x00\ud800ab"), max_size=300)
    )
    def check(text):
        _ENTRY_POINTS[kind](text)

    check()
