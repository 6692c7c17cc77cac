"""Lock files (uv.lock, poetry.lock): which distributions, at which versions, get installed."""

from __future__ import annotations

import posixpath
import tomllib

from packaging.utils import canonicalize_name

from undertow.analyzers.core.limits import LOCK_FILE_NAMES, too_deep

LOCK_NAMES = LOCK_FILE_NAMES


def is_lock_file(path: str) -> bool:
    return posixpath.basename(path) in LOCK_NAMES


def parse_lock(text: str) -> dict[str, str]:
    """{normalised name: version}; an unreadable lock file is an empty one (so is one nested
    deeper than MAX_DEPTH, measured before tomllib's recursive reader is given it)."""
    if too_deep(text, "toml"):
        return {}
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}
    packages = data.get("package", [])
    return {
        canonicalize_name(p["name"]): str(p.get("version", ""))
        for p in packages
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    }
