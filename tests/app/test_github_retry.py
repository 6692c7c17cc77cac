"""Retry policy and the resilient client, with scripted GitHub responses."""

import asyncio
import json
import random

import httpx
import pytest

from undertow.app.github.client import MAX_ATTEMPTS, ResilientGitHubAPI, retry_delay


@pytest.mark.parametrize(
    "status, headers, attempt, expected",
    [
        (502, {}, 1, pytest.approx(0.5 + 0.5, abs=0.5)),
        (429, {"retry-after": "7"}, 1, 7.0),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"}, 1, 31.0),
        (403, {}, 1, None),  # permissions: final
        (403, {"retry-after": "3600"}, 1, None),  # longer than a worker should hold: final
        (404, {}, 1, None),
        (500, {}, MAX_ATTEMPTS, None),
    ],
)
def test_retry_policy(status, headers, attempt, expected):
    assert retry_delay(status, headers, attempt, now=1000.0, rng=random.Random(1)) == expected


class Scripted(ResilientGitHubAPI):
    def __init__(self, script):
        super().__init__(httpx.AsyncClient(), "tests", oauth_token="t", clock=lambda: 1000.0)
        self.script, self.slept, self.sent = list(script), [], 0

    async def _send(self, method, url, headers, body):
        self.sent += 1
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        status, hdrs, payload = step
        return status, {"content-type": "application/json", **hdrs}, json.dumps(payload).encode()

    async def sleep(self, seconds):
        self.slept.append(seconds)


def test_5xx_network_errors_and_secondary_limits_are_retried_then_succeed():
    gh = Scripted(
        [
            (502, {}, {"message": "Bad Gateway"}),
            httpx.ConnectError("refused"),
            (403, {"retry-after": "2"}, {"message": "You have exceeded a secondary rate limit"}),
            (200, {}, {"ok": True}),
        ]
    )
    assert asyncio.run(gh.getitem("/repos/o/r")) == {"ok": True}
    assert gh.sent == 4
    assert len(gh.slept) == 3 and gh.slept[2] == 2.0


def test_calls_and_rate_limit_are_measured():
    from undertow.app.metrics import Metrics

    metrics = Metrics()
    gh = Scripted([(502, {}, {}), (200, {"x-ratelimit-remaining": "4321"}, {"ok": True})])
    gh._metrics = metrics
    asyncio.run(gh.getitem("/repos/o/r"))
    assert metrics.github_calls.labels("GET")._value.get() == 2
    assert metrics.rate_limit_remaining._value.get() == 4321


def test_permanent_errors_are_not_retried():
    from gidgethub import BadRequest

    gh = Scripted([(404, {}, {"message": "Not Found"})])
    with pytest.raises(BadRequest):
        asyncio.run(gh.getitem("/repos/o/missing"))
    assert gh.sent == 1 and gh.slept == []
