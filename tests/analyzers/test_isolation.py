"""A failure stays local to the smallest input it concerns; the rest of the review happens."""

import json

from tests.analyzers.rules.schema.fixtures import ALEMBIC_REPO, MODELS_1X, SQL_REPO, revision
from tests.gitrepo import findings, only
from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.engine import review
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import MemoryCache

PEP695_MODELS = MODELS_1X.replace(
    "Base = declarative_base()\n",
    "Base = declarative_base()\ntype JobId = int\ndef first[T](items: list[T]) -> T:\n    return items[0]\n",
)


def test_pep695_model_file_is_read_and_its_drift_found(make_pr, capsys):
    base = {**ALEMBIC_REPO, "app/models.py": PEP695_MODELS}
    pr = {
        "app/models.py": PEP695_MODELS + "    priority = Column(Integer)\n",
        "app/jobs.py": "from app.models import JobId, first, Job\nfrom app.models import nothing_here\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc) == [("DEP002", "app/jobs.py", 2), ("SCH001", "app/models.py", 11)]
    assert only(doc, "DEP002")[0]["message"].startswith(
        "app/jobs.py imports app.models.nothing_here, but app/models.py defines no nothing_here"
    )
    assert doc["stats"]["complete"] is True


def test_pep701_758_750_syntax_is_read_too(make_pr, capsys):
    newer = (
        "import subprocess\n"
        "names = {'a': 1}\n"
        'label = f"{names["a"]}/items"\n'
        "try:\n"
        "    subprocess.run(['ls'])\n"
        "except ValueError, TypeError:\n"
        "    raise\n"
        "template = t'{label}'\n"
    )
    doc = make_pr({}, {"app/new.py": newer, "app/use.py": "from app.new import label, template, missing\n"}).scan_json(
        capsys
    )
    assert findings(doc) == [("RSK001", "app/new.py", 5), ("DEP002", "app/use.py", 1)]
    assert only(doc, "DEP002")[0]["message"].startswith(
        "app/use.py imports app.new.missing, but app/new.py defines no missing"
    )


def test_a_module_no_grammar_reads_exists_with_unknown_content(make_pr, capsys):
    base = {"app/__init__.py": "", "app/legacy.py": "print 'python 2'\nTHING = 1\n"}
    pr = {
        "app/jobs.py": "import subprocess\nfrom app.legacy import THING, OTHER\nsubprocess.run(['ls'])\n",
        "tests/test_jobs.py": "from unittest import mock\n@mock.patch('app.legacy.OTHER')\ndef test_x(m):\n    pass\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    # No DEP002 (the module exists; what it defines is unknown), no TST002, no crash.
    assert findings(doc) == [("RSK001", "app/jobs.py", 3)]
    assert doc["stats"]["complete"] is True


def test_one_alembic_statement_does_not_sink_the_replay(make_pr, capsys):
    pr = {
        "alembic/versions/b1.py": revision(
            "b1",
            "a1",
            "    op.execute('DROP TYPE IF EXISTS mood')\n    table = 'jobs'\n"
            "    op.add_column(table, sa.Column('mystery', sa.Integer()))\n",
        ),
        "alembic/versions/c1.py": revision(
            "c1", "b1", "    op.add_column('jobs', sa.Column('priority', sa.Integer()))\n"
        ),
        "app/models.py": MODELS_1X + "    priority = Column(Integer)\n    owner = Column(String)\n",
    }
    doc = make_pr(ALEMBIC_REPO, pr).scan_json(capsys)
    # c1 after the odd statements is still replayed: priority exists, owner does not.
    assert findings(doc, "SCH001") == [("SCH001", "app/models.py", 9)]
    assert "jobs.owner" in only(doc, "SCH001")[0]["message"]
    assert findings(doc, "UND001") == [("UND001", "alembic/versions/b1.py", 8)]
    assert only(doc, "UND001")[0]["message"] == (
        "alembic/versions/b1.py: op.add_column() names its table with an expression, not a string literal; "
        "its schema change is not modelled"
    )
    assert only(doc, "UND004") == [] and doc["stats"]["complete"] is True


def test_a_deeply_nested_sql_statement_is_a_notice_and_the_next_one_is_replayed(make_pr, capsys):
    deep = "ALTER TABLE videos ADD CONSTRAINT c CHECK (" + "(" * 5000 + "1" + ")" * 5000 + ");\n"
    pr = {
        "migrations/002_deep.sql": deep + "ALTER TABLE videos ADD COLUMN rating INTEGER;\n",
        "app/models.py": SQL_REPO["app/models.py"] + "    rating: Mapped[int | None]\n    stars: Mapped[int | None]\n",
    }
    doc = make_pr(SQL_REPO, pr).scan_json(capsys)
    assert findings(doc, "SCH001") == [("SCH001", "app/models.py", 13)]  # stars; rating was replayed
    assert findings(doc, "UND001") == [("UND001", "migrations/002_deep.sql", 1)]
    assert "nested more than 100 levels deep" in only(doc, "UND001")[0]["message"]
    assert doc["stats"]["complete"] is True


def test_a_sql_migration_over_the_size_limit_is_skipped_with_a_notice(make_pr, capsys):
    big = "-- generated\n" + ("SELECT 1;\n" * 120_000)
    doc = make_pr(SQL_REPO, {"migrations/002_big.sql": big}).scan_json(capsys)
    assert findings(doc) == [("UND003", "migrations/002_big.sql", 1)]
    assert (
        only(doc, "UND003")[0]["message"]
        == "skipped migrations/002_big.sql: it is 1.1 MiB, over the 1 MiB limit per file"
    )


def test_an_extractor_crash_is_und004_on_that_file_and_never_cached(monkeypatch):
    import undertow.analyzers.python.facts as python_facts

    real = python_facts._Extractor.run

    def run(self, tree):
        if self.path == "app/boom.py":
            raise IndexError("extractor bug")
        return real(self, tree)

    monkeypatch.setattr(python_facts._Extractor, "run", run)
    files = {
        "app/__init__.py": "",
        "app/boom.py": "X = 1\n",
        "app/jobs.py": "from app.boom import X\nfrom app.gone import Y\n",
    }
    head = MemorySnapshot(files, "head-sha")
    changes = ChangeSet([ChangedFile("app/jobs.py", Status.ADDED, lines=frozenset({1, 2}))])
    cache = MemoryCache()
    for _ in range(2):  # the second review meets the failure again: nothing incomplete was cached
        report = review(MemorySnapshot({}, "base-sha"), head, changes, Config(), cache=cache)
        assert [(f.rule, f.path, f.line) for f in report.findings] == [
            ("UND004", "app/boom.py", 1),
            ("DEP002", "app/jobs.py", 2),
        ]
        assert report.findings[0].message.startswith(
            "analysis incomplete: the python index failed on app/boom.py (IndexError: extractor bug); what it would "
            "have told the rules about app/boom.py is unknown"
        )
        assert not report.complete


def test_new_syntax_gives_the_facts_of_its_older_spelling():
    """Whatever interpreter runs this, the facts of 3.12/3.14 syntax equal those of the same
    code written for 3.11, line for line (the suite runs under each supported Python)."""
    from undertow.analyzers.python.facts import extract

    pairs = [
        (
            "type Alias = int\ndef f[T](x: T) -> T:\n    return x\nclass C[T](Base):\n    NAME = 'c'\n",
            "Alias = int\ndef f(x: T) -> T:\n    return x\nclass C(Base):\n    NAME = 'c'\n",
        ),
        (
            'from fastapi import APIRouter\nr = APIRouter()\n@r.get(f"{P["x"]}/items")\ndef g():\n    pass\n',
            "from fastapi import APIRouter\nr = APIRouter()\n@r.get(f\"{P['x']}/items\")\ndef g():\n    pass\n",
        ),
        (
            "try:\n    import redis\nexcept ImportError, OSError:\n    redis = None\n",
            "try:\n    import redis\nexcept (ImportError, OSError):\n    redis = None\n",
        ),
        ("r.lpush('jobs', 1)\nmsg = t'{r.rpop(\"jobs\")}'\n", "r.lpush('jobs', 1)\nmsg = (r.rpop(\"jobs\"),)\n"),
        # PEP 701: a replacement field over several lines, and an f-string nested in its own quotes.
        (
            'r.lpush(f"-{\n    PREFIX\n}", 1)\nr.rpop(f"{f"{K}"}")\n',
            'r.lpush(f"""-{\n    PREFIX\n}""", 1)\nr.rpop(f"{f\'{K}\'}")\n',
        ),
    ]
    for newer, older in pairs:
        assert json.dumps(extract("app/m.py", newer), sort_keys=True) == json.dumps(
            extract("app/m.py", older), sort_keys=True
        )


def test_a_changed_file_whose_object_is_missing_is_a_notice(make_pr, capsys):
    from tests.gitrepo import blob_oid, drop_object

    repo = make_pr(
        {"app/__init__.py": ""},
        {
            "app/big.py": "import subprocess\nsubprocess.run(['a'])\n",
            "app/jobs.py": "import subprocess\nsubprocess.run(['b'])\n",
        },
    )
    oid = blob_oid(repo, "HEAD", "app/big.py")
    drop_object(repo, oid)
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("UND003", "app/big.py", 1), ("RSK001", "app/jobs.py", 2)]
    assert only(doc, "UND003")[0]["message"] == (
        f"skipped app/big.py: its content (object {oid[:12]}) is not in this clone, so no rule could read it"
    )


def test_a_file_whose_diff_github_omitted_is_a_notice_not_a_silent_pass():
    from undertow.app.github_data import changed_file

    omitted = changed_file({"filename": "app/jobs.py", "status": "modified"})
    broken = changed_file({"filename": "app/other.py", "status": "modified", "patch": "not a hunk"})
    assert (omitted.lines, omitted.unknown_lines) == (frozenset(), "GitHub did not send its diff (binary or too large)")
    assert broken.unknown_lines == "GitHub's diff of it could not be read (expected a hunk header, got b'not a hunk')"
    files = {"app/jobs.py": "import subprocess\nsubprocess.run(['a'])\n", "app/other.py": "x = 1\n"}
    report = review(MemorySnapshot(files, "b"), MemorySnapshot(files, "h"), ChangeSet([omitted, broken]), Config())
    assert [(f.rule, f.path, f.message) for f in report.findings] == [
        (
            "UND003",
            "app/jobs.py",
            "app/jobs.py was not reviewed line by line: GitHub did not send its diff (binary or too large)",
        ),
        (
            "UND003",
            "app/other.py",
            "app/other.py was not reviewed line by line: GitHub's diff of it could not be read "
            "(expected a hunk header, got b'not a hunk')",
        ),
    ]
    assert report.preexisting == 1  # the subprocess call, which no changed line is known to touch
