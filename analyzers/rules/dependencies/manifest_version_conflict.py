"""DEP006: one distribution, incompatible version ranges in two manifests."""

from __future__ import annotations

from collections.abc import Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.deps.dependency_map import DeclaredIn, dependency_map
from undertow.analyzers.deps.manifests.model import DEV_GROUPS
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


def compatible(a: str, b: str) -> bool:
    """Whether some version satisfies both specifiers (probing the versions they mention)."""
    try:
        left, right = SpecifierSet(a), SpecifierSet(b)
    except InvalidSpecifier:
        return True
    probes: set[Version] = set()
    for spec in (*left, *right):
        try:
            version = Version(spec.version.replace(".*", ""))
        except InvalidVersion:
            return True
        release = list(version.release)
        probes.add(version)
        probes.add(Version(".".join(map(str, release + [1]))))
        bumped = release[:-1] + [release[-1] + 1]
        probes.add(Version(".".join(map(str, bumped))))
        if len(release) > 1:
            probes.add(Version(".".join(map(str, release[:-2] + [release[-2] + 1, 0]))))
    if not probes:
        return True
    return any(left.contains(v, prereleases=True) and right.contains(v, prereleases=True) for v in probes)


class ManifestVersionConflict(RepoRule):
    """## What it does
    Flags a distribution that two manifests of the repository (web vs worker requirements,
    pyproject vs requirements) constrain to ranges no single version satisfies.

    ## Why is this bad?
    The two images run different versions of the same library against the same data: one
    writes a cache format or a message schema the other cannot read, or shared code behaves
    differently depending on which image imports it.

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
        by_name: dict[str, list[DeclaredIn]] = {}
        for manifest, data in sorted(deps.manifests.items()):
            for dep in data.declared:
                if dep.specifier and not dep.url and dep.group not in DEV_GROUPS:
                    by_name.setdefault(dep.key, []).append(DeclaredIn(manifest, dep))
        for name, declarations in sorted(by_name.items()):
            for i, (first_manifest, first) in enumerate(declarations):
                for second_manifest, second in declarations[i + 1 :]:
                    if first_manifest == second_manifest or compatible(first.specifier, second.specifier):
                        continue
                    message = (
                        f"{second_manifest} requires {second.text} but {first_manifest}:{first.line} "
                        f"requires {first.text}: no version satisfies both; {self.fix}"
                    )
                    yield self.report(second_manifest, message, f"{name}:{first_manifest}", line=second.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base={"requirements-web.txt": "pydantic==2.7.1\nhttpx>=0.27\n"},
        head={"requirements-worker.txt": "pydantic<2\nhttpx>=0.28,<0.29\n"},
        expect=[("DEP006", "requirements-worker.txt", 1)],
    ),
]
VALID = [
    Case(base={"requirements-web.txt": "pydantic==2.7.1\n"}, head={"requirements-worker.txt": "pydantic>=2.7,<3\n"}),
]
