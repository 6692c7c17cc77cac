"""Lock files (uv.lock, poetry.lock): which distributions, at which versions, get installed."""

from __future__ import annotations

import posixpath
import tomllib

from packaging.utils import canonicalize_name

LOCK_NAMES = ("uv.lock", "poetry.lock", "pdm.lock")


def is_lock_file(path: str) -> bool:
    return posixpath.basename(path) in LOCK_NAMES


def parse_lock(text: str) -> dict[str, str]:
    """{normalised name: version}; an unreadable lock file is an empty one."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    packages = data.get("package", [])
    return {
        canonicalize_name(p["name"]): str(p.get("version", ""))
        for p in packages
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    }
