"""app.git on real repositories: git is told to show the bytes, names of any bytes, exact
change sets, and clones that lack some objects."""

import os
import shutil
import subprocess

import pytest

from tests.gitrepo import Repo, blob_oid, drop_object, findings, pr_repo
from undertow.analyzers.core.changes import ChangedFile, Status
from undertow.app.git import WORKTREE, GitError, GitRepo, _user_safe_directories

CALL = 'import subprocess\nsubprocess.run(["x"])\n'  # RSK001 on line 2
PIN = "mylib @ git+https://github.com/acme/mylib.git@main\n"  # DEP004 on line 1


def changes(repo: Repo, base: str = "main", head: str = "HEAD") -> dict[str, ChangedFile]:
    with GitRepo(repo.path) as git:
        head_rev = head if head == WORKTREE else git.resolve(head)
        return {f.path: f for f in git.changes(git.merge_base(git.resolve(base), git.resolve("HEAD")), head_rev).files}


# -- git is told to show the bytes ----------------------------------------------------------------


def test_attributes_that_hide_a_diff_do_not_hide_the_change(make_pr, capsys):
    repo = make_pr(
        {"README.md": "hi\n"},
        {
            ".gitattributes": "*.py -diff\n*.txt binary\n*.cfg diff=hide\n",
            "app/jobs.py": "import subprocess\n\n\ndef encode(src):\n    subprocess.run(['ffmpeg', src])\n",
            "requirements.txt": PIN,
        },
    )
    repo.git("config", "diff.hide.textconv", "true")  # a textconv that would show nothing
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("RSK001", "app/jobs.py", 5), ("DEP004", "requirements.txt", 1)]
    assert changes(repo)["requirements.txt"] == ChangedFile("requirements.txt", Status.ADDED, lines=frozenset({1}))


def test_repository_config_and_environment_that_change_diff_output_are_overridden(
    make_pr, capsys, monkeypatch, tmp_path
):
    repo = make_pr({"a.py": "x = 1\ny = 2\n"}, {"a.py": "x = 1\n" + CALL, "a/b.py": CALL})
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.external", "false"),
        ("color.ui", "always"),
        ("diff.relative", "true"),
        ("core.quotePath", "true"),
        ("diff.context", "7"),
        ("diff.interHunkContext", "9"),
        ("diff.orderFile", "/nonexistent"),
        ("diff.submodule", "log"),
        ("diff.renames", "false"),
    ]:
        repo.git("config", key, value)
    monkeypatch.setenv("GIT_DIFF_OPTS", "--unified=5")
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "false")
    home = tmp_path / "home"
    (home / ".config/git").mkdir(parents=True)
    (home / "attributes").write_text("*.py -diff\n")
    (home / ".gitconfig").write_text(f"[core]\n\tattributesFile = {home / 'attributes'}\n[diff]\n\tnoprefix = true\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    assert changes(repo) == {
        "a.py": ChangedFile("a.py", Status.MODIFIED, lines=frozenset({2, 3})),
        "a/b.py": ChangedFile("a/b.py", Status.ADDED, lines=frozenset({1, 2})),
    }
    assert findings(repo.scan_json(capsys)) == [("RSK001", "a.py", 3), ("RSK001", "a/b.py", 2)]


def test_every_git_command_ignores_user_config_and_never_fetches(tmp_path):
    repo = Repo(tmp_path / "r")
    repo.commit({"a.py": "x\n"})
    git = GitRepo(repo.path)
    argv = git.command("diff")
    assert ["-c", "core.attributesFile=/dev/null"] == argv[argv.index("core.attributesFile=/dev/null") - 1 :][:2]
    assert "core.quotePath=false" in argv and "diff.noprefix=false" in argv
    from undertow.app.git import _git_env

    env = _git_env()
    assert (
        env["GIT_CONFIG_GLOBAL"] == os.devnull and env["GIT_CONFIG_NOSYSTEM"] == "1" and env["GIT_ATTR_NOSYSTEM"] == "1"
    )
    assert env["GIT_NO_LAZY_FETCH"] == "1" and "GIT_DIFF_OPTS" not in env


# -- names with any bytes ------------------------------------------------------------------------

WEIRD = [
    "weird\tname.py",
    "new\nline.py",
    'quote"d.py',
    "back\\slash.py",
    "sp ace.py",
    "a/x.py",
    "b/a/y.py",
    " lead.py",
    "-dash.py",
    ":colon.py",
    "*star.py",
    "é.py",
]


