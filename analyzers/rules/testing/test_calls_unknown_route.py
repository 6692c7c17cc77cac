"""TST001: a test calling a path and method the app does not route."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from undertow.analyzers.core.findings import Finding, Severity, Suggestion
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.python.fact_types import ClientCall
from undertow.analyzers.python.facts import is_test_path
from undertow.analyzers.python.index import PythonIndex, python_index
from undertow.analyzers.python.routes import WILDCARD, Route, matches, render, route_table, segments
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case

_IMPLICIT = {"HEAD": "GET"}
# Routing libraries whose routes this table does not model: with one in use, a test path that
# matches nothing may well be served, so the rule stays quiet rather than guess.
_UNMODELLED_ROUTING = (
    "flask_restx",
    "flask_restful",
    "flask_restplus",
    "flask_smorest",
    "connexion",
    "ninja",
    "django",
    "strawberry",
)


class TestCallsUnknownRoute(RepoRule):
    """## What it does
    Builds the app's route table (FastAPI/Starlette/Flask decorators, `APIRouter(prefix=)`,
    `include_router(prefix=)`, blueprints with `url_prefix`, `app.mount`) and flags test-client
    calls (`client.get("/x")`, `TestClient`, `httpx.AsyncClient`, Flask `test_client()`) whose
    path and method no route serves. Path parameters (`{id}`, `<int:id>`) match any segment.

    ## Why is this bad?
    The test still passes against a 404 when it only checks for an error, or it fails for a
    reason nobody reads; either way the endpoint the test was meant to protect is no longer
    tested, and the route a client still calls may be gone.

    ## Example
    ```python
    response = client.post("/control/birthday", json=payload)  # the app serves /campaigns/birthday
    ```

    ## Use instead
    ```python
    response = client.post("/campaigns/birthday", json=payload)
    ```
    """

    __test__ = False  # not a pytest test class, whatever its name says
    id = "TST001"
    name = "test-calls-unknown-route"
    severity = Severity.ERROR
    fix = "call a path the app routes (or restore the route)"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        index = python_index(ctx.facts)
        table, mounts = route_table(index)
        if not table or _uses_unmodelled_routing(index):
            return
        client_calls: Mapping[str, list[ClientCall]] = index.part("client_calls")
        for path, calls in sorted(client_calls.items()):
            if not is_test_path(path):
                continue
            for method, parts, line in calls:
                text = render(parts, index, index.module_of[path])
                if text is None or WILDCARD in text or not text.startswith("/"):
                    continue
                if method == "GET" and text.split("?", 1)[0] in _FASTAPI_BUILTIN and _uses_fastapi(index):
                    continue
                request = segments(text)
                if any(
                    matches(m + "/" + "{rest:path}" if m else "/{rest:path}", request) or matches(m, request)
                    for m in mounts
                ):
                    continue
                routed = [r for r in table if matches(r.path, request)]
                wanted = _IMPLICIT.get(method, method)
                if any(wanted in r.methods or method in r.methods for r in routed):
                    continue
                yield self._finding(ctx, path, line, method, text, routed, table)

    def _finding(
        self,
        ctx: RepoContext,
        path: str,
        line: int,
        method: str,
        text: str,
        routed: list[Route],
        table: list[Route],
    ) -> Finding:
        shown = text.split("?", 1)[0]
        if routed:
            methods = ", ".join(sorted({m for r in routed for m in r.methods}))
            first = routed[0]
            message = (
                f"this test calls {method} {shown}, but the app routes only {methods} for it "
                f"({first.file}:{first.line}); {self.fix}"
            )
            suggestion = None
        else:
            near = _nearest(shown, [r for r in table if method in r.methods] or table)
            hint = f"; did you mean {near.path} ({near.file}:{near.line})?" if near else ""
            message = f"this test calls {method} {shown}, but no route of the app matches it{hint}"
            suggestion = _replacement(ctx, path, line, shown, near.path) if near else None
        return self.report(path, message, f"{method} {shown}", line=line, suggestion=suggestion)


def _replacement(ctx: RepoContext, path: str, line: int, shown: str, route: str) -> Suggestion | None:
    """The test line with the literal path swapped for the route's, when that is unambiguous."""
    if "{" in route or "<" in route:
        return None
    data = ctx.snapshot.read(path)
    lines = data.decode("utf-8", "replace").splitlines() if data else []
    if line > len(lines) or lines[line - 1].count(shown) != 1:
        return None
    return Suggestion("replace", lines[line - 1].replace(shown, route), f"call {route}")


def _nearest(text: str, routes: list[Route]) -> Route | None:
    """A route differing from the request by its prefix only: same length, same last segments."""
    request = segments(text)
    best: Route | None = None
    best_score = 0
    for route in routes:
        pattern = segments(route.path)
        if len(pattern) != len(request):
            continue
        score = sum(1 for a, b in zip(pattern, request, strict=False) if a == b or a.startswith(("{", "<")))
        if (
            pattern
            and request
            and (pattern[-1] == request[-1] or pattern[-1].startswith(("{", "<")))
            and score > best_score
        ):
            best, best_score = route, score
    return best if best_score >= max(1, len(request) - 1) else None


def _uses_unmodelled_routing(index: PythonIndex) -> bool:
    """A router framework the route table does not model, or a router class of the repository's
    own (``class Controller(APIRouter)``: class-based controllers add routes it cannot see)."""
    if any(root in _UNMODELLED_ROUTING for roots in index.part("import_roots").values() for root in roots):
        return True
    return any(
        base.rsplit(".", 1)[-1] in _ROUTER_CLASSES for bases in index.part("class_bases").values() for base in bases
    )


# Router classes whose subclasses route by means of their own (class-based views and controllers).
_ROUTER_CLASSES = frozenset({"APIRouter", "Router", "InferringRouter", "APIRoute"})
# What FastAPI serves itself (the OpenAPI schema and its documentation pages).
_FASTAPI_BUILTIN = frozenset({"/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"})


def _uses_fastapi(index: PythonIndex) -> bool:
    return any("fastapi" in roots for roots in index.part("import_roots").values())


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_ROUTES = {
    "app/__init__.py": "",
    "app/main.py": "from fastapi import FastAPI\nfrom app.items import router\napp = FastAPI()\n"
    "app.include_router(router)\n",
    "app/items.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/items')\n"
    "@router.get('/{item_id}')\ndef read(item_id: int):\n    pass\n",
}
_CALL = "def test_items(client):\n    client.{}\n"

INVALID = [
    Case(
        base=_ROUTES,
        head={"tests/test_api.py": _CALL.format("get('/things/7')")},
        expect=[("TST001", "tests/test_api.py", 2)],
    ),
    Case(
        base=_ROUTES,
        head={"tests/test_api.py": _CALL.format("delete('/items/7')")},
        expect=[("TST001", "tests/test_api.py", 2)],
    ),
]
VALID = [
    Case(base=_ROUTES, head={"tests/test_api.py": _CALL.format("get('/items/7')")}),
    # FastAPI serves its OpenAPI schema and docs itself.
    Case(base=_ROUTES, head={"tests/test_api.py": _CALL.format("get('/openapi.json')")}),
    # A router class of the repository's own (class-based controllers) adds routes unseen.
    Case(
        base={
            **_ROUTES,
            "app/controllers.py": "from fastapi import APIRouter\nclass UserAPIRouter(APIRouter):\n"
            "    def register(self, controller):\n        pass\n",
        },
        head={"tests/test_api.py": _CALL.format("get('/users/self')")},
    ),
]
