"""What one Python file contributes to the revision-wide indexes: Redis keys pushed and popped,
events emitted and listened to, web apps/routers/routes/includes, test-client calls, mock
patch targets, constants and definitions. Extracted with ``ast`` (parse only, never run) into
plain JSON so that the result can be cached per blob."""

from __future__ import annotations

import ast
import functools
from typing import Any

from undertow.analyzers.python.ast_names import dotted
from undertow.analyzers.python.env import env_names
from undertow.analyzers.python.fact_types import (
    ClientCall,
    Emit,
    Expr,
    ImportSite,
    Include,
    Listen,
    PatchTarget,
    RedisKeyUse,
    Route,
    SqlText,
    encode,
)
from undertow.analyzers.python.modules import PACKAGE_ROOTS, imported_module, package_of, summarize_tree
from undertow.analyzers.python.syntax import Unparseable, parse_ast
from undertow.analyzers.schema.alembic import is_alembic_revision, revision_in, tolerant_revision
from undertow.analyzers.schema.orm import encode_models, mentions_orm, models_in, naming_conventions_in
from undertow.analyzers.schema.paths import is_alembic_candidate, is_migration_source

# Calls whose first argument is SQL text (SQLAlchemy, DB-API drivers, asyncpg, pandas, the
# `databases` package, aiosqlite, and the fetchone/fetchall wrappers projects write over them);
# read by the ``sql`` facts here and by the schema rules' code sites (``rules/schema/code_sites.py``).
# A DB-API cursor's own ``fetchone()``/``fetchall()`` take no SQL: no string argument, no site.
SQL_CALLS = frozenset(
    {
        "text",
        "execute",
        "exec_driver_sql",
        "executemany",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetchone",
        "fetchall",
        "fetch_one",
        "fetch_all",
        "fetch_val",
        "fetch_value",
        "execute_fetchall",
        "read_sql",
        "read_sql_query",
    }
)
REDIS_PUSH = {"lpush", "rpush", "lpushx", "rpushx", "xadd"}
REDIS_POP = {"blpop", "brpop", "lpop", "rpop", "xread", "xreadgroup", "blmpop", "lmpop"}
REDIS_MOVE = {"brpoplpush", "rpoplpush", "lmove", "blmove"}  # pop the first key, push the second
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
APP_FACTORIES = {
    "fastapi.FastAPI": "app",
    "fastapi.APIRouter": "router",
    "fastapi.routing.APIRouter": "router",
    "starlette.applications.Starlette": "app",
    "starlette.routing.Router": "router",
    "flask.Flask": "app",
    "flask.Blueprint": "router",
}
CLIENT_FACTORIES = {
    "fastapi.testclient.TestClient",
    "starlette.testclient.TestClient",
    "httpx.AsyncClient",
    "httpx.Client",
}
PATCHERS = {"unittest.mock.patch", "mock.patch", "patch", "mocker.patch", "monkeypatch.setattr"}


def module_name(path: str) -> str:
    rel = path[:-3] if path.endswith(".py") else path
    for root in PACKAGE_ROOTS:
        if root and rel.startswith(root):
            rel = rel[len(root) :]
            break
    if rel.endswith("/__init__"):
        rel = rel[: -len("/__init__")]
    return rel.replace("/", ".")


TEST_DIRECTORIES = frozenset({"tests", "test", "testing"})


