"""uv workspaces: which workspace root (whose one `uv.lock` locks every member) a project
directory belongs to, read as uv looks for it."""

from __future__ import annotations

import posixpath
import tomllib
from fnmatch import fnmatchcase

from undertow.analyzers.core.limits import MAX_DEPTH, MAX_LINE_CHARS, too_deep, within_size
from undertow.analyzers.core.snapshot import Snapshot


def workspace_root(snapshot: Snapshot, directory: str) -> str | None:
    """The directory of the uv workspace ``directory`` is a member of: the nearest parent whose
    pyproject.toml has a ``[tool.uv.workspace]`` (as uv looks for it), when its ``members``
    globs name ``directory`` and its ``exclude`` does not; None otherwise."""
    member = directory
    while member:
        parent = posixpath.dirname(member)
        path = posixpath.join(parent, "pyproject.toml") if parent else "pyproject.toml"
        workspace = _uv_workspace(snapshot, path)
        if workspace is not None:
            relative = posixpath.relpath(directory, parent) if parent else directory
            members, exclude = (_globs(workspace.get(key)) for key in ("members", "exclude"))
            named = any(_glob_match(g, relative) for g in members)
            return parent if named and not any(_glob_match(g, relative) for g in exclude) else None
        member = parent
    return None


def _uv_workspace(snapshot: Snapshot, path: str) -> dict[str, object] | None:
    """``[tool.uv.workspace]`` of a pyproject.toml; None when it has none or cannot be read."""
    if not within_size(snapshot.entries().get(path)):
        return None
    data = snapshot.read(path) or b""
    if b"workspace" not in data:
        return None
    try:
        text = data.decode("utf-8")
        if too_deep(text, "toml"):
            return None
        document = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    tool = document.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    workspace = uv.get("workspace") if isinstance(uv, dict) else None
    return workspace if isinstance(workspace, dict) else None


def _globs(value: object) -> list[str]:
    items = value if isinstance(value, list) else []
    return [posixpath.normpath(g) for g in items if isinstance(g, str) and len(g) <= MAX_LINE_CHARS]


def _glob_match(pattern: str, path: str) -> bool:
    """A workspace glob (``packages/*``, ``libs/**``) matching a relative directory, one path
    segment at a time (``*`` stays within a segment, ``**`` spans any number of them)."""
    return _segments_match(pattern.split("/")[:MAX_DEPTH], path.split("/")[:MAX_DEPTH])


def _segments_match(pattern: list[str], parts: list[str]) -> bool:
    # Memoised on (pattern index, path index): linear in their product, whatever the "**"s.
    seen: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:
        if (i, j) not in seen:
            if i == len(pattern):
                seen[i, j] = j == len(parts)
            elif pattern[i] == "**":
                seen[i, j] = match(i + 1, j) or (j < len(parts) and match(i, j + 1))
            else:
                seen[i, j] = j < len(parts) and fnmatchcase(parts[j], pattern[i]) and match(i + 1, j + 1)
        return seen[i, j]

    return match(0, 0)
