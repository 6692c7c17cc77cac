"""DEP007: pyproject dependencies changed, lock file not."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.deps.dependency_map import ManifestFacts, dependency_map
from undertow.analyzers.deps.manifests import is_pyproject
from undertow.analyzers.deps.manifests.locks import LOCK_NAMES
from undertow.analyzers.deps.uv_workspace import workspace_root
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


class LockfileStale(RepoRule):
    """## What it does
    Flags a change to the dependencies of a `pyproject.toml` (or a pip-tools `requirements.in`)
    when the lock file next to it (`uv.lock`, `poetry.lock`, `pdm.lock`, the `uv.lock` at the root
    of the uv workspace it is a member of, or the compiled
    `requirements.txt`) is not updated in the same change.

    ## Why is this bad?
    Installs from the lock file ignore the change: CI and production keep the old versions,
    or `uv sync --locked`/`poetry install` refuse to run because the lock is out of date.

    ## Example
    Adding `"httpx>=0.28"` to `[project] dependencies` without running `uv lock`.

    ## Use instead
    Run `uv lock` / `poetry lock` / `pip-compile` and commit the lock file with the change.
    """

    id = "DEP007"
    name = "lockfile-stale"
    severity = Severity.WARNING
    fix = "regenerate the lock file (uv lock / poetry lock / pip-compile) and commit it"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        if ctx.side != "head" or ctx.base_facts is None:
            return
        head = dependency_map(ctx.facts, ctx.config)
        base = dependency_map(ctx.base_facts, ctx.config)
        entries = ctx.snapshot.entries()
        for changed in ctx.changes.present:
            path = changed.path
            if not (is_pyproject(path) or path.endswith(".in")):
                continue
            directory = posixpath.dirname(path)
            if is_pyproject(path):
                locks = [posixpath.join(directory, n) if directory else n for n in LOCK_NAMES]
                if (root := workspace_root(ctx.snapshot, directory)) is not None:
                    locks.append(posixpath.join(root, "uv.lock") if root else "uv.lock")  # the workspace's one lock
            else:
                locks = [posixpath.splitext(path)[0] + ".txt"]
            present = [lock for lock in locks if lock in entries]
            if not present or any(ctx.changes.get(lock) is not None for lock in present):
                continue
            before = _signature(base.manifests.get(changed.old_path or path))
            after_data = head.manifests.get(path)
            if after_data is None or before == _signature(after_data):
                continue
            line = min((d.line for d in after_data.declared if d.line in changed.lines), default=1)
            message = f"{path} changes its dependencies but {present[0]} is not updated in this change; {self.fix}"
            yield self.report(path, message, present[0], line=line)


def _signature(data: ManifestFacts | None) -> set[tuple[str, str, str, str | None]]:
    if data is None:
        return set()
    return {(d.key, d.specifier, d.group, d.url) for d in data.declared}


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_BASE = {"pyproject.toml": "[project]\nname='a'\ndependencies = []\n", "uv.lock": "version = 1\n"}
# A uv workspace: one uv.lock at the root locks every member.
_WORKSPACE = {
    "pyproject.toml": "[project]\nname='root'\nversion='0'\n[tool.uv.workspace]\nmembers = ['services/*']\n",
    "uv.lock": "version = 1\n",
    "services/api/pyproject.toml": "[project]\nname='api'\nversion='0'\ndependencies = []\n",
}
_MEMBER_ADDS_HTTPX = {
    "services/api/pyproject.toml": "[project]\nname='api'\nversion='0'\ndependencies = [\n  'httpx==0.28.1',\n]\n"
}

INVALID = [
    Case(
        base=_BASE,
        head={"pyproject.toml": "[project]\nname='a'\ndependencies = [\n  'httpx==0.28.1',\n]\n"},
        expect=[("DEP007", "pyproject.toml", 4)],
    ),
    # A workspace member's dependencies change, the workspace root's lock does not.
    Case(base=_WORKSPACE, head=_MEMBER_ADDS_HTTPX, expect=[("DEP007", "services/api/pyproject.toml", 5)]),
]
VALID = [
    Case(base=_WORKSPACE, head={**_MEMBER_ADDS_HTTPX, "uv.lock": "version = 1\n[[package]]\nname = 'httpx'\n"}),
    Case(
        base=_BASE,
        head={
            "pyproject.toml": "[project]\nname='a'\ndependencies = ['httpx==0.28.1']\n",
            "uv.lock": "version = 1\n[[package]]\nname = 'httpx'\nversion = '0.28.1'\n",
        },
    ),
    Case(
        base=_BASE,
        head={"pyproject.toml": "[project]\nname='a'\ndescription = 'same dependencies'\ndependencies = []\n"},
    ),
]