@functools.lru_cache(maxsize=65536)
def is_test_path(path: str) -> bool:
    """Test code (or test data): a file under a ``tests/``, ``test/`` or ``testing/``
    directory (at any depth), or named ``test_*``, ``*_test.py`` or ``conftest.py``. The one
    test-path predicate: the facts here, the rules' ``FileContext.is_test`` and the
    dependency coverage (tests run with the dev tooling) all read it."""
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in TEST_DIRECTORIES for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def extract(path: str, source: str) -> dict[str, Any]:
    """One file's facts, from one parse. A file no grammar reads is known to exist with
    unknown content: ``{"error": reason}``, and rules stay quiet about what it might hold."""
    try:
        tree = parse_ast(source, path)
    except Unparseable as exc:
        unreadable: dict[str, Any] = {"error": str(exc)}
        if "environ" in source or "getenv" in source or "BaseSettings" in source:
            unreadable["env_reads"] = env_names(source)  # read from the text: no parse needed
        if is_alembic_candidate(path) and is_alembic_revision(path, source):
            # A Python 2 era revision still creates its tables: read it line by line.
            revision, skipped = tolerant_revision(path, source)
            if revision is not None:
                unreadable["revision"] = {**revision, "skipped_lines": skipped}
        return unreadable
    summary = summarize_tree(path, tree)
    try:
        facts = _Extractor(path, summary.imports).run(tree)
    except RecursionError:  # a tree too deep for the visitor: unreadable, not a bug
        return {"error": "expressions are nested too deeply to analyse"}
    facts["functions"] = summary.functions
    facts["classes"] = {n: {"bases": c.bases, "attributes": sorted(c.attributes)} for n, c in summary.classes.items()}
    facts["names"] = sorted(summary.names)
    facts["imports"] = summary.imports
    facts["constants"] = summary.constants
    # What the schema layer reads from the same parse (one parse per file): the ORM models of a
    # file that is not a migration (a migration's sa.Table() is a snapshot), and the Alembic
    # revision a migration file declares.
    if not is_migration_source(path) and mentions_orm(source):
        facts["models"] = encode_models(models_in(tree))
    if "environ" in source or "getenv" in source or "BaseSettings" in source:
        facts["env_reads"] = env_names(source)  # CFG001: what the base revision already reads
    if "create_all(" in source and not is_migration_source(path):
        facts["create_all"] = True  # metadata.create_all(): tables may exist that no migration creates
    if not is_migration_source(path) and "naming_convention" in source:
        facts["naming"] = naming_conventions_in(tree)
    if is_alembic_candidate(path) and is_alembic_revision(path, source):
        facts["revision"] = revision_in(tree)
    # Empty entries are left out: whole-revision indexes are cached, and every byte is decoded again.
    # Typed values are cached as lists (``fact_types.encode``); the index decodes them again.
    return encode({k: v for k, v in facts.items() if v or k == "module"})


