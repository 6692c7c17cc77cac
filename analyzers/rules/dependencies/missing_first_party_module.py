"""DEP002: a changed line imports a first-party module or name that does not exist."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Container, Iterable
from typing import Any

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.core.limits import MAX_DEPTH
from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.deps.dependency_map import DependencyMap, dependency_map
from undertow.analyzers.deps.import_names import (
    candidate_distributions,
    is_known,
    providers,
    provides_by_dotted_name,
    provides_by_name,
)
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.python.fact_types import ImportSite
from undertow.analyzers.python.index import PythonIndex, python_index
from undertow.analyzers.python.modules import package_of
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


class MissingFirstPartyModule(RepoRule):
    """## What it does
    Flags a changed line importing a module of the repository's own packages that does not
    exist at head (`from app.ai.search_router import router` when `app/ai/search_router.py`
    was never committed), or a name that module does not define (nor any first-party module
    it re-exports with `from x import *`; a star import of anything else may define any
    name). Namespace packages and
    generated modules listed in `imports.generated` in `.github/undertow.yml` are fine.

    A directory without `__init__.py` named like a declared distribution is that distribution
    (an `alembic/` migrations folder is not the `alembic` package); when several projects of the
    repository define the same package, the importing file's own project's is the one checked; a
    folder whose name is no identifier (`svc.v2/`) is never part of a module name.

    ## Why is this bad?
    It works locally, where the file exists but is untracked, and the deployed service dies at
    import time with `ModuleNotFoundError` or `ImportError`.

    ## Example
    ```python
    from app.worker.rollup_service import RollupService  # file never added to git
    ```

    ## Use instead
    Commit the module (`git add app/worker/rollup_service.py`) or fix the import path.
    """

    id = "DEP002"
    name = "missing-first-party-module"
    severity = Severity.ERROR
    fix = "commit the missing module, or import it from where it lives"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        index = python_index(ctx.facts)
        tops = index.top_names
        directories = _Directories(ctx.snapshot)
        generated = ctx.config.imports.generated
        third_party: dict[str, bool] = {}  # module of a namespace top -> a declared distribution provides it
        for changed in ctx.changes.present:
            if not changed.path.endswith(".py"):
                continue
            path = changed.path if ctx.side == "head" else (changed.old_path or changed.path)
            facts = index.files.get(path)
            if facts is None:
                continue
            sites: list[ImportSite] = facts.get("import_sites", [])
            for module, names, line, optional, relative in sites:
                if optional or (ctx.side == "head" and line not in changed.lines):
                    continue
                top = module.split(".")[0]
                if not relative and top not in tops:
                    continue  # third-party or standard library
                if not relative and not index.is_regular(top):
                    # A directory without __init__.py (an `alembic/` of migrations) is a namespace
                    # package: an installed regular package of that name wins over it.
                    if module not in third_party:
                        third_party[module] = _declared(dependency_map(ctx.facts, ctx.config), module)
                    if third_party[module]:
                        continue
                for target, problem in _missing(index, module, names, directories, path):
                    if _generated(target, generated):
                        continue
                    if relative and target == module and _beside(path, module, ctx.snapshot.entries()):
                        continue  # the file is there: the index names it otherwise (an odd root), never "missing"
                    message = f"{changed.path} imports {target}, but {problem} at head; {self.fix}"
                    yield self.report(changed.path, message, target, line=line)


def _beside(importer: str, module: str, entries: Container[str]) -> bool:
    """Whether the module a relative import of ``importer`` names is a file of the tree, found by
    path from the importer's directory (``package_of`` names its trailing directories): the
    check of last resort when the module index names that file otherwise (a package under a
    directory whose name is no identifier, below a directory without ``__init__.py``)."""
    package = [part for part in package_of(importer).split(".") if part]
    parts = module.split(".")
    common = 0
    while common < min(len(package), len(parts)) and package[common] == parts[common]:
        common += 1
    directory = posixpath.dirname(importer)
    for _ in range(len(package) - common):
        directory = posixpath.dirname(directory)
    rest = "/".join(parts[common:])
    target = posixpath.join(directory, rest) if rest else directory
    return f"{target}.py" in entries or posixpath.join(target, "__init__.py") in entries


def _declared(deps: DependencyMap, module: str) -> bool:
    """Whether a manifest of the repository declares a distribution that provides ``module``
    (by the import table, a distribution bringing it, or its name: DEP001's reading)."""
    candidates = candidate_distributions(module)
    if deps.declaring(candidates):
        return True
    names = {dep.key for manifest in deps.manifests.values() for dep in manifest.declared}
    if any(p in names for c in candidates for p in providers(c)):
        return True
    if any(provides_by_dotted_name(name, module) for name in names):
        return True
    return not is_known(module) and any(provides_by_name(name, module) for name in names)


def _generated(target: str, patterns: Iterable[str]) -> bool:
    """`app.proto.*` covers app.proto itself and everything below it."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(target, pattern):
            return True
        if pattern.endswith(".*") and (target == pattern[:-2] or target.startswith(pattern[:-1])):
            return True
    return False


class _Directories:
    """The tree's directories and every tail of them (``src/app/api`` → ``app/api``, ``api``),
    listed once and only if an import names something that is not a module: each question is
    then one set lookup."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._tails: set[str] | None = None

    def __contains__(self, rel: str) -> bool:
        if self._tails is None:
            directories: set[str] = set()
            for path in self._snapshot.entries():
                parts = path.split("/")[:-1][:MAX_DEPTH]  # a directory nested deeper is not a package
                directories.update("/".join(parts[:end]) for end in range(1, len(parts) + 1))
            self._tails = {d.split("/", cut)[-1] for d in directories for cut in range(d.count("/") + 1)}
        return rel in self._tails


def _is_directory(module: str, directories: _Directories) -> bool:
    """Is ``a.b`` a directory of the tree, at the root or under a package root (src/...)?"""
    return module.replace(".", "/") in directories


def _missing(
    index: PythonIndex, module: str, names: list[str] | None, directories: _Directories, importer: str
) -> list[tuple[str, str]]:
    """(what, why) for each part of the import that does not exist where ``importer`` imports
    it (its own project's package when several define one: ``PythonIndex.module_path``)."""
    split = index.locate(module, importer)
    if split is None or split[1]:
        if _is_directory(module, directories):
            return []  # a namespace package (a directory without __init__.py)
        return [(module, f"no module {module} exists (no {module.replace('.', '/')}.py)")]
    path = split[0]
    found: list[tuple[str, str]] = []
    if index.files.get(path) is None:
        return []  # it exists; what it defines is unknown (it could not be parsed)
    stars = _star_sources(index, path)
    if stars is None:
        return []  # a `*` import from a module whose names are unknown: it may define any name
    for name in names or []:
        if index.module_path(f"{module}.{name}", importer) or _is_directory(f"{module}.{name}", directories):
            continue
        if any(_defines(index, source, name) for source in stars):
            continue
        why = f"{path} defines no {name}"
        if len(stars) > 1:
            shown = ", ".join(index.module_of[s] for s in stars if s != path)
            why += f" (nor does {shown}, which it re-exports with *)"
        found.append((f"{module}.{name}", why))
    return found


def _defines(index: PythonIndex, path: str, name: str) -> bool:
    facts: dict[str, Any] = index.files.get(path) or {}
    # A module-level __getattr__ makes any name importable.
    return (
        name in facts.get("names", [])
        or "__getattr__" in facts.get("functions", {})
        or index.module_path(f"{index.module_of[path]}.{name}", path) is not None
    )


def _star_sources(index: PythonIndex, path: str) -> list[str] | None:
    """The file at ``path`` and every first-party module file it re-exports with ``from x
    import *`` (each resolved where the file re-exporting it imports it), followed transitively
    (at most MAX_DEPTH modules); None when one of them is not first-party or its content is
    unknown (what it exports cannot be known: the import may be fine)."""
    found: list[str] = []
    stack: list[str | None] = [path]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        if len(found) >= MAX_DEPTH:
            return None
        facts = index.files.get(current) if current else None
        if current is None or facts is None:
            return None  # third-party (`from numpy import *`), missing, or unreadable
        found.append(current)
        if "*" not in facts.get("names", []):
            continue
        # `from x import *` is the one import site with no names (a from-import names at least one).
        sources = [site.module for site in facts.get("import_sites", []) if site.names == []]
        if not sources:
            return None  # a `*` the sites do not explain: unknown
        stack += [index.module_path(source, current) for source in reversed(sources)]
    return found


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_APP = {"app/__init__.py": "", "app/ai/__init__.py": "", "app/ai/models.py": "class Model:\n    pass\n"}

INVALID = [
    Case(
        base=_APP,
        head={"app/main.py": "from app.ai.search_router import router\nfrom app.ai.models import Model, Missing\n"},
        expect=[("DEP002", "app/main.py", 1), ("DEP002", "app/main.py", 2)],
    ),
    Case(  # the star import is followed: neither the package nor the module it re-exports has it
        base={**_APP, "app/ai/__init__.py": "from .models import *\n"},
        head={"app/main.py": "from app.ai import Model\nfrom app.ai import Modle\n"},
        expect=[("DEP002", "app/main.py", 2)],
    ),
    Case(  # two projects each with an `app` package: the importer's own is the one imported
        base={
            "web/pyproject.toml": "",
            "web/app/__init__.py": "",
            "web/app/forms.py": "class LoginForm:\n    pass\n",
            "worker/pyproject.toml": "",
            "worker/app/__init__.py": "",
            "worker/app/forms.py": "class JobForm:\n    pass\n",
        },
        head={"worker/app/run.py": "from app.forms import JobForm\nfrom app.forms import LoginForm\n"},
        expect=[("DEP002", "worker/app/run.py", 2)],
    ),
]
VALID = [
    Case(
        base=_APP,
        head={
            "app/main.py": "from app.ai.models import Model\nfrom app.new import Y\nimport requests\n",
            "app/new.py": "Y = 2\n",
        },
    ),
    Case(
        base={**_APP, ".github/undertow.yml": "imports:\n  generated: ['app.proto.*']\n"},
        head={"app/main.py": "from app.proto import service_pb2\n"},
    ),
    Case(  # a package that re-exports a module's names with a star import
        base={**_APP, "app/ai/__init__.py": "from .models import *\n"},
        head={"app/main.py": "from app.ai import Model\n"},
    ),
    Case(  # a migrations folder named alembic/ (no __init__.py) does not shadow the declared alembic
        base={
            "pyproject.toml": "[project]\nname = 'svc'\nversion = '0'\ndependencies = ['alembic==1.13.1']\n",
            "alembic/env.py": "from alembic import context\n",
        },
        head={"app/migrate.py": "import alembic.command\nfrom alembic.config import Config\n"},
    ),
    Case(  # a star import of a third-party module: what it exports is unknown
        base={**_APP, "app/compat.py": "from six.moves import *\n"},
        head={"app/main.py": "from app.compat import urllib\n"},
    ),
]
