"""DEP003: an application requirement added or changed without an upper bound."""

from __future__ import annotations

import posixpath
from collections.abc import Container, Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.core.limits import within_size
from undertow.analyzers.deps.dependency_map import dependency_map
from undertow.analyzers.deps.manifests import is_pyproject, is_requirements_file
from undertow.analyzers.deps.manifests.locks import LOCK_NAMES
from undertow.analyzers.deps.manifests.model import DEV_GROUPS
from undertow.analyzers.deps.uv_workspace import workspace_root
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case

MAX_SEPARATE = 5


def bounded(specifier: str) -> bool:
    try:
        spec = SpecifierSet(specifier)
    except InvalidSpecifier:
        return True  # Poetry's ^/~ and other dialects: not ours to judge
    return any(s.operator in ("==", "===", "~=", "<", "<=") for s in spec) or specifier.strip().startswith(("^", "~"))


class UnboundedRequirement(RepoRule):
    """## What it does
    Flags a requirement that a change adds or changes, in an application's manifest
    (requirements files, a deployed `pyproject.toml`), with no upper bound: `pkg>=1.2` or a bare
    `pkg`. Quiet for `==`, `~=`, `<N`, dev/test groups and files, when the lock file beside
    the manifest (`uv.lock`, `poetry.lock`, a pip-compile output), or the `uv.lock` at the root
    of the uv workspace it is a member of, is updated in the same change,
    and for a pip-tools input (`requirements.in`) compiled into the `requirements.txt` beside
    it: the pins are there (DEP007 tells when it is not recompiled).

    ## Why is this bad?
    The next image build installs whatever major version was released since: a `>=0.2` range
    is 0.2 today, tomorrow a 1.0 with a new API, and production breaks on a rebuild of a
    commit that passed every check.

    ## Example
    ```text
    discord.py>=2.3.0
    ```

    ## Use instead
    ```text
    discord.py>=2.3.0,<3
    ```
    or pin exactly (`==2.4.0`) and let a bot propose upgrades, or commit a lock file.
    """

    id = "DEP003"
    name = "unbounded-requirement"
    severity = Severity.WARNING
    fix = "add an upper bound (<next major), pin with ==, or update the lock file"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        deps = dependency_map(ctx.facts, ctx.config)
        deployed = bool(deps.images) or any(p.endswith(("Dockerfile", "Procfile")) for p in ctx.snapshot.entries())
        for changed in ctx.changes.present:
            path = changed.path
            if not (is_requirements_file(path) or is_pyproject(path)) or _is_dev_file(path):
                continue
            source = path if ctx.side == "head" else (changed.old_path or path)
            data = deps.manifests.get(source)
            if data is None or (is_pyproject(path) and not (deployed or _no_build_system(ctx, source))):
                continue
            if ctx.side == "head" and self._lock_updated(ctx, path):
                continue
            if _compiled(source, deps.manifests):
                continue  # a pip-tools input: what is installed is its compiled output (DEP007: kept up to date)
            # A package another line of the manifest bounds (pydantic[email] beside pydantic[dotenv]==1.10.9)
            # is bounded; at head, one the base's manifests of the project already had unbounded only moved.
            pinned = {(d.key, d.group) for d in data.declared if d.url or bounded(d.specifier)}
            before = self._unbounded_at_base(ctx, changed.old_path or path) if ctx.side == "head" else set()
            unbounded = [
                dep
                for dep in data.declared
                if not (dep.url or dep.group in DEV_GROUPS or bounded(dep.specifier))
                and (dep.key, dep.group) not in pinned
                and (ctx.side == "base" or (dep.line in changed.lines and (dep.key, dep.group) not in before))
            ]
            if len(unbounded) > MAX_SEPARATE:
                # A manifest rewritten wholesale gets one finding, not a comment on every line.
                names = ", ".join(d.name for d in unbounded[:8]) + (", ..." if len(unbounded) > 8 else "")
                first = unbounded[0].line
                message = (
                    f"{path} adds {len(unbounded)} requirements with no upper bound and no lock file updated "
                    f"({names}): the next build may install new major versions nobody tested; {self.fix}"
                )
                yield self.report(path, message, "many", line=first)
                continue
            for dep in unbounded:
                shown = dep.specifier or "any version"
                message = (
                    f"{path} accepts {dep.name} {shown} with no upper bound: the next build may install "
                    f"a new major version nobody tested; {self.fix}"
                )
                yield self.report(path, message, f"{dep.key}:{dep.group}", line=dep.line)

    def _unbounded_at_base(self, ctx: RepoContext, manifest: str) -> set[tuple[str, str]]:
        """(name, group) of what the project of ``manifest`` already declared without an upper
        bound at base, in that manifest or another of the project's (a requirement moved from
        setup.cfg to pyproject.toml, or from requirements.in to pyproject.toml, is not new)."""
        if ctx.base_facts is None:
            return set()
        manifests = dependency_map(ctx.base_facts, ctx.config).manifests
        project = _project_directory(manifest)
        found: set[tuple[str, str]] = set()
        for path, data in manifests.items():
            if path != manifest and (_project_directory(path) != project or _is_dev_file(path)):
                continue
            found |= {(d.key, d.group) for d in data.declared if not (d.url or bounded(d.specifier))}
        return found

    def _lock_updated(self, ctx: RepoContext, manifest: str) -> bool:
        directory = posixpath.dirname(manifest)
        stem = posixpath.splitext(manifest)[0]
        locks = {posixpath.join(directory, n) if directory else n for n in LOCK_NAMES}
        if manifest.endswith(".in"):
            locks.add(stem + ".txt")  # pip-compile output
        if is_pyproject(manifest) and (root := workspace_root(ctx.snapshot, directory)) is not None:
            locks.add(posixpath.join(root, "uv.lock") if root else "uv.lock")  # one lock for every member
        return any(ctx.changes.get(lock) is not None for lock in locks)


