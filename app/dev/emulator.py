"""A local GitHub for end-to-end tests and the demo: the REST operations a review uses, served
from a local git repository with GitHub's rules (app JWT → installation token, token auth,
Link pagination, 50 annotations per request, 65535-character outputs, 422 for review comments
outside the diff, rate-limit headers) and switchable faults (5xx on reads, secondary rate limits
on writes, an outage window, revoked tokens, latency); and git's smart HTTP for fetches
(``/{owner}/{repo}.git/...``, dev/git_http.py: Basic auth with an issued installation token, fetch
only, filters and wants by sha), with faults of its own (a stalled fetch, a token that expires
at the fetch, every token refused) and the outage window (503). Listen on loopback only."""

from __future__ import annotations

import asyncio
import copy
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from undertow.app.dev.git_http import GitHost, GitResponse
from undertow.app.git import GitRepo

REPO = "/repos/{owner}/{repo}"
MAX_ANNOTATIONS = 50
MAX_TEXT = 65535


@dataclass
class Faults:
    get_error_ratio: float = 0.0  # share of GETs answered 502
    rate_limit_every_nth_write: int = 0  # every n-th POST/PATCH answered 403 secondary rate limit
    latency: float = 0.0  # seconds added to every request (benchmarks, slow GitHub)
    seed: int = 1
    # An outage: from outage_start to outage_end (in clock() time) requests with these methods
    # are answered 500 (token requests included) and git's smart HTTP 503, of the services in
    # outage_services ("rest", "git"). Tests pass a virtual clock.
    outage_start: float = 0.0
    outage_end: float = 0.0
    outage_methods: tuple[str, ...] = ("GET", "POST", "PATCH", "PUT", "DELETE")
    outage_services: tuple[str, ...] = ("rest", "git")
    clock: Any = time.monotonic
    # git: the next git_stalls requests are held git_stall_seconds before being answered (a fetch
    # that times out); git_expire_tokens: the next git request finds every token expired (401);
    # git_refuse: while set, every git request is answered with it, however fresh the token (401:
    # the installation's tokens are not accepted; 403: the App may not read the repository's contents).
    git_stalls: int = 0
    git_stall_seconds: float = 5.0
    git_expire_tokens: bool = False
    git_refuse: int = 0
    _writes: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def outage(
        self, seconds: float, methods: tuple[str, ...] | None = None, services: tuple[str, ...] | None = None
    ) -> None:
        """GitHub answers 500 (REST) and 503 (git) for the next ``seconds``."""
        self.outage_start, self.outage_end = self.clock(), self.clock() + seconds
        if methods is not None:
            self.outage_methods = methods
        if services is not None:
            self.outage_services = services

    def out(self, method: str, service: str = "rest") -> bool:
        return (
            service in self.outage_services
            and method in self.outage_methods
            and self.outage_start <= self.clock() < self.outage_end
        )


@dataclass
class PullRequest:
    number: int
    base: str = "main"
    head: str = "HEAD"


