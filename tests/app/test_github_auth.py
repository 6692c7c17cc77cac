"""Installation tokens: an RS256 app JWT is exchanged once, then the token is reused until near expiry."""

import asyncio
import json

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gidgethub.abc import GitHubAPI

from undertow.app.github.auth import InstallationTokens


class TokenGitHub(GitHubAPI):
    def __init__(self, public_key):
        super().__init__("tests")
        self.public_key, self.calls = public_key, []

    async def _request(self, method, url, headers, body=b""):
        claims = jwt.decode(headers["authorization"].split()[1], self.public_key, algorithms=["RS256"])
        self.calls.append((method, url, claims["iss"], claims["exp"] - claims["iat"]))
        payload = {"token": f"ghs_{len(self.calls)}", "expires_at": "2030-01-01T01:00:00Z"}
        return 201, {"content-type": "application/json"}, json.dumps(payload).encode()

    async def sleep(self, seconds):
        return None


def test_tokens_are_cached_until_shortly_before_expiry():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    gh = TokenGitHub(key.public_key())
    now = [1893456000.0]  # 2030-01-01T00:00:00Z
    tokens = InstallationTokens(42, pem, clock=lambda: now[0])

    async def scenario():
        first = await tokens.token(gh, 7)
        again = await tokens.token(gh, 7)
        now[0] += 3600 - 200  # inside the refresh margin
        renewed = await tokens.token(gh, 7)
        return first, again, renewed

    assert asyncio.run(scenario()) == ("ghs_1", "ghs_1", "ghs_2")
    assert [(m, u, iss) for m, u, iss, _ in gh.calls] == [
        ("POST", "https://api.github.com/app/installations/7/access_tokens", "42")
    ] * 2
    assert all(lifetime <= 600 for *_, lifetime in gh.calls)
