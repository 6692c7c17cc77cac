"""POST /webhook with GitHub's own example payloads: signature first, dedupe, enqueue."""

import asyncio
import hashlib
import hmac
import json
import logging
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from undertow.app.queue.dedupe import MemoryDeduper
from undertow.app.service.webhook import create_app

PAYLOADS = Path(__file__).resolve().parents[3] / "shared/github/payloads"
SECRET = "It's a Secret to Everybody"


class ListQueue:
    def __init__(self) -> None:
        self.items = []

    async def put(self, delivery) -> None:
        self.items.append(delivery)

    def depth(self) -> int:
        return len(self.items)


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers(event: str, body: bytes, delivery: str = "d-1", **extra) -> dict:
    return {
        "x-github-event": event,
        "x-github-delivery": delivery,
        "content-type": "application/json",
        "x-hub-signature-256": sign(body),
        **extra,
    }


@pytest.fixture
def service():
    queue = ListQueue()

    async def ready():
        return []

    client = TestClient(create_app(SECRET, queue, MemoryDeduper(), ready=ready))
    return client, queue


def test_signed_pull_request_is_queued(service):
    client, queue = service
    body = (PAYLOADS / "pull_request/opened.json").read_bytes()
    response = client.post("/webhook", content=body, headers=headers("pull_request", body))
    assert response.status_code == 202
    assert response.json() == {"ok": True, "queued": "d-1"}
    (delivery,) = queue.items
    assert (delivery.event, delivery.delivery_id, delivery.data["action"]) == ("pull_request", "d-1", "opened")
    assert delivery.data["pull_request"]["number"] == json.loads(body)["pull_request"]["number"]


def test_redelivery_is_not_queued_twice(service):
    client, queue = service
    body = (PAYLOADS / "pull_request/synchronize.json").read_bytes()
    first = client.post("/webhook", content=body, headers=headers("pull_request", body, "same"))
    again = client.post("/webhook", content=body, headers=headers("pull_request", body, "same"))
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == {"ok": True, "duplicate": True}
    assert len(queue.items) == 1


