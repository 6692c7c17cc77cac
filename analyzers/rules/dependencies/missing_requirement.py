"""DEP001: a changed line imports a third-party module its image's manifest does not declare."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity, Suggestion
from undertow.analyzers.deps.dependency_map import DependencyMap, Problem, dependency_map, first_declaration
from undertow.analyzers.deps.import_names import distribution_name
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


class MissingRequirement(RepoRule):
    """## What it does
    Flags a changed line that imports a third-party module which the manifest covering that
    file does not declare. Coverage follows the deployment: a Dockerfile's `pip install -r`
    manifest covers every module its `CMD`/`ENTRYPOINT` (or a compose `command:` reusing the
    image) reaches through first-party imports; elsewhere the nearest manifest up the tree does,
    and tests count dev groups. Imports under `if TYPE_CHECKING:` or guarded by
    `except ImportError` are optional and never flagged.

    ## Why is this bad?
    The code works on the developer's machine, where every package is installed, and the
    worker image crashes at start-up with `ModuleNotFoundError` because only the web image's
    requirements list the package.

    ## Example
    ```python
    # app/worker/notify.py, run by docker/worker.Dockerfile (requirements-worker.txt)
    import httpx
    ```

    ## Use instead
    Declare it in the manifest of every image that runs the code:
    ```text
    # requirements-worker.txt
    httpx==0.28.1
    ```
    """

    id = "DEP001"
    name = "missing-requirement"
    severity = Severity.ERROR
    fix = "declare the distribution in the manifest of every image that runs this code"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        deps = dependency_map(ctx.facts, ctx.config)
        if not deps.manifests:
            return
        for changed in ctx.changes.present:
            if not changed.path.endswith(".py") or ctx.config.is_excluded(changed.path):
                continue
            path = changed.path if ctx.side == "head" else (changed.old_path or changed.path)
            for problem in deps.problems(path):
                # At base every problem counts (pre-existing); at head only changed lines.
                if ctx.side == "head" and problem.line not in changed.lines:
                    continue
                yield self._finding(deps, changed.path, problem)

    def _finding(self, deps: DependencyMap, path: str, problem: Problem) -> Finding:
        cov = problem.coverage
        elsewhere = first_declaration(deps.declaring(problem.candidates))
        dist = elsewhere.declaration.name if elsewhere else distribution_name(problem.module)
        other = f" ({elsewhere.manifest} has {elsewhere.declaration.text})" if elsewhere else ""
        verb = "does not declare" if len(cov.manifests) == 1 else "do not declare"
        message = (
            f"{path} imports {problem.module}, {cov.reason}; {cov.shown} {verb} {dist}{other}: "
            f"the image fails with ModuleNotFoundError; {self.fix}"
        )
        suggestion = Suggestion(
            "snippet", elsewhere.declaration.text if elsewhere else dist, f"add to {cov.manifests[-1]}"
        )
        return self.report(path, message, f"{problem.module}:{cov.manifest}", line=problem.line, suggestion=suggestion)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_REPO = {"requirements.txt": "fastapi==0.115.6\n", "app/__init__.py": ""}
_SETUP_PY = {
    "setup.py": (
        "from setuptools import setup\n\nREQUIRES = ['click>=8', 'httpx>=0.27']\n\n"
        "setup(name='tool', packages=['tool'], install_requires=REQUIRES)\n"
    ),
    "tool/__init__.py": "",
}
# A service directory whose pyproject.toml only configures tools: the root manifest covers it.
_TOOLS_ONLY = {
    "requirements.txt": "fastapi==0.115.6\n",
    "services/api/pyproject.toml": "[tool.ruff]\nline-length = 100\n",
    "services/api/app/__init__.py": "",
}

INVALID = [
    Case(base=_REPO, head={"app/notify.py": "import json\nimport httpx\n"}, expect=[("DEP001", "app/notify.py", 2)]),
    Case(base=_SETUP_PY, head={"tool/cli.py": "import click\nimport rich\n"}, expect=[("DEP001", "tool/cli.py", 2)]),
    Case(
        base=_TOOLS_ONLY,
        head={"services/api/app/main.py": "import fastapi\nimport httpx\n"},
        expect=[("DEP001", "services/api/app/main.py", 2)],
    ),
]
VALID = [
    Case(base=_REPO, head={"app/notify.py": "import json\nimport fastapi\nfrom app import notify\n"}),
    Case(
        base=_REPO,
        head={"app/notify.py": "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"},
    ),
    Case(base=_SETUP_PY, head={"tool/cli.py": "import click\nimport httpx\n"}),
    Case(base=_TOOLS_ONLY, head={"services/api/app/main.py": "import fastapi\n"}),
]
