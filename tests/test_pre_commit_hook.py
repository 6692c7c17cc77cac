""".pre-commit-hooks.yaml: each hook's entry, run as pre-commit runs it (the entry split like a
shell would, no file names, from the repository's top level), in a clone whose branch tracks
origin/main; and the same entry as a real git pre-commit hook, inside `git commit`."""

import os
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.gitrepo import Repo

ROOT = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
BY_ID = {hook["id"]: hook for hook in HOOKS}

PIN = "mylib @ git+https://github.com/acme/mylib.git@main\n"  # DEP004 (error) on line 1
JOB = "import subprocess\n\n\ndef encode(src):\n    subprocess.run(['ffmpeg', src])\n"  # RSK001 (warning) on line 5

RSK001 = [
    "app/jobs.py",
    "  5: warning RSK001 subprocess-without-timeout",
    "      subprocess.run() has no timeout: if the child process hangs, this call blocks for ever and holds the "
    "worker with it; pass timeout=<seconds> and handle subprocess.TimeoutExpired",
    "      suggested replacement:",
    "            subprocess.run(['ffmpeg', src], timeout=60)",
    "",
]
DEP004 = [
    "requirements.txt",
    "  1: error DEP004 unpinned-url-requirement",
    "      requirements.txt installs mylib from git+https://github.com/acme/mylib.git@main: @main is a branch or "
    "tag, which can move to other code; pin the URL to a 40-hex commit sha (@<sha>) or add the archive's "
    "#sha256= hash",
    "",
]


def undertow() -> str:
    """The `undertow` script of the interpreter running the tests (.venv/bin/undertow)."""
    script = Path(sys.executable).parent / "undertow"
    assert script.exists(), f"{script} is missing: `make .venv/.installed`"
    return str(script)


def argv(hook_id: str) -> list[str]:
    """The command pre-commit runs for a hook: its entry, shlex-split, then its args (none here)."""
    command = shlex.split(BY_ID[hook_id]["entry"]) + BY_ID[hook_id].get("args", [])
    assert command[0] == "undertow"
    return [undertow(), *command[1:]]


def run(hook_id: str, repo: Repo) -> tuple[int, list[str]]:
    proc = subprocess.run(argv(hook_id), cwd=repo.path, capture_output=True, text=True, timeout=120)
    assert proc.stderr == ""
    return proc.returncode, proc.stdout.splitlines()


@pytest.fixture
def clone(tmp_path) -> Repo:
    """A clone of a bare "origin" whose main holds a small service; the checked-out branch
    `work` tracks origin/main."""
    seed = Repo(tmp_path / "seed")
    seed.commit({"app/__init__.py": "", "app/models.py": "x = 1\n", "requirements.txt": "httpx==0.27.0\n"}, "base")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed.path), str(bare)], check=True)
    subprocess.run(["git", "clone", "-q", str(bare), str(tmp_path / "clone")], check=True)
    repo = Repo(tmp_path / "clone")
    repo.git("checkout", "-q", "-b", "work", "--track", "origin/main")
    assert repo.git("rev-parse", "--abbrev-ref", "@{upstream}").strip() == "origin/main"
    return repo


# -- the manifest --------------------------------------------------------------------------------


