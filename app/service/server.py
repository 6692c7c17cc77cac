"""The HTTP server around the webhook app: uvicorn, with the limits that keep slow or idle
clients from exhausting it.

- header timeout: a connection that has not sent a request's complete headers within
  HEADER_TIMEOUT seconds is closed (uvicorn has no such timer: GuardedH11Protocol adds it; it
  also covers a kept-alive connection that starts a request and stalls);
- body timeout: the webhook handler gives a body BODY_TIMEOUT seconds (webhook.py);
- keep-alive timeout: uvicorn's ``timeout_keep_alive`` closes idle kept-alive connections;
- header size: h11's incomplete-event limit (``h11_max_incomplete_event_size``) answers 400;
- concurrency: uvicorn's ``limit_concurrency`` answers 503 beyond MAX_CONNECTIONS connections or
  requests in progress (keep the process's file-descriptor limit above it), and at most
  webhook.BODIES_AT_ONCE bodies are received at once.
"""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
KEEP_ALIVE_TIMEOUT = 5
MAX_HEADER_BYTES = 64 * 1024
MAX_CONNECTIONS = 4096
BACKLOG = 2048


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header timeout."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport) -> None:
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def _idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._idle():
            self._arm()  # the start of a request, not its end: the clock runs
        else:
            self._disarm()  # headers complete: the body's timeout is the handler's

    def on_response_complete(self) -> None:
        self._disarm()  # idle again: uvicorn's keep-alive timer takes over until data arrives
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._idle() and not self.transport.is_closing():
            self.transport.close()


def server_config(app, host: str, port: int, **overrides) -> uvicorn.Config:
    settings = {
        "host": host,
        "port": port,
        "http": GuardedH11Protocol,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "limit_concurrency": MAX_CONNECTIONS,
        "backlog": BACKLOG,
        "log_config": None,
        "access_log": False,
        **overrides,
    }
    return uvicorn.Config(app, **settings)
