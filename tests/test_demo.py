"""`make demo`'s sample repository produces the review the README shows."""

import json
import subprocess
from pathlib import Path

from undertow.app.cli import main

ROOT = Path(__file__).resolve().parent.parent

# The sample pull request (examples/demo/pr on top of examples/demo/base): a new model column
# without its Alembic revision, worker code importing a package only the web image installs, an
# ffmpeg call without a timeout whose failure is swallowed, and a requirement from a git branch.
FINDINGS = [
    ("SCH001", "app/models.py", 22),
    ("RSK001", "app/worker/main.py", 27),
    ("RSK003", "app/worker/main.py", 28),
    ("DEP001", "app/worker/notify.py", 3),
    ("DEP004", "requirements/worker.txt", 4),
]
ADD_COLUMN = 'op.add_column("jobs", sa.Column("callback_url", sa.Text(), nullable=True))'


def build(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    subprocess.run([str(ROOT / "examples/demo/build.sh"), str(target)], check=True, capture_output=True)
    return target


def test_demo_repository_review(tmp_path, capsys):
    target = build(tmp_path)
    assert main(["scan", "--repo", str(target), "--format", "json", "--no-cache"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == FINDINGS
    by_rule = {f["rule"]: f for f in doc["findings"]}
    schema = by_rule["SCH001"]
    # An Alembic repository: the message names the revision's op.add_column, the suggestion's text.
    assert schema["message"] == (
        "jobs.callback_url is mapped by Job here, but none of the 2 migrations in alembic/versions/ creates it; "
        f"add to a new revision's upgrade(): {ADD_COLUMN}"
    )
    assert schema["suggestion"]["text"] == ADD_COLUMN
    deps = by_rule["DEP001"]
    assert deps["message"].startswith(
        "app/worker/notify.py imports httpx, reached from docker/worker.Dockerfile (it runs app.worker.main); "
        "requirements/worker.txt does not declare httpx (requirements/web.txt has httpx==0.28.1)"
    )
    assert deps["suggestion"] == {
        "kind": "snippet",
        "text": "httpx==0.28.1",
        "description": "add to requirements/worker.txt",
    }
    assert doc["preexisting"] == 1  # app/web/health.py's check_output without a timeout, already on main


def test_demo_text_review_shows_the_suggestions(tmp_path, capsys):
    target = build(tmp_path)
    assert main(["scan", "--repo", str(target), "--no-cache"]) == 1
    out = capsys.readouterr().out
    # The migration is in SCH001's message, once (not again as a "suggested addition" block).
    assert f"add to a new revision's upgrade(): {ADD_COLUMN}\n      fix: " in out
    assert out.count(ADD_COLUMN) == 1
    assert "      suggested addition:\n        httpx==0.28.1\n" in out
    assert out.rstrip().endswith(
        # git diff --stat main...feature/transcode of the built sample: 7 files changed.
        "3 errors, 2 warnings, 0 notices in 7 changed files; 1 pre-existing (not from this change)"
    )


def test_readme_sample_is_the_demo_output(tmp_path, capsys):
    target = build(tmp_path)
    main(["scan", "--repo", str(target), "--no-cache"])
    out = capsys.readouterr().out
    assert out.strip() in (ROOT / "README.md").read_text()


def test_app_demo_posts_a_check_run_and_a_review(tmp_path, capsys):
    import asyncio

    from undertow.app.dev.demo import run

    target = build(tmp_path)
    assert asyncio.run(run(target)) == 0
    out = capsys.readouterr().out
    assert out.startswith("POST /webhook (pull_request opened) -> 202")
    assert "== Check run 'Undertow': completed / failure" in out
    assert "   3 errors, 2 warnings\n" in out
    level = {"SCH001": "failure", "RSK001": "warning", "RSK003": "warning", "DEP001": "failure", "DEP004": "failure"}
    annotations = [line.split()[:3] for line in out.splitlines() if line.startswith("   [")]
    assert annotations == [[f"[{level[rule]}]", f"{path}:{line}", rule] for rule, path, line in FINDINGS]
    assert "== Review (COMMENT) with 5 inline comment(s)" in out
    comments = out.split("\n-- ")[1:]
    assert [c.split("\n", 1)[0] for c in comments] == [f"{path}:{line}" for _rule, path, line in FINDINGS]
    schema = next(c for c in comments if c.startswith("app/models.py:22\n"))
    assert "SCH001 model-without-migration (error)" in schema
    assert f"Suggested (the migration this column needs):\n\n{ADD_COLUMN}" in schema
    # "Why it matters" is the rule's, about any table: nothing from its docstring's example.
    assert "the first query that touches the column fails: column <table>.<column> does not exist." in schema
    assert "sermon" not in out
    deps = next(c for c in comments if c.startswith("app/worker/notify.py:3\n"))
    assert "DEP001 missing-requirement (error)" in deps
    assert "reached from docker/worker.Dockerfile" in deps and "requirements/worker.txt does not declare httpx" in deps
    assert "Suggested (add to requirements/worker.txt):\n\nhttpx==0.28.1" in deps
