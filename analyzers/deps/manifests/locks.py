"""Lock files (uv.lock, poetry.lock, pdm.lock): which distributions, at which versions, get
installed, and why: which locked packages depend on each."""

from __future__ import annotations

import posixpath
import re
import tomllib
from typing import Any, NamedTuple, TypedDict

from packaging.utils import canonicalize_name

from undertow.analyzers.core.limits import LOCK_FILE_NAMES, MAX_LINE_CHARS, too_deep
from undertow.analyzers.deps.manifests.model import DEV_GROUPS

LOCK_NAMES = LOCK_FILE_NAMES

# The name at the start of a PEP 508 requirement (pdm.lock lists dependencies as requirements).
_NAME = re.compile(r"\s*+([A-Za-z0-9][A-Za-z0-9._-]*+)")


class LockedJson(TypedDict):
    """One locked distribution, as the lock index caches it."""

    version: str
    # Normalised names of the locked registry packages that depend on it (with an extra, too).
    required_by: list[str]
    # A dependency of the project itself (uv.lock's editable/virtual workspace packages), or
    # one of its dev groups only.
    direct: bool
    dev: bool


class Locked(NamedTuple):
    """One locked distribution, as the dependency map reads it (decoded from its ``LockedJson``)."""

    version: str
    required_by: tuple[str, ...]  # normalised names of the locked registry packages that depend on it
    direct: bool  # a dependency of the project itself
    dev: bool  # a dependency of one of the project's dev groups

    @classmethod
    def decode(cls, raw: LockedJson) -> Locked:
        return cls(raw["version"], tuple(raw["required_by"]), raw["direct"], raw["dev"])


def is_lock_file(path: str) -> bool:
    return posixpath.basename(path) in LOCK_NAMES


def parse_lock(text: str) -> dict[str, str]:
    """{normalised name: version}; an unreadable lock file is an empty one (so is one nested
    deeper than MAX_DEPTH, measured before tomllib's recursive reader is given it)."""
    return {name: locked["version"] for name, locked in lock_facts(text).items()}


def lock_facts(text: str) -> dict[str, LockedJson]:
    """{normalised name: what the lock says of it}; unreadable is empty (see ``parse_lock``)."""
    if too_deep(text, "toml"):
        return {}
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}
    packages = data.get("package", [])
    if not isinstance(packages, list):
        return {}
    found: dict[str, LockedJson] = {}
    edges: list[tuple[str, str, bool, bool]] = []  # (dependent, dependency, from the project itself, dev group)
    for package in packages:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        name = canonicalize_name(package["name"])
        found.setdefault(
            name, {"version": str(package.get("version", "")), "required_by": [], "direct": False, "dev": False}
        )
        if _dev_only(package):
            found[name]["dev"] = True  # Poetry's category = "dev" / groups = ["dev"]: dev installs only
        own = _is_workspace(package.get("source"))
        edges += [(name, dependency, own, dev) for dependency, dev in _dependencies(package)]
    for dependent, dependency, own, dev in edges:
        locked = found.get(dependency)
        if locked is None or dependency == dependent:
            continue
        if own:
            locked["dev" if dev else "direct"] = True
        elif dependent not in locked["required_by"]:
            locked["required_by"].append(dependent)
    for locked in found.values():
        locked["required_by"].sort()
    return found


def _dev_only(package: dict[str, Any]) -> bool:
    """A poetry.lock package only development installs get: ``category = "dev"`` (Poetry 1),
    ``groups = ["dev"]`` (Poetry 2: every group of it a dev group)."""
    groups = package.get("groups")
    if isinstance(groups, list) and groups and all(isinstance(g, str) for g in groups):
        return all(g in DEV_GROUPS for g in groups)
    return package.get("category") == "dev"


def _is_workspace(source: object) -> bool:
    """uv.lock's project and workspace members (``source = { editable = "." }`` / ``virtual``),
    and local directories, whose dependencies are the project's own declarations."""
    return isinstance(source, dict) and any(k in source for k in ("editable", "virtual", "directory", "path"))


def _dependencies(package: dict[str, Any]) -> list[tuple[str, bool]]:
    """(normalised name, from a dev group) of what a locked package depends on, in any of the
    lock formats: uv (``dependencies``/``optional-dependencies``/``dev-dependencies`` of
    ``{name = ...}``), Poetry (``[package.dependencies]`` tables), pdm (requirement strings)."""
    lists: list[tuple[object, bool]] = []
    dependencies = package.get("dependencies")
    if isinstance(dependencies, dict):  # Poetry: {name: spec}
        lists.append((list(dependencies), False))
    else:
        lists.append((dependencies, False))
    for key in ("optional-dependencies", "dev-dependencies"):
        table = package.get(key)
        if isinstance(table, dict):
            lists += [(items, key == "dev-dependencies") for items in table.values()]
    names: list[tuple[str, bool]] = []
    for items, dev in lists:
        for item in items if isinstance(items, list) else []:
            raw = item.get("name") if isinstance(item, dict) else item
            if isinstance(raw, str) and len(raw) <= MAX_LINE_CHARS and (match := _NAME.match(raw)):
                names.append((canonicalize_name(match.group(1)), dev))
    return names
