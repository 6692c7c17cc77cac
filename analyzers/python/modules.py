"""First-party Python modules of a revision: where a dotted name lives and what it defines.

Summaries use the standard library's ``ast`` parser (parsing only, never executing): it is
several times faster than a full CST and these summaries are read for many files that the
change did not touch.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.python.ast_names import name_of

PACKAGE_ROOTS = ("", "src/")


def package_roots(paths: Iterable[str]) -> list[str]:
    """Directories that imports are relative to, most specific first: the repository root,
    ``src/``, and every directory that holds a package without being one (``backend/`` when
    ``backend/app/__init__.py`` exists and ``backend/__init__.py`` does not)."""
    listed = set(paths)
    roots = set(PACKAGE_ROOTS)
    for path in listed:
        if path.endswith("/__init__.py"):
            package_dir = path[: -len("/__init__.py")]
            parent = package_dir.rsplit("/", 1)[0] if "/" in package_dir else ""
            if parent and f"{parent}/__init__.py" not in listed and not _inside_package(parent, listed):
                roots.add(parent + "/")
    return sorted(roots, key=len, reverse=True)


def _inside_package(directory: str, listed: set[str]) -> bool:
    """A directory below a regular package (``app/schemas/`` under ``app/__init__.py``) is a
    namespace subpackage of it, not an import root: ``app/schemas/openai/`` is
    ``app.schemas.openai``, never the ``openai`` distribution. A package above a directory whose
    name is no identifier (``app/v1.0/``) does not count: nothing below that one is part of it."""
    parts = directory.split("/")
    start = max((i for i, part in enumerate(parts) if not part.isidentifier()), default=-1) + 2
    return any(f"{'/'.join(parts[:cut])}/__init__.py" in listed for cut in range(start, len(parts)))


def module_names(path: str, roots: list[str]) -> list[str]:
    """Every dotted name ``path`` can be imported as, the most specific root's first: one per
    root whose path to the file has only package components (a directory named ``svc.v2`` or
    ``my-app`` is none: a file below it is importable only from a root below it)."""
    rel = path[:-3] if path.endswith(".py") else path
    if rel.endswith("/__init__") or rel == "__init__":
        rel = rel[: -len("__init__")].rstrip("/")
    names = []
    for root in roots:
        if rel.startswith(root) and rel != root.rstrip("/"):
            parts = rel[len(root) :].split("/")
            if _importable(parts):
                names.append(".".join(parts))
    return names


def _importable(parts: list[str]) -> bool:
    """Path components that spell a dotted module name: every directory an identifier, and a
    module name without a dot (``0001_initial`` is still a module, imported by importlib)."""
    return all(part.isidentifier() for part in parts[:-1]) and bool(parts[-1]) and "." not in parts[-1]


@dataclass
class ClassSummary:
    name: str
    bases: list[str]
    attributes: set[str] = field(default_factory=set)


@dataclass
class ModuleSummary:
    path: str
    functions: dict[str, list[str]] = field(default_factory=dict)  # name -> decorator names
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # every top-level binding, imports included
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    constants: dict[str, str] = field(default_factory=dict)  # NAME = "literal"


def module_file(module: str, snapshot: Snapshot, roots: list[str] | None = None) -> str | None:
    """The file defining ``module`` at this revision (``a.b`` → ``a/b.py`` or ``a/b/__init__.py``)."""
    entries = snapshot.entries()
    rel = module.replace(".", "/")
    for root in roots if roots is not None else PACKAGE_ROOTS:
        for candidate in (f"{root}{rel}.py", f"{root}{rel}/__init__.py"):
            if candidate in entries:
                return candidate
    return None


def is_package_dir(module: str, snapshot: Snapshot) -> bool:
    """A directory of modules (a namespace package has no ``__init__.py``)."""
    rel = module.replace(".", "/") + "/"
    return any(path.startswith(f"{root}{rel}") for root in PACKAGE_ROOTS for path in snapshot.entries())


def package_of(path: str) -> str:
    """The dotted package relative imports in ``path`` start from (the file's directory; a
    package ``__init__.py``'s own package), from the path's components: a directory whose name
    is no identifier (``svc.v2``, ``my-app``) is no package, so the package starts below the
    last such directory (``svc.v2/app/schemas/x.py`` → ``app.schemas``)."""
    parts = path.split("/")[:-1]
    for cut in range(len(parts), 0, -1):
        if not parts[cut - 1].isidentifier():
            parts = parts[cut:]
            break
    return ".".join(parts)


def summarize_tree(path: str, tree: ast.Module) -> ModuleSummary:
    summary = ModuleSummary(path)
    package = package_of(path)
    for node in tree.body:
        _summarize_node(node, summary, package)
    return summary


def _summarize_node(node: ast.stmt, summary: ModuleSummary, package: str) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        summary.functions[node.name] = [name_of(d) for d in node.decorator_list]
        summary.names.add(node.name)
    elif isinstance(node, ast.ClassDef):
        cls = ClassSummary(node.name, [name_of(b) for b in node.bases])
        for item in ast.walk(node):
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and item is not node:
                cls.attributes.add(item.name)
            elif isinstance(item, ast.Attribute) and isinstance(item.ctx, ast.Store):
                if isinstance(item.value, ast.Name) and item.value.id in ("self", "cls"):
                    cls.attributes.add(item.attr)
        for stmt in node.body:
            for target in _targets(stmt):
                cls.attributes.add(target)
        summary.classes[node.name] = cls
        summary.names.add(node.name)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            if isinstance(node, ast.Import):
                summary.imports[local] = alias.name if alias.asname else alias.name.split(".")[0]
            else:
                base = imported_module(node, package)
                summary.imports[local] = f"{base}.{alias.name}" if base else alias.name
            summary.names.add(local)
    elif isinstance(node, (ast.If, ast.Try)):
        for child in [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]:
            _summarize_node(child, summary, package)
        for handler in getattr(node, "handlers", []):
            for child in handler.body:
                _summarize_node(child, summary, package)
    else:
        for target in _targets(node):
            summary.names.add(target)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for assigned in node.targets:
                if isinstance(assigned, ast.Name):
                    summary.constants[assigned.id] = node.value.value


def _targets(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        names = []
        for target in node.targets:
            elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            names += [e.id for e in elts if isinstance(e, ast.Name)]
        return names
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def imported_module(node: ast.ImportFrom, package: str) -> str:
    """The absolute module a ``from ... import`` statement in ``package`` names."""
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*base, *([node.module] if node.module else [])])


# How many re-exports a name is followed through (``a.X`` → ``a/__init__.py: from .b import X``
# → ``b.X``...): the one limit of every resolver of first-party names.
MAX_REEXPORT_HOPS = 5


class Resolved(NamedTuple):
    module: str  # the first-party module the name was followed to
    rest: str  # the dotted name in it ("" for the module itself)
    external: str | None = None  # a re-export of a name outside first-party code: that name


def reexports(imports: dict[str, str], *defined: Iterable[str]) -> dict[str, str]:
    """The names a module imports and does not define itself (a module-level definition of
    the same name, such as a fallback under ``except ImportError``, is what it holds)."""
    shadowed = {name for names in defined for name in names if name in imports}
    return {k: v for k, v in imports.items() if k not in shadowed} if shadowed else imports


def follow_reexports(
    qualified: str,
    split: Callable[[str], tuple[str, str] | None],
    reexports_of: Callable[[str], dict[str, str]],
    *,
    attributes: bool = True,
    hops: int = MAX_REEXPORT_HOPS,
) -> Resolved | None:
    """Where ``qualified`` is defined: ``split`` gives (first-party module, rest) for a dotted
    name (None when it is not first-party); while the first name of the rest is one that
    module re-exports (``reexports_of``), follow it to where it comes from, at most ``hops``
    times and never back to a name already seen (a cycle stops where it closes).

    ``attributes=False`` follows a module-level name only (a rest of one name): object ids and
    constants. A re-export of something outside first-party code ends the walk with that
    name in ``external``. None when ``qualified`` itself is not first-party."""
    found = split(qualified)
    if found is None:
        return None
    module, rest = found
    seen = {qualified}
    for _ in range(max(hops, 0)):
        head, _, tail = rest.partition(".")
        if not head or (tail and not attributes):
            break
        target = reexports_of(module).get(head)
        if not target:
            break
        name = f"{target}.{tail}" if tail else target
        if name in seen:
            break
        seen.add(name)
        following = split(name)
        if following is None:
            return Resolved(module, rest, name)
        module, rest = following
    return Resolved(module, rest)
