"""The server's limits on real loopback sockets: idle and slow-header connections are closed,
a refused upload is cut off, and /healthz keeps answering meanwhile."""

import asyncio
import contextlib
import logging
import socket

import uvicorn

from tests.app.test_webhook import SECRET, ListQueue, headers
from undertow.app.queue.dedupe import MemoryDeduper
from undertow.app.service.server import GuardedH11Protocol, server_config
from undertow.app.service.webhook import create_app


class QuickHeaders(GuardedH11Protocol):
    header_timeout = 0.3


@contextlib.asynccontextmanager
async def serving(**overrides):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = server_config(create_app(SECRET, ListQueue(), MemoryDeduper()), "127.0.0.1", 0, **overrides)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """What the server sent before closing (b"" for nothing); fails if it never closes."""
    return await asyncio.wait_for(reader.read(), 10)


async def get(port: int, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode())
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return data


def test_idle_and_slow_header_connections_are_closed_and_health_still_answers():
    async def scenario():
        async with serving(http=QuickHeaders, timeout_keep_alive=1) as port:
            idle = await asyncio.open_connection("127.0.0.1", port)
            slow = await asyncio.open_connection("127.0.0.1", port)
            slow[1].write(b"POST /webhook HTTP/1.1\r\nhost: x\r\n")  # and never the rest
            health = await get(port, "/healthz")
            kept = await asyncio.open_connection("127.0.0.1", port)
            kept[1].write(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            first = await asyncio.wait_for(kept[0].readuntil(b'{"ok":true}'), 10)
            kept[1].write(b"GET /healthz HTTP/1.1\r\n")  # a second request that stalls
            idle, slow = await closed_by_server(idle[0]), await closed_by_server(slow[0])
            return health, idle, slow, first, await closed_by_server(kept[0])

    health, idle, slow, first, stalled = asyncio.run(scenario())
    assert health.startswith(b"HTTP/1.1 200") and health.endswith(b'{"ok":true}')
    assert (idle, slow, stalled) == (b"", b"", b"")
    assert first.startswith(b"HTTP/1.1 200")


def test_a_refused_upload_is_answered_and_the_connection_closed(caplog):
    async def scenario():
        async with serving() as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            request = headers("pull_request", b"", "up-1")
            request = {**request, "x-hub-signature-256": "sha256=" + "0" * 64, "transfer-encoding": "chunked"}
            writer.write(
                b"POST /webhook HTTP/1.1\r\nhost: x\r\n"
                + b"".join(f"{k}: {v}\r\n".encode() for k, v in request.items())
                + b"\r\n"
            )
            chunk = b" " * (1024 * 1024)
            sent = 0
            with contextlib.suppress(ConnectionError):
                for _ in range(64):  # more than 25 MB, unless the server cuts it off first
                    writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    await writer.drain()
                    sent += 1
            answer = b"(reset)"
            with contextlib.suppress(ConnectionError):  # closed with unread data: TCP may reset
                answer = await closed_by_server(reader)
            return answer, sent

    with caplog.at_level(logging.INFO, logger="undertow.webhook"):
        answer, sent = asyncio.run(scenario())
    assert sent < 64  # the server stopped reading
    assert [(r.getMessage(), r.status, r.reason) for r in caplog.records if r.name == "undertow.webhook"] == [
        ("rejected delivery", 413, "payload too large")
    ]
    if answer != b"(reset)":
        assert answer.startswith(b"HTTP/1.1 413") and b"connection: close" in answer.lower()


def test_beyond_the_connection_limit_requests_get_503():
    async def scenario():
        async with serving(limit_concurrency=3) as port:
            held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
            await asyncio.sleep(0.1)
            answer = await get(port, "/healthz")
            for _, writer in held:
                writer.close()
            return answer

    assert asyncio.run(scenario()).startswith(b"HTTP/1.1 503")
