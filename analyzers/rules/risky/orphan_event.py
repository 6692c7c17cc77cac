"""RSK012: an event or channel emitted that nothing listens to."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.facts.indexes import file_index
from undertow.analyzers.python.fact_types import Emit, Listen
from undertow.analyzers.python.facts import is_test_path
from undertow.analyzers.python.index import python_index
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case

_JS_FILES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte")
# Possessive: the name can give back nothing that the closing quote could match.
_JS_LISTENER = re.compile(r"""\.(?:on|once|addEventListener|subscribe|psubscribe)\(\s*+(['"`])([^'"`$]++)\1""")
_BUILTIN = {"connect", "disconnect", "message", "error", "connect_error", "reconnect", "open", "close"}


def _js_listeners(path: str, text: str) -> list[str]:
    return sorted({m.group(2) for m in _JS_LISTENER.finditer(text)})


class OrphanEvent(RepoRule):
    """## What it does
    Flags a Socket.IO event emitted (`sio.emit("name")`, `socketio.emit`) or a pub/sub channel
    published (`redis.publish("channel")`) that no listener in the repository handles: Python
    `@sio.on("name")`, `@sio.event`, `sio.on("name", handler)`, `subscribe`/`psubscribe`, and
    JavaScript/TypeScript `socket.on("name")`, `addEventListener("name")`, `subscribe("name")`.

    ## Why is this bad?
    Emitting into the void raises no error: the progress bar never moves, the notification
    never arrives, and the only clue is a UI that "sometimes" does not update.

    ## Example
    ```python
    await sio.emit("transcript_ready", payload)   # the client listens for "transcription_done"
    ```

    ## Use instead
    Emit the name the listeners use (keep event names in one shared module or schema).
    """

    id = "RSK012"
    name = "orphan-event"
    severity = Severity.WARNING
    fix = "emit an event name a listener handles, or add the listener"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        index = python_index(ctx.facts)
        listeners: dict[str, set[str]] = {"sio": set(), "pubsub": set()}
        emits: list[tuple[str, str, str, int]] = []
        for path, facts in sorted(index.part("events").items()):
            listens: list[Listen] = facts.get("listens", [])
            for kind, name in listens:
                listeners[kind].add(name)
            if not is_test_path(path):
                emitted: list[Emit] = facts.get("emits", [])
                emits += [(kind, name, path, line) for kind, name, line in emitted]
        js = file_index(
            ctx.facts, "js-listeners", lambda p: p.endswith(_JS_FILES) and "node_modules/" not in p, _js_listeners
        )
        for names in js.values():
            listeners["sio"].update(names)
            listeners["pubsub"].update(names)
        if not any(listeners.values()):
            return  # a repository with no listeners at all has its consumers elsewhere
        for kind, name, path, line in emits:
            if name in _BUILTIN or name in listeners[kind]:
                continue
            if kind == "pubsub" and any(fnmatch.fnmatchcase(name, pattern) for pattern in listeners[kind]):
                continue
            what = "Socket.IO event" if kind == "sio" else "pub/sub channel"
            message = (
                f"emits {what} `{name}`, but no listener in the repository handles it (Python or JS/TS); {self.fix}"
            )
            yield self.report(path, message, f"{kind}:{name}", line=line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_SERVER = "import socketio\nsio = socketio.AsyncServer()\n@sio.on('join')\nasync def join(sid, data):\n    pass\n"

INVALID = [
    Case(
        base={"app/server.py": _SERVER},
        head={"app/progress.py": "async def done(sio):\n    await sio.emit('transcript_ready', {})\n"},
        expect=[("RSK012", "app/progress.py", 2)],
    ),
]
VALID = [
    Case(
        base={"app/server.py": _SERVER},
        head={
            "app/progress.py": "async def done(sio):\n    await sio.emit('transcript_ready', {})\n",
            "web/app.js": 'socket.on("transcript_ready", show);\n',
        },
    ),
]
