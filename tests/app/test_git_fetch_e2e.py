"""The App reads repositories with git, end to end on the GitHub emulator: REST over an ASGI
transport, git's smart HTTP on a loopback server of the emulator's (git http-backend). Cold and
warm reviews with the exact REST calls, a fork's pull request, a 20 MB file left out by the
filter, a token that expires between two fetches, a fetch that times out and is retried, two
workers fetching one repository, the disk budget, pruning, and no token in any argv, file or log."""

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import random
import subprocess

import httpx
import pytest

from tests.app import gitcache
from tests.app.test_emulator_e2e import APP_ID, NoWaitGitHub, app_key  # noqa: F401 (fixture)
from tests.app.test_review import BASE, PR
from tests.gitrepo import Repo
from undertow.app.dev.emulator import EmulatedGitHub, Faults, PullRequest, create_emulator
from undertow.app.dev.git_http import GitHost
from undertow.app.github.auth import InstallationTokens
from undertow.app.queue.lifecycle import review_until_done
from undertow.app.repos.cache import KEEP_SECONDS, REF_PREFIX, run_git
from undertow.app.review import ReviewJob, run_review
from undertow.app.service.wiring import Service

API = "http://github.test"
FIXED = PR["app/jobs.py"].replace("p])", "p], timeout=600)")
BLOB = os.urandom(600_000)  # under the size limit: fetched once, never again


def emulate(repo, app_key, pulls=None, faults=None):  # noqa: F811
    from tests.openapi import spec

    return EmulatedGitHub(
        repo.path,
        "octo/app",
        APP_ID,
        app_key[1],
        pulls=pulls or {7: PullRequest(7)},
        faults=faults or Faults(),
        openapi=spec(),
    )


