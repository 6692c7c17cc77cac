"""The revision's Python files as one index (modules, constants, refs), built from per-file facts."""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from typing import Any, TypedDict, cast

from undertow.analyzers.core.changes import Status
from undertow.analyzers.facts.codec import DecodedMapping
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.facts.indexes import file_facts, file_index, indexable, indexed, projection
from undertow.analyzers.python.fact_types import PART_DECODERS, typed_file, typed_part
from undertow.analyzers.python.facts import extract, module_name
from undertow.analyzers.python.modules import (
    MAX_REEXPORT_HOPS,
    Resolved,
    follow_reexports,
    module_names,
    package_roots,
    reexports,
)

# The manifests that make a directory a project of its own (its imports resolve in it first).
_PROJECT_MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg")


def _is_python(path: str) -> bool:
    return path.endswith(".py")


# Parts of the per-file facts that rules read for every file of the revision, each cached on
# its own (see ``PythonIndex.part``).
PARTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "web": lambda f: {k: f[k] for k in ("apps", "routes", "includes") if f.get(k)},
    "redis": lambda f: f.get("redis"),
    "events": lambda f: {k: f[k] for k in ("emits", "listens") if f.get(k)},
    "client_calls": lambda f: f.get("client_calls"),
    "patches": lambda f: f.get("patches"),
    "sql": lambda f: f.get("sql"),
    "class_strings": lambda f: f.get("class_strings"),
    "class_bases": lambda f: sorted({b for c in f.get("classes", {}).values() for b in c["bases"]}),
    "import_roots": lambda f: sorted({t.split(".")[0] for t in f.get("imports", {}).values()}),
    "import_edges": lambda f: [[module, names or []] for module, names, *_ in f.get("import_sites", [])],
    # Read by the schema layer (schema/facts.py): ORM models and Alembic revisions.
    "models": lambda f: f.get("models"),
    "naming": lambda f: f.get("naming"),
    "create_all": lambda f: f.get("create_all"),
    "env_reads": lambda f: f.get("env_reads"),
    "revision": lambda f: f.get("revision"),
    # Files no grammar reads: known to exist, with unknown content.
    "unreadable": lambda f: f.get("error"),
}


class _TypedPart(DecodedMapping[Any]):
    """One part of every file's facts, each file's value typed on first lookup."""

    def __init__(self, raw: dict[str, Any], part: str) -> None:
        super().__init__(raw)
        self._part = part

    def _build(self, key: str, raw: Any) -> Any:
        return typed_part(self._part, raw)


class _Files(Mapping[str, dict[str, Any]]):
    """``{path: facts}`` of the revision's Python files, each file's facts read when asked for.

    Iterating it decodes every file's facts: rules use ``PythonIndex.part`` for that instead."""

    def __init__(self, facts: RevisionFacts, paths: Mapping[str, str]) -> None:
        self._facts, self._paths = facts, paths
        self._loaded: dict[str, dict[str, Any] | None] = {}

    def get(self, path: str, default: Any = None) -> Any:
        if path not in self._paths:
            return default
        if path not in self._loaded:
            data = file_facts(self._facts, "python", path, extract)
            self._loaded[path] = (
                None if not data or data.get("error") else typed_file({**data, "module": self._paths[path]})
            )
        value = self._loaded[path]
        return default if value is None else value

    def __getitem__(self, path: str) -> dict[str, Any]:
        value: dict[str, Any] | None = self.get(path)
        if value is None:
            raise KeyError(path)
        return value

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def _all(self) -> dict[str, dict[str, Any]]:
        everything = file_index(self._facts, "python", _is_python, extract)
        result: dict[str, dict[str, Any]] = {}
        for p, v in sorted(everything.items()):
            if v.get("error") or p not in self._paths:
                continue
            loaded = self._loaded.get(p)
            if loaded is None:
                loaded = self._loaded[p] = typed_file({**v, "module": self._paths[p]})
            result[p] = loaded
        return result

    def items(self) -> ItemsView[str, dict[str, Any]]:
        return self._all().items()

    def values(self) -> ValuesView[dict[str, Any]]:
        return self._all().values()


