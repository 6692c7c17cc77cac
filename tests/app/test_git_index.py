"""`--head INDEX` in app.git: the staged change (what `git commit` would commit), read from the
index's tree in the object store, never from the working-tree files; and `--base UPSTREAM`."""

import os
import subprocess

import pytest

from tests.gitrepo import Repo, findings
from undertow.analyzers.core.changes import ChangedFile, Status
from undertow.app.cli import main
from undertow.app.git import INDEX, UPSTREAM, WORKTREE, GitError, GitRepo

CALL = 'import subprocess\nsubprocess.run(["x"])\n'  # RSK001 on line 2


def scan_error(repo: Repo, capsys, *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `undertow scan` in ``repo``."""
    code = main(["scan", "--repo", str(repo.path), "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def changes(repo: Repo, head: str = INDEX, base: str = "HEAD") -> dict[str, ChangedFile]:
    with GitRepo(repo.path) as git:
        return {f.path: f for f in git.changes(git.resolve(base), head).files}


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "r")
    repo.commit({"a.py": "x = 1\n", "b.py": "y = 1\n", "gone.py": "z = 1\n", "kept.py": "k = 1\n"})
    return repo


def test_index_is_the_staged_change_not_the_working_tree(repo, capsys):
    repo.write({"a.py": "x = 1\n" + CALL, "new.py": CALL})
    repo.git("add", "a.py", "new.py")
    repo.git("rm", "-q", "gone.py")
    # Not staged: a.py edited again (the call removed), b.py edited, kept.py deleted, an untracked file.
    repo.write({"a.py": "x = 1\n", "b.py": "y = 1\n" + CALL, "kept.py": None, "untracked.py": CALL})
    assert changes(repo) == {
        "a.py": ChangedFile("a.py", Status.MODIFIED, lines=frozenset({2, 3})),
        "new.py": ChangedFile("new.py", Status.ADDED, lines=frozenset({1, 2})),
        "gone.py": ChangedFile("gone.py", Status.REMOVED),
    }
    with GitRepo(repo.path) as git:
        index = git.snapshot(INDEX)
        assert index.read("a.py") == ("x = 1\n" + CALL).encode()  # the staged blob, not the file
        assert index.read("kept.py") == b"k = 1\n"  # deleted on disk only: still staged
        assert sorted(index.entries()) == ["a.py", "b.py", "kept.py", "new.py"]
        assert index.read("b.py") == b"y = 1\n"
    doc = repo.scan_json(capsys, "--head", INDEX, "--base", "HEAD")
    assert doc["head"] == INDEX
    assert findings(doc) == [("RSK001", "a.py", 3), ("RSK001", "new.py", 2)]
    # The working tree has the opposite: b.py's and untracked.py's calls, not a.py's.
    doc = repo.scan_json(capsys, "--head", WORKTREE, "--base", "HEAD")
    assert findings(doc) == [("RSK001", "b.py", 3), ("RSK001", "new.py", 2), ("RSK001", "untracked.py", 2)]


def test_index_snapshot_is_the_tree_git_write_tree_gives(repo):
    repo.write({"a.py": "x = 2\n"})
    repo.git("add", "a.py")
    with GitRepo(repo.path) as git:
        snapshot = git.snapshot(INDEX)
        assert snapshot.revision == git.index_tree() == repo.git("write-tree").strip()
        assert repo.git("cat-file", "-t", snapshot.revision).strip() == "tree"


def test_nothing_staged_is_an_empty_change(repo, capsys):
    repo.write({"a.py": CALL})  # unstaged only
    assert changes(repo) == {}
    code, out = repo.scan("--head", INDEX, "--base", "HEAD", capsys=capsys)
    assert (code, out) == (0, "no new findings in 0 changed files\n")


def test_intent_to_add_entries_are_not_staged_content(repo, capsys):
    repo.write({"later.py": CALL, "a.py": "x = 1\n" + CALL})
    repo.git("add", "-N", "later.py")
    repo.git("add", "a.py")
    # `git commit` would commit a.py only: an intent-to-add entry has no staged content.
    assert changes(repo) == {"a.py": ChangedFile("a.py", Status.MODIFIED, lines=frozenset({2, 3}))}
    with GitRepo(repo.path) as git:
        assert "later.py" not in git.snapshot(INDEX).entries()
    assert findings(repo.scan_json(capsys, "--head", INDEX, "--base", "HEAD")) == [("RSK001", "a.py", 3)]
    assert findings(repo.scan_json(capsys, "--head", WORKTREE, "--base", "HEAD")) == [
        ("RSK001", "a.py", 3),
        ("RSK001", "later.py", 2),
    ]


def test_unmerged_paths_are_a_clear_error(repo, capsys):
    repo.branch("other")
    repo.commit({"a.py": "x = 2\n", "b.py": "y = 2\n"})
    repo.git("checkout", "-q", "main")
    repo.commit({"a.py": "x = 3\n", "b.py": "y = 3\n"})
    merge = subprocess.run(["git", "-C", str(repo.path), "merge", "-q", "other"], capture_output=True)
    assert merge.returncode != 0  # the merge stops on the conflicts
    with GitRepo(repo.path) as git, pytest.raises(GitError) as raised:
        git.index_tree()
    message = (
        "--head INDEX: the index has unmerged paths (a.py, b.py): resolve the conflict and `git add` them "
        "first, there is no staged change to review until then"
    )
    assert str(raised.value) == message
    assert scan_error(repo, capsys, "--head", INDEX, "--base", "main") == (2, "", f"undertow: {message}\n")


def test_a_repository_without_commits_has_no_base(tmp_path, capsys):
    repo = Repo(tmp_path / "new")
    repo.write({"a.py": CALL})
    repo.git("add", "a.py")
    message = (
        "undertow: no base to review --head INDEX against: HEAD has no commit yet (a new repository or an "
        "orphan branch), so there is no merge base; make the first commit without the review "
        "(in a pre-commit hook: SKIP=undertow git commit)\n"
    )
    for args in ((), ("--base", UPSTREAM), ("--base", "main")):
        assert scan_error(repo, capsys, "--head", INDEX, *args) == (2, "", message)
    with GitRepo(repo.path) as git:
        assert git.head_commit() is None


def test_index_is_read_without_locking_or_rewriting_it(repo, capsys):
    repo.write({"a.py": "x = 1\n" + CALL})
    repo.git("add", "a.py")
    index = repo.path / ".git" / "index"
    before = index.read_bytes()
    (repo.path / ".git" / "index.lock").write_bytes(b"")  # another git command (an editor for `git commit`)
    doc = repo.scan_json(capsys, "--head", INDEX, "--base", "HEAD")
    assert findings(doc) == [("RSK001", "a.py", 3)]
    assert index.read_bytes() == before
    assert (repo.path / ".git" / "index.lock").read_bytes() == b""


def test_index_file_named_by_git_for_its_hooks(repo, capsys, monkeypatch, tmp_path):
    # `git commit -a` or `git commit PATH` runs the pre-commit hook on another index file, named
    # in GIT_INDEX_FILE: that is what will be committed.
    repo.write({"a.py": "x = 1\n" + CALL, "b.py": "y = 1\n" + CALL})
    repo.git("add", "a.py")
    other = tmp_path / "next-index"
    subprocess.run(
        ["git", "-C", str(repo.path), "add", "b.py"],
        check=True,
        env={**os.environ, "GIT_INDEX_FILE": str(other)},
    )
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    assert findings(repo.scan_json(capsys, "--head", INDEX, "--base", "HEAD")) == [("RSK001", "b.py", 3)]
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert findings(repo.scan_json(capsys, "--head", INDEX, "--base", "HEAD")) == [("RSK001", "a.py", 3)]


def test_a_bare_repository_has_no_index(repo, tmp_path, capsys):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    with GitRepo(bare) as git, pytest.raises(GitError, match="bare repository, which has no index"):
        git.index_tree()


def test_index_merge_base_is_of_head(repo, capsys):
    repo.branch("pr")
    repo.commit({"c.py": CALL})
    repo.git("checkout", "-q", "main")
    repo.commit({"d.py": CALL})  # main moves on: not part of the branch's review
    repo.git("checkout", "-q", "pr")
    repo.write({"e.py": CALL})
    repo.git("add", "e.py")
    doc = repo.scan_json(capsys, "--head", INDEX)
    assert findings(doc) == [("RSK001", "c.py", 2), ("RSK001", "e.py", 2)]
    assert doc["base"] == repo.git("merge-base", "main", "HEAD").strip()


# -- --base UPSTREAM ----------------------------------------------------------------------------


def _clone_with_upstream(tmp_path) -> tuple[Repo, Repo]:
    origin = Repo(tmp_path / "work-origin")
    origin.commit({"a.py": "x = 1\n"}, "base")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(origin.path), str(bare)], check=True)
    subprocess.run(["git", "clone", "-q", str(bare), str(tmp_path / "clone")], check=True)
    return origin, Repo(tmp_path / "clone")  # Repo() re-inits a clone harmlessly


def test_base_upstream_is_the_branch_upstream_else_the_default(tmp_path):
    _origin, clone = _clone_with_upstream(tmp_path)
    main_sha = clone.git("rev-parse", "origin/main").strip()
    clone.git("checkout", "-q", "-b", "feature")  # tracks nothing yet
    first = clone.commit({"b.py": "y = 1\n"})
    with GitRepo(clone.path) as git:
        assert git.upstream() is None
        assert git.base_ref(UPSTREAM) == git.base_ref(None) == main_sha
    clone.git("push", "-q", "-u", "origin", "feature")
    clone.commit({"c.py": "z = 1\n"})
    with GitRepo(clone.path) as git:
        assert git.upstream() == first
        assert git.base_ref(UPSTREAM) == first
        assert git.base_ref(None) == main_sha  # the default is unchanged: origin/HEAD
        assert git.base_ref("main") == main_sha
    clone.git("checkout", "-q", "--detach")
    with GitRepo(clone.path) as git:
        assert git.upstream() is None
        assert git.base_ref(UPSTREAM) == main_sha


def test_a_merge_in_progress_is_reviewed_from_the_merge_commit_base(repo, capsys):
    repo.branch("pr")
    repo.commit({"c.py": CALL}, "the branch's work")
    repo.git("checkout", "-q", "main")
    repo.commit({"d.py": CALL}, "main moves on")
    repo.git("checkout", "-q", "pr")
    repo.git("merge", "-q", "--no-commit", "--no-ff", "main")  # staged, about to be committed
    with GitRepo(repo.path) as git:
        assert git.merging() == [repo.git("rev-parse", "main").strip()]
    # The commit that concludes the merge has main as a parent: main's own d.py is not the branch's.
    doc = repo.scan_json(capsys, "--head", INDEX)
    assert doc["base"] == repo.git("rev-parse", "main").strip()
    assert findings(doc) == [("RSK001", "c.py", 2)]
    repo.git("merge", "--abort")
    with GitRepo(repo.path) as git:
        assert git.merging() == []
