"""DEP006: one distribution, incompatible version ranges in two manifests."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.deps.dependency_map import DeclaredIn, DependencyMap, dependency_map
from undertow.analyzers.deps.manifests.model import DEV_GROUPS
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


def compatible(a: str, b: str) -> bool:
    """Whether some version satisfies both specifiers.

    What two specifier sets admit is a union of intervals whose ends are the versions they
    mention (and, for ``~=`` and ``==X.*``, the next release of a prefix): some version satisfies
    both exactly when one of those ends, or a version just above or just below one of them,
    does. Those are the candidates tried (``_candidates``); an unparsable specifier or version
    (Poetry's ``^``, ``===text``) is not ours to judge, so compatible."""
    try:
        left, right = SpecifierSet(a), SpecifierSet(b)
        mentioned = [Version(spec.version.replace(".*", "")) for spec in (*left, *right)]
    except (InvalidSpecifier, InvalidVersion):
        return True
    if not mentioned:
        return True
    return any(
        left.contains(v, prereleases=True) and right.contains(v, prereleases=True) for v in _candidates(mentioned)
    )


def _candidates(mentioned: list[Version]) -> set[Version]:
    """Each mentioned version, each next release of one of its prefixes (``1.4`` -> ``1.5``,
    ``2``), and, around each of those, the nearest release above (``1.4.0.1``) and below
    (``1.3.N.N``, N greater than any number mentioned): nothing mentioned lies between an end
    and those, so an interval open at that end contains them when it contains anything."""
    width = max(len(v.release) for v in mentioned) + 1
    big = max(n for v in mentioned for n in v.release) + 1
    found: set[Version] = set(mentioned)
    for version in mentioned:
        release = list(version.release)
        ends = [release] + [release[:i] + [release[i] + 1] for i in range(len(release))]
        for end in ends:
            padded = end + [0] * (width - len(end))
            found.add(_release(version.epoch, end))
            found.add(_release(version.epoch, padded + [1]))
            nonzero = [i for i, n in enumerate(padded) if n]
            if nonzero:
                i = nonzero[-1]
                found.add(_release(version.epoch, padded[:i] + [padded[i] - 1] + [big] * (width - i)))
    # Between the releases: the first dev-release of each (below its pre-releases) and a
    # post-release, and those of each mentioned pre-, post- or dev-release too.
    for candidate in list(found):
        if candidate.dev is None:
            found.add(Version(f"{candidate}.dev0"))
            if candidate.post is None:
                found.add(Version(f"{candidate}.post1"))
    return found


def _release(epoch: int, release: list[int]) -> Version:
    return Version(f"{epoch}!" + ".".join(map(str, release)))


class ManifestVersionConflict(RepoRule):
    """## What it does
    Flags a distribution that two manifests one environment installs together (an image's
    requirements files and the project it installs, the manifests of one directory, a
    project's dependencies and one of its extras) constrain to ranges no single version
    satisfies. Manifests no environment installs together (two separate projects, each with its
    own image) are not compared.

    ## Why is this bad?
    The build of that environment fails, or the installer settles on one range and the code
    written for the other runs against a version it was never tested with: it writes a cache
    format or a message schema the rest cannot read, or behaves differently depending on which
    manifest was read last.

    ## Example
    ```text
    # requirements-web.txt      # requirements-worker.txt
    pydantic==2.7.1             pydantic<2
    ```

    ## Use instead
    Agree on one range (ideally one shared constraints file included with `-c`).
    """

    id = "DEP006"
    name = "manifest-version-conflict"
    severity = Severity.WARNING
    fix = "make both manifests accept the same version (share a constraints file)"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        deps = dependency_map(ctx.facts, ctx.config)
        reported: set[tuple[str, int, str, str]] = set()
        for manifests, groups in _environments(deps):
            by_name: dict[str, list[DeclaredIn]] = {}
            for manifest in sorted(_pulled(deps, manifests, groups)):
                data = deps.manifests[manifest]
                for dep in data.declared:
                    in_groups = dep.group in groups if manifest in manifests else dep.group == ""
                    if in_groups and dep.specifier and not dep.url and dep.group not in DEV_GROUPS:
                        by_name.setdefault(dep.key, []).append(DeclaredIn(manifest, dep))
            for name, declarations in sorted(by_name.items()):
                for i, (first_manifest, first) in enumerate(declarations):
                    for second_manifest, second in declarations[i + 1 :]:
                        if first_manifest == second_manifest and first.group == second.group:
                            continue  # one list of requirements: pip reads them together
                        key = (second_manifest, second.line, name, f"{first_manifest}:{first.line}")
                        if key in reported or compatible(first.specifier, second.specifier):
                            continue
                        reported.add(key)
                        message = (
                            f"{second_manifest} requires {second.requirement} but {first_manifest}:{first.line} "
                            f"requires {first.requirement}: no version satisfies both; {self.fix}"
                        )
                        yield self.report(second_manifest, message, f"{name}:{first_manifest}", line=second.line)


def _environments(deps: DependencyMap) -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """(manifests, groups) of each environment of the revision: each image (its manifests and
    the extras it installs), and, for each directory with manifests, its nearest manifests (what
    covers a file no image runs) with the main dependencies and one extra at a time."""
    found: list[tuple[tuple[str, ...], frozenset[str]]] = []
    for image in deps.images:
        found.append((tuple(image.manifests), frozenset({"", *image.extras})))
    for directory in sorted({posixpath.dirname(m) for m in deps.manifests}):
        for coverage in deps.directory_coverage(directory):
            extras = sorted(g for g in coverage.groups or () if g)
            found += [(tuple(coverage.manifests), frozenset({"", *extra})) for extra in [[], *([g] for g in extras)]]
    return list(dict.fromkeys(found))


def _pulled(deps: DependencyMap, manifests: tuple[str, ...], groups: frozenset[str]) -> set[str]:
    """The manifests an environment installs: its own, the files they include with ``-r``, and the
    local projects (``-e .``) they install (whose main dependencies only)."""
    found: set[str] = set()
    pending = [m for m in manifests if m in deps.manifests]
    while pending:
        manifest = pending.pop()
        if manifest in found:
            continue
        found.add(manifest)
        pending += [m for m in deps.also_installed(manifest) if m in deps.manifests]
    return found


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_VARIANT = {
    "Dockerfile": "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app app\n",
    "requirements.txt": "fastapi==0.110.0\n",
}

INVALID = [
    Case(
        base={"requirements-web.txt": "pydantic==2.7.1\nhttpx>=0.27\n"},
        head={"requirements-worker.txt": "pydantic<2\nhttpx>=0.28,<0.29\n"},
        expect=[("DEP006", "requirements-worker.txt", 1)],
    ),
    # One image installs both directories' requirements.
    Case(
        base={
            "web/requirements.txt": "redis==5.2.1\n",
            "Dockerfile": "FROM python\nCOPY . /src\nRUN pip install -r /src/web/requirements.txt "
            "-r /src/worker/requirements.txt\n",
        },
        head={"worker/requirements.txt": "redis<5\n"},
        expect=[("DEP006", "worker/requirements.txt", 1)],
    ),
    # An extra the project's own dependencies exclude.
    Case(
        head={
            "pyproject.toml": "[project]\nname = 'a'\ndependencies = ['pydantic>=2']\n"
            "[project.optional-dependencies]\nv1 = ['pydantic<2']\n"
        },
        expect=[("DEP006", "pyproject.toml", 5)],
    ),
]
VALID = [
    Case(base={"requirements-web.txt": "pydantic==2.7.1\n"}, head={"requirements-worker.txt": "pydantic>=2.7,<3\n"}),
    # Two projects, each built into its own image: never installed together.
    Case(
        base={f"variants/{v}/{path}": text for v in "ab" for path, text in _VARIANT.items()},
        head={"variants/b/requirements.txt": "fastapi==0.111.0\n"},
    ),
    # The same upper bound twice: any 2.x satisfies both.
    Case(
        base={"requirements.in": "Flask<3  # until 3.0 is tested\n"},
        head={"pyproject.toml": "[project]\nname = 'a'\ndependencies = ['flask<3']\n"},
    ),
    # Two extras a project's users choose between.
    Case(
        head={
            "pyproject.toml": "[project]\nname = 'a'\ndependencies = []\n"
            "[project.optional-dependencies]\nv1 = ['pydantic<2']\nv2 = ['pydantic>=2']\n"
        },
    ),
]
