"""The index hands out typed facts (``python/fact_types``), the same whether extracted now or
decoded from the cache, while the cache keeps plain lists."""

from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts import codec
from undertow.analyzers.facts.context import MemoryCache, RevisionFacts
from undertow.analyzers.python.fact_types import (
    ClientCall,
    Emit,
    ImportEdge,
    ImportSite,
    Include,
    Listen,
    PatchTarget,
    RedisKeyUse,
    Route,
    SqlText,
    typed,
)
from undertow.analyzers.python.facts import extract
from undertow.analyzers.python.index import PARTS, python_index

FILES = {
    "app/__init__.py": "",
    "app/api.py": (
        "from fastapi import APIRouter, FastAPI\n"
        "from sqlalchemy import text\n"
        "import redis\n"
        "app = FastAPI()\n"
        "router = APIRouter(prefix='/items')\n"
        "@router.get('/{item_id}')\n"
        "def read(item_id):\n"
        "    redis.Redis().lpush('jobs', item_id)\n"
        "    sio.emit('created', item_id)\n"
        "    return text('SELECT 1')\n"
        "@sio.on('hello')\n"
        "def hello(): ...\n"
        "app.include_router(router, prefix='/v1')\n"
    ),
    "tests/test_api.py": (
        "from unittest import mock\n"
        "from fastapi.testclient import TestClient\n"
        "from app.api import app\n"
        "client = TestClient(app)\n"
        "@mock.patch('app.api.read')\n"
        "def test_read(m):\n"
        "    client.get('/v1/items/1')\n"
    ),
}


def _index(cache: MemoryCache):
    return python_index(RevisionFacts(MemorySnapshot(FILES, revision="rev-1"), cache))


def test_parts_give_typed_values_with_attribute_access():
    index = _index(MemoryCache())
    web = index.part("web")["app/api.py"]
    (route,) = web["routes"]
    assert isinstance(route, Route)
    assert (route.owner, route.methods, route.path, route.line) == ("router", ["GET"], [["lit", "/{item_id}"]], 6)
    owner, methods, path, line = route  # tuple unpacking still works
    assert (owner, line) == ("router", 6)
    (include,) = web["includes"]
    assert include == Include("app", "router", [["lit", "/v1"]], 13, "include")
    assert index.part("redis")["app/api.py"] == [RedisKeyUse("lpush", "push", ["lit", "jobs"], 8)]
    events = index.part("events")["app/api.py"]
    assert events["emits"] == [Emit("sio", "created", 9)] and events["listens"] == [Listen("sio", "hello")]
    assert index.part("sql")["app/api.py"] == [SqlText(10, "SELECT 1")]
    assert index.part("client_calls")["tests/test_api.py"] == [ClientCall("GET", [["lit", "/v1/items/1"]], 7)]
    (patch,) = index.part("patches")["tests/test_api.py"]
    assert isinstance(patch, PatchTarget) and (patch.kind, patch.target, patch.create) == (
        "string",
        "app.api.read",
        False,
    )
    edges = index.part("import_edges")["tests/test_api.py"]
    assert all(isinstance(e, ImportEdge) for e in edges) and ImportEdge("app.api", ["app"]) in edges
    sites = index.files["app/api.py"]["import_sites"]
    assert sites[0] == ImportSite("fastapi", ["APIRouter", "FastAPI"], 1, False, False)
    assert sites[2].module == "redis" and sites[2].names is None


def test_a_round_trip_through_the_cache_gives_equal_typed_values():
    cache = MemoryCache()
    cold = _index(cache)
    cold_parts = {name: cold.part(name) for name in PARTS}
    cold_files = {path: cold.files[path] for path in FILES}
    assert any(k.startswith("idx-part:") for k in cache.data)
    warm = _index(cache)  # a new revision object over the same cache: everything decoded from JSON
    for name in PARTS:
        assert warm.part(name) == cold_parts[name], name
    for path in FILES:
        assert warm.files[path] == cold_files[path], path
    assert type(warm.part("web")["app/api.py"]["routes"][0]) is Route
    assert type(warm.files["app/api.py"]["import_sites"][0]) is ImportSite


def test_the_cache_keeps_plain_lists():
    facts = extract("app/api.py", FILES["app/api.py"])
    assert type(facts["routes"][0]) is list and type(facts["import_sites"][0]) is list
    assert codec.loads(codec.dumps(facts)) == facts
    assert typed("routes", facts["routes"]) == [Route(*facts["routes"][0])]
    assert typed("apps", facts["apps"]) is facts["apps"]  # not a positional kind: as it is


def test_a_part_types_each_file_when_it_is_first_read():
    index = _index(MemoryCache())
    edges = index.part("import_edges")
    assert not edges._decoded  # nothing decoded yet
    assert edges.get("app/api.py")[0] == ImportEdge("fastapi", ["APIRouter", "FastAPI"])
    assert list(edges._decoded) == ["app/api.py"]
    assert index.part("import_edges") is edges  # once per index
    assert dict(edges) == {path: edges[path] for path in edges}