class _Extractor(ast.NodeVisitor):
    def __init__(self, path: str, imports: dict[str, str]) -> None:
        self.path = path
        self.imports = imports
        self.is_test = is_test_path(path)
        self.out: dict[str, Any] = {
            "module": module_name(path),
            "redis": [],
            "emits": [],
            "listens": [],
            "apps": {},
            "routes": [],
            "includes": [],
            "client_calls": [],
            "clients": [],
            "patches": [],
            "class_strings": {},
            "import_sites": [],
            "sql": [],
        }
        self.client_names: set[str] = set()
        self.optional_depth = 0
        self.package = package_of(path)

    def run(self, tree: ast.AST) -> dict[str, Any]:
        self.visit(tree)
        return self.out

    # -- names ------------------------------------------------------------------------------

    def qualify(self, node: ast.AST) -> str:
        written = dotted(node)
        if not written:
            return ""
        head, _, rest = written.partition(".")
        base = self.imports.get(head, head)
        return f"{base}.{rest}" if rest else base

    def expr(self, node: ast.AST | None) -> Expr | None:
        """A path/key expression as parts: ["lit", s], ["ref", dotted], ["param"] (unknown)."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [["lit", node.value]]
        if isinstance(node, (ast.Name, ast.Attribute)) and dotted(node):
            return [["ref", self.qualify(node)]]
        if isinstance(node, ast.JoinedStr):
            parts: Expr = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    parts.append(["lit", str(value.value)])
                elif isinstance(value, ast.FormattedValue):
                    inner = value.value
                    parts.append(["ref", self.qualify(inner)] if dotted(inner) and not parts else ["param"])
            return parts
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.expr(node.left), self.expr(node.right)
            return left + right if left is not None and right is not None else None
        return None

    def _prefix(self, node: ast.AST | None) -> Expr:
        """A router's or include's prefix; one that cannot be read (``prefix=get_prefix()``)
        is unknown, and matches any path segments, rather than no prefix at all."""
        if node is None:
            return []
        return self.expr(node) or [["unknown"]]

    # -- imports ----------------------------------------------------------------------------

    def visit_If(self, node: ast.If) -> None:
        if dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self.optional_depth += 1
            for child in node.body:
                self.visit(child)
            self.optional_depth -= 1
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        guarded = any(_catches_import_error(h.type) for h in node.handlers)
        self.optional_depth += guarded
        for child in node.body:
            self.visit(child)
        self.optional_depth -= guarded
        rest: list[ast.AST] = [*node.handlers, *node.orelse, *node.finalbody]
        for other in rest:
            self.visit(other)

    visit_TryStar = visit_Try

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.out["import_sites"].append(ImportSite(alias.name, None, node.lineno, self.optional_depth > 0, False))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "__future__":
            return
        names = [a.name for a in node.names if a.name != "*"]
        module = imported_module(node, self.package)
        self.out["import_sites"].append(
            ImportSite(module, names, node.lineno, self.optional_depth > 0, bool(node.level))
        )

    # -- visitors ---------------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        targets: list[ast.expr]
        value: ast.expr | None
        for stmt in node.body:
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign):
                targets, value = [stmt.target], stmt.value
            else:
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.out["class_strings"].setdefault(target.id, value.value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call):
            factory = self.qualify(node.value.func)
            for target in node.targets:
                name = dotted(target)
                if not name:
                    continue
                if factory in APP_FACTORIES:
                    prefix = _kw(node.value, "prefix") or _kw(node.value, "url_prefix")
                    self.out["apps"][name] = {
                        "kind": APP_FACTORIES[factory],
                        "prefix": self._prefix(prefix),
                        "line": node.lineno,
                    }
                if factory in CLIENT_FACTORIES or _attr(node.value.func) == "test_client":
                    self.client_names.add(name)
        self.generic_visit(node)

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if isinstance(item.context_expr, ast.Call) and item.optional_vars is not None:
                factory = self.qualify(item.context_expr.func)
                if factory in CLIENT_FACTORIES or _attr(item.context_expr.func) == "test_client":
                    if name := dotted(item.optional_vars):
                        self.client_names.add(name)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self._route_decorator(decorator, node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _route_decorator(self, decorator: ast.expr, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if isinstance(decorator, ast.Attribute) and decorator.attr == "event":
            self.out["listens"].append(Listen("sio", func.name))  # @sio.event def my_event(...)
            return
        if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
            return
        method = decorator.func.attr
        owner = dotted(decorator.func.value)
        if owner is None:
            return
        first = decorator.args[0] if decorator.args else _kw(decorator, "path") or _kw(decorator, "rule")
        if method == "on" and first is not None:
            if (name := _str(first)) is not None:
                self.out["listens"].append(Listen("sio", name))
            return
        if method in HTTP_METHODS or method in ("route", "api_route", "websocket"):
            path = self.expr(first) if first is not None else None
            if path is None:
                return
            methods = _methods(decorator, method)
            self.out["routes"].append(Route(owner, methods, path, decorator.lineno))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        attr = _attr(func)
        qualified = self.qualify(func)
        if attr is not None:
            self._redis(node, attr)
            self._events(node, attr, qualified)
            self._includes(node, attr)
            if self.is_test:
                self._client_call(node, attr)
        if self.is_test:
            self._patch(node, qualified, attr)
        if sql_call(attr, qualified) and node.args and (text := _str(node.args[0])) is not None:
            self.out["sql"].append(SqlText(node.args[0].lineno, text[:4000]))
        if attr in ("add_api_route", "add_url_rule") and node.args and isinstance(func, ast.Attribute):
            owner = dotted(func.value)
            path = self.expr(node.args[0])
            if owner and path is not None:
                self.out["routes"].append(Route(owner, _methods(node, "get"), path, node.lineno))
        if qualified.endswith(("routing.Route", "routing.WebSocketRoute")) and node.args:
            path = self.expr(node.args[0])
            if path is not None:
                self.out["routes"].append(Route("<routes>", _methods(node, "get"), path, node.lineno))
        if qualified.endswith("routing.Mount") and node.args and (path := self.expr(node.args[0])) is not None:
            self.out["includes"].append(Include("<routes>", None, path, node.lineno, "mount"))
        self.generic_visit(node)

    def _redis(self, node: ast.Call, attr: str) -> None:
        line = node.lineno
        if attr in REDIS_PUSH and node.args:
            self._redis_key(attr, "push", node.args[0], line)
        elif attr in REDIS_MOVE and len(node.args) >= 2:
            self._redis_key(attr, "pop", node.args[0], line)
            self._redis_key(attr, "push", node.args[1], line)
        elif attr in ("xread", "xreadgroup"):
            streams = _kw(node, "streams")
            if streams is None and node.args:
                streams = node.args[0] if attr == "xread" else (node.args[2] if len(node.args) > 2 else None)
            if isinstance(streams, ast.Dict):
                for key in streams.keys:
                    if key is not None:
                        self._redis_key(attr, "pop", key, line)
        elif attr in REDIS_POP and node.args:
            keys: ast.expr | None = node.args[0]
            if attr in ("blmpop", "lmpop"):
                keys = (
                    node.args[2]
                    if attr == "blmpop" and len(node.args) > 2
                    else (node.args[1] if len(node.args) > 1 else None)
                )
            elements = (
                keys.elts
                if isinstance(keys, (ast.List, ast.Tuple))
                else [keys, *(node.args[1:] if attr in ("blpop", "brpop") else [])]
            )
            for key in elements:
                if key is not None and not (isinstance(key, ast.Constant) and isinstance(key.value, (int, float))):
                    self._redis_key(attr, "pop", key, line)

    def _redis_key(self, op: str, role: str, node: ast.AST, line: int) -> None:
        expr = self.expr(node)
        if expr and len(expr) == 1 and expr[0][0] in ("lit", "ref"):
            self.out["redis"].append(RedisKeyUse(op, role, expr[0], line))

    def _events(self, node: ast.Call, attr: str, qualified: str) -> None:
        first = _str(node.args[0]) if node.args else None
        if first is None:
            return
        if attr == "emit":
            self.out["emits"].append(Emit("sio", first, node.lineno))
        elif attr == "publish":
            self.out["emits"].append(Emit("pubsub", first, node.lineno))
        elif attr in ("on", "on_event") and len(node.args) >= 2:
            self.out["listens"].append(Listen("sio", first))
        elif attr in ("subscribe", "psubscribe"):
            for arg in node.args:
                if (name := _str(arg)) is not None:
                    self.out["listens"].append(Listen("pubsub", name))

    def _includes(self, node: ast.Call, attr: str) -> None:
        owner = dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None  # attr: func is one
        if owner is None:
            return
        if attr in ("include_router", "register_blueprint") and node.args:
            child = self.qualify(node.args[0]) if dotted(node.args[0]) else None
            prefix = _kw(node, "prefix") or _kw(node, "url_prefix")
            self.out["includes"].append(
                Include(
                    owner,
                    child,
                    self._prefix(prefix),
                    node.lineno,
                    "include",
                )
            )
        elif attr == "mount" and node.args:
            path = self.expr(node.args[0])
            if path is not None:
                self.out["includes"].append(Include(owner, None, path, node.lineno, "mount"))

    def _client_call(self, node: ast.Call, attr: str) -> None:
        receiver = dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None  # attr: func is one
        if receiver is None:
            return
        if not (receiver in self.client_names or "client" in receiver.rsplit(".", 1)[-1].lower()):
            return
        if attr in HTTP_METHODS and node.args:
            method, target = attr.upper(), node.args[0]
        elif attr == "request" and len(node.args) >= 2 and (verb := _str(node.args[0])):
            method, target = verb.upper(), node.args[1]
        else:
            return
        path = self.expr(target)
        if path:
            self.out["client_calls"].append(ClientCall(method, path, node.lineno))

    def _patch(self, node: ast.Call, qualified: str, attr: str | None) -> None:
        create = any(
            k.arg == "create" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords
        )
        called = dotted(node.func) or ""
        is_patch = qualified in ("unittest.mock.patch", "mock.patch") or called in (
            "patch",
            "mock.patch",
            "mocker.patch",
        )
        is_object = qualified in ("unittest.mock.patch.object", "mock.patch.object") or called in (
            "patch.object",
            "mock.patch.object",
            "mocker.patch.object",
        )
        is_setattr = called.endswith("monkeypatch.setattr")
        if (is_patch or (is_setattr and len(node.args) == 2)) and node.args and (target := _str(node.args[0])):
            self.out["patches"].append(PatchTarget("string", target, None, node.lineno, create))
        elif (is_object or (is_setattr and len(node.args) >= 3)) and len(node.args) >= 2:
            owner = self.qualify(node.args[0]) if dotted(node.args[0]) else None
            name = _str(node.args[1])
            if owner and name:
                self.out["patches"].append(PatchTarget("object", owner, name, node.lineno, create))


# Where a bare `text(...)` (or an alias of it) may come from to be SQL: an HTML builder's
# `text("Update Status")` (seen on a real project) is not a query.
_SQL_MODULES = ("sqlalchemy", "sqlmodel", "databases", "asyncpg", "psycopg", "pandas", "flask_sqlalchemy")


def sql_call(attr: str | None, qualified: str) -> bool:
    """A call whose first argument is SQL: a method of that name (``conn.execute``,
    ``sa.text``), or a function imported from a SQL library (or defined here)."""
    if attr is not None:
        return attr in SQL_CALLS
    module, _, name = qualified.rpartition(".")
    return name in SQL_CALLS and (not module or module.split(".")[0] in _SQL_MODULES)


def _catches_import_error(node: ast.expr | None) -> bool:
    if node is None:
        return True
    names = [dotted(e) for e in node.elts] if isinstance(node, ast.Tuple) else [dotted(node)]
    return any(n in ("ImportError", "ModuleNotFoundError", "Exception", "BaseException") for n in names)


def _attr(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _methods(call: ast.Call, method: str) -> list[str]:
    listed = _kw(call, "methods")
    if isinstance(listed, (ast.List, ast.Tuple, ast.Set)):
        return sorted({m.upper() for e in listed.elts if (m := _str(e))})
    if method in ("route", "api_route", "add_url_rule", "add_api_route"):
        return ["GET"]
    if method == "websocket":
        return ["WEBSOCKET"]
    return [method.upper()]
