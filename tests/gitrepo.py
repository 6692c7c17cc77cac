"""Build small git repositories in a temp dir: a base commit, then the pull request's commits."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from undertow.app.cli import main

_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, **_ENV}
        return subprocess.run(
            ["git", "-C", str(self.path), *args], check=True, capture_output=True, text=True, env=env
        ).stdout

    def write(self, files: dict[str, str | bytes | None]) -> None:
        """Write files; None removes one."""
        for rel, content in files.items():
            target = self.path / rel
            if content is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)

    def commit(self, files: dict[str, str | bytes | None], message: str = "change") -> str:
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)

    def scan(self, *args: str, capsys=None) -> tuple[int, str]:
        """Run `undertow scan` in-process; returns (exit status, stdout)."""
        assert capsys is not None
        code = main(["scan", "--repo", str(self.path), "--no-cache", *args])
        return code, capsys.readouterr().out

    def scan_json(self, capsys, *args: str) -> dict:
        code, out = self.scan("--format", "json", "--fail-on", "never", *args, capsys=capsys)
        assert code == 0, out
        return json.loads(out)


def pr_repo(tmp_path: Path, base: dict[str, str | bytes | None], pr: dict[str, str | bytes | None]) -> Repo:
    """A repository whose `main` holds ``base`` and whose checked-out branch `pr` adds ``pr``."""
    repo = Repo(tmp_path / "repo")
    repo.commit(base, "base")
    repo.branch("pr")
    repo.commit(pr, "pr")
    return repo


def findings(document: dict, rule: str | None = None) -> list[tuple[str, str, int]]:
    """(rule, path, line) of every finding, or of one rule's findings."""
    return [(f["rule"], f["path"], f["line"]) for f in document["findings"] if rule in (None, f["rule"])]


def only(document: dict, rule: str) -> list[dict]:
    return [f for f in document["findings"] if f["rule"] == rule]


def blob_oid(repo: Repo, rev: str, path: str) -> str:
    """The id of ``path``'s blob at ``rev`` (any bytes in the name)."""
    out = subprocess.run(
        ["git", "-C", str(repo.path), "ls-tree", "-z", "--full-tree", rev, "--", path],
        check=True,
        capture_output=True,
        env={**os.environ, **_ENV, "GIT_LITERAL_PATHSPECS": "1"},
    ).stdout
    meta, _, _name = out.rstrip(b"\0").partition(b"\t")
    return meta.split()[2].decode()


def drop_object(repo: Repo, oid: str) -> None:
    """Delete a loose object, so that this clone no longer holds it (as in a partial clone or a
    mirror without large files)."""
    git_dir = Path(repo.git("rev-parse", "--absolute-git-dir").strip())
    (git_dir / "objects" / oid[:2] / oid[2:]).unlink()
