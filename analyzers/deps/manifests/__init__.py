"""Readers for dependency manifests: requirement files and pyproject.toml."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from undertow.analyzers.deps.manifests.model import Manifest
    from undertow.analyzers.facts.context import FileContext

_REQUIREMENT_NAME = re.compile(r"(^|[-_.])(requirements?|reqs|constraints?)([-_.]|$)", re.IGNORECASE)


def is_requirements_file(path: str) -> bool:
    """``requirements*.txt``/``.in``, ``constraints*.txt``, and any .txt/.in under ``requirements/``."""
    directory, name = posixpath.split(path)
    stem, ext = posixpath.splitext(name)
    if ext not in (".txt", ".in"):
        return False
    if _REQUIREMENT_NAME.search(stem):
        return True
    return posixpath.basename(directory) in ("requirements", "reqs", "requirements.d")


def is_pyproject(path: str) -> bool:
    return posixpath.basename(path) == "pyproject.toml"


def is_setup_cfg(path: str) -> bool:
    return posixpath.basename(path) == "setup.cfg"


def is_setup_py(path: str) -> bool:
    return posixpath.basename(path) == "setup.py"


def is_manifest(path: str) -> bool:
    return is_requirements_file(path) or is_pyproject(path) or is_setup_cfg(path) or is_setup_py(path)


def is_project_manifest(path: str) -> bool:
    """A manifest that describes a project (what ``pip install .`` reads): pyproject.toml,
    setup.py, setup.cfg."""
    return is_pyproject(path) or is_setup_cfg(path) or is_setup_py(path)


def parse_manifest(path: str, text: str) -> Manifest:
    """Any manifest kind; a pyproject.toml that is not TOML becomes one problem on line 1."""
    from undertow.analyzers.deps.manifests.model import Manifest as _Manifest
    from undertow.analyzers.deps.manifests.model import Problem
    from undertow.analyzers.deps.manifests.pyproject import ManifestSyntaxError, parse_pyproject
    from undertow.analyzers.deps.manifests.requirements import parse_requirements
    from undertow.analyzers.deps.manifests.setup_cfg import parse_setup_cfg
    from undertow.analyzers.deps.manifests.setup_py import parse_setup_py

    if is_pyproject(path):
        try:
            return parse_pyproject(path, text)
        except ManifestSyntaxError as exc:
            return _Manifest(path=path, declared=(), problems=(Problem(1, str(exc)),))
    if is_setup_cfg(path):
        return parse_setup_cfg(path, text)
    if is_setup_py(path):
        return parse_setup_py(path, text)
    return parse_requirements(path, text)


def manifest_of(ctx: FileContext) -> Manifest | None:
    """The manifest in ``ctx``'s file, parsed once per file; unreadable lines become notices."""
    # ``parsed`` memoises any parser's value: this one's is ``_parse``'s.
    return cast("Manifest | None", ctx.parsed("manifest", _parse))


def _parse(ctx: FileContext) -> Manifest | None:
    if not is_manifest(ctx.path):
        return None
    manifest = parse_manifest(ctx.path, ctx.source)
    for problem in manifest.problems:
        if problem.message.startswith("not valid TOML"):
            ctx.notices.append((problem.line, f"could not parse {ctx.path}: {problem.message}"))
        else:
            ctx.notices.append((problem.line, f"could not parse {ctx.path} line {problem.line}: {problem.message}"))
    return manifest
