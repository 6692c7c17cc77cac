"""`make demo`, the App path: a signed pull_request webhook to `undertow serve` (embedded mode),
reviewing the sample repository on the local GitHub emulator; prints what was posted.

    python -m undertow.app.dev.demo REPO      (REPO: the sample built by examples/demo/build.sh)

REST runs in this process over ASGI transports; git fetches the repository from the emulator's
smart-HTTP server on 127.0.0.1 into a temporary git cache. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import tempfile
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from undertow.app.dev.emulator import EmulatedGitHub, PullRequest, create_emulator
from undertow.app.github.auth import InstallationTokens
from undertow.app.github.client import ResilientGitHubAPI
from undertow.app.repos.cache import RepoCache
from undertow.app.service.wiring import Service

SECRET = "demo-webhook-secret"


def terminal(markdown: str) -> str:
    """GitHub markdown as a terminal shows it: hidden markers and HTML dropped, emphasis plain."""
    import re

    text = re.sub(r"<!--.*?-->", "", markdown)
    text = re.sub(r"</?details>|</?summary>", "", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    text = re.sub(r"^```suggestion$", "suggested change:", text, flags=re.M)
    text = re.sub(r"^```\w*$", "", text, flags=re.M)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


APP_ID, INSTALLATION, REPO, NUMBER = 1, 1, "demo/sample", 1


async def run(repo_path: Path) -> int:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    state = EmulatedGitHub(
        repo_path, REPO, APP_ID, key.public_key(), pulls={NUMBER: PullRequest(NUMBER, "main", "feature/transcode")}
    )
    github = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_emulator(state)), base_url="http://github.local"
    )
    tokens = InstallationTokens(APP_ID, pem)

    async def github_for(installation_id: int):
        token = await tokens.token(
            ResilientGitHubAPI(github, "undertow", base_url="http://github.local"), installation_id
        )
        return ResilientGitHubAPI(github, "undertow", oauth_token=token, base_url="http://github.local")

    cache_dir = tempfile.TemporaryDirectory(prefix="undertow-demo-git-")
    service = Service(SECRET, github_for, repos=RepoCache(cache_dir.name))
    head = state.git.resolve("feature/transcode")
    payload = {
        "action": "opened",
        "number": NUMBER,
        "installation": {"id": INSTALLATION},
        "repository": {"full_name": REPO, "clone_url": state.clone_url},
        "pull_request": {"number": NUMBER, "head": {"sha": head}, "base": {"ref": "main"}},
    }
    body = json.dumps(payload).encode()
    headers = {
        "x-github-event": "pull_request",
        "x-github-delivery": "demo-1",
        "content-type": "application/json",
        "x-hub-signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }
    async with service.app.router.lifespan_context(service.app):
        webhook = httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://undertow.local")
        response = await webhook.post("/webhook", content=body, headers=headers)
        print(f"POST /webhook (pull_request opened) -> {response.status_code} {response.json()}")
        await service.drain()
        await webhook.aclose()
    await github.aclose()
    git_requests = len(state.git_requests)
    state.close()
    cache_dir.cleanup()
    for run_ in state.check_runs.values():
        print(f"\n== Check run '{run_['name']}': {run_.get('status')} / {run_.get('conclusion')}")
        print(f"   {run_['output'].get('title', '')}\n")
        print(terminal(run_["output"].get("summary", "")))
        for a in run_["annotations"]:
            print(f"   [{a['annotation_level']}] {a['path']}:{a['start_line']} {a['title']}")
    for review in state.reviews:
        print(f"\n== Review ({review['event']}) with {len(review['comments'])} inline comment(s)")
        if review.get("body"):
            print(terminal(review["body"]))
        for comment in review["comments"]:
            print(f"\n-- {comment['path']}:{comment['line']}\n{terminal(comment['body'])}")
    print(f"\n({len(state.requests)} GitHub API calls, {git_requests} git HTTP requests)")
    return 0


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: python -m undertow.app.dev.demo REPO", file=sys.stderr)
        return 2
    return asyncio.run(run(Path(sys.argv[1])))


if __name__ == "__main__":
    sys.exit(main())
