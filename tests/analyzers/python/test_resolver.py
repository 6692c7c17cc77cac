"""The one resolver of first-party names (``PythonIndex.resolve``, ``modules.follow_reexports``):
re-exports through package ``__init__`` chains, cycles that stop, one depth limit."""

from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.python.index import python_index
from undertow.analyzers.python.modules import MAX_REEXPORT_HOPS, Resolved


def _index(files):
    return python_index(RevisionFacts(MemorySnapshot(files)))


CHAIN = {
    "app/__init__.py": "from .api import router, PREFIX\n",
    "app/api/__init__.py": "from .v1 import router\nfrom app.api.settings import PREFIX\n",
    "app/api/settings.py": "PREFIX = '/api'\n",
    "app/api/v1.py": "from fastapi import APIRouter\nrouter = APIRouter()\ndef helper(): ...\n",
    "app/main.py": "from app import router\nimport app.api.v1 as v1\n",
}


def test_reexports_are_followed_through_init_chains():
    index = _index(CHAIN)
    assert index.resolve("app.router") == Resolved("app.api.v1", "router")
    assert index.resolve("app.router.prefix") == Resolved("app.api.v1", "router.prefix")
    assert index.resolve("app.router.prefix", attributes=False) == Resolved("app", "router.prefix")
    assert index.resolve("app.api.v1.helper") == Resolved("app.api.v1", "helper")
    assert index.resolve("app.api") == Resolved("app.api", "")
    assert index.resolve("fastapi.APIRouter") is None  # not first-party
    # A re-export of a third-party name ends the walk there.
    assert index.resolve("app.api.v1.APIRouter") == Resolved("app.api.v1", "APIRouter", "fastapi.APIRouter")
    # The readers built on it: object ids and constants.
    assert index.object_id("app.main", "router") == "app.api.v1:router"
    assert index.constant("app.main", "app.PREFIX") == "/api"
    assert index.constant("app", "PREFIX") == "/api"


def test_a_local_definition_is_not_a_reexport():
    files = {
        "pkg/__init__.py": "try:\n    from pkg.fast import NAME\nexcept ImportError:\n    NAME = 'slow'\n",
        "pkg/fast.py": "NAME = 'fast'\n",
    }
    index = _index(files)
    assert index.resolve("pkg.NAME") == Resolved("pkg", "NAME")
    assert index.constant("pkg", "NAME") == "slow"


def test_cycles_stop_where_they_close():
    files = {
        "a/__init__.py": "from b import x\n",
        "b/__init__.py": "from a import x\n",
    }
    index = _index(files)
    assert index.resolve("a.x") == Resolved("b", "x")
    assert index.resolve("b.x") == Resolved("a", "x")
    assert index.object_id("a", "x") in ("a:x", "b:x")


def test_the_depth_limit_is_one_for_every_reader():
    # m0.name -> m1.name -> ... -> m9.name: followed MAX_REEXPORT_HOPS times, no further.
    files = {f"m{i}.py": f"from m{i + 1} import name\n" for i in range(9)}
    files["m9.py"] = "name = 'end'\n"
    index = _index(files)
    assert index.resolve("m0.name") == Resolved(f"m{MAX_REEXPORT_HOPS}", "name")
    assert index.resolve("m0.name", hops=2) == Resolved("m2", "name")
    assert index.object_id("m0", "name") == f"m{MAX_REEXPORT_HOPS}:name"
    assert index.resolve(f"m{9 - MAX_REEXPORT_HOPS}.name") == Resolved("m9", "name")


def test_a_files_own_import_is_the_first_hop():
    files = {f"m{i}.py": f"from m{i + 1} import name\n" for i in range(9)}
    files["m9.py"] = "name = 'end'\n"
    files["c0.py"] = "from c1 import NAME\n"
    files.update({f"c{i}.py": f"from c{i + 1} import NAME\n" for i in range(1, MAX_REEXPORT_HOPS)})
    files[f"c{MAX_REEXPORT_HOPS}.py"] = "NAME = 'deep'\n"
    index = _index(files)
    assert index.object_id("m0", "name") == f"m{MAX_REEXPORT_HOPS}:name"
    assert index.constant("c0", "NAME") == "deep"  # c0 -> c1 ... -> c5: five imports
    assert index.constant("c0", "c0.NAME") == "deep"
    assert index.constant("m0", "name") is None  # m9 is past the limit


def test_relative_imports_name_the_same_module_in_summaries_and_facts():
    from undertow.analyzers.python.facts import extract
    from undertow.analyzers.python.modules import summarize_tree
    from undertow.analyzers.python.syntax import parse_ast

    source = "from . import a\nfrom .b import c\nfrom ..d import e\n"
    for path, package in (("pkg/sub/mod.py", "pkg.sub"), ("pkg/sub/__init__.py", "pkg.sub")):
        sites = extract(path, source)["import_sites"]
        assert [s[0] for s in sites] == [package, f"{package}.b", "pkg.d"]
        assert summarize_tree(path, parse_ast(source)).imports == {
            "a": f"{package}.a",
            "c": f"{package}.b.c",
            "e": "pkg.d.e",
        }


def test_a_namespace_directory_inside_a_package_is_not_an_import_root():
    from undertow.analyzers.python.modules import package_roots

    paths = [
        "app/__init__.py",
        "app/schemas/openai/__init__.py",  # app/schemas/ has no __init__.py: a namespace subpackage
        "backend/app/__init__.py",  # backend/ holds a package and is none: a root
    ]
    assert package_roots(paths) == ["backend/", "src/", ""]
    index = _index({p: "" for p in paths} | {"app/main.py": "import openai\n"})
    assert index.split("openai.OpenAI") is None  # the distribution, not app/schemas/openai
    assert index.split("app.schemas.openai") == ("app.schemas.openai", "")
