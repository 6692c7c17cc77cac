"""`undertow scan --head INDEX` (the staged change) and `--base UPSTREAM`: output, exit statuses, help."""

import json
import subprocess

import pytest

from tests.gitrepo import Repo, findings
from undertow.app.cli import main

PIN = "mylib @ git+https://github.com/acme/mylib.git@main\n"  # DEP004 (error) on line 1
JOB = "import subprocess\n\n\ndef encode(src):\n    subprocess.run(['ffmpeg', src])\n"  # RSK001 on line 5


def staged_repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "r")
    repo.commit({"app/__init__.py": "", "README.md": "hi\n"}, "base")
    repo.write({"requirements.txt": PIN, "app/jobs.py": JOB})
    repo.git("add", "requirements.txt", "app/jobs.py")
    # The working tree differs from what is staged: the pin is fixed on disk, not in the index.
    repo.write({"requirements.txt": "mylib==1.0\n", "app/jobs.py": "x = 1\n"})
    return repo


def test_text_output_of_the_staged_change(tmp_path, capsys):
    repo = staged_repo(tmp_path)
    code, out = repo.scan("--head", "INDEX", capsys=capsys)
    assert code == 1  # DEP004 is an error, in the staged requirements.txt
    assert out.splitlines() == [
        "app/jobs.py",
        "  5: warning RSK001 subprocess-without-timeout",
        "      subprocess.run() has no timeout: if the child process hangs, this call blocks for ever and holds the "
        "worker with it; pass timeout=<seconds> and handle subprocess.TimeoutExpired",
        "      suggested replacement:",
        "            subprocess.run(['ffmpeg', src], timeout=60)",
        "",
        "requirements.txt",
        "  1: error DEP004 unpinned-url-requirement",
        "      requirements.txt installs mylib from git+https://github.com/acme/mylib.git@main: @main is a "
        "branch or tag, which can move to other code; pin the URL to a 40-hex commit sha (@<sha>) or add the "
        "archive's #sha256= hash",
        "",
        "1 error, 1 warning, 0 notices in 2 changed files",
    ]
    assert repo.scan("--head", "INDEX", "--fail-on", "never", capsys=capsys)[0] == 0
    # The working tree is what is on disk: no finding there.
    assert repo.scan("--head", "WORKTREE", capsys=capsys) == (0, "no new findings in 2 changed files\n")


def test_json_and_sarif_name_the_index_as_head(tmp_path, capsys):
    repo = staged_repo(tmp_path)
    doc = repo.scan_json(capsys, "--head", "INDEX")
    assert doc["head"] == "INDEX"
    assert doc["base"] == repo.git("rev-parse", "main").strip()
    assert findings(doc) == [("RSK001", "app/jobs.py", 5), ("DEP004", "requirements.txt", 1)]
    assert doc["stats"]["files_changed"] == 2
    code, out = repo.scan("--head", "INDEX", "--format", "sarif", "--fail-on", "never", capsys=capsys)
    run = json.loads(out)["runs"][0]
    assert "versionControlProvenance" not in run  # a tree, not a commit GitHub could link to
    assert run["properties"]["head"] == "INDEX"


def test_the_index_is_cached_by_its_tree_and_a_new_staging_is_a_new_tree(tmp_path, capsys):
    repo = staged_repo(tmp_path)
    args = ["scan", "--repo", str(repo.path), "--head", "INDEX", "--format", "json"]
    assert main(args) == 1
    first = json.loads(capsys.readouterr().out)
    assert (tmp_path / "cache").is_dir()
    assert main(args) == 1
    again = json.loads(capsys.readouterr().out)
    assert findings(again) == findings(first) == [("RSK001", "app/jobs.py", 5), ("DEP004", "requirements.txt", 1)]
    repo.git("add", "requirements.txt")  # the fixed pin is staged now
    assert main(args) == 0
    assert findings(json.loads(capsys.readouterr().out)) == [("RSK001", "app/jobs.py", 5)]


def test_base_upstream_reviews_what_the_upstream_lacks(tmp_path, capsys):
    seed = Repo(tmp_path / "seed")
    seed.commit({"app/__init__.py": ""}, "base")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed.path), str(bare)], check=True)
    subprocess.run(["git", "clone", "-q", str(bare), str(tmp_path / "clone")], check=True)
    repo = Repo(tmp_path / "clone")
    repo.branch("feature")
    repo.commit({"app/pushed.py": JOB}, "pushed")
    repo.git("push", "-q", "-u", "origin", "feature")  # feature now tracks origin/feature
    repo.write({"app/staged.py": JOB})
    repo.git("add", "app/staged.py")
    upstream = findings(repo.scan_json(capsys, "--head", "INDEX", "--base", "UPSTREAM"))
    assert upstream == [("RSK001", "app/staged.py", 5)]
    # The default base stays the remote default branch: the whole branch is reviewed.
    assert findings(repo.scan_json(capsys, "--head", "INDEX")) == [
        ("RSK001", "app/pushed.py", 5),
        ("RSK001", "app/staged.py", 5),
    ]
    doc = repo.scan_json(capsys, "--head", "HEAD", "--base", "UPSTREAM")
    assert findings(doc) == [] and doc["stats"]["files_changed"] == 0  # everything committed is pushed


def test_help_names_the_pseudo_revisions(capsys):
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "INDEX: the staged change, what `git commit` would commit" in text
    assert "UPSTREAM: the current branch's upstream (@{upstream}) when it has one, else that default" in text