class _Modules(Mapping[str, str]):
    """Importable name -> path, answered from the commit listing and the package roots: a
    lookup costs a few dictionary probes instead of decoding every module name of the
    revision. Iterating it reads the whole map (cached per revision). A file below a
    directory whose name is no identifier (``svc.v2``) has names only under a root below it."""

    def __init__(self, facts: RevisionFacts, roots: list[str]) -> None:
        self._facts, self._roots = facts, roots

    def __getitem__(self, name: str) -> str:
        rel = name.replace(".", "/")
        found = (
            [
                path
                for root in self._roots
                for path in (f"{root}{rel}.py", f"{root}{rel}/__init__.py")
                if _indexed(self._facts, path)
            ]
            if name
            else []
        )
        if not found:
            raise KeyError(name)
        return min(found)  # the full map keeps the first path in sorted order

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(_module_map(self._facts)["by_module"])

    def __len__(self) -> int:
        return len(_module_map(self._facts)["by_module"])


class _Canonical(Mapping[str, str]):
    """Indexed Python path -> the module name code imports it by (under the most specific root)."""

    def __init__(self, facts: RevisionFacts, roots: list[str]) -> None:
        self._facts, self._roots = facts, roots

    def __getitem__(self, path: str) -> str:
        if not _is_python(path) or not _indexed(self._facts, path):
            raise KeyError(path)
        return (module_names(path, self._roots) or [module_name(path)])[0]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and _is_python(path) and _indexed(self._facts, path)

    def __iter__(self) -> Iterator[str]:
        return iter(_module_map(self._facts)["canonical"])

    def __len__(self) -> int:
        return len(_module_map(self._facts)["canonical"])


