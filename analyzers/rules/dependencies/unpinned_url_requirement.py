"""DEP004: a dependency installed from a URL or VCS ref that can change under the same name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.deps.manifests import is_pyproject, is_requirements_file, manifest_of
from undertow.analyzers.deps.manifests.model import Declared
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.rules.base import FileRule
from undertow.analyzers.rules.cases import Case

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)
_HASH_FRAGMENT = re.compile(r"(^|&)(sha256|sha384|sha512)=[0-9a-f]+", re.IGNORECASE)


class UnpinnedUrlRequirement(FileRule):
    """## What it does
    Flags requirements installed from a VCS URL without a commit hash (`git+https://…/repo.git`,
    `…@main`, `…@v1.2`), Poetry `git` dependencies pinned by `branch`/`tag` or not at all, and
    archive URLs without a hash.

    ## Why is this bad?
    A branch or tag can point at different code tomorrow: two builds of the same commit install
    different dependencies, a rebuild during an incident pulls in whatever was pushed last, and a
    compromised upstream reaches production without a change in this repository.

    ## Example
    ```text
    mylib @ git+https://github.com/acme/mylib.git@main
    ```

    ## Use instead
    ```text
    mylib @ git+https://github.com/acme/mylib.git@5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6
    ```
    (or a released version from the index, or an archive URL with `#sha256=…`).
    """

    id = "DEP004"
    name = "unpinned-url-requirement"
    severity = Severity.ERROR
    fix = "pin the URL to a 40-hex commit sha (@<sha>) or add the archive's #sha256= hash"

    @classmethod
    def applies_to(cls, path: str) -> bool:
        return is_requirements_file(path) or is_pyproject(path)

    def check(self, ctx: FileContext) -> Iterable[Finding]:
        manifest = manifest_of(ctx)
        if manifest is None:
            return
        for dep in manifest.declared:
            problem = _unpinned(dep)
            if problem is None:
                continue
            who = dep.name or dep.url
            message = f"{ctx.path} installs {who} from {dep.url}: {problem}; {self.fix}"
            yield self.report(ctx.path, message, f"{dep.key}:{dep.group}", line=dep.line)


def _unpinned(dep: Declared) -> str | None:
    url = dep.url
    if not url:
        return None
    if dep.vcs_ref_kind is not None:  # Poetry table
        if dep.vcs_ref_kind == "rev" and _SHA.match(dep.vcs_ref or ""):
            return None
        return f"{dep.vcs_ref_kind} = {dep.vcs_ref!r} is a moving ref, not a commit"
    parts = urlsplit(_VCS.sub("", url))
    if parts.scheme == "file" or not parts.scheme:
        return None  # a local path: nothing remote can change it
    if _VCS.match(url):
        if "@" not in parts.path:
            return "no ref is given, so every build installs whatever the default branch holds then"
        ref = parts.path.rsplit("@", 1)[1]
        if _SHA.match(ref):
            return None
        return f"@{ref} is a branch or tag, which can move to other code"
    if dep.hashes or _HASH_FRAGMENT.search(parts.fragment):
        return None
    return "the archive has no hash, so its content can change under the same URL"


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_COMMIT = "5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"

INVALID = [
    Case(
        head={"requirements.txt": "httpx==0.28.1\nmylib @ git+https://github.com/acme/mylib.git@main\n"},
        expect=[("DEP004", "requirements.txt", 2)],
    ),
    Case(
        head={"requirements.txt": "mylib @ https://example.com/mylib-1.0.tar.gz\n"},
        expect=[("DEP004", "requirements.txt", 1)],
    ),
]
VALID = [
    Case(head={"requirements/base.txt": f"mylib @ git+https://github.com/acme/mylib.git@{_COMMIT}\n./vendor/other\n"}),
]