async def connect(state, pem):
    """An installation client with a token, whose 401s mint a new one (as github_factory's)."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_emulator(state)), base_url=API)
    tokens = InstallationTokens(APP_ID, pem)
    app_gh = NoWaitGitHub(client, "undertow", base_url=API)

    async def refresh():
        return await tokens.refresh(app_gh, 1)

    gh = NoWaitGitHub(
        client, "undertow", oauth_token=await tokens.token(app_gh, 1), base_url=API, refresh_token=refresh
    )
    return client, gh


def job_for(state, number=7):
    pr = state.pulls[number]
    return ReviewJob(
        "octo/app",
        number,
        1,
        state.git.resolve(pr.head),
        "synchronize",
        state.git.resolve(pr.base),
        clone_url=state.clone_url,
    )


def rest(state, since=0):
    return [f"{m} {p}" for m, p, _ in state.requests[since:]]


def git_calls(state, since=0):
    return [(m, p.split("?")[0], s) for m, p, s in state.git_requests[since:]]


ONE_FETCH = [("GET", "/octo/app.git/info/refs", 200), ("POST", "/octo/app.git/git-upload-pack", 200)]


def test_a_pull_request_reviewed_cold_then_warm_then_after_a_push(make_pr, app_key):  # noqa: F811
    repo = make_pr({**BASE, "assets/blob.bin": BLOB}, PR)
    state = emulate(repo, app_key)
    repos = gitcache.repos()

    async def scenario():
        client, gh = await connect(state, app_key[0])
        try:
            marks = []
            outcomes = []
            for step in ("cold", "warm", "push"):
                if step == "push":
                    repo.commit({"app/jobs.py": FIXED})
                marks.append((len(state.requests), len(state.git_requests), state.git_host.bytes_sent))
                outcomes.append(await run_review(gh, job_for(state), repos))
            marks.append((len(state.requests), len(state.git_requests), state.git_host.bytes_sent))
            return outcomes, marks
        finally:
            await client.aclose()

    (cold, warm, push), marks = asyncio.run(scenario())
    base, first_head, new_head = state.git.resolve("main"), state.git.resolve("HEAD~1"), state.git.resolve("HEAD")
    assert (cold.status, cold.conclusion, cold.comments) == ("published", "failure", 2)
    assert (warm.status, warm.comments, push.status, push.conclusion) == ("published", 0, "published", "failure")
    # Cold: the token, the check run, compare (the merge base), then publishing; the tree, the
    # blobs and the diff come from one git fetch (two HTTP requests).
    assert rest(state, 0)[: marks[1][0]] == [
        "POST /app/installations/1/access_tokens",
        "POST /repos/octo/app/check-runs",
        f"GET /repos/octo/app/compare/{base}...{first_head}",
        "PATCH /repos/octo/app/check-runs/1",
        "GET /repos/octo/app/pulls/7/comments",
        "POST /repos/octo/app/pulls/7/reviews",
        "GET /repos/octo/app/issues/7/comments",
    ]
    assert git_calls(state, 0)[: marks[1][1]] == ONE_FETCH
    assert marks[1][2] - marks[0][2] > len(BLOB)  # the whole base revision came in
    # Warm (the same head again): no git request at all, five REST calls.
    assert rest(state, marks[1][0])[: marks[2][0] - marks[1][0]] == [
        "POST /repos/octo/app/check-runs",
        f"GET /repos/octo/app/compare/{base}...{first_head}",
        "PATCH /repos/octo/app/check-runs/2",
        "GET /repos/octo/app/pulls/7/comments",
        "GET /repos/octo/app/issues/7/comments",
    ]
    assert marks[2][1] == marks[1][1]
    # A new push: one fetch of the new head, which brings only the new objects (not the blob).
    assert rest(state, marks[2][0]) == [
        "POST /repos/octo/app/check-runs",
        f"GET /repos/octo/app/compare/{base}...{new_head}",
        "PATCH /repos/octo/app/check-runs/3",
        "GET /repos/octo/app/pulls/7/comments",
        "GET /repos/octo/app/issues/7/comments",
        "PATCH /repos/octo/app/pulls/comments/5000",  # the fixed finding's comment marked resolved
    ]
    assert git_calls(state, marks[2][1]) == ONE_FETCH
    assert marks[3][2] - marks[2][2] < 20_000
    assert repos.fetches == 2
    state.close()


def test_a_fork_pull_request_is_fetched_from_the_base_repository_by_sha(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    head = repo.git("rev-parse", "HEAD").strip()
    # GitHub keeps a fork's pull request head under refs/pull/N/head of the base repository: no
    # branch there has it, and the fork's own URL is not where the App fetches.
    repo.git("update-ref", "refs/pull/7/head", head)
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "pr")
    state = emulate(repo, app_key, pulls={7: PullRequest(7, "main", "refs/pull/7/head")})
    secret = "s3cret"

    async def scenario():
        client, gh = await connect(state, app_key[0])

        async def github_for(installation_id):
            return gh

        service = Service(secret, github_for, repos=gitcache.repos())
        payload = {
            "action": "opened",
            "number": 7,
            "installation": {"id": 1},
            "repository": {"full_name": "octo/app", "clone_url": state.clone_url},
            "pull_request": {
                "number": 7,
                "head": {
                    "sha": head,
                    "repo": {"full_name": "someone/app", "clone_url": "https://fork.invalid/someone/app.git"},
                },
                "base": {"sha": state.git.resolve("main"), "ref": "main"},
            },
        }
        body = json.dumps(payload).encode()
        headers = {
            "x-github-event": "pull_request",
            "x-github-delivery": "fork-1",
            "content-type": "application/json",
            "x-hub-signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        }
        async with service.app.router.lifespan_context(service.app):
            web = httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://undertow.test")
            status = (await web.post("/webhook", content=body, headers=headers)).status_code
            await service.drain()
            await web.aclose()
        await client.aclose()
        return status

    assert asyncio.run(scenario()) == 202
    (run,) = state.check_runs.values()
    assert (run["head_sha"], run["status"], run["conclusion"]) == (head, "completed", "failure")
    assert [(c["path"], c["line"]) for c in state.comments] == [("app/jobs.py", 9), ("requirements.txt", 1)]
    assert git_calls(state) == ONE_FETCH
    state.close()


def test_a_20_mb_file_is_left_out_by_the_filter_and_the_review_goes_on(make_pr, app_key):  # noqa: F811
    big = "".join(f"# {os.urandom(32).hex()}\n" for _ in range(20 * 1024 * 1024 // 67))
    repo = make_pr(BASE, {**PR, "app/generated.py": big})
    state = emulate(repo, app_key)
    repos = gitcache.repos()

    async def scenario():
        client, gh = await connect(state, app_key[0])
        try:
            return await run_review(gh, job_for(state), repos)
        finally:
            await client.aclose()

    outcome = asyncio.run(scenario())
    assert len(big) > 20_000_000
    assert (outcome.status, outcome.conclusion, outcome.comments) == ("published", "failure", 2)
    assert state.git_host.bytes_sent < 1_000_000  # 20 MB of (incompressible) text never came over
    (run,) = state.check_runs.values()
    notices = [a for a in run["annotations"] if a["path"] == "app/generated.py"]
    assert [(a["annotation_level"], a["title"].split()[0]) for a in notices] == [("notice", "UND003")]
    assert "is not in this clone" in notices[0]["message"]
    oid = state.git.tree(state.git.resolve("HEAD"))["app/generated.py"].oid
    assert _objects(repos.path_of("octo/app", state.clone_url), [oid]) == {oid: False}
    state.close()


def test_a_token_that_expires_between_two_fetches_is_replaced_and_the_fetch_retried(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key)
    repos = gitcache.repos()

    async def scenario():
        client, gh = await connect(state, app_key[0])
        try:
            first = await run_review(gh, job_for(state), repos)
            repo.commit({"app/jobs.py": FIXED})
            mark = len(state.requests), len(state.git_requests)
            state.faults.git_expire_tokens = True  # the token expires right when git presents it
            second = await run_review(gh, job_for(state), repos)
            return first, second, mark
        finally:
            await client.aclose()

    first, second, (rest_mark, git_mark) = asyncio.run(scenario())
    assert (first.status, second.status, second.conclusion) == ("published", "published", "failure")
    assert git_calls(state, git_mark) == [("GET", "/octo/app.git/info/refs", 401), *ONE_FETCH]
    calls = rest(state, rest_mark)
    assert calls[:4] == [
        "POST /repos/octo/app/check-runs",
        f"GET /repos/octo/app/compare/{state.git.resolve('main')}...{state.git.resolve('HEAD')}",
        "POST /app/installations/1/access_tokens",  # minted when git was refused, then fetched again
        "PATCH /repos/octo/app/check-runs/2",
    ]
    assert [s for _, _, s in state.requests[rest_mark:]] == [201, 200, 201] + [200] * (len(calls) - 3)
    state.close()


@pytest.mark.parametrize("status", [401, 403])
def test_git_refusing_even_a_new_token_ends_the_check_run_saying_the_app_has_no_access(make_pr, app_key, status):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key, faults=Faults(git_refuse=status))
    repos = gitcache.repos()
    slept = []

    async def scenario():
        client, gh = await connect(state, app_key[0])

        async def github():
            return gh

        async def sleep(seconds):
            slept.append(seconds)

        try:
            return await review_until_done(
                github,
                "octo/app",
                lambda gh, progress: run_review(gh, job_for(state), repos, attempt=progress),
                head=state.git.resolve("HEAD"),
                sleep=sleep,
            )
        finally:
            await client.aclose()

    outcome = asyncio.run(scenario())
    assert (outcome.status, outcome.conclusion) == ("no_access", "failure")
    assert slept == [] and repos.fetches == 2  # the token, then a newly minted one; not retried later
    assert git_calls(state) == [("GET", "/octo/app.git/info/refs", status)] * 2
    assert rest(state) == [
        "POST /app/installations/1/access_tokens",
        "POST /repos/octo/app/check-runs",
        f"GET /repos/octo/app/compare/{state.git.resolve('main')}...{state.git.resolve('HEAD')}",
        "POST /app/installations/1/access_tokens",  # minted when git refused the first token
        "PATCH /repos/octo/app/check-runs/1",
    ]
    (run,) = state.check_runs.values()
    origin = state.clone_url.rsplit("/", 2)[0]
    assert (run["status"], run["conclusion"], run["output"]["title"]) == (
        "completed",
        "failure",
        "No access to the repository",
    )
    assert run["output"]["summary"] == (
        f"GitHub refused the App's access to octo/app over git: fatal: {GIT_REFUSAL[status].format(origin=origin)}; "
        "check the App's installation permissions (contents: read). A new installation token was refused too, "
        "so nothing was reviewed; re-run the check or comment `/undertow rescan` once the permissions are granted."
    )
    assert "problem in Undertow" not in run["output"]["summary"]
    assert [a["identifier"] for a in run.get("actions", [])] == ["rescan"]
    state.close()


GIT_REFUSAL = {
    401: "could not read Username for '{origin}': terminal prompts disabled",
    403: "unable to access '{origin}/octo/app.git/': The requested URL returned error: 403",
}


def test_a_fetch_that_times_out_is_retried_by_the_review_lifecycle(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key, faults=Faults(git_stalls=1, git_stall_seconds=4.0))
    repos = gitcache.repos(fetch_timeout=1.0)
    slept = []

    async def scenario():
        client, gh = await connect(state, app_key[0])

        async def github():
            return gh

        async def sleep(seconds):
            slept.append(seconds)

        try:
            return await review_until_done(
                github,
                "octo/app",
                lambda gh, progress: run_review(gh, job_for(state), repos, attempt=progress),
                head=state.git.resolve("HEAD"),
                sleep=sleep,
            )
        finally:
            await client.aclose()

    outcome = asyncio.run(scenario())
    assert (outcome.status, outcome.conclusion) == ("published", "failure")
    assert len(slept) == 1 and repos.fetches == 2  # the first fetch was killed at 1 s, the retry fetched
    (run,) = state.check_runs.values()  # the retry completed the first attempt's check run
    assert run["conclusion"] == "failure"
    assert [p for p in rest(state) if "check-runs" in p] == [
        "POST /repos/octo/app/check-runs",
        "PATCH /repos/octo/app/check-runs/1",
    ]
    state.close()


def test_a_review_during_a_git_outage_is_retried_and_completes_after_it(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    now = [1000.0]
    state = emulate(repo, app_key, faults=Faults(clock=lambda: now[0]))
    repos = gitcache.repos()
    slept = []

    async def scenario():
        client, gh = await connect(state, app_key[0])

        async def github():
            return gh

        async def sleep(seconds):
            slept.append(seconds)
            now[0] += seconds

        state.faults.outage(20, services=("git",))  # git's smart HTTP only: REST answers throughout
        try:
            return await review_until_done(
                github,
                "octo/app",
                lambda gh, progress: run_review(gh, job_for(state), repos, attempt=progress),
                head=state.git.resolve("HEAD"),
                clock=lambda: now[0],
                sleep=sleep,
                rng=random.Random(3),
            )
        finally:
            await client.aclose()

    outcome = asyncio.run(scenario())
    assert (outcome.status, outcome.conclusion) == ("published", "failure")
    assert sum(slept[:-1]) < 20 <= sum(slept)  # retried until the outage was over, then once more
    assert git_calls(state) == [("GET", "/octo/app.git/info/refs", 503)] * len(slept) + ONE_FETCH
    assert repos.fetches == len(slept) + 1
    compare = f"GET /repos/octo/app/compare/{state.git.resolve('main')}...{state.git.resolve('HEAD')}"
    calls = rest(state)
    assert calls[: 3 + len(slept)] == [
        "POST /app/installations/1/access_tokens",
        "POST /repos/octo/app/check-runs",  # the first attempt's check run, completed by the last
        *[compare] * (len(slept) + 1),
    ]
    assert [p for p in calls if "check-runs" in p] == [
        "POST /repos/octo/app/check-runs",
        "PATCH /repos/octo/app/check-runs/1",
    ]
    assert all(s < 300 for _, _, s in state.requests)
    (run,) = state.check_runs.values()
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    state.close()


def test_two_workers_fetching_one_repository_at_once_fetch_it_once(make_pr, app_key):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key, faults=Faults(git_stalls=1, git_stall_seconds=1.0))
    state.tokens["tok"] = 1
    workers = [gitcache.repos(), gitcache.repos()]  # two processes' caches on one volume
    shas = [state.git.resolve("main"), state.git.resolve("HEAD")]

    async def token(refresh):
        return "tok"

    async def review(cache):
        async with cache.checkout(state.clone_url, "octo/app", shas, token) as git:
            return git.tree(shas[1])["app/jobs.py"].oid

    async def scenario():
        return await asyncio.gather(*(review(cache) for cache in workers))

    oids = asyncio.run(scenario())
    assert oids[0] == oids[1] == state.git.tree(shas[1])["app/jobs.py"].oid
    assert sum(w.fetches for w in workers) == 1  # the second waited for the lock, then found both shas
    assert git_calls(state) == ONE_FETCH
    state.close()


def _host(tmp_path, name, files):
    repo = Repo(tmp_path / name)
    sha = repo.commit(files)
    return repo, sha, GitHost(f"octo/{name}", repo.path, lambda t: t == "tok")


async def _token(refresh):
    return "tok"


def test_the_disk_budget_evicts_the_least_recently_used_repository_but_never_one_being_read(tmp_path):
    one, one_sha, one_host = _host(tmp_path, "one", {"blob.bin": os.urandom(600_000)})
    two, two_sha, two_host = _host(tmp_path, "two", {"blob.bin": os.urandom(600_000)})
    cache = gitcache.repos(budget_mb=1.0)
    one_path = cache.path_of("octo/one", one_host.clone_url)
    two_path = cache.path_of("octo/two", two_host.clone_url)

    async def scenario():
        async with cache.checkout(one_host.clone_url, "octo/one", [one_sha], _token):
            pass
        async with cache.checkout(two_host.clone_url, "octo/two", [two_sha], _token):
            pass
        after_two = (one_path.exists(), two_path.exists())
        async with cache.checkout(two_host.clone_url, "octo/two", [two_sha], _token):  # being read
            async with cache.checkout(one_host.clone_url, "octo/one", [one_sha], _token) as git:
                read = git.tree(one_sha)["blob.bin"].size
        return after_two, read, (one_path.exists(), two_path.exists())

    after_two, read, both = asyncio.run(scenario())
    assert after_two == (False, True)  # one, least recently used, made room for two
    assert read == 600_000
    assert both == (True, True)  # two was being read: over budget rather than pulled from under a review
    assert sorted(cache.usage()) == sorted([one_path.name, two_path.name])
    assert cache.fetches == 3
    one_host.close()
    two_host.close()


def test_revisions_no_review_needs_any_more_are_pruned(tmp_path):
    repo, old, host = _host(tmp_path, "one", {"a.py": "x = 1\n"})
    new = repo.commit({"a.py": "x = 2\n"})
    now = [1_000_000.0]
    cache = gitcache.repos(clock=lambda: now[0])
    path = cache.path_of("octo/one", host.clone_url)

    async def scenario():
        async with cache.checkout(host.clone_url, "octo/one", [old], _token):
            pass
        now[0] += KEEP_SECONDS + 1
        async with cache.checkout(host.clone_url, "octo/one", [new], _token):
            pass

    asyncio.run(scenario())
    refs = subprocess.run(
        ["git", "-C", str(path), "for-each-ref", "--format=%(refname)"], capture_output=True, text=True
    )
    assert refs.stdout.split() == [f"{REF_PREFIX}{new}"]
    assert _objects(path, [old, new]) == {old: False, new: True}
    host.close()


def test_no_token_reaches_an_argument_list_a_file_or_a_log_line(make_pr, app_key, tmp_path, caplog):  # noqa: F811
    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key)
    trace = tmp_path / "git-trace.txt"
    runs = []

    def traced(args, env, timeout):
        runs.append((list(args), dict(env)))
        return run_git(args, {**env, "GIT_TRACE": str(trace)}, timeout)

    repos = gitcache.repos(runner=traced)

    async def scenario():
        client, gh = await connect(state, app_key[0])
        try:
            await run_review(gh, job_for(state), repos)
            repo.commit({"app/jobs.py": FIXED})
            state.faults.git_expire_tokens = True  # and a second token, minted for a second fetch
            await run_review(gh, job_for(state), repos)
        finally:
            await client.aclose()

    caplog.set_level(logging.DEBUG)
    asyncio.run(scenario())
    tokens = [body["token"] for m, p, s, body in state.responses if p.endswith("/access_tokens") and s == 201]
    assert len(tokens) == 2
    secrets = [*tokens, *(base64.b64encode(f"x-access-token:{t}".encode()).decode() for t in tokens)]
    fetches = [(args, env) for args, env in runs if "fetch" in args]
    assert len(fetches) == 3  # the first fetch, the refused one, the retried one
    # The token went to git through the environment only ...
    assert all(env["GIT_CONFIG_KEY_0"] == "http.extraHeader" for _, env in fetches)
    assert {env["GIT_CONFIG_VALUE_0"].rsplit(" ", 1)[1] for _, env in fetches} == set(secrets[2:])
    # ... never in an argv (git's own and its children's, as GIT_TRACE saw them), a file of the
    # cache (config included) or a log record.
    traced_argv = trace.read_text()
    assert "git-remote-http" in traced_argv and "index-pack" in traced_argv
    argv = "\n".join(" ".join(args) for args, _ in runs) + traced_argv
    files = b"".join(p.read_bytes() for p in repos.root.rglob("*") if p.is_file())
    assert b'[remote "origin"]' in (repos.path_of("octo/app", state.clone_url) / "config").read_bytes()
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    for secret in secrets:
        assert secret not in argv
        assert secret.encode() not in files
        assert secret not in logged
    state.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://github.example.com/octo/app.git",  # plain http off loopback
        "file:///tmp/octo/app.git",
        "ssh://git@github.com/octo/app.git",
        "https://x-access-token:ghs_secret@github.com/octo/app.git",  # credentials in a URL
    ],
)
def test_clone_urls_other_than_https_or_loopback_http_are_refused(url):
    from undertow.app.repos.cache import RepoError

    async def scenario():
        async with gitcache.repos().checkout(url, "octo/app", ["a" * 40], _token):
            pass

    with pytest.raises(RepoError) as caught:
        asyncio.run(scenario())
    assert "ghs_secret" not in str(caught.value)


def _objects(path, oids):
    """Which of ``oids`` the bare repository holds (listing what it has: nothing is fetched)."""
    out = subprocess.run(
        ["git", "-C", str(path), "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    present = set(out.split())
    return {oid: oid in present for oid in oids}


def test_a_4000_file_pull_request_is_reviewed_with_the_same_rest_calls(make_pr, app_key):  # noqa: F811
    # GitHub's pulls/{n}/files stops at 3,000 files; the diff is computed locally now.
    many = {f"docs/page{i}.md": f"page {i}\n" for i in range(4000)}
    repo = make_pr(BASE, {**PR, **many})
    state = emulate(repo, app_key)

    async def scenario():
        client, gh = await connect(state, app_key[0])
        try:
            return await run_review(gh, job_for(state), gitcache.repos())
        finally:
            await client.aclose()

    outcome = asyncio.run(scenario())
    assert (outcome.status, outcome.conclusion, outcome.comments) == ("published", "failure", 2)
    assert len(state.requests) == 7 and git_calls(state) == ONE_FETCH
    (run,) = state.check_runs.values()
    assert [(a["path"], a["start_line"]) for a in run["annotations"]] == [("app/jobs.py", 9), ("requirements.txt", 1)]
    state.close()


def test_over_undertows_own_limits_the_check_is_neutral_and_says_why(make_pr, app_key, monkeypatch):  # noqa: F811
    from undertow.app import review

    repo = make_pr(BASE, PR)
    state = emulate(repo, app_key)

    async def scenario():
        client, gh = await connect(state, app_key[0])
        try:
            monkeypatch.setattr(review, "MAX_CHANGED_FILES", 1)
            files = await run_review(gh, job_for(state), gitcache.repos())
            monkeypatch.setattr(review, "MAX_CHANGED_FILES", 10_000)
            monkeypatch.setattr(review, "MAX_CHANGED_BYTES", 100)
            size = await run_review(gh, job_for(state), gitcache.repos())
            return files, size
        finally:
            await client.aclose()

    files, size = asyncio.run(scenario())
    assert (files.status, files.conclusion, size.status, size.conclusion) == ("neutral",) * 2 * 2
    first, second = state.check_runs.values()
    assert (first["conclusion"], first["output"]) == (
        "neutral",
        {
            "title": "Diff too large",
            "summary": "This pull request changes 2 files; Undertow reviews at most 1, so it did not review this one.",
        },
    )
    assert state.reviews == [] and second["output"]["title"] == "Diff too large"
    assert second["output"]["summary"].startswith("The files this pull request changes hold 0 MiB; Undertow reviews")
    state.close()


def test_packs_that_fetches_pile_up_are_repacked_into_one_and_every_revision_stays(tmp_path, monkeypatch):
    from undertow.app.repos import cache as repo_cache

    monkeypatch.setattr(repo_cache, "MAX_PACKS", 2)
    repo, first, host = _host(tmp_path, "one", {"a.py": "x = 1\n"})
    shas = [first, repo.commit({"a.py": "x = 2\n"}), repo.commit({"a.py": "x = 3\n"})]
    cache = gitcache.repos()
    path = cache.path_of("octo/one", host.clone_url)

    async def scenario():
        counts = []
        for sha in shas:
            async with cache.checkout(host.clone_url, "octo/one", [sha], _token):
                counts.append(len(list((path / "objects/pack").glob("pack-*.pack"))))
        async with cache.checkout(host.clone_url, "octo/one", shas, _token) as git:
            return counts, [git.snapshot(sha).read("a.py") for sha in shas]

    counts, contents = asyncio.run(scenario())
    assert counts == [1, 2, 1] and cache.fetches == 3  # the third fetch's pack made three: repacked
    assert contents == [b"x = 1\n", b"x = 2\n", b"x = 3\n"]
    assert len(list((path / "objects/pack").glob("pack-*.promisor"))) == 1  # still a partial clone's pack
    host.close()
