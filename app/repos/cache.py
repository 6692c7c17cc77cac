"""A bare repository per repository reviewed, filled with ``git fetch`` over HTTPS: the review
reads the merge base and the head from it exactly as ``undertow scan`` reads a local clone.

- What: ``git fetch --depth=1 --filter=blob:limit=<the engine's size limit>`` of the shas a review
  needs, each kept under ``refs/undertow/<sha>`` so that a later fetch tells the server what is
  here and receives only new objects; a sha already here is not fetched again. A blob the filter
  left out is a partial clone's missing object: the review skips that file with a notice.
- Auth: Basic ``x-access-token:<installation token>`` as an ``http.extraHeader`` passed through
  the environment only (``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``): never in
  the URL, a process argument, the repository's config or a log line. No credential helper, no
  prompt, no hooks, no redirects; transports limited to https (http only to a loopback host, the
  emulator). A 401 or 403 mints a new token and fetches once more.
- Limits: a fetch timeout (the git process group is killed; the review is retried by the
  lifecycle); a per-repository file lock (workers sharing the volume); a disk budget
  (``UNDERTOW_GIT_CACHE_MB``) kept by removing the least recently used repositories no review is
  reading; revisions no review has used for ``KEEP_SECONDS`` are dropped and their objects pruned.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import ipaddress
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from undertow.analyzers.core.limits import MAX_FILE_BYTES
from undertow.app.git import GitRepo

log = logging.getLogger("undertow.repos")

# git omits blobs of at least this many bytes; the engine never reads a file over MAX_FILE_BYTES.
BLOB_LIMIT = MAX_FILE_BYTES + 1
DEFAULT_BUDGET_MB = 10 * 1024
DEFAULT_FETCH_TIMEOUT = 300.0
KEEP_SECONDS = 3 * 24 * 3600  # a revision no review has used for this long is pruned
MAX_REVISIONS = 200  # per repository: the most recently used are kept
MAX_PACKS = 32  # each fetch adds a pack; beyond this many they are repacked into one
REF_PREFIX = "refs/undertow/"
STATE_FILE = "undertow-revisions.json"
_LOCAL_TIMEOUT = 600.0  # seconds for local git commands (init, config, refs, gc)
_PASSED_ENV = (  # what a fetch inherits: the way out (proxies, CAs), nothing else
    "PATH",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "GIT_SSL_CAINFO",
)
_AUTH_FAILED = (
    "could not read username",
    "could not read password",
    "authentication failed",
    "returned error: 401",
    "returned error: 403",
)
_TRANSIENT = (
    "could not resolve host",
    "failed to connect",
    "connection refused",
    "connection reset",
    "connection timed out",
    "operation timed out",
    "timed out",
    "returned error: 5",
    "returned error: 429",
    "early eof",
    "the remote end hung up",
    "rpc failed",
    "transfer closed",
    "empty reply from server",
    "ssl",
    "gnutls",
)

TokenSource = Callable[[bool], Awaitable[str]]
"""``token(refresh)``: the installation token; with ``refresh``, a newly minted one."""

Runner = Callable[[Sequence[str], dict[str, str], float], subprocess.CompletedProcess]


class RepoError(RuntimeError):
    """A fetch that retrying will not fix (a refused URL, a sha the server does not have)."""


class FetchDenied(RepoError):
    """The server refused the installation token (401 or 403), even a fresh one. ``detail``: git's
    last line, the token redacted."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the server refused the installation token: {detail}")
        self.detail = detail


class FetchFailed(ConnectionError):
    """The network or the server failed: the review is retried (lifecycle.transient)."""


class FetchTimeout(TimeoutError):
    """A fetch (or the wait for another worker's) took longer than the limit: retried."""


