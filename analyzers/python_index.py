"""The revision's Python files as one index (modules, constants, refs), built from per-file facts."""

from __future__ import annotations

from typing import Any

from analyzers.context import RevisionFacts
from analyzers.indexes import file_index
from analyzers.python_facts import extract
from analyzers.python_modules import module_names, package_roots


class PythonIndex:
    def __init__(self, files: dict[str, dict[str, Any]]) -> None:
        roots = package_roots(files)
        self.files: dict[str, dict[str, Any]] = {}
        self.by_module: dict[str, str] = {}  # every importable name -> path
        for path in sorted(files):
            facts = files[path]
            if facts.get("error"):
                continue
            names = module_names(path, roots) or [facts["module"]]
            # The canonical name is the one under the most specific root (how code imports it).
            self.files[path] = {**facts, "module": names[0]}
            for name in names:
                self.by_module.setdefault(name, path)
        self._class_strings: dict[str, set[str]] = {}
        for facts in self.files.values():
            for name, value in facts.get("class_strings", {}).items():
                self._class_strings.setdefault(name, set()).add(value)

    def facts(self, module: str) -> dict[str, Any] | None:
        path = self.by_module.get(module)
        return self.files.get(path) if path else None

    def split(self, qualified: str) -> tuple[str, str] | None:
        """(first-party module, rest) for the longest module prefix of ``qualified``."""
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.by_module:
                return self.files[self.by_module[module]]["module"], ".".join(parts[cut:])
        return None

    def object_id(self, module: str, ref: str, depth: int = 0) -> str:
        """A stable id ``module:name`` for a module-level object named by ``ref`` in ``module``."""
        if "." not in ref:
            facts = self.facts(module) or {}
            target = facts.get("imports", {}).get(ref)
            if target and depth < 5:
                return self.object_id(module, target, depth + 1) if "." not in target else self._qualified_id(target, depth)
            return f"{module}:{ref}"
        return self._qualified_id(ref, depth)

    def _qualified_id(self, qualified: str, depth: int) -> str:
        split = self.split(qualified)
        if split is None:
            return qualified
        module, rest = split
        if not rest:
            return f"{module}:"
        head = rest.split(".")[0]
        facts = self.facts(module) or {}
        target = facts.get("imports", {}).get(head)
        if target and depth < 5 and "." not in rest:
            return self._qualified_id(target, depth + 1)
        return f"{module}:{rest}"

    def constant(self, module: str, ref: str, depth: int = 0) -> str | None:
        """The string value a ``ref`` (local name or dotted path) names, if it can be known."""
        facts = self.facts(module) or {}
        if "." not in ref:
            if ref in facts.get("constants", {}):
                return facts["constants"][ref]
            target = facts.get("imports", {}).get(ref)
            if target and depth < 5:
                split = self.split(target)
                if split and split[1] and "." not in split[1]:
                    return self.constant(split[0], split[1], depth + 1)
            return None
        split = self.split(ref)
        if split is not None and split[1] and "." not in split[1]:
            value = self.constant(split[0], split[1], depth + 1)
            if value is not None:
                return value
        # settings.API_V1_STR: a class-level string attribute with one value across the repo.
        values = self._class_strings.get(ref.rsplit(".", 1)[-1], set())
        return next(iter(values)) if len(values) == 1 else None


def python_index(facts: RevisionFacts) -> PythonIndex:
    return facts.local("python-index", lambda _: PythonIndex(file_index(facts, "python", lambda p: p.endswith(".py"), extract)))