def _compiled(manifest: str, manifests: Container[str]) -> bool:
    """A pip-tools input (``x.in``) compiled into the ``x.txt`` beside it: its bare lines are the
    convention, the pins are in the output, which is what gets installed (``_installed`` of the
    dependency map)."""
    return manifest.endswith(".in") and manifest[:-3] + ".txt" in manifests


def _project_directory(manifest: str) -> str:
    """The directory of the project a manifest belongs to: its own, or for a requirements file
    under ``requirements/``, the one above."""
    directory = posixpath.dirname(manifest)
    if posixpath.basename(directory) in ("requirements", "reqs", "requirements.d"):
        return posixpath.dirname(directory)
    return directory


def _is_dev_file(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return any(word in name for word in ("dev", "test", "lint", "doc", "constraint")) or "/dev/" in path


def _no_build_system(ctx: RepoContext, path: str) -> bool:
    if not within_size(ctx.snapshot.entries().get(path)):
        return False  # not read (over the size limit): judged a library, so never flagged
    data = ctx.snapshot.read(path) or b""
    return b"[build-system]" not in data


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_BASE = {"requirements.txt": "fastapi==0.115.6\n", "Dockerfile": "FROM python\n"}

_MEMBER = '[project]\nname = "app"\ndependencies = ["fastapi>=0.114.2,<1"]\n'
_WORKSPACE = {
    "pyproject.toml": '[tool.uv.workspace]\nmembers = ["backend", "libs/*"]\n',
    "uv.lock": "version = 1\n",
    "backend/pyproject.toml": _MEMBER,
    "backend/Dockerfile": "FROM python\nCOPY . /app\nRUN uv sync --frozen\n",
}

INVALID = [
    Case(
        base=_BASE,
        head={"requirements.txt": "fastapi==0.115.6\ngoogle-genai>=0.2.0\ndiscord.py\n"},
        changed={"requirements.txt": [2, 3]},
        expect=[("DEP003", "requirements.txt", 2), ("DEP003", "requirements.txt", 3)],
    ),
    # A uv workspace member outside the workspace's members (exclude): the root lock is not its.
    Case(
        base=_WORKSPACE,
        head={
            "pyproject.toml": _WORKSPACE["pyproject.toml"] + 'exclude = ["backend"]\n',
            "backend/pyproject.toml": _MEMBER.replace('<1"]', '<1", "pwdlib>=0.3.0"]'),
            "uv.lock": "version = 1\n# relocked\n",
        },
        expect=[("DEP003", "backend/pyproject.toml", 3)],
    ),
    # A requirements.in nothing compiles is what gets installed.
    Case(
        base={"Dockerfile": "FROM python\n"},
        head={"requirements.in": "redis\n"},
        expect=[("DEP003", "requirements.in", 1)],
    ),
]
VALID = [
    # A line only moved (reordered), and an extra of a package another line pins.
    Case(
        base={**_BASE, "requirements.txt": "fastapi==0.115.6\nslack-bolt>=1.18\npydantic[dotenv]==1.10.9\n"},
        head={"requirements.txt": "slack-bolt>=1.18\nfastapi==0.115.6\npydantic[dotenv]==1.10.9\npydantic[email]\n"},
    ),
    Case(
        base=_BASE,
        head={
            "requirements.txt": "fastapi==0.115.6\ndiscord.py>=2.3.0,<3\nhttpx~=0.28\n",
            "requirements-dev.txt": "pytest>=8\n",
        },
    ),
    # A bare requirement moved from setup.cfg to the pyproject.toml that replaces it.
    Case(
        base={
            "Dockerfile": "FROM python\nCOPY . /src\nRUN pip install /src\n",
            "setup.cfg": "[options]\ninstall_requires =\n    python-dateutil\n    requests>=2,<3\n",
            "setup.py": "from setuptools import setup\nsetup()\n",
        },
        head={
            "setup.cfg": None,
            "setup.py": None,
            "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\n[project]\nname = "svc"\n'
            'dependencies = [\n    "python-dateutil",\n    "requests>=2,<3",\n]\n',
        },
    ),
    # A uv workspace member whose requirement the workspace's root lock pins.
    Case(
        base=_WORKSPACE,
        head={
            "backend/pyproject.toml": _MEMBER.replace('<1"]', '<1", "pwdlib>=0.3.0"]'),
            "uv.lock": "version = 1\n# relocked\n",
        },
    ),
    # A pip-tools input, compiled into the requirements.txt the image installs.
    Case(
        base={
            **_BASE,
            "requirements.in": "fastapi\n",
            "requirements.txt": "fastapi==0.115.6\n    # via -r requirements.in\n",
        },
        head={"requirements.in": "fastapi\nredis\n"},
    ),
    Case(
        base={"pyproject.toml": "[project]\nname='a'\ndependencies = []\n", "uv.lock": "version = 1\n"},
        head={
            "pyproject.toml": "[project]\nname='a'\ndependencies = ['httpx>=0.28']\n",
            "uv.lock": "version = 1\n# relocked\n",
        },
    ),
]
