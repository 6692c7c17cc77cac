"""Git's smart HTTP for the local GitHub emulator and the tests' fake: ``/{owner}/{repo}.git/
info/refs`` and ``git-upload-pack`` served by ``git http-backend`` (CGI) from the local
repository, with GitHub's rules for an App: Basic auth whose password is an installation token
the emulator issued, fetch only (``git-receive-pack`` is 403), partial-clone filters and wants of
any sha allowed (a fork pull request's head is fetchable from the base repository by sha).

Dev tooling, never production: one function answers a request (``git_http``), and
``LoopbackGitServer`` serves it on 127.0.0.1 from a thread for the git processes of tests whose
REST emulator runs over an ASGI transport (no socket). The server stops by itself when idle."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SERVICES = ("git-upload-pack",)  # git-receive-pack (a push) is refused
HTTP_BACKEND_TIMEOUT = 120


@dataclass(frozen=True)
class GitResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def basic_password(authorization: str) -> str | None:
    """The password of an ``Authorization: Basic`` header (git sends the token there)."""
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user_pass = base64.b64decode(credential.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    _user, sep, password = user_pass.partition(":")
    return password if sep else None


class GitProjects:
    """A GIT_PROJECT_ROOT whose ``owner/name.git`` entries link to local repositories."""

    def __init__(self, parent: Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="undertow-git-root-", dir=parent))

    def add(self, full_name: str, repo_path: Path) -> None:
        git_dir = subprocess.run(
            ["git", "-C", str(repo_path), "rev-parse", "--absolute-git-dir"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
        ).stdout.strip()
        link = self.root / f"{full_name}.git"
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(git_dir, target_is_directory=True)

    def names(self) -> set[str]:
        return {str(p.relative_to(self.root))[: -len(".git")] for p in self.root.glob("*/*.git")}

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def git_http(
    projects: GitProjects,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    authorized: Callable[[str | None], bool],
) -> GitResponse:
    """One smart-HTTP request, answered as GitHub answers an App's git client."""
    lowered = {k.lower(): v for k, v in headers.items()}
    repo, _, rest = path.lstrip("/").partition(".git/")
    if repo not in projects.names() or rest not in ("info/refs", *SERVICES, "git-receive-pack"):
        return GitResponse(404, {"content-type": "text/plain"}, b"Repository not found.\n")
    service = rest if rest != "info/refs" else dict(_pairs(query)).get("service", "")
    if service == "git-receive-pack" or rest == "git-receive-pack":
        return GitResponse(403, {"content-type": "text/plain"}, b"Write access to repository not granted.\n")
    if service not in SERVICES and not (rest == "info/refs" and service == ""):
        return GitResponse(403, {"content-type": "text/plain"}, b"Service not enabled.\n")
    if not authorized(basic_password(lowered.get("authorization", ""))):
        return GitResponse(
            401,
            {"content-type": "text/plain", "www-authenticate": 'Basic realm="GitHub"'},
            b"Invalid username or token.\n",
        )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_PROJECT_ROOT": str(projects.root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_COUNT": "4",
        "GIT_CONFIG_KEY_0": "uploadpack.allowFilter",
        "GIT_CONFIG_VALUE_0": "true",
        "GIT_CONFIG_KEY_1": "uploadpack.allowAnySHA1InWant",
        "GIT_CONFIG_VALUE_1": "true",
        "GIT_CONFIG_KEY_2": "http.receivepack",
        "GIT_CONFIG_VALUE_2": "false",
        "GIT_CONFIG_KEY_3": "safe.directory",
        "GIT_CONFIG_VALUE_3": "*",
        "REQUEST_METHOD": method,
        "PATH_INFO": "/" + path.lstrip("/"),
        "QUERY_STRING": query,
        "CONTENT_TYPE": lowered.get("content-type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_USER": "x-access-token",
        "GIT_PROTOCOL": lowered.get("git-protocol", ""),
        "HTTP_GIT_PROTOCOL": lowered.get("git-protocol", ""),
        "HTTP_CONTENT_ENCODING": lowered.get("content-encoding", ""),
    }
    backend = os.path.join(_exec_path(), "git-http-backend")
    proc = subprocess.run([backend], input=body, capture_output=True, env=env, timeout=HTTP_BACKEND_TIMEOUT)
    head, _, payload = proc.stdout.partition(b"\r\n\r\n")
    if not _ and b"\n\n" in proc.stdout:
        head, _, payload = proc.stdout.partition(b"\n\n")
    status, response_headers = 200, {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            response_headers[name.strip().lower()] = value.strip()
    return GitResponse(status, response_headers, payload)


def _pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in query.split("&") if p]  # type: ignore[misc]


_EXEC_PATH: list[str] = []


def _exec_path() -> str:
    if not _EXEC_PATH:
        _EXEC_PATH.append(subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip())
    return _EXEC_PATH[0]


Handler = Callable[[str, str, str, Mapping[str, str], bytes], GitResponse]


class LoopbackGitServer:
    """``handle`` served on 127.0.0.1 (an ephemeral port) from a daemon thread; it shuts itself
    down after ``idle`` seconds without a request, or at ``close()``."""

    def __init__(self, handle: Handler, idle: float = 60.0) -> None:
        self.handle, self.idle = handle, idle
        self.last = time.monotonic()
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
                return None

            def _serve(self) -> None:
                outer.last = time.monotonic()
                url = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    body = self._chunked()
                else:
                    body = self.rfile.read(length) if length else b""
                response = outer.handle(self.command, url.path, url.query, dict(self.headers.items()), body)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    if name not in ("content-length", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("content-length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)
                outer.last = time.monotonic()

            def _chunked(self) -> bytes:
                data = b""
                while True:
                    size = int(self.rfile.readline().strip().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()

            do_GET = do_POST = _serve  # noqa: N815 (BaseHTTPRequestHandler's names)

        class _Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return None  # a client that went away (a fetch killed at its timeout)

        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        self._watch = threading.Thread(target=self._idle_stop, daemon=True)
        self._stopped = threading.Event()
        self._watch.start()

    def _idle_stop(self) -> None:
        while not self._stopped.wait(1.0):
            if time.monotonic() - self.last > self.idle:
                self.close()

    @property
    def running(self) -> bool:
        return not self._stopped.is_set()

    def close(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.server.shutdown()
        self.server.server_close()


class GitHost:
    """One repository served over smart HTTP: ``handle`` answers a request (an ASGI route can
    call it), ``clone_url`` is its address on a loopback server started when first asked for.
    ``before`` may answer a request first (the emulator's faults)."""

    def __init__(
        self,
        full_name: str,
        repo_path: Path,
        authorized: Callable[[str | None], bool],
        before: Callable[[str, str], GitResponse | None] | None = None,
    ) -> None:
        self.full_name, self.authorized, self.before = full_name, authorized, before
        self.projects = GitProjects(Path(repo_path).resolve().parent)
        self.projects.add(full_name, Path(repo_path))
        self.requests: list[tuple[str, str, int]] = []  # (method, path?query, status)
        self.bytes_sent = 0
        self._server: LoopbackGitServer | None = None
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> GitResponse:
        response = self.before(method, path) if self.before is not None else None
        if response is None:
            response = git_http(self.projects, method, path, query, headers, body, self.authorized)
        self.requests.append((method, path + (f"?{query}" if query else ""), response.status))
        self.bytes_sent += len(response.body)
        return response

    @property
    def clone_url(self) -> str:
        with self._lock:
            if self._server is None or not self._server.running:
                self._server = LoopbackGitServer(self.handle)
            return f"{self._server.url}/{self.full_name}.git"

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.projects.close()