def run_git(args: Sequence[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """Run git in a process group of its own, killed whole at ``timeout`` (``git fetch`` runs
    ``git-remote-https``, which would otherwise keep the pipes open)."""
    proc = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(list(args), proc.returncode, out, err)


def default_root() -> Path:
    """``git`` under the user cache directory (UNDERTOW_GIT_CACHE_DIR overrides it)."""
    from platformdirs import user_cache_path

    return user_cache_path("undertow") / "git"


def transport_allowed(url: str) -> bool:
    """Whether ``url`` may be fetched, and if so whether over plain http (loopback only);
    RepoError otherwise."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise RepoError("the clone URL carries credentials; refusing it")
    if parts.scheme == "https" and parts.hostname:
        return False
    if parts.scheme == "http" and _loopback(parts.hostname or ""):
        return True
    raise RepoError(f"refusing to fetch {parts.scheme or 'a URL without a scheme'}://: only https (http on loopback)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RepoCache:
    """Bare repositories under ``root``, one per (repository, clone URL)."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        budget_mb: float = DEFAULT_BUDGET_MB,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        *,
        lock_timeout: float | None = None,
        clock: Callable[[], float] = time.time,
        runner: Runner = run_git,
    ) -> None:
        self.root = Path(root)
        self.budget = int(budget_mb * 1024 * 1024)
        self.fetch_timeout = fetch_timeout
        self.lock_timeout = lock_timeout if lock_timeout is not None else fetch_timeout * 2 + 60
        self.clock = clock
        self.runner = runner
        self.fetches = 0  # git fetch processes run (benchmarks, tests)

    # -- the one entry point -------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def checkout(
        self, clone_url: str, full_name: str, shas: Iterable[str], token: TokenSource
    ) -> AsyncIterator[GitRepo]:
        """The repository with ``shas`` fetched, as a GitRepo, for the duration of the block
        (no other worker evicts it meanwhile)."""
        allow_http = transport_allowed(clone_url)
        wanted = list(dict.fromkeys(s for s in shas if s))
        for sha in wanted:
            if not re.fullmatch(r"[0-9a-f]{40}", sha):
                raise RepoError(f"not a commit sha: {sha[:50]!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        key = _key(full_name, clone_url)
        use = await asyncio.to_thread(self._lock, self.root / f"{key}.lock", fcntl.LOCK_SH)
        try:
            await self._ensure(key, clone_url, wanted, token, allow_http)
            await asyncio.to_thread(self._enforce_budget, key)
            repo = await asyncio.to_thread(GitRepo, self.root / key)
            try:
                yield repo
            finally:
                await asyncio.to_thread(repo.close)
        finally:
            _unlock(use)

    def path_of(self, full_name: str, clone_url: str) -> Path:
        return self.root / _key(full_name, clone_url)

    # -- fetching ------------------------------------------------------------------------------

    async def _ensure(self, key: str, url: str, wanted: list[str], token: TokenSource, allow_http: bool) -> None:
        fetch_lock = await asyncio.to_thread(self._lock, self.root / f"{key}.fetch.lock", fcntl.LOCK_EX)
        try:
            path = self.root / key
            missing = await asyncio.to_thread(self._prepare, path, url, wanted)
            if missing:
                try:
                    await asyncio.to_thread(self._fetch, path, missing, await token(False), allow_http)
                except FetchDenied:
                    log.info("git fetch refused the token; minting a new one", extra={"repo": key})
                    await asyncio.to_thread(self._fetch, path, missing, await token(True), allow_http)
            await asyncio.to_thread(self._record_use, path, wanted)
        finally:
            _unlock(fetch_lock)
        os.utime(self.root / f"{key}.lock", (self.clock(), self.clock()))  # least recently used: oldest mtime

    def _prepare(self, path: Path, url: str, wanted: list[str]) -> list[str]:
        """Create the bare repository if needed, point origin at ``url``, clear what a killed
        fetch left behind; the shas not here yet."""
        if not (path / "HEAD").exists():
            shutil.rmtree(path, ignore_errors=True)
            self._local(path.parent, "init", "--quiet", "--bare", str(path))
            for name, value in (
                ("core.repositoryformatversion", "1"),
                ("extensions.partialClone", "origin"),
                ("remote.origin.promisor", "true"),
                ("remote.origin.partialclonefilter", f"blob:limit={BLOB_LIMIT}"),
                ("gc.auto", "0"),
                ("maintenance.auto", "false"),
                ("fetch.writeCommitGraph", "false"),
                ("fetch.unpackLimit", "1"),  # fetched objects stay in (promisor) packs, never loose
            ):
                self._local(path, "config", name, value)
        if self._local(path, "config", "--get", "remote.origin.url", check=False).strip() != url:
            self._local(path, "config", "remote.origin.url", url)
        # We hold the fetch lock: any lock file is a killed fetch's.
        for stale in (path / "shallow.lock", path / "packed-refs.lock", path / "config.lock"):
            stale.unlink(missing_ok=True)
        refs = path / REF_PREFIX
        if refs.is_dir():
            for stale in refs.glob("*.lock"):
                stale.unlink(missing_ok=True)
        have = set(self._local(path, "for-each-ref", "--format=%(refname:lstrip=2)", REF_PREFIX.rstrip("/")).split())
        return [sha for sha in wanted if sha not in have]

    def _fetch(self, path: Path, shas: list[str], token: str, allow_http: bool) -> None:
        args = [
            "git",
            "-C",
            str(path),
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--no-recurse-submodules",
            "--no-auto-gc",
            "--depth=1",
            f"--filter=blob:limit={BLOB_LIMIT}",
            "origin",
            *(f"+{sha}:{REF_PREFIX}{sha}" for sha in shas),
        ]
        started = time.monotonic()
        self.fetches += 1
        try:
            proc = self.runner(args, self._fetch_env(token, allow_http), self.fetch_timeout)
        except subprocess.TimeoutExpired:
            log.warning("git fetch timed out", extra={"repo": path.name, "timeout": self.fetch_timeout})
            raise FetchTimeout(f"git fetch took longer than {self.fetch_timeout:g} s") from None
        if proc.returncode == 0:
            log.info(
                "git fetch",
                extra={"repo": path.name, "revisions": len(shas), "ms": round((time.monotonic() - started) * 1000)},
            )
            return
        stderr = proc.stderr.decode("utf-8", "replace") if isinstance(proc.stderr, bytes) else str(proc.stderr)
        lowered = stderr.lower()
        last = next((line for line in reversed(stderr.strip().splitlines()) if line.strip()), "git fetch failed")
        last = _redact(last, token)[:300]
        if any(marker in lowered for marker in _AUTH_FAILED):
            raise FetchDenied(last)
        if any(marker in lowered for marker in _TRANSIENT):
            raise FetchFailed(last)
        raise RepoError(last)

    def _fetch_env(self, token: str, allow_http: bool) -> dict[str, str]:
        credential = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        config = [
            ("http.extraHeader", f"Authorization: Basic {credential}"),
            ("credential.helper", ""),  # an empty value clears every helper
            ("core.hooksPath", os.devnull),
            ("core.askPass", ""),
            ("protocol.allow", "never"),
            ("protocol.https.allow", "always"),
            *([("protocol.http.allow", "always")] if allow_http else []),
            ("http.followRedirects", "false"),  # the header must not follow a redirect elsewhere
            ("fetch.recurseSubmodules", "false"),
            ("submodule.recurse", "false"),
            ("gc.auto", "0"),
            ("maintenance.auto", "false"),
        ]
        env = self._base_env()
        env["GIT_ALLOW_PROTOCOL"] = "https:http" if allow_http else "https"
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (name, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{i}"] = name
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        return env

    def _base_env(self) -> dict[str, str]:
        env = {k: v for k in _PASSED_ENV if (v := os.environ.get(k)) is not None}
        env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
        env.update(
            {
                "HOME": str(self.root),
                "LC_ALL": "C",
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_ATTR_NOSYSTEM": "1",
                "GIT_NO_REPLACE_OBJECTS": "1",
                "GIT_NO_LAZY_FETCH": "1",
                "GIT_ALLOW_PROTOCOL": "undertow-no-network",  # local commands never fetch
            }
        )
        return env

    def _local(self, cwd: Path, *args: str, check: bool = True, input: bytes | None = None) -> str:
        argv = ["git", "-C", str(cwd), *args]
        if input is not None:
            proc = subprocess.run(argv, input=input, capture_output=True, env=self._base_env(), timeout=_LOCAL_TIMEOUT)
        else:
            proc = self.runner(argv, self._base_env(), _LOCAL_TIMEOUT)
        if check and proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RepoError(f"git {args[0]}: {message[-1] if message else 'failed'}")
        return proc.stdout.decode("utf-8", "surrogateescape")

    # -- pruning and the disk budget -----------------------------------------------------------

    def _record_use(self, path: Path, wanted: list[str]) -> None:
        """Note when each revision was last needed; drop the refs of those no review needs any
        more (unused for KEEP_SECONDS, or beyond the MAX_REVISIONS most recent) and prune."""
        state_file = path / STATE_FILE
        try:
            used: dict[str, float] = json.loads(state_file.read_text())
        except (OSError, ValueError):
            used = {}
        now = self.clock()
        for sha in wanted:
            used[sha] = now
        recent = sorted(used, key=lambda s: -used[s])
        stale = [
            s for i, s in enumerate(recent) if s not in wanted and (now - used[s] > KEEP_SECONDS or i >= MAX_REVISIONS)
        ]
        if stale:
            commands = "".join(f"delete {REF_PREFIX}{sha}\n" for sha in stale).encode()
            self._local(path, "update-ref", "--stdin", input=commands, check=False)
            for sha in stale:
                used.pop(sha, None)
            self._repack(path)
            log.info("pruned revisions", extra={"repo": path.name, "revisions": len(stale)})
        elif len(list((path / "objects" / "pack").glob("pack-*.pack"))) > MAX_PACKS:
            self._repack(path)  # reads look in every pack: keep them few
        tmp = state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(used))
        tmp.replace(state_file)

    def _repack(self, path: Path) -> None:
        """One promisor pack of what the remaining refs reach (depth 1, the same blob filter) in
        place of every pack: git's gc keeps every object of a partial clone's promisor packs,
        reachable or not, so it cannot drop what no review needs. Readers holding an old pack
        open keep reading it; git finds the objects in the new pack after."""
        pack_dir = path / "objects" / "pack"
        old = [p for p in pack_dir.iterdir() if p.name.startswith("pack-")] if pack_dir.is_dir() else []
        env = self._base_env()
        packer = subprocess.Popen(
            [
                "git",
                "-C",
                str(path),
                "pack-objects",
                "--all",
                "--revs",
                "--missing=allow-any",
                f"--filter=blob:limit={BLOB_LIMIT}",
                "--quiet",
                "--stdout",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            indexed = subprocess.run(
                ["git", "-C", str(path), "index-pack", "--stdin", "--promisor=undertow prune"],
                stdin=packer.stdout,
                capture_output=True,
                env=env,
                timeout=_LOCAL_TIMEOUT,
            )
        finally:
            if packer.stdout is not None:
                packer.stdout.close()
            packed = packer.wait(timeout=_LOCAL_TIMEOUT)
        kind, _, name = indexed.stdout.decode().strip().partition("\t")
        if packed != 0 or indexed.returncode != 0 or kind != "pack" or not re.fullmatch(r"[0-9a-f]{40,64}", name):
            log.warning("repack failed; nothing pruned", extra={"repo": path.name})
            return
        (pack_dir / f"pack-{name}.promisor").touch()
        keep = {f"pack-{name}{suffix}" for suffix in (".pack", ".idx", ".rev", ".promisor")}
        for item in old:
            if item.name not in keep:
                item.unlink(missing_ok=True)
        self._local(path, "prune", "--expire=now", check=False)  # loose objects, and the shallow list

    def usage(self) -> dict[str, int]:
        """Bytes on disk of each cached repository."""
        return {p.name: _du(p) for p in self.root.iterdir() if p.is_dir() and (p / "HEAD").exists()}

    def _enforce_budget(self, current: str) -> None:
        budget_lock = self._lock(self.root / ".budget.lock", fcntl.LOCK_EX)
        try:
            sizes = self.usage()
            total = sum(sizes.values())
            if total <= self.budget:
                return

            def last_used(key: str) -> float:
                try:
                    return (self.root / f"{key}.lock").stat().st_mtime
                except OSError:
                    return 0.0

            for key in sorted(sizes, key=last_used):
                if total <= self.budget:
                    break
                if key == current:
                    continue
                fd = self._lock(self.root / f"{key}.lock", fcntl.LOCK_EX, wait=False)
                if fd is None:
                    continue  # a review is reading it
                try:
                    shutil.rmtree(self.root / key, ignore_errors=True)
                    total -= sizes[key]
                    log.info("evicted repository", extra={"repo": key, "bytes": sizes[key]})
                finally:
                    _unlock(fd)
            if total > self.budget:
                log.warning("git cache over its budget", extra={"bytes": total, "budget": self.budget})
        finally:
            _unlock(budget_lock)

    # -- locks ---------------------------------------------------------------------------------

    def _lock(self, path: Path, mode: int, wait: bool = True) -> int | None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if not wait:
                    os.close(fd)
                    return None
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise FetchTimeout(f"waited {self.lock_timeout:g} s for another worker's fetch") from None
                time.sleep(0.05)


def _unlock(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _key(full_name: str, clone_url: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", full_name.replace("/", "--"))[:100]
    return f"{name}-{hashlib.sha256(clone_url.encode()).hexdigest()[:12]}"


def _du(path: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def _redact(text: str, token: str) -> str:
    if not token:
        return text
    credential = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return text.replace(token, "[token]").replace(credential, "[token]")
