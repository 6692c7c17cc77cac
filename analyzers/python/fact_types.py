"""The positional facts one Python file contributes (``python/facts.py``), as typed values.

The per-file facts are cached as JSON, where each of these is a list of its fields in order
(``encode``). Readers get them through ``python/index.PythonIndex`` as these frozen
``NamedTuple``s (``typed``): attribute access, and tuple unpacking still works
(``module, names, line, optional, relative = site``).

A path or key expression (``Route.path``, ``Include.prefix``, ``ClientCall.path``,
``RedisKeyUse.key``) stays a list of parts: ``["lit", text]``, ``["ref", dotted]`` or
``["param"]`` (a value that cannot be known)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

Expr = list[list[str]]  # a path/key expression: a list of ["lit", s] / ["ref", dotted] / ["param"] parts


class ImportSite(NamedTuple):
    """``import module`` (``names`` None) or ``from module import names`` (absolute module)."""

    module: str
    names: list[str] | None
    line: int
    optional: bool  # under ``if TYPE_CHECKING`` or a ``try`` that catches ImportError
    relative: bool  # written ``from .x import y``


class ImportEdge(NamedTuple):
    """``import_edges`` part: what one import statement names (``names`` empty for ``import m``)."""

    module: str
    names: list[str]


class Route(NamedTuple):
    """``@owner.get(path)``, ``owner.add_api_route(path, ...)``, ``Route(path, ...)`` (owner
    ``"<routes>"``)."""

    owner: str
    methods: list[str]
    path: Expr
    line: int


class Include(NamedTuple):
    """``owner.include_router(child, prefix=...)`` (kind ``"include"``) or ``owner.mount(path,
    ...)`` / ``Mount(path, ...)`` (kind ``"mount"``, child None)."""

    owner: str
    child: str | None  # the included object, qualified through the file's imports
    prefix: Expr
    line: int
    kind: str


class ClientCall(NamedTuple):
    """A test client's request: ``client.get("/items")``."""

    method: str  # upper case
    path: Expr
    line: int


class PatchTarget(NamedTuple):
    """``patch("a.b.c")`` (kind ``"string"``, attr None) or ``patch.object(owner, "attr")``
    (kind ``"object"``)."""

    kind: str
    target: str
    attr: str | None
    line: int
    create: bool  # ``create=True``: the target need not exist


class RedisKeyUse(NamedTuple):
    """A Redis list/stream key pushed to or popped from."""

    op: str  # the command: "lpush", "blpop", ...
    role: str  # "push" or "pop"
    key: list[str]  # one expression part: ["lit", text] or ["ref", dotted]
    line: int


class Emit(NamedTuple):
    kind: str  # "sio" (Socket.IO) or "pubsub"
    name: str
    line: int


class Listen(NamedTuple):
    kind: str  # "sio" or "pubsub"
    name: str


class SqlText(NamedTuple):
    """A literal SQL string passed to ``text``/``execute``/... (``SQL_CALLS``)."""

    line: int
    text: str


# The facts of one file (``python/facts.extract``) that are lists of positional values.
FILE_FACTS: dict[str, type[tuple[Any, ...]]] = {
    "import_sites": ImportSite,
    "routes": Route,
    "includes": Include,
    "client_calls": ClientCall,
    "patches": PatchTarget,
    "redis": RedisKeyUse,
    "emits": Emit,
    "listens": Listen,
    "sql": SqlText,
}


def _listed(kind: type[tuple[Any, ...]]) -> Callable[[Iterable[Any]], list[Any]]:
    make = kind._make  # type: ignore[attr-defined]  # every kind here is a NamedTuple class
    return lambda raw: [make(value) for value in raw]


def _nested(*keys: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A part that is a dict holding some of the file's lists (``web``, ``events``)."""

    def decode(raw: dict[str, Any]) -> dict[str, Any]:
        return {k: FILE_DECODERS[k](v) if k in keys else v for k, v in raw.items()}

    return decode


FILE_DECODERS: dict[str, Callable[[Any], Any]] = {key: _listed(kind) for key, kind in FILE_FACTS.items()}

# How each part of ``python/index.PARTS`` is decoded (parts not listed are plain values).
PART_DECODERS: dict[str, Callable[[Any], Any]] = {
    "web": _nested("routes", "includes"),
    "events": _nested("emits", "listens"),
    "redis": FILE_DECODERS["redis"],
    "client_calls": FILE_DECODERS["client_calls"],
    "patches": FILE_DECODERS["patches"],
    "sql": FILE_DECODERS["sql"],
    "import_edges": _listed(ImportEdge),
}


def typed(kind: str, raw: Any) -> Any:
    """One file fact or one file's value of an index part, decoded from its cached (JSON)
    form into the types above; a value of no positional kind is returned as it is."""
    decode = FILE_DECODERS.get(kind)
    return decode(raw) if decode is not None else raw


def typed_part(part: str, raw: Any) -> Any:
    decode = PART_DECODERS.get(part)
    return decode(raw) if decode is not None else raw


def typed_file(facts: dict[str, Any]) -> dict[str, Any]:
    """All of one file's facts with their positional lists decoded."""
    return {k: FILE_DECODERS[k](v) if k in FILE_DECODERS else v for k, v in facts.items()}


def encode(facts: dict[str, Any]) -> dict[str, Any]:
    """One file's facts in their cached form: each typed value as the list of its fields."""
    return {k: [list(v) for v in values] if k in FILE_FACTS else values for k, values in facts.items()}
