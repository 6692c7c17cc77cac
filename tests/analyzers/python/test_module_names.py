"""Module names come from path components: a directory whose name is no identifier
(``svc.v2``, ``my-app``) is no package component, and a file below it is importable only from a
root below it."""

from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.python.index import python_index
from undertow.analyzers.python.modules import module_names, package_of, package_roots


def test_the_package_of_a_file_starts_below_a_directory_that_is_no_identifier():
    assert package_of("api.v3/core/handlers/__init__.py") == "core.handlers"
    assert package_of("api.v3/core/handlers/auth.py") == "core.handlers"
    assert package_of("my-tools/lib/x.py") == "lib"
    assert package_of("api.v3/run.py") == ""
    assert package_of("app/api/__init__.py") == "app.api"
    assert package_of("app/main.py") == "app"
    assert package_of("main.py") == ""


def test_no_module_name_is_spelled_through_a_directory_that_is_no_identifier():
    paths = ["api.v3/core/__init__.py", "api.v3/core/handlers/auth.py", "api.v3/run.py", "app/cfg.local.py"]
    roots = package_roots(paths)
    assert "api.v3/" in roots
    assert module_names("api.v3/core/handlers/auth.py", roots) == ["core.handlers.auth"]
    assert module_names("api.v3/core/__init__.py", roots) == ["core"]
    assert module_names("api.v3/run.py", roots) == ["run"]  # the directory holding a package is a root
    assert module_names("app/cfg.local.py", roots) == []  # no dotted name spells it


def test_a_package_above_a_directory_that_is_no_identifier_does_not_swallow_it():
    paths = ["app/__init__.py", "app/v1.0/api/__init__.py", "app/v1.0/api/users.py"]
    roots = package_roots(paths)
    assert "app/v1.0/" in roots
    assert module_names("app/v1.0/api/users.py", roots) == ["api.users"]


def test_the_index_has_no_top_name_cut_out_of_a_dotted_directory():
    index = python_index(
        RevisionFacts(
            MemorySnapshot(
                {
                    "svc.v2/app/__init__.py": "",
                    "svc.v2/app/schemas/__init__.py": "from .user import User\n",
                    "svc.v2/app/schemas/user.py": "class User:\n    pass\n",
                }
            )
        )
    )
    assert index.top_names == {"app"}  # never "svc": `import svc` is some distribution's
    assert index.by_module["app.schemas.user"] == "svc.v2/app/schemas/user.py"
    assert index.module_of["svc.v2/app/schemas/user.py"] == "app.schemas.user"
    sites = index.files["svc.v2/app/schemas/__init__.py"]["import_sites"]
    assert [site.module for site in sites] == ["app.schemas.user"]


def test_a_module_is_looked_for_in_the_importers_own_package_when_several_roots_hold_one():
    files = {
        "one/pyproject.toml": "",
        "one/app/__init__.py": "",
        "one/app/models.py": "",
        "two/app/__init__.py": "",
        "two/app/models.py": "",
        "two/app/extra.py": "",
    }
    index = python_index(RevisionFacts(MemorySnapshot(files)))
    assert index.module_path("app.models", "two/app/views.py") == "two/app/models.py"
    assert index.module_path("app.models", "one/tests/test_x.py") == "one/app/models.py"  # its project's
    assert index.module_path("app.extra", "one/app/views.py") is None  # one's app has no extra
    assert index.module_path("app.extra", "two/app/views.py") == "two/app/extra.py"
    assert index.module_path("app.models", "tools/run.py") == "one/app/models.py"  # no nearer one: sorted first
    assert index.module_path("app.models") == "one/app/models.py"
    assert index.locate("app.models.Thing", "two/x.py") == ("two/app/models.py", "Thing")
    assert index.locate("nothing.here", "two/x.py") is None


def test_a_top_name_that_is_only_a_directory_of_modules_is_no_regular_package():
    files = {"alembic/env.py": "", "app/__init__.py": "", "tool.py": "", "src/lib/__init__.py": ""}
    index = python_index(RevisionFacts(MemorySnapshot(files)))
    assert "alembic" in index.top_names
    assert not index.is_regular("alembic")
    assert index.is_regular("app") and index.is_regular("tool") and index.is_regular("lib")
