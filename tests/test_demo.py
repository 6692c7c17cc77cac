"""`make demo`'s sample repository produces the review the README shows."""

import json
import subprocess
from pathlib import Path

from undertow.app.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_demo_repository_review(tmp_path, capsys):
    target = tmp_path / "demo"
    subprocess.run([str(ROOT / "examples/demo/build.sh"), str(target)], check=True, capture_output=True)
    assert main(["scan", "--repo", str(target), "--format", "json", "--no-cache"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == [
        ("RSK001", "app/worker/main.py", 19),
        ("RSK003", "app/worker/main.py", 20),
        ("DEP004", "requirements-worker.txt", 2),
    ]
    assert doc["preexisting"] == 1


def test_readme_sample_is_the_demo_output(tmp_path, capsys):
    target = tmp_path / "demo"
    subprocess.run([str(ROOT / "examples/demo/build.sh"), str(target)], check=True, capture_output=True)
    main(["scan", "--repo", str(target), "--no-cache"])
    out = capsys.readouterr().out
    assert out.strip() in (ROOT / "README.md").read_text()


def test_app_demo_posts_a_check_run_and_a_review(tmp_path, capsys):
    import asyncio

    from undertow.app.dev.demo import run

    target = tmp_path / "demo"
    subprocess.run([str(ROOT / "examples/demo/build.sh"), str(target)], check=True, capture_output=True)
    assert asyncio.run(run(target)) == 0
    out = capsys.readouterr().out
    assert out.startswith("POST /webhook (pull_request opened) -> 202")
    assert "== Check run 'Undertow': completed / failure" in out
    assert "== Review (COMMENT) with 3 inline comment(s)" in out
    assert "-- requirements-worker.txt:2" in out
