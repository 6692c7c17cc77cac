"""The route table of a revision: FastAPI/Starlette/Flask routes with their full prefixes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from undertow.analyzers.python.fact_types import Expr
from undertow.analyzers.python.index import PythonIndex

WILDCARD = "\0*"  # a prefix segment whose value could not be known: matches any segments
_PARAM = re.compile(r"^(\{[^}]+\}|<[^>]+>)$")


@dataclass(frozen=True)
class Route:
    path: str
    methods: frozenset[str]
    file: str
    line: int


def render(parts: Expr, index: PythonIndex, module: str) -> str | None:
    """A path expression's text; unknown leading references become WILDCARD, others a param."""
    out: list[str] = []
    for position, part in enumerate(parts):
        if part[0] == "lit":
            out.append(part[1])
        elif part[0] == "ref":
            value = index.constant(module, part[1])
            out.append(value if value is not None else (WILDCARD if position == 0 else "{param}"))
        elif part[0] == "unknown":
            out.append(WILDCARD)
        else:
            out.append("{param}")
    return "".join(out)


def route_table(index: PythonIndex) -> tuple[list[Route], list[str]]:
    """(routes, mount prefixes). Routers reachable from no app are served at their own prefix."""
    objects: dict[str, dict[str, str]] = {}  # object id -> {"prefix": text, "kind": "app" | "router"}
    routes_by_object: dict[str, list[tuple[frozenset[str], str, str, int]]] = {}
    edges: dict[str, list[tuple[str, str]]] = {}
    mounts: list[str] = []
    included: set[str] = set()
    for path, facts in sorted(index.part("web").items()):
        module = index.module_of[path]
        for name, app in facts.get("apps", {}).items():
            objects[f"{module}:{name}"] = {"prefix": render(app["prefix"], index, module) or "", "kind": app["kind"]}
        for route in facts.get("routes", []):  # fact_types.Route
            text = render(route.path, index, module)
            if text is None:
                continue
            oid = index.object_id(module, route.owner)
            routes_by_object.setdefault(oid, []).append((frozenset(route.methods), text, path, route.line))
        for include in facts.get("includes", []):  # fact_types.Include
            prefix = render(include.prefix, index, module) or ""
            if include.kind == "mount" or include.child is None:
                mounts.append(prefix)
                continue
            parent = index.object_id(module, include.owner)
            child_id = index.object_id(module, include.child)
            edges.setdefault(parent, []).append((child_id, prefix))
            included.add(child_id)

    table: list[Route] = []

    def walk(oid: str, prefix: str, seen: frozenset[str]) -> None:
        own = objects.get(oid, {}).get("prefix", "")
        base = prefix + own
        for methods, text, file, line in routes_by_object.get(oid, []):
            table.append(Route(base + text, methods, file, line))
        for child, child_prefix in edges.get(oid, []):
            if child not in seen:
                walk(child, base + child_prefix, seen | {child})

    roots = (set(objects) | set(routes_by_object) | set(edges)) - included
    for root in sorted(roots):
        walk(root, "", frozenset({root}))
    return table, mounts


def segments(path: str) -> list[str]:
    path = path.split("?", 1)[0].split("#", 1)[0]
    return [s for s in path.strip("/").split("/") if s]


def matches(route: str, request: list[str]) -> bool:
    """Does a request path (test side; ``{param}`` segments are unknown values) match a route?"""
    pattern = segments(route)
    return _match(pattern, request)


def _match(pattern: list[str], request: list[str]) -> bool:
    """Segment matching, where a wildcard or ``:path`` segment takes one or more segments (a
    WILDCARD also none). By dynamic programming over (pattern, request) positions: the former
    recursion tried every split for every wildcard, exponential in the number of wildcards."""
    n = len(request)
    # rest[j]: pattern[i + 1:] matches request[j:] (for the last segment: only the empty rest).
    rest = [False] * n + [True]
    for head in reversed(pattern):
        here = [False] * (n + 1)
        if head.startswith(WILDCARD) or head.endswith(":path}") or head.startswith("<path:"):
            later = False  # rest[k] for some k > j: the wildcard takes request[j:k]
            for j in range(n, -1, -1):
                here[j] = later or (head.startswith(WILDCARD) and rest[j])
                later = later or rest[j]
        else:
            param = _PARAM.match(head) is not None
            for j in range(n):
                here[j] = rest[j + 1] and (param or request[j] == "{param}" or head == request[j])
        rest = here
    return rest[0]
