"""The webhook endpoint: verify, dedupe, enqueue, answer in milliseconds; health and metrics."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from gidgethub import BadRequest, ValidationFailure, sansio
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from undertow.app.dedupe import Deduper
from undertow.app.events import Delivery, EventQueue
from undertow.app.metrics import Metrics

log = logging.getLogger("undertow.webhook")

MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
HANDLED = {"pull_request", "issue_comment", "check_run", "check_suite", "installation", "installation_repositories"}


def create_app(secret: str, queue: EventQueue, deduper: Deduper, metrics: Metrics | None = None, ready=None) -> FastAPI:
    """The ASGI app. ``ready`` is an async callable telling whether dependencies are reachable."""
    app = FastAPI(title="Undertow", docs_url=None, redoc_url=None, openapi_url=None)
    metrics = metrics or Metrics()
    app.state.metrics = metrics

    @app.post("/webhook")
    async def webhook(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            return _reply(413, "payload too large", request)
        body = await request.body()
        if len(body) > MAX_BODY:
            return _reply(413, "payload too large", request)
        try:
            event = sansio.Event.from_http(request.headers, body, secret=secret)
        except ValidationFailure as exc:
            metrics.deliveries.labels(request.headers.get("x-github-event", "unknown"), "bad-signature").inc()
            return _reply(401, f"signature check failed: {exc}", request)
        except BadRequest as exc:
            # gidgethub answers 415 both for an unknown content type and for a body that does
            # not decode as the content type says.
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            if content_type in ("application/json", "application/x-www-form-urlencoded"):
                return _reply(400, "body is not valid JSON", request)
            return _reply(int(exc.status_code), "unsupported content type", request)
        except KeyError as exc:
            return _reply(400, f"missing header {exc.args[0]}", request)
        except (ValueError, UnicodeDecodeError):
            return _reply(400, "body is not valid JSON", request)
        if not isinstance(event.data, dict):
            return _reply(400, "body is not a JSON object", request)
        if event.event == "ping":
            metrics.deliveries.labels("ping", "pong").inc()
            return JSONResponse({"ok": True, "zen": event.data.get("zen")}, status_code=200)
        if event.event not in HANDLED:
            metrics.deliveries.labels(event.event, "ignored").inc()
            return JSONResponse({"ok": True, "ignored": event.event}, status_code=202)
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


def _reply(status: int, reason: str, request: Request) -> Response:
    # The reason is ours (never a traceback, never the body or a header value).
    log.warning(
        "rejected delivery",
        extra={"status": status, "reason": reason, "delivery": request.headers.get("x-github-delivery", "")[:64]},
    )
    return JSONResponse({"ok": False, "error": reason}, status_code=status)