def test_names_with_any_characters_are_reviewed(make_pr, capsys):
    repo = make_pr({"README.md": "hi\n"}, {name: CALL for name in WEIRD})
    assert sorted(findings(repo.scan_json(capsys))) == sorted(("RSK001", name, 2) for name in WEIRD)


def test_a_name_that_is_not_utf8_is_listed_exactly(make_pr):
    name = "caf\udce9.py"  # the byte 0xe9, decoded with surrogateescape
    repo = make_pr({"README.md": "hi\n"}, {name: CALL})
    assert changes(repo) == {name: ChangedFile(name, Status.ADDED, lines=frozenset({1, 2}))}
    with GitRepo(repo.path) as git:
        assert git.snapshot("HEAD").read(name) == CALL.encode()


def test_a_name_that_is_not_utf8_is_reviewed(make_pr, capsys):
    repo = make_pr({"README.md": "hi\n"}, {"caf\udce9.py": CALL})
    assert findings(repo.scan_json(capsys)) == [("RSK001", "caf\udce9.py", 2)]


def test_renames_between_odd_names(make_pr):
    body = "".join(f"line {n}\n" for n in range(20))
    repo = make_pr({"a/old\tname.py": body}, {"a/old\tname.py": None, "b/new\nname.py": body + CALL})
    assert changes(repo) == {
        "b/new\nname.py": ChangedFile("b/new\nname.py", Status.RENAMED, "a/old\tname.py", frozenset({21, 22}))
    }


def test_worktree_head_with_odd_names(tmp_path, capsys):
    repo = Repo(tmp_path / "r")
    repo.commit({"tracked\tname.py": "x = 1\n", "gone.py": "y = 1\n"})
    repo.write(
        {"tracked\tname.py": "x = 1\n" + CALL, "untracked\nname.py": CALL, "gone.py": None, "no-newline.py": "a\nb"}
    )
    assert changes(repo, "HEAD", WORKTREE) == {
        "tracked\tname.py": ChangedFile("tracked\tname.py", Status.MODIFIED, lines=frozenset({2, 3})),
        "gone.py": ChangedFile("gone.py", Status.REMOVED),
        "untracked\nname.py": ChangedFile("untracked\nname.py", Status.ADDED, lines=frozenset({1, 2})),
        "no-newline.py": ChangedFile("no-newline.py", Status.ADDED, lines=frozenset({1, 2})),
    }
    doc = repo.scan_json(capsys, "--head", "WORKTREE", "--base", "HEAD")
    assert sorted(findings(doc)) == [("RSK001", "tracked\tname.py", 3), ("RSK001", "untracked\nname.py", 2)]


# -- exact change sets ---------------------------------------------------------------------------


