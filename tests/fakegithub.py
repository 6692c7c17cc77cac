"""One FakeGitHub for handler and review tests: a gidgethub GitHubAPI whose `_request` serves a
local git repository the way GitHub's REST API does, and records every call; its git side is
the emulator's (app/dev/git_http.GitHost: smart HTTP on loopback, Basic auth with this client's
token, fetch only)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from gidgethub.abc import GitHubAPI

from undertow.app.dev.git_http import GitHost
from undertow.app.git import GitRepo


class FakeGitHub(GitHubAPI):
    def __init__(
        self, repo_path: Path, full_name: str = "octo/app", number: int = 7, base: str = "main", head: str = "HEAD"
    ) -> None:
        super().__init__("undertow-tests", oauth_token="t0ken")
        self.git = GitRepo(repo_path)
        self.path = repo_path
        self.full_name, self.number = full_name, number
        self.base_ref, self.head_ref = base, head
        self.calls: list[tuple[str, str, object]] = []
        self.comments: list[dict] = []
        self.check_runs: dict[int, dict] = {}
        self.reviews: list[dict] = []
        self.issue_comments: list[dict] = []  # conversation comments (the summary, command replies)
        self.permissions: dict[str, str] = {}  # login -> repository role; others are not collaborators
        self.git_host = GitHost(full_name, repo_path, lambda token: token == self.oauth_token)

    @property
    def clone_url(self) -> str:
        return self.git_host.clone_url

    @property
    def git_requests(self) -> list[tuple[str, str, int]]:
        return self.git_host.requests

    async def _request(self, method, url, headers, body=b""):
        path = urlsplit(url).path
        data = json.loads(body) if body else None
        self.calls.append((method, path, data))
        status, payload = self.route(method, path, data)
        return (
            status,
            {"content-type": "application/json", "x-ratelimit-remaining": "4999"},
            json.dumps(payload).encode(),
        )

    async def sleep(self, seconds):
        return None

    # -- the REST operations a review uses --------------------------------------------------

    def route(self, method: str, path: str, data):
        prefix = f"/repos/{self.full_name}"
        head, base = self.git.resolve(self.head_ref), self.git.resolve(self.base_ref)
        if method == "GET" and path == f"{prefix}/pulls/{self.number}":
            return 200, {
                "number": self.number,
                "head": {"sha": head},
                "base": {"sha": base, "ref": "main", "repo": {"clone_url": self.clone_url}},
            }
        if method == "GET" and path.startswith(f"{prefix}/compare/"):
            return 200, {"merge_base_commit": {"sha": self.git.merge_base(base, head)}}
        if method == "GET" and (m := re.fullmatch(rf"{prefix}/collaborators/([^/]+)/permission", path)):
            role = self.permissions.get(m.group(1).lower())
            legacy = {"maintain": "write", "triage": "read"}.get(role or "", role or "none")
            user = {"login": m.group(1), "id": 1, "type": "User"} if role else None
            return 200, {"permission": legacy, "role_name": role or "none", "user": user}
        if method == "GET" and (m := re.fullmatch(rf"{prefix}/commits/([0-9a-f]+)/check-runs", path)):
            runs = [r for r in self.check_runs.values() if r.get("head_sha") == m.group(1)]
            return 200, {"total_count": len(runs), "check_runs": sorted(runs, key=lambda r: -r["id"])}
        if method == "POST" and path == f"{prefix}/check-runs":
            run_id = len(self.check_runs) + 1
            self.check_runs[run_id] = {**data, "id": run_id, "annotations": []}
            return 201, self.check_runs[run_id]
        if method == "PATCH" and (m := re.fullmatch(rf"{prefix}/check-runs/(\d+)", path)):
            run = self.check_runs.get(int(m.group(1)))
            if run is None:
                return 404, {"message": "Not Found"}
            if data.get("status") in ("queued", "in_progress"):  # started again: no conclusion yet
                run.pop("conclusion", None)
            output = data.get("output", {})
            run["annotations"] += output.get("annotations", [])
            run.update(
                {k: v for k, v in data.items() if k != "output"},
                output={k: v for k, v in output.items() if k != "annotations"},
            )
            return 200, run
        if method == "GET" and path == f"{prefix}/pulls/{self.number}/comments":
            return 200, self.comments
        if method == "POST" and path == f"{prefix}/pulls/{self.number}/reviews":
            self.reviews.append(data)
            for comment in data.get("comments", []):
                self.comments.append({"id": 1000 + len(self.comments), "user": {"type": "Bot"}, **comment})
            return 200, {"id": len(self.reviews)}
        if method == "GET" and path == f"{prefix}/issues/{self.number}/comments":
            return 200, self.issue_comments
        if method == "POST" and path == f"{prefix}/issues/{self.number}/comments":
            comment = {"id": 9000 + len(self.issue_comments), "user": {"type": "Bot"}, "body": data["body"]}
            self.issue_comments.append(comment)
            return 201, comment
        if method == "PATCH" and (m := re.fullmatch(rf"{prefix}/issues/comments/(\d+)", path)):
            comment = next((c for c in self.issue_comments if c["id"] == int(m.group(1))), None)
            if comment is None:
                return 404, {"message": "Not Found"}
            comment["body"] = data["body"]
            return 200, comment
        if method == "PATCH" and (m := re.fullmatch(rf"{prefix}/pulls/comments/(\d+)", path)):
            comment = next(c for c in self.comments if c["id"] == int(m.group(1)))
            comment["body"] = data["body"]
            return 200, comment
        return 404, {"message": "Not Found"}

    def paths(self, method: str | None = None) -> list[str]:
        return [f"{m} {p}" for m, p, _ in self.calls if method in (None, m)]