@pytest.mark.parametrize(
    "change, status, error",
    [
        (lambda h, b: {**h, "x-hub-signature-256": sign(b, "wrong")}, 401, "signature check failed"),
        (lambda h, b: {k: v for k, v in h.items() if k != "x-hub-signature-256"}, 401, "signature check failed"),
        (lambda h, b: {**h, "content-type": "text/plain"}, 415, "unsupported content type"),
        (lambda h, b: {k: v for k, v in h.items() if k != "x-github-event"}, 400, "missing header x-github-event"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_queued(service, change, status, error):
    client, queue = service
    body = (PAYLOADS / "pull_request/opened.json").read_bytes()
    response = client.post("/webhook", content=body, headers=change(headers("pull_request", body), body))
    assert response.status_code == status
    assert response.json()["error"].startswith(error)
    assert queue.items == []


def test_malformed_json_with_a_valid_signature_is_400(service):
    client, queue = service
    body = b'{"action": "opened", '
    response = client.post("/webhook", content=body, headers=headers("pull_request", body))
    assert (response.status_code, response.json()) == (400, {"ok": False, "error": "body is not valid JSON"})
    assert queue.items == []


def test_too_large_is_413(service):
    client, queue = service
    body = b"{}"
    response = client.post(
        "/webhook", content=body, headers=headers("pull_request", body, **{"content-length": str(26 * 1024 * 1024)})
    )
    assert response.status_code == 413


def test_ping_and_unknown_events(service):
    client, queue = service
    ping = (PAYLOADS / "ping").glob("*.json").__next__().read_bytes()
    assert client.post("/webhook", content=ping, headers=headers("ping", ping)).status_code == 200
    star = b'{"action": "created"}'
    response = client.post("/webhook", content=star, headers=headers("star", star, "d-2"))
    assert (response.status_code, response.json()) == (202, {"ok": True, "ignored": "star"})
    assert queue.items == []


def test_health_readiness_and_metrics(service):
    client, queue = service
    body = (PAYLOADS / "issue_comment/created.on-pull-request.real-octocrab.json").read_bytes()
    client.post("/webhook", content=body, headers=headers("issue_comment", body, "c-1"))
    assert client.get("/healthz").json() == {"ok": True}
    assert client.get("/readyz").status_code == 200
    text = client.get("/metrics").text
    assert 'undertow_deliveries_total{event="issue_comment",outcome="queued"} 1.0' in text
    assert "undertow_queue_depth 1.0" in text


def test_readiness_reports_problems():
    async def not_ready():
        return ["redis unreachable"]

    client = TestClient(create_app(SECRET, ListQueue(), MemoryDeduper(), ready=not_ready))
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (503, {"ok": False, "problems": ["redis unreachable"]})


def test_rejections_are_logged_without_secrets_or_bodies(service, caplog):
    client, _ = service
    body = b'{"token": "ghs_verysecretvalue"}'
    with caplog.at_level(logging.INFO, logger="undertow.webhook"):
        client.post(
            "/webhook",
            content=body,
            headers={**headers("pull_request", body), "x-hub-signature-256": sign(body, "wrong")},
        )
    text = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "rejected delivery" in text
    assert SECRET not in text and "ghs_verysecretvalue" not in text


def _one_rejection_logged(caplog, status):
    records = [r for r in caplog.records if r.name != "httpx"]  # the test client's own line
    assert [(r.getMessage(), r.status) for r in records] == [("rejected delivery", status)]
    return records[0]


def test_no_content_type_is_415(service, caplog):
    client, queue = service
    body = (PAYLOADS / "pull_request/opened.json").read_bytes()
    request_headers = {k: v for k, v in headers("pull_request", body).items() if k != "content-type"}
    with caplog.at_level(logging.INFO):
        response = client.post("/webhook", content=body, headers=request_headers)
    assert (response.status_code, response.json()) == (415, {"ok": False, "error": "missing content type"})
    assert response.headers["connection"] == "close"
    _one_rejection_logged(caplog, 415)
    assert queue.items == []


@pytest.mark.parametrize("delivery", ["", "   ", "x" * 65, "d 1", "../../etc"])
def test_empty_or_malformed_delivery_ids_are_400_every_time(service, delivery):
    client, queue = service
    body = (PAYLOADS / "pull_request/opened.json").read_bytes()
    for _ in range(2):  # never "accepted once, then a duplicate"
        response = client.post(
            "/webhook", content=body, headers={**headers("pull_request", body), "x-github-delivery": delivery}
        )
        assert response.status_code == 400
        assert response.json()["error"] in (
            "missing or empty header x-github-delivery",
            "header x-github-delivery is not a delivery id",
        )
    assert queue.items == []


@pytest.mark.parametrize("depth", [65, 100_000])
def test_signed_json_nested_too_deeply_is_400(service, caplog, depth):
    client, queue = service
    body = b'{"a": ' * depth + b"1" + b"}" * depth
    with caplog.at_level(logging.INFO):
        response = client.post("/webhook", content=body, headers=headers("pull_request", body))
    assert (response.status_code, response.json()) == (400, {"ok": False, "error": "body is nested too deeply"})
    record = _one_rejection_logged(caplog, 400)
    assert '{"a"' not in str(record.__dict__)
    assert queue.items == []


def test_a_chunked_body_is_refused_as_soon_as_it_passes_25_mb():
    queue = ListQueue()
    app = create_app(SECRET, queue, MemoryDeduper())
    sent = []

    async def upload():
        chunk = b" " * (1024 * 1024)
        for _ in range(1024):  # 1 GiB if it were all read
            sent.append(len(chunk))
            yield chunk

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://undertow.test") as client:
            request_headers = headers("pull_request", b"")
            return await client.post("/webhook", content=upload(), headers=request_headers)

    response = asyncio.run(scenario())
    assert (response.status_code, response.json()) == (413, {"ok": False, "error": "payload too large"})
    assert 25 <= len(sent) <= 27 and queue.items == []  # read up to the limit, not one chunk further


def test_a_body_is_not_read_without_a_signature_header():
    app = create_app(SECRET, ListQueue(), MemoryDeduper())
    sent = []

    async def upload():
        for _ in range(1024):
            sent.append(1)
            yield b" " * (1024 * 1024)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://undertow.test") as client:
            request_headers = {k: v for k, v in headers("pull_request", b"").items() if k != "x-hub-signature-256"}
            return await client.post("/webhook", content=upload(), headers=request_headers)

    response = asyncio.run(scenario())
    assert response.status_code == 401 and len(sent) <= 1


def test_metric_labels_come_only_from_handled_events(service):
    client, _ = service
    for n, name in enumerate(["star", "x" * 200, "pull_request", "ping"]):
        body = b'{"action": "created"}'
        client.post("/webhook", content=body, headers=headers(name, body, f"m-{n}"))
        client.post("/webhook", content=body, headers={**headers(name, body, f"b-{n}"), "x-hub-signature-256": "no"})
    samples = [
        line for line in client.get("/metrics").text.splitlines() if line.startswith("undertow_deliveries_total{")
    ]
    events = {line.split('event="', 1)[1].split('"', 1)[0] for line in samples}
    assert events == {"other", "pull_request", "ping"}
    assert 'undertow_deliveries_total{event="other",outcome="ignored"} 2.0' in samples
    assert 'undertow_deliveries_total{event="other",outcome="bad-signature"} 2.0' in samples
