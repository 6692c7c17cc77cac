"""The webhook endpoint: verify, dedupe, enqueue, answer in milliseconds; health and metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.parse

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from gidgethub import ValidationFailure, sansio
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import ClientDisconnect

from undertow.app.events import Delivery, EventQueue
from undertow.app.metrics import Metrics
from undertow.app.queue.dedupe import Deduper

log = logging.getLogger("undertow.webhook")

MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
MAX_DELIVERY_ID = 64  # GitHub's are GUIDs (36 characters)
MAX_JSON_DEPTH = 64  # GitHub's payloads nest about ten levels
BODY_TIMEOUT = 20.0  # seconds to receive the whole body (GitHub gives up after 10)
BODIES_AT_ONCE = 16  # bodies being received at once: memory stays under 16 x 25 MB
HANDLED = {"pull_request", "issue_comment", "check_run", "check_suite", "installation", "installation_repositories"}
# Metric labels come from this set only: any other X-GitHub-Event value counts as "other".
LABELS = HANDLED | {"ping"}
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")
_DELIVERY_ID = re.compile(r"[A-Za-z0-9._-]+")


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def create_app(secret: str, queue: EventQueue, deduper: Deduper, metrics: Metrics | None = None, ready=None) -> FastAPI:
    """The ASGI app. ``ready`` is an async callable telling whether dependencies are reachable."""
    app = FastAPI(title="Undertow", docs_url=None, redoc_url=None, openapi_url=None)
    metrics = metrics or Metrics()
    app.state.metrics = metrics
    receiving = asyncio.Semaphore(BODIES_AT_ONCE)

    @app.post("/webhook")
    async def webhook(request: Request) -> Response:
        name = request.headers.get("x-github-event", "")
        label = name if name in LABELS else "other"
        delivery_id = request.headers.get("x-github-delivery")
        try:
            _check_headers(request.headers, name, delivery_id)
            async with receiving:
                body = await _receive(request)
            try:
                sansio.validate_event(body, signature=request.headers["x-hub-signature-256"], secret=secret)
            except ValidationFailure as exc:
                metrics.deliveries.labels(label, "bad-signature").inc()
                raise Rejected(401, f"signature check failed: {exc}") from None
            data = _parse(body, request.headers["content-type"])
        except Rejected as exc:
            if exc.status != 401:
                metrics.deliveries.labels(label, "rejected").inc()
            valid_id = delivery_id if delivery_id and _valid_delivery_id(delivery_id) else ""
            return _reply(exc.status, exc.reason, valid_id, label)
        assert delivery_id is not None  # _check_headers refused it otherwise
        event = sansio.Event(data, event=name, delivery_id=delivery_id)
        if event.event == "ping":
            metrics.deliveries.labels("ping", "pong").inc()
            return JSONResponse({"ok": True, "zen": event.data.get("zen")}, status_code=200)
        if event.event not in HANDLED:
            metrics.deliveries.labels("other", "ignored").inc()
            return JSONResponse({"ok": True, "ignored": event.event[:100]}, status_code=202)
        if not await deduper.first_time(event.delivery_id):
            metrics.deliveries.labels(event.event, "duplicate").inc()
            log.info("duplicate delivery", extra={"delivery": event.delivery_id, "event": event.event})
            return JSONResponse({"ok": True, "duplicate": True}, status_code=200)
        await queue.put(Delivery(event.event, event.delivery_id, event.data))
        metrics.deliveries.labels(event.event, "queued").inc()
        metrics.queue_depth.set(queue.depth())
        log.info(
            "queued", extra={"delivery": event.delivery_id, "event": event.event, "action": event.data.get("action")}
        )
        return JSONResponse({"ok": True, "queued": event.delivery_id}, status_code=202)

    @app.get("/healthz")
    async def healthz() -> Response:
        return JSONResponse({"ok": True})

    @app.get("/readyz")
    async def readyz() -> Response:
        problems = await ready() if ready is not None else []
        if problems:
            return JSONResponse({"ok": False, "problems": problems}, status_code=503)
        return JSONResponse({"ok": True})

    @app.get("/metrics")
    async def prometheus() -> Response:
        metrics.queue_depth.set(queue.depth())
        return PlainTextResponse(generate_latest(metrics.registry).decode(), media_type=CONTENT_TYPE_LATEST)

    return app


def _valid_delivery_id(value: str) -> bool:
    return 0 < len(value) <= MAX_DELIVERY_ID and _DELIVERY_ID.fullmatch(value) is not None


def _check_headers(headers, name: str, delivery_id: str | None) -> None:
    """Everything that can be refused before a byte of the body is read."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if not content_type:
        raise Rejected(415, "missing content type")
    if content_type not in CONTENT_TYPES:
        raise Rejected(415, "unsupported content type")
    if not name:
        raise Rejected(400, "missing header x-github-event")
    if not delivery_id or not delivery_id.strip():
        raise Rejected(400, "missing or empty header x-github-delivery")
    if not _valid_delivery_id(delivery_id):
        raise Rejected(400, "header x-github-delivery is not a delivery id")
    if not headers.get("x-hub-signature-256"):
        raise Rejected(401, "signature check failed: no X-Hub-Signature-256 header")
    declared = headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > MAX_BODY:
        raise Rejected(413, "payload too large")


async def _receive(request: Request) -> bytes:
    """The body, refused as soon as it passes MAX_BODY (chunked or not) or takes too long."""
    body = bytearray()
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    raise Rejected(413, "payload too large")
    except TimeoutError:
        raise Rejected(408, "body not received in time") from None
    except ClientDisconnect:
        raise Rejected(400, "client disconnected") from None
    return bytes(body)


def _parse(body: bytes, content_type: str) -> dict:
    try:
        if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            text = urllib.parse.parse_qs(body.decode("utf-8"))["payload"][0]
        else:
            text = body.decode("utf-8")
        data = json.loads(text)
    except RecursionError:
        raise Rejected(400, "body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError, KeyError, IndexError):
        raise Rejected(400, "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Rejected(400, "body is not a JSON object")
    if _deeper_than(data, MAX_JSON_DEPTH):
        raise Rejected(400, "body is nested too deeply")
    return data


def _deeper_than(data: object, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels (iterative: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _reply(status: int, reason: str, delivery: str, event: str) -> Response:
    # One line per rejection: the reason is ours (never a traceback, never the body or a header
    # value other than a well-formed delivery id and a known event name).
    log.warning("rejected delivery", extra={"status": status, "reason": reason, "delivery": delivery, "event": event})
    # Connection: close, so that a client still sending a refused body is cut off.
    return JSONResponse({"ok": False, "error": reason}, status_code=status, headers={"connection": "close"})
