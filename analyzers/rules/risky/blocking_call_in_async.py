"""RSK002: a blocking call inside `async def`."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.python.names import qualified_names
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_BLOCKING = {
    "time.sleep": "asyncio.sleep()",
    "subprocess.run": "asyncio.create_subprocess_exec()",
    "subprocess.call": "asyncio.create_subprocess_exec()",
    "subprocess.check_call": "asyncio.create_subprocess_exec()",
    "subprocess.check_output": "asyncio.create_subprocess_exec()",
    "subprocess.Popen": "asyncio.create_subprocess_exec()",
    "os.system": "asyncio.create_subprocess_shell()",
    "urllib.request.urlopen": "an async HTTP client (httpx.AsyncClient)",
    "psycopg2.connect": "an async driver (asyncpg, psycopg 3 AsyncConnection)",
    "pymysql.connect": "an async driver (aiomysql, asyncmy)",
    "sqlite3.connect": "aiosqlite",
    "redis.Redis": "redis.asyncio.Redis",
    "redis.StrictRedis": "redis.asyncio.Redis",
    "redis.from_url": "redis.asyncio.from_url()",
    "redis.client.Redis": "redis.asyncio.Redis",
}
_REQUESTS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "Session"}


class BlockingCallInAsync(ScopedPythonRule):
    """## What it does
    Flags calls that block the thread inside `async def`: `time.sleep`, `subprocess.*`,
    `os.system`, `requests.*`, `urllib.request.urlopen`, synchronous database and Redis clients,
    and `open(...).read()` of a whole file.

    ## Why is this bad?
    An event loop runs every coroutine on one thread. While one request sleeps or waits on a
    socket synchronously, every other request of that process stalls: latency spikes, health
    checks time out and the orchestrator restarts a process that was only waiting.

    ## Example
    ```python
    async def refresh():
        time.sleep(5)
        data = requests.get(URL, timeout=10).json()
    ```

    ## Use instead
    ```python
    async def refresh():
        await asyncio.sleep(5)
        async with httpx.AsyncClient(timeout=10) as client:
            data = (await client.get(URL)).json()
    ```
    or move the blocking work off the loop with `await asyncio.to_thread(fn, ...)`.
    """

    id = "RSK002"
    name = "blocking-call-in-async"
    severity = Severity.WARNING
    fix = "use the asyncio equivalent, or run it with await asyncio.to_thread(...)"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.in_async:
            return
        names = qualified_names(self, node.func)
        blocking = next((n for n in sorted(names) if n in _BLOCKING), None)
        if blocking is not None:
            self._report(node, blocking, _BLOCKING[blocking])
            return
        requests_call = next(
            (n for n in sorted(names) if n.startswith("requests.") and n.split(".", 1)[1] in _REQUESTS), None
        )
        if requests_call is not None:
            self._report(node, requests_call, "an async HTTP client (httpx.AsyncClient, aiohttp)")
            return
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("read", "readlines")
            and not node.args
            and isinstance(func.value, cst.Call)
            and "builtins.open" in qualified_names(self, func.value.func)
        ):
            self._report(node, f"open().{func.attr.value}", "aiofiles, or await asyncio.to_thread(path.read_text)")

    def _report(self, node: cst.Call, what: str, instead: str) -> None:
        message = (
            f"{what}() blocks the event loop inside async def {self.scope.stack[-1] if self.scope.stack else ''}(): "
            f"every other coroutine of this process waits until it returns; use {instead}, "
            "or await asyncio.to_thread(...)"
        )
        self.report(node, message, key=self.scope.key(what))


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(head={"svc.py": "import time\nasync def refresh():\n    time.sleep(5)\n"}, expect=[("RSK002", "svc.py", 3)]),
    Case(
        head={"svc.py": "import requests\nasync def refresh(url):\n    return requests.get(url, timeout=10).json()\n"},
        expect=[("RSK002", "svc.py", 3)],
    ),
]
VALID = [
    Case(
        head={
            "svc.py": "import asyncio, time\nasync def refresh():\n    await asyncio.sleep(5)\ndef sync():\n"
            "    time.sleep(1)\n"
        }
    ),
    Case(head={"svc.py": "import asyncio, time\nasync def refresh():\n    await asyncio.to_thread(time.sleep, 1)\n"}),
]