class PythonIndex:
    """The revision's first-party modules: where each importable name lives (from the paths
    alone), each file's facts on demand, and named parts of every file's facts."""

    def __init__(self, facts: RevisionFacts) -> None:
        self._revision = facts
        modules = self._modules = _module_meta(facts)
        self.by_module: Mapping[str, str] = _Modules(facts, modules["roots"])  # every importable name -> path
        self.module_of: Mapping[str, str] = _Canonical(facts, modules["roots"])  # path -> the name code imports it by
        self.files = _Files(facts, self.module_of)
        self._class_strings: dict[str, set[str]] | None = None
        self._tops: set[str] | None = None
        self._parts: dict[str, Mapping[str, Any]] = {}
        self._reexports: dict[str, dict[str, str]] = {}
        self._projects: dict[str, str | None] = {}

    def part(self, name: str) -> Mapping[str, Any]:
        """``{path: part}`` for the Python files where part ``name`` of ``PARTS`` is not empty,
        its positional facts typed (``fact_types``): each file's value decoded when first read
        (a walk of the import graph reads the edges of the files it reaches, not all)."""
        found = self._parts.get(name)
        if found is None:
            found = self._parts[name] = python_part(self._revision, name)
        return found

    @property
    def top_names(self) -> set[str]:
        """The first component of every first-party module name."""
        if self._tops is None:
            self._tops = set(self._modules["tops"])
        return self._tops

    def facts(self, module: str) -> dict[str, Any] | None:
        """A module's facts; None when it does not exist or its content is unknown (see
        ``unknown``): callers must not read "defines nothing" into None."""
        path = self.by_module.get(module)
        return self.files.get(path) if path else None

    def unknown(self, module: str) -> bool:
        """The module exists but no grammar reads it (or it could not be read): what it
        defines is unknown, and rules stay quiet about it rather than guess."""
        path = self.by_module.get(module)
        return path is not None and self.files.get(path) is None

    def split(self, qualified: str) -> tuple[str, str] | None:
        """(first-party module, rest) for the longest module prefix of ``qualified``; from
        the paths alone, so a module whose content is unknown still resolves."""
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.by_module:
                return self.module_of[self.by_module[module]], ".".join(parts[cut:])
        return None

    def module_path(self, module: str, importer: str | None = None) -> str | None:
        """The file ``module`` names where ``importer`` (a path) imports it. When several roots
        hold its top-level package (two projects of one repository, each with an ``app/``), the
        importer's own is the one imported: the one in the importer's project (the nearest
        directory with a pyproject.toml, setup.py or setup.cfg), then the one nearest the
        importer in the tree; ``module`` is looked for in that package only (None when it has
        no such module). With no importer, or no nearer root, the first path in sorted order."""
        if importer is None or not module:
            return self.by_module.get(module)
        top = module.split(".")[0]
        owners = [root for root in self._modules["roots"] if self._defines_top(root, top)]
        root = self._own_root(owners, top, importer) if len(owners) > 1 else None
        if root is None:
            return self.by_module.get(module)
        rel = module.replace(".", "/")
        found = [path for path in (f"{root}{rel}.py", f"{root}{rel}/__init__.py") if _indexed(self._revision, path)]
        return min(found) if found else None

    def locate(self, qualified: str, importer: str | None = None) -> tuple[str, str] | None:
        """(path, rest) for the longest prefix of ``qualified`` that is a first-party module
        where ``importer`` imports it (``module_path``); None when none is."""
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.module_path(".".join(parts[:cut]), importer)
            if path is not None:
                return path, ".".join(parts[cut:])
        return None

    def is_regular(self, top: str) -> bool:
        """Whether the top-level name ``top`` is a module file or a package with an
        ``__init__.py`` at some root, not only a directory of modules (a namespace package,
        which any installed regular package of that name wins over)."""
        return any(self._defines_top(root, top) for root in self._modules["roots"])

    def _defines_top(self, root: str, top: str) -> bool:
        """A regular module or package ``top`` right under ``root`` (a namespace directory is
        merged with the others, never chosen over them)."""
        return _indexed(self._revision, f"{root}{top}.py") or _indexed(self._revision, f"{root}{top}/__init__.py")

    def _own_root(self, roots: list[str], top: str, importer: str) -> str | None:
        """The one of ``roots`` (each holding package ``top``) the importer imports: in its own
        project first (when it has one), then the one sharing the most leading directories with it; None on a tie."""
        project = self._project_of(importer)
        parts = importer.split("/")

        def nearness(root: str) -> tuple[bool, int]:
            package = f"{root}{top}".split("/")
            shared = next((i for i, (a, b) in enumerate(zip(package, parts, strict=False)) if a != b), len(package))
            return project is not None and self._project_of(f"{root}{top}/") == project, shared

        ranked = sorted(((nearness(root), root) for root in roots), reverse=True)
        return ranked[0][1] if ranked[0][0] != ranked[1][0] else None

    def _project_of(self, path: str) -> str | None:
        """The directory of the nearest project manifest above ``path`` ("" for the repository's
        root); None when there is none."""
        directory = path.rsplit("/", 1)[0] if "/" in path else ""
        if directory not in self._projects:
            entries = self._revision.snapshot.entries()
            prefix = f"{directory}/" if directory else ""
            if any(f"{prefix}{name}" in entries for name in _PROJECT_MANIFESTS):
                self._projects[directory] = directory
            else:
                self._projects[directory] = self._project_of(directory) if directory else None
        return self._projects[directory]

    def resolve(self, qualified: str, *, attributes: bool = True, hops: int = MAX_REEXPORT_HOPS) -> Resolved | None:
        """Where the first-party name ``qualified`` is defined: (module, rest) after following
        re-exports (``from .x import y`` in a package ``__init__``), see ``follow_reexports``;
        None when it is not first-party. The one resolver of first-party names."""
        return follow_reexports(qualified, self.split, self.reexports, attributes=attributes, hops=hops)

    def reexports(self, module: str) -> dict[str, str]:
        """Local name -> qualified name of what ``module`` imports and does not define itself."""
        found = self._reexports.get(module)
        if found is None:
            facts = self.facts(module) or {}
            found = self._reexports[module] = reexports(
                facts.get("imports", {}),
                facts.get("functions", ()),
                facts.get("classes", ()),
                facts.get("constants", ()),
            )
        return found

    def object_id(self, module: str, ref: str) -> str:
        """A stable id ``module:name`` for a module-level object named by ``ref`` in ``module``
        (a local name, whose import in the file is the first hop, or a dotted path)."""
        if "." in ref:
            found = self.resolve(ref, attributes=False)
            return ref if found is None else found.external or f"{found.module}:{found.rest}"
        # A local name starts in ``module`` itself (``module.ref`` may also name a submodule).
        local = f"{module}.{ref}"

        def split(qualified: str) -> tuple[str, str] | None:
            return (module, ref) if qualified == local else self.split(qualified)

        found = follow_reexports(local, split, self.reexports, attributes=False)
        assert found is not None  # the first split always answers
        return found.external or f"{found.module}:{found.rest}"

    def constant(self, module: str, ref: str) -> str | None:
        """The string value a ``ref`` (local name or dotted path) names, if it can be known."""
        if "." not in ref:
            facts = self.facts(module) or {}
            constants: dict[str, str] = facts.get("constants", {})
            if ref in constants:
                return constants[ref]
            target = facts.get("imports", {}).get(ref)
            return self._module_constant(target, MAX_REEXPORT_HOPS - 1) if target else None
        value = self._module_constant(ref)
        if value is not None:
            return value
        # settings.API_V1_STR: a class-level string attribute with one value across the repo.
        if self._class_strings is None:
            self._class_strings = {}
            for strings in self.part("class_strings").values():
                for name, value in strings.items():
                    self._class_strings.setdefault(name, set()).add(value)
        values = self._class_strings.get(ref.rsplit(".", 1)[-1], set())
        return next(iter(values)) if len(values) == 1 else None

    def _module_constant(self, qualified: str, hops: int = MAX_REEXPORT_HOPS) -> str | None:
        """The module-level string constant ``qualified`` names, through re-exports."""
        found = self.resolve(qualified, attributes=False, hops=hops)
        if found is None or found.external or not found.rest or "." in found.rest:
            return None
        constants: dict[str, str] = (self.facts(found.module) or {}).get("constants", {})
        return constants.get(found.rest)


