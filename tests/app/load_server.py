"""The webhook server as `undertow serve` runs it (app/service/server.py's limits), for the load test:
python -m tests.app.load_server PORT_FILE. Deliveries are acknowledged and dropped. It stops by
itself after LIFETIME seconds (the test also kills it)."""

import asyncio
import socket
import sys

import uvicorn

from undertow.app.queue.dedupe import MemoryDeduper
from undertow.app.service.server import server_config
from undertow.app.service.webhook import create_app

SECRET = "It's a Secret to Everybody"
LIFETIME = 180.0


class Dropped:
    def __init__(self) -> None:
        self.count = 0

    async def put(self, delivery) -> None:
        self.count += 1

    def depth(self) -> int:
        return 0


async def main(port_file: str) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(server_config(create_app(SECRET, Dropped(), MemoryDeduper()), "127.0.0.1", 0))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    with open(port_file, "w") as handle:
        handle.write(str(sock.getsockname()[1]))
    try:
        await asyncio.wait_for(asyncio.shield(task), LIFETIME)
    except TimeoutError:
        server.should_exit = True
        await task


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
