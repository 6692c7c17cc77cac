"""Readers for dependency manifests: requirement files and pyproject.toml."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzers.context import FileContext
    from analyzers.manifests.model import Manifest

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


def manifest_of(ctx: FileContext) -> Manifest | None:
    """The manifest in ``ctx``'s file, parsed once per file; unreadable lines become notices."""
    return ctx.parsed("manifest", _parse)


def _parse(ctx: FileContext) -> Manifest | None:
    from analyzers.manifests.pyproject import ManifestSyntaxError, parse_pyproject
    from analyzers.manifests.requirements import parse_requirements

    if is_pyproject(ctx.path):
        try:
            manifest = parse_pyproject(ctx.path, ctx.source)
        except ManifestSyntaxError as exc:
            ctx.notices.append((1, f"could not parse {ctx.path}: {exc}"))
            return None
    elif is_requirements_file(ctx.path):
        manifest = parse_requirements(ctx.path, ctx.source)
    else:
        return None
    for problem in manifest.problems:
        ctx.notices.append((problem.line, f"could not parse {ctx.path} line {problem.line}: {problem.message}"))
    return manifest