@dataclass
class EmulatedGitHub:
    repo_path: Path
    full_name: str
    app_id: int
    public_key: Any  # the App's RSA public key (a cryptography public key object)
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    tokens: dict[str, int] = field(default_factory=dict)  # token -> installation id
    check_runs: dict[int, dict] = field(default_factory=dict)
    reviews: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    issue_comments: list[dict] = field(default_factory=list)
    reactions: list[tuple[int, str]] = field(default_factory=list)
    remaining: int = 5000
    # login -> repository role (admin, maintain, write, triage, read); others are not collaborators
    permissions: dict[str, str] = field(default_factory=dict)
    # GitHub's OpenAPI description: when given, every response starts from its documented
    # example and has this emulator's values laid over it, so that it is shaped as GitHub's.
    openapi: dict | None = None
    responses: list[tuple[str, str, int, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.git = GitRepo(self.repo_path)
        self.git_host = GitHost(self.full_name, self.repo_path, self._git_token_ok, self._git_faults)
        self._fault_lock = threading.Lock()

    @property
    def clone_url(self) -> str:
        """The repository's ``clone_url`` (git over loopback HTTP), as payloads carry it."""
        return self.git_host.clone_url

    @property
    def git_requests(self) -> list[tuple[str, str, int]]:
        return self.git_host.requests

    def _git_token_ok(self, token: str | None) -> bool:
        return token is not None and token in self.tokens

    def _git_faults(self, method: str, path: str) -> GitResponse | None:
        if self.faults.out(method, "git"):
            return GitResponse(503, {"content-type": "text/plain"}, b"Service Unavailable\n")
        with self._fault_lock:
            stall = self.faults.git_stalls > 0
            if stall:
                self.faults.git_stalls -= 1
            expire = self.faults.git_expire_tokens
            self.faults.git_expire_tokens = False
        if stall:
            time.sleep(self.faults.git_stall_seconds)
        if expire:
            self.revoke_tokens()
        if self.faults.git_refuse == 401:
            return GitResponse(
                401,
                {"content-type": "text/plain", "www-authenticate": 'Basic realm="GitHub"'},
                b"Invalid username or token.\n",
            )
        if self.faults.git_refuse:
            body = f"Permission to {self.full_name}.git denied to undertow[bot].\n".encode()
            return GitResponse(self.faults.git_refuse, {"content-type": "text/plain"}, body)
        return None

    def close(self) -> None:
        self.git_host.close()

    def shaped(self, template: str, method: str, status: int, overlay):
        """``overlay`` on top of the documented example response (lists: item by item)."""
        base = self._example(template, method, status)
        if base is None:
            return overlay
        if isinstance(overlay, list):
            item = base[0] if isinstance(base, list) and base else {}
            return [_merge(copy.deepcopy(item), o) for o in overlay]
        return _merge(copy.deepcopy(base), overlay)

    def _example(self, template: str, method: str, status: int):
        if self.openapi is None:
            return None
        op = self.openapi["paths"].get(template, {}).get(method, {})
        response = op.get("responses", {}).get(str(status), {})
        if "$ref" in response:
            response = self.openapi["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        examples = response.get("content", {}).get("application/json", {}).get("examples", {})
        if not examples:
            return None
        example = next(iter(examples.values()))
        if "$ref" in example:
            example = self.openapi["components"]["examples"][example["$ref"].rsplit("/", 1)[1]]
        return example.get("value")

    def revoke_tokens(self) -> None:
        """Every installation token issued so far stops working (401), as when GitHub revokes them."""
        self.tokens.clear()

    def diff_lines(self, number: int) -> dict[str, set[int]]:
        pr = self.pulls[number]
        base = self.git.merge_base(self.git.resolve(pr.base), self.git.resolve(pr.head))
        return {f.path: set(f.lines) for f in self.git.changes(base, self.git.resolve(pr.head)).files}


def create_emulator(gh: EmulatedGitHub) -> FastAPI:
    app = FastAPI(title="GitHub emulator", docs_url=None, redoc_url=None, openapi_url=None)
    prefix = f"/repos/{gh.full_name}"

    def reply(status: int, payload, request: Request, extra: dict | None = None) -> JSONResponse:
        gh.requests.append((request.method, request.url.path, status))
        gh.responses.append((request.method, request.url.path, status, payload))
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(gh.remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            **(extra or {}),
        }
        return JSONResponse(payload, status_code=status, headers=headers)

    def paginate(items: list, request: Request) -> JSONResponse:
        per_page = min(int(request.query_params.get("per_page", 30)), 100)
        page = int(request.query_params.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        if page * per_page < len(items):
            url = request.url.include_query_params(page=page + 1, per_page=per_page)
            links.append(f'<{url}>; rel="next"')
        return reply(200, chunk, request, {"link": ", ".join(links)} if links else None)

    @app.middleware("http")
    async def rules(request: Request, call_next):
        if gh.faults.latency:
            await asyncio.sleep(gh.faults.latency)
        path = request.url.path
        if _is_git(path):
            return await call_next(request)  # git's smart HTTP: not metered, Basic auth (below)
        gh.remaining = max(0, gh.remaining - 1)
        if gh.faults.out(request.method):
            return reply(500, {"message": "Server Error"}, request)
        if not path.startswith("/app/installations/"):
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() not in ("token", "bearer") or token not in gh.tokens:
                return reply(401, {"message": "Bad credentials"}, request)
        if request.method == "GET" and gh.faults.get_error_ratio and gh.faults.rng.random() < gh.faults.get_error_ratio:
            return reply(502, {"message": "Server Error"}, request)
        if (
            request.method in ("POST", "PATCH")
            and gh.faults.rate_limit_every_nth_write
            and not path.startswith("/app/")
        ):
            gh.faults._writes += 1
            if gh.faults._writes % gh.faults.rate_limit_every_nth_write == 0:
                return reply(
                    403,
                    {
                        "message": "You have exceeded a secondary rate limit. "
                        "Please wait a few minutes before you try again."
                    },
                    request,
                    {"retry-after": "1"},
                )
        return await call_next(request)

    @app.post("/app/installations/{installation_id}/access_tokens")
    async def access_token(installation_id: int, request: Request):
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return reply(401, {"message": "A JSON web token could not be decoded"}, request)
        try:
            claims = jwt.decode(
                credential, gh.public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]}
            )
        except jwt.PyJWTError as exc:
            return reply(401, {"message": f"'Expiration time' claim ('exp') is invalid: {exc}"}, request)
        if str(claims["iss"]) != str(gh.app_id) or claims["exp"] - claims["iat"] > 600:
            return reply(401, {"message": "'Expiration time' claim ('exp') is too far in the future"}, request)
        token = "ghs_" + secrets.token_hex(18)
        gh.tokens[token] = installation_id
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        return reply(
            201,
            gh.shaped(
                "/app/installations/{installation_id}/access_tokens",
                "post",
                201,
                {"token": token, "expires_at": expires, "permissions": {}, "repository_selection": "all"},
            ),
            request,
        )

    @app.get(prefix + "/pulls/{number}")
    async def pull(number: int, request: Request):
        pr = gh.pulls.get(number)
        if pr is None:
            return reply(404, {"message": "Not Found"}, request)
        return reply(
            200,
            gh.shaped(
                f"{REPO}/pulls/{{pull_number}}",
                "get",
                200,
                {
                    "number": number,
                    "state": "open",
                    "requested_teams": [],
                    "requested_reviewers": [],
                    "head": {"sha": gh.git.resolve(pr.head), "ref": "feature"},
                    "base": {
                        "sha": gh.git.resolve(pr.base),
                        "ref": pr.base,
                        "repo": {"full_name": gh.full_name, "clone_url": gh.clone_url},
                    },
                },
            ),
            request,
        )

    @app.get(prefix + "/compare/{basehead:path}")
    async def compare(basehead: str, request: Request):
        base, _, head = basehead.partition("...")
        return reply(
            200,
            gh.shaped(
                f"{REPO}/compare/{{basehead}}",
                "get",
                200,
                {"merge_base_commit": {"sha": gh.git.merge_base(base, head)}, "status": "ahead"},
            ),
            request,
        )

    @app.post(prefix + "/check-runs")
    async def create_check(request: Request):
        data = await request.json()
        problem = _check_output_problem(data)
        if problem:
            return reply(422, {"message": problem}, request)
        run_id = len(gh.check_runs) + 1
        gh.check_runs[run_id] = {
            **{k: v for k, v in data.items() if k != "output"},
            "id": run_id,
            "annotations": [],
            "output": {},
        }
        _apply_output(gh.check_runs[run_id], data.get("output"))
        return reply(201, gh.shaped(f"{REPO}/check-runs", "post", 201, _public(gh.check_runs[run_id])), request)

    @app.patch(prefix + "/check-runs/{run_id}")
    async def update_check(run_id: int, request: Request):
        data = await request.json()
        problem = _check_output_problem(data)
        if problem:
            return reply(422, {"message": problem}, request)
        run = gh.check_runs.get(run_id)
        if run is None:
            return reply(404, {"message": "Not Found"}, request)
        if data.get("status") in ("queued", "in_progress"):  # started again: no conclusion yet
            run.pop("conclusion", None)
        run.update({k: v for k, v in data.items() if k != "output"})
        _apply_output(run, data.get("output"))
        return reply(200, gh.shaped(f"{REPO}/check-runs/{{check_run_id}}", "patch", 200, _public(run)), request)

    @app.get(prefix + "/commits/{ref}/check-runs")
    async def list_checks(ref: str, request: Request):
        name = request.query_params.get("check_name")
        runs = [
            _public(r)
            for r in sorted(gh.check_runs.values(), key=lambda r: -r["id"])
            if r.get("head_sha") == ref and name in (None, r.get("name"))
        ]
        shaped = gh.shaped(f"{REPO}/commits/{{ref}}/check-runs", "get", 200, {"total_count": len(runs)})
        return reply(200, {**shaped, "check_runs": runs}, request)

    @app.get(prefix + "/pulls/{number}/comments")
    async def list_comments(number: int, request: Request):
        mine = [
            {k: v for k, v in c.items() if k != "pull_request_number"}
            for c in gh.comments
            if c["pull_request_number"] == number
        ]
        return paginate(gh.shaped(f"{REPO}/pulls/{{pull_number}}/comments", "get", 200, mine), request)

    @app.post(prefix + "/pulls/{number}/reviews")
    async def create_review(number: int, request: Request):
        data = await request.json()
        lines = gh.diff_lines(number)
        for comment in data.get("comments", []):
            if comment.get("line") not in lines.get(comment.get("path"), set()):
                return reply(
                    422,
                    {
                        "message": "Unprocessable Entity",
                        "errors": ["Pull request review thread line must be part of the diff"],
                    },
                    request,
                )
        review_id = len(gh.reviews) + 1
        gh.reviews.append({**data, "id": review_id})
        for comment in data.get("comments", []):
            gh.comments.append(
                {
                    "id": 5000 + len(gh.comments),
                    "pull_request_number": number,
                    "user": {"login": "undertow[bot]", "type": "Bot"},
                    "path": comment["path"],
                    "line": comment["line"],
                    "body": comment["body"],
                }
            )
        return reply(
            200,
            gh.shaped(
                f"{REPO}/pulls/{{pull_number}}/reviews",
                "post",
                200,
                {"id": review_id, "state": "COMMENTED", "body": data.get("body", "")},
            ),
            request,
        )

    @app.post(prefix + "/issues/{number}/comments")
    async def issue_comment(number: int, request: Request):
        data = await request.json()
        comment = {
            "id": 9000 + len(gh.issue_comments),
            "issue_number": number,
            "body": data["body"],
            "user": {"login": "undertow[bot]", "type": "Bot"},
        }
        gh.issue_comments.append(comment)
        public = {k: v for k, v in comment.items() if k != "issue_number"}
        return reply(201, gh.shaped(f"{REPO}/issues/{{issue_number}}/comments", "post", 201, public), request)

    @app.get(prefix + "/issues/{number}/comments")
    async def list_issue_comments(number: int, request: Request):
        mine = [
            {k: v for k, v in c.items() if k != "issue_number"}
            for c in gh.issue_comments
            if c["issue_number"] == number
        ]
        return paginate(gh.shaped(f"{REPO}/issues/{{issue_number}}/comments", "get", 200, mine), request)

    @app.patch(prefix + "/issues/comments/{comment_id}")
    async def update_issue_comment(comment_id: int, request: Request):
        data = await request.json()
        for comment in gh.issue_comments:
            if comment["id"] == comment_id:
                comment["body"] = data["body"]
                public = {k: v for k, v in comment.items() if k != "issue_number"}
                return reply(200, gh.shaped(f"{REPO}/issues/comments/{{comment_id}}", "patch", 200, public), request)
        return reply(404, {"message": "Not Found"}, request)

    @app.post(prefix + "/issues/comments/{comment_id}/reactions")
    async def reaction(comment_id: int, request: Request):
        content = (await request.json()).get("content")
        if content not in ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"):
            return reply(422, {"message": "Validation Failed"}, request)
        gh.reactions.append((comment_id, content))
        return reply(
            201,
            gh.shaped(
                f"{REPO}/issues/comments/{{comment_id}}/reactions",
                "post",
                201,
                {"id": len(gh.reactions), "content": content},
            ),
            request,
        )

    @app.get(prefix + "/collaborators/{username}/permission")
    async def permission(username: str, request: Request):
        role = gh.permissions.get(username.lower())
        # GitHub's legacy `permission` maps maintain to write and triage to read; `role_name` is the role.
        legacy = {"maintain": "write", "triage": "read"}.get(role or "", role or "none")
        return reply(
            200,
            {
                "permission": legacy,
                "role_name": role or "none",
                "user": {"login": username, "id": 1000 + len(username), "type": "User"} if role else None,
            },
            request,
        )

    @app.patch(prefix + "/pulls/comments/{comment_id}")
    async def update_comment(comment_id: int, request: Request):
        data = await request.json()
        for comment in gh.comments:
            if comment["id"] == comment_id:
                comment["body"] = data["body"]
                public = {k: v for k, v in comment.items() if k != "pull_request_number"}
                return reply(200, gh.shaped(f"{REPO}/pulls/comments/{{comment_id}}", "patch", 200, public), request)
        return reply(404, {"message": "Not Found"}, request)

    @app.api_route("/{owner}/{name}.git/{rest:path}", methods=["GET", "POST"])
    async def git_smart_http(owner: str, name: str, rest: str, request: Request):
        body = await request.body()
        answer = await asyncio.to_thread(
            gh.git_host.handle,
            request.method,
            request.url.path,
            request.url.query,
            dict(request.headers.items()),
            body,
        )
        return Response(answer.body, status_code=answer.status, headers=answer.headers)

    return app


def _is_git(path: str) -> bool:
    parts = path.lstrip("/").split("/")
    return len(parts) >= 3 and parts[1].endswith(".git") and parts[0] not in ("repos", "app")


def _merge(base, overlay):
    if isinstance(base, dict) and isinstance(overlay, dict):
        for key, value in overlay.items():
            base[key] = _merge(base.get(key), value) if key in base else value
        return base
    return overlay


def _check_output_problem(data: dict) -> str | None:
    output = data.get("output") or {}
    if len(output.get("annotations", [])) > MAX_ANNOTATIONS:
        return f"Only {MAX_ANNOTATIONS} annotations are allowed per request"
    for key in ("summary", "text"):
        if len(output.get(key, "") or "") > MAX_TEXT:
            return f"output.{key} is too long (maximum is {MAX_TEXT} characters)"
    if data.get("status") == "completed" and not data.get("conclusion"):
        return "conclusion is required when status is completed"
    return None


def _apply_output(run: dict, output: dict | None) -> None:
    if not output:
        return
    run["annotations"] += output.get("annotations", [])
    run["output"] = {k: v for k, v in output.items() if k != "annotations"}


def _public(run: dict) -> dict:
    return {k: v for k, v in run.items() if k != "annotations"} | {
        "output": {**run["output"], "annotations_count": len(run["annotations"])}
    }