def test_every_kind_of_change(tmp_path):
    repo = Repo(tmp_path / "r")
    body = "".join(f"row {n}\n" for n in range(30))
    repo.commit(
        {
            "only.py": "x = 1\n",
            "first.py": "a\nb\nc\n",
            "keep.py": "same\n",
            "moved.py": body,
            "edited.py": body.replace("row", "col"),
            "run.sh": "echo\n",
            "gone.txt": "bye\n",
            "becomes-link.py": "x\n",
            "dashes.py": "a\n",
            "tail.py": "last",
        }
    )
    os.symlink("keep.py", repo.path / "was-link")
    repo.commit({})
    sub = subprocess.run(
        ["git", "-C", str(repo.path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    base = repo.git("rev-parse", "HEAD").strip()
    repo.write(
        {
            "only.py": "",  # @@ -1 +0,0 @@: the first and only line deleted
            "first.py": "c\n",  # @@ -1,2 +0,0 @@ on a file that keeps a line
            "moved.py": None,
            "renamed.py": body,  # a pure rename
            "edited.py": None,
            "edited-renamed.py": body.replace("row", "col").replace("col 3\n", "COL 3\n"),  # a rename with edits
            "copy.py": "x = 1\n",  # a copy of keep.py's neighbour: git -M shows it as added
            "gone.txt": None,
            "new-empty.py": "",
            "binary.dat": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\nmore\n",
            "dashes.py": "--- a/dashes.py\n+++ b/dashes.py\n@@ -1 +1 @@\n",
            "tail.py": "last\nmore",
            "becomes-link.py": None,
            "was-link": None,
        }
    )
    os.symlink("keep.py", repo.path / "becomes-link.py")
    (repo.path / "was-link").write_text("now a file\n")
    os.chmod(repo.path / "run.sh", 0o755)
    repo.git("add", "-A")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sub},vendor/sub")  # a submodule (gitlink)
    repo.git("commit", "-q", "-m", "everything")
    assert changes(repo, base) == {
        "only.py": ChangedFile("only.py", Status.MODIFIED),
        "first.py": ChangedFile("first.py", Status.MODIFIED),
        "renamed.py": ChangedFile("renamed.py", Status.RENAMED, "moved.py"),
        "edited-renamed.py": ChangedFile("edited-renamed.py", Status.RENAMED, "edited.py", frozenset({4})),
        "copy.py": ChangedFile("copy.py", Status.ADDED, lines=frozenset({1})),
        "run.sh": ChangedFile("run.sh", Status.MODIFIED),
        "gone.txt": ChangedFile("gone.txt", Status.REMOVED),
        "new-empty.py": ChangedFile("new-empty.py", Status.ADDED),
        "binary.dat": ChangedFile("binary.dat", Status.ADDED, lines=frozenset({1, 2, 3, 4}), binary=True),
        "dashes.py": ChangedFile("dashes.py", Status.MODIFIED, lines=frozenset({1, 2, 3})),
        "tail.py": ChangedFile("tail.py", Status.MODIFIED, lines=frozenset({1, 2})),
        "becomes-link.py": ChangedFile("becomes-link.py", Status.MODIFIED, lines=frozenset({1})),
        "was-link": ChangedFile("was-link", Status.MODIFIED, lines=frozenset({1})),
        "vendor/sub": ChangedFile("vendor/sub", Status.ADDED, lines=frozenset({1})),
    }


def test_submodules_updated_removed_and_replaced_by_a_file(tmp_path):
    repo = Repo(tmp_path / "r")
    first = repo.commit({"a.py": "x\n"})
    second = repo.commit({"a.py": "y\n"})
    for name in ("sub1", "sub2", "sub3"):
        repo.git("update-index", "--add", "--cacheinfo", f"160000,{first},{name}")
    repo.git("commit", "-q", "-m", "submodules")
    base = repo.git("rev-parse", "HEAD").strip()
    repo.git("update-index", "--cacheinfo", f"160000,{second},sub1")
    repo.git("update-index", "--force-remove", "sub2", "sub3")
    (repo.path / "sub2").write_text("now a file\n" + CALL)
    repo.git("add", "sub2")
    repo.git("commit", "-q", "-m", "change them")
    assert changes(repo, base) == {
        "sub1": ChangedFile("sub1", Status.MODIFIED, lines=frozenset({1})),
        "sub2": ChangedFile("sub2", Status.MODIFIED, lines=frozenset({1, 2, 3})),
        "sub3": ChangedFile("sub3", Status.REMOVED),
    }


def test_a_rename_with_a_mode_change(make_pr):
    body = "".join(f"line {n}\n" for n in range(10))
    repo = make_pr({"old.sh": body}, {"old.sh": None, "new.sh": body})
    os.chmod(repo.path / "new.sh", 0o755)
    repo.git("commit", "-q", "-am", "mode")
    assert changes(repo) == {"new.sh": ChangedFile("new.sh", Status.RENAMED, "old.sh")}


def test_removing_an_empty_file(make_pr):
    repo = make_pr({"empty.py": "", "a.py": "x\n"}, {"empty.py": None})
    assert changes(repo) == {"empty.py": ChangedFile("empty.py", Status.REMOVED)}


def test_a_file_with_nul_bytes_in_a_modified_head_is_binary(make_pr):
    repo = make_pr({"data.bin": "text\n" * 3}, {"data.bin": b"text\n\0\ntext\n"})
    assert changes(repo)["data.bin"] == ChangedFile("data.bin", Status.MODIFIED, lines=frozenset({2}), binary=True)


def test_a_nul_byte_after_the_first_8000_bytes_is_not_binary(make_pr):
    repo = make_pr({"README.md": "hi\n"}, {"late.txt": b"x" * 9000 + b"\0\n"})
    assert changes(repo)["late.txt"].binary is False


def test_copy_of_a_file_with_a_finding_is_reviewed_in_full(make_pr, capsys):
    repo = make_pr({"a.py": CALL}, {"b.py": CALL})
    assert findings(repo.scan_json(capsys)) == [("RSK001", "b.py", 2)]


# -- objects missing from the clone ----------------------------------------------------------


def test_a_blob_missing_from_the_clone_is_listed_not_fatal(make_pr):
    repo = make_pr({"base.py": "x = 1\n"}, {"big.py": "y = 2\n", "other.py": CALL})
    drop_object(repo, blob_oid(repo, "HEAD", "big.py"))
    with GitRepo(repo.path) as git:
        head = git.snapshot("HEAD")
        assert head.entries()["big.py"].size is None
        assert head.entries()["other.py"].size == len(CALL)
        assert head.read("big.py") is None
        assert head.missing("big.py") and not head.missing("other.py") and not head.missing("absent.py")
        derived = git.snapshot("HEAD", base=git.snapshot("main"))
        assert derived.entries()["big.py"].size is None and derived.missing("big.py")
    assert changes(repo) == {
        "big.py": ChangedFile("big.py", Status.ADDED),  # no lines known: missing() says why
        "other.py": ChangedFile("other.py", Status.ADDED, lines=frozenset({1, 2})),
    }


def test_a_missing_base_blob_of_a_modified_file(make_pr):
    repo = make_pr({"a.py": "x = 1\n", "b.py": "y = 1\n"}, {"a.py": "x = 2\n", "b.py": "y = 1\n" + CALL})
    drop_object(repo, blob_oid(repo, "main", "a.py"))
    with GitRepo(repo.path) as git:
        assert git.snapshot("main").missing("a.py") and not git.snapshot("HEAD").missing("a.py")
    assert changes(repo) == {
        "a.py": ChangedFile(
            "a.py",
            Status.MODIFIED,
            unknown_lines="the base revision's version of it is not in this clone, so git could not diff it",
        ),
        "b.py": ChangedFile("b.py", Status.MODIFIED, lines=frozenset({2, 3})),
    }


def test_a_missing_rename_candidate_falls_back_to_no_renames(make_pr):
    body = "".join(f"row {n}\n" for n in range(20))
    repo = make_pr(
        {"old.py": body, "keep.py": "k\n"}, {"old.py": None, "new.py": body + "more\n", "keep.py": "k\n" + CALL}
    )
    drop_object(repo, blob_oid(repo, "HEAD", "new.py"))
    assert changes(repo) == {
        "old.py": ChangedFile("old.py", Status.REMOVED),
        "new.py": ChangedFile("new.py", Status.ADDED),
        "keep.py": ChangedFile("keep.py", Status.MODIFIED, lines=frozenset({2, 3})),
    }


def test_scan_with_a_missing_blob_finishes_and_reviews_the_rest(make_pr, capsys):
    repo = make_pr({"README.md": "hi\n"}, {"lost.py": "# lost\n" + CALL, "jobs.py": CALL, "requirements.txt": PIN})
    drop_object(repo, blob_oid(repo, "HEAD", "lost.py"))
    code, out = repo.scan("--format", "json", capsys=capsys)
    assert code in (0, 1)
    import json

    found = findings(json.loads(out))
    assert ("RSK001", "jobs.py", 2) in found and ("DEP004", "requirements.txt", 1) in found
    assert "Traceback" not in capsys.readouterr().err


def test_a_blobless_partial_clone_is_scanned_without_fetching(make_pr, tmp_path, capsys):
    origin = make_pr({"README.md": "hi\n"}, {"jobs.py": CALL})
    origin.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", "--filter=blob:none", f"file://{origin.path}", str(clone)],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull},
    )
    objects = lambda: sorted(p.name for p in (clone / "objects").rglob("*") if p.is_file())  # noqa: E731
    before = objects()
    with GitRepo(clone) as git:
        head = git.snapshot("pr")
        assert head.missing("jobs.py") and head.read("jobs.py") is None
        assert git.changes(git.resolve("main"), git.resolve("pr")).files == (ChangedFile("jobs.py", Status.ADDED),)
    code = __import__("undertow.app.cli").app.cli.main(
        ["scan", "--repo", str(clone), "--base", "main", "--head", "pr", "--no-cache", "--format", "json"]
    )
    assert code in (0, 1)
    assert objects() == before  # nothing fetched from the promisor remote


# -- trust ---------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("chown") is None, reason="needs root to chown"
)
def test_a_checkout_the_user_marked_safe_is_read_despite_its_owner(tmp_path, monkeypatch):
    repo = pr_repo(tmp_path, {"a.py": "x\n"}, {"a.py": "y\n"})
    subprocess.run(["chown", "-R", "nobody", str(repo.path)], check=True)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    _user_safe_directories.cache_clear()
    with pytest.raises(Exception, match="dubious ownership"):
        GitRepo(repo.path)
    (home / ".gitconfig").write_text(f"[safe]\n\tdirectory = {repo.path}\n")
    _user_safe_directories.cache_clear()
    try:
        with GitRepo(repo.path) as git:
            assert [f.path for f in git.changes(git.resolve("main"), git.resolve("pr")).files] == ["a.py"]
    finally:
        _user_safe_directories.cache_clear()