def python_part(facts: RevisionFacts, name: str) -> Mapping[str, Any]:
    """``PythonIndex.part`` without the module map: for readers of one part that never resolve
    a module (the schema layer's models and revisions)."""
    raw = projection(facts, "python", _is_python, extract, name, PARTS[name])
    return _TypedPart(raw, name) if name in PART_DECODERS else raw


def python_index(facts: RevisionFacts) -> PythonIndex:
    return facts.local("python-index", lambda _: PythonIndex(facts))


def _same_modules_as_base(facts: RevisionFacts) -> bool:
    """A head revision that adds, removes or renames no Python file has its base's modules
    (the derivation of the module map and meta: ``RevisionFacts.derived``)."""
    base, changes = facts.base, facts.changes
    return (
        base is not None
        and changes is not None
        and not any(
            _is_python(item.path)
            and (item.status is not Status.MODIFIED or _indexed(base, item.path) != _indexed(facts, item.path))
            or _is_python(item.old_path or "")
            for item in changes.files
        )
    )


class _ModuleMeta(TypedDict):
    roots: list[str]  # package_roots
    tops: list[str]  # the first component of every module name, sorted


class _ModuleMap(_ModuleMeta):
    by_module: dict[str, str]  # importable name -> path
    canonical: dict[str, str]  # path -> the name code imports it by


def _module_meta(facts: RevisionFacts) -> _ModuleMeta:
    """The package roots and top-level names of the revision's modules (small; the full map is
    read only by the few rules that iterate it)."""

    def whole(rev: RevisionFacts) -> _ModuleMeta:
        # The cached (JSON) value is the ``_ModuleMeta`` the lambda computes.
        return cast(
            _ModuleMeta,
            rev.get(
                "python-modules-meta", lambda _: {k: v for k, v in _module_map(rev).items() if k in ("roots", "tops")}
            ),
        )

    return facts.derived("modules:meta", whole, lambda base, head: base if _same_modules_as_base(head) else None)


def _module_map(facts: RevisionFacts) -> _ModuleMap:
    """Module names by path and paths by module name, from the paths alone."""

    def whole(rev: RevisionFacts) -> _ModuleMap:
        # The cached (JSON) value is the ``_ModuleMap`` that ``_modules_of`` computes.
        return cast(_ModuleMap, rev.get("python-modules", lambda _: _modules_of(indexed(rev, _is_python))))

    return facts.derived("modules:map", whole, lambda base, head: base if _same_modules_as_base(head) else None)


def _indexed(facts: RevisionFacts, path: str) -> bool:
    return indexable(facts.snapshot.entries().get(path))


def _modules_of(paths: list[str]) -> _ModuleMap:
    roots = package_roots(paths)
    by_module: dict[str, str] = {}
    canonical: dict[str, str] = {}
    for path in sorted(paths):
        names = module_names(path, roots)
        # The canonical name is the one under the most specific root (how code imports it); a
        # file no root reaches through package directories alone keeps a name, importable by none.
        canonical[path] = names[0] if names else module_name(path)
        for name in names:
            by_module.setdefault(name, path)
    return {
        "by_module": by_module,
        "canonical": canonical,
        "roots": roots,
        "tops": sorted({name.split(".")[0] for name in by_module}),
    }