def test_manifest_declares_the_two_hooks():
    assert [hook["id"] for hook in HOOKS] == ["undertow", "undertow-push"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for hook in HOOKS:
        assert hook["language"] == "python"  # pre-commit pip-installs this repository: the `undertow` script
        assert shlex.split(hook["entry"])[0] in scripts
        # The whole change is reviewed, never a file list; on every commit (a deletion too), one at a time.
        assert hook["pass_filenames"] is False
        assert hook["always_run"] is True
        assert hook["require_serial"] is True
        assert "files" not in hook and "types" not in hook
        assert hook["minimum_pre_commit_version"] == "3.2.0"  # the stage names below
    assert BY_ID["undertow"]["stages"] == ["pre-commit"]
    assert BY_ID["undertow-push"]["stages"] == ["pre-push"]
    assert shlex.split(BY_ID["undertow"]["entry"]) == [
        "undertow",
        "scan",
        "--head",
        "INDEX",
        "--base",
        "UPSTREAM",
        "--fail-on",
        "error",
    ]
    assert shlex.split(BY_ID["undertow-push"]["entry"]) == [
        "undertow",
        "scan",
        "--head",
        "HEAD",
        "--base",
        "UPSTREAM",
        "--fail-on",
        "error",
    ]


def test_docs_show_the_hook_ids_and_the_manifest_rev():
    doc = (ROOT / "docs" / "pre-commit.md").read_text()
    for text in ("id: undertow\n", "id: undertow-push", "SKIP=undertow", "undertow: ignore[", "--base UPSTREAM"):
        assert text in doc


# -- the pre-commit hook: the staged change ------------------------------------------------------


def test_staged_change_with_findings_fails_the_hook(clone):
    clone.write({"app/jobs.py": JOB, "requirements.txt": PIN})
    clone.git("add", "app/jobs.py", "requirements.txt")
    clone.write({"app/jobs.py": "x = 1\n", "requirements.txt": "mylib==1.0\n"})  # unstaged fixes do not count
    assert run("undertow", clone) == (1, [*RSK001, *DEP004, "1 error, 1 warning, 0 notices in 2 changed files"])


def test_a_warning_alone_passes_the_hook_and_is_printed(clone):
    clone.write({"app/jobs.py": JOB})
    clone.git("add", "app/jobs.py")
    assert run("undertow", clone) == (0, [*RSK001, "0 errors, 1 warning, 0 notices in 1 changed file"])


def test_a_clean_staged_change_passes(clone):
    clone.write({"app/models.py": "x = 2\n", "app/jobs.py": JOB})  # jobs.py is not staged
    clone.git("add", "app/models.py")
    assert run("undertow", clone) == (0, ["no new findings in 1 changed file"])


def test_the_hook_runs_inside_git_commit(clone):
    # The entry as the repository's own pre-commit hook: git runs it with GIT_INDEX_FILE naming the
    # index the commit is made from (.git/index.lock, or another file for `commit -a`).
    hook = clone.path / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {shlex.join(argv('undertow'))}\n")
    hook.chmod(0o755)
    clone.write({"requirements.txt": PIN})
    clone.git("add", "requirements.txt")
    commit = subprocess.run(
        ["git", "-C", str(clone.path), "commit", "-q", "-m", "pin"],
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "T"}
        | {"GIT_COMMITTER_EMAIL": "t@x"},
    )
    assert commit.returncode == 1
    # git shows a hook's standard output on its standard error.
    assert commit.stderr.splitlines() == [*DEP004, "1 error, 0 warnings, 0 notices in 1 changed file"]
    assert clone.git("rev-parse", "HEAD") == clone.git("rev-parse", "origin/main")  # nothing was committed
    # `git commit -a` commits the working tree's tracked files: the hook reviews that index.
    clone.write({"requirements.txt": "mylib==1.0\n"})
    clone.git("commit", "-q", "-a", "-m", "pinned")
    assert clone.git("show", "HEAD:requirements.txt") == "mylib==1.0\n"


# -- the pre-push hook: the commits to push ------------------------------------------------------


def test_push_hook_reviews_the_commits_the_upstream_lacks(clone):
    clone.commit({"requirements.txt": PIN}, "pin")
    clone.write({"app/jobs.py": JOB})
    clone.git("add", "app/jobs.py")  # staged, not committed: not part of a push
    assert run("undertow-push", clone) == (1, [*DEP004, "1 error, 0 warnings, 0 notices in 1 changed file"])
    clone.git("push", "-q", "origin", "HEAD:main")  # origin/main moves on: nothing left to push
    assert run("undertow-push", clone) == (0, ["no new findings in 0 changed files"])
    # The commit hook now reviews only what is staged: the pushed pin is the upstream's.
    assert run("undertow", clone) == (0, [*RSK001, "0 errors, 1 warning, 0 notices in 1 changed file"])


def test_a_branch_without_upstream_is_reviewed_against_the_default_branch(clone):
    clone.git("checkout", "-q", "-b", "topic", "--no-track", "origin/main")
    clone.commit({"requirements.txt": PIN}, "pin")
    assert run("undertow-push", clone) == (1, [*DEP004, "1 error, 0 warnings, 0 notices in 1 changed file"])