def test_a_name_that_is_not_utf8_in_text_output(tmp_path, capsys):
    from tests.gitrepo import Repo

    repo = Repo(tmp_path / "r")
    repo.commit({"a.py": "x = 1\n"})
    repo.branch("pr")
    import os

    name = os.fsdecode(b"caf\xe9.py")
    (repo.path / name).write_text("import subprocess\nsubprocess.run(['ls'])\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "latin-1 name")
    code, out = repo.scan("--format", "text", "--fail-on", "never", capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == "caf\ufffd.py" and "RSK001" in out


def test_a_file_over_the_size_limit_is_not_diffed_nor_read(make_pr, capsys, monkeypatch):
    """Its hunks would be the whole file (--text): the diff is asked only for the other files."""
    import undertow.app.git as app_git

    big = "".join(f"line {n}\n" for n in range(150_000))  # 1.6 MiB
    repo = make_pr({"a.py": "x = 1\n"}, {"data.txt": big, "b.py": "import subprocess\nsubprocess.run(['x'])\n"})
    calls = []
    real = app_git.GitRepo._run_bytes

    def spy(self, *args, **kwargs):
        out = real(self, *args, **kwargs)
        calls.append((args, len(out)))
        return out

    monkeypatch.setattr(app_git.GitRepo, "_run_bytes", spy)
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("RSK001", "b.py", 2), ("UND003", "data.txt", 1)]
    assert max(size for args, size in calls if args[0] == "diff") < 10_000


# -- a shallow clone without the merge base -------------------------------------------------------


def test_no_merge_base_in_a_shallow_clone_says_to_fetch_more_history(tmp_path, make_pr, capsys):
    origin = make_pr({"README.md": "hi\n"}, {"app/jobs.py": CALL})
    origin.git("checkout", "-q", "main")
    origin.commit({"README.md": "hello\n"}, "main moves on")
    origin.git("checkout", "-q", "pr")
    origin.commit({"app/jobs.py": CALL + "# more\n"}, "pr moves on")
    main, pr = origin.git("rev-parse", "main").strip(), origin.git("rev-parse", "pr").strip()
    clone = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth=1",
            "--no-single-branch",
            "--branch",
            "pr",
            f"file://{origin.path}",
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    shallow = (
        "; this clone is shallow: fetch more history (git fetch --deepen=<commits>, or git fetch --unshallow) "
        "or use Undertow's GitHub Action, which fetches what it needs"
    )
    with GitRepo(clone) as git:
        with pytest.raises(GitError) as raised:
            git.merge_base(git.resolve("origin/main"), git.resolve("HEAD"))
    assert str(raised.value) == f"{main[:12]} and {pr[:12]} have no common ancestor{shallow}"
    from undertow.app.cli import main as cli

    assert cli(["scan", "--repo", str(clone), "--base", "origin/main", "--no-cache"]) == 2
    assert f"{main[:12]} and {pr[:12]} have no common ancestor{shallow}" in capsys.readouterr().err
    # Unrelated histories in a full clone: no word about shallowness.
    origin.git("checkout", "-q", "--orphan", "other")
    other = origin.commit({"x.txt": "x\n"}, "unrelated")
    with GitRepo(origin.path) as git:
        with pytest.raises(GitError) as raised:
            git.merge_base(main, other)
    assert str(raised.value) == f"{main[:12]} and {other[:12]} have no common ancestor"
