"""DEP001: a changed line imports a third-party module its image's manifest does not declare."""

from __future__ import annotations

from collections.abc import Iterable

from undertow.analyzers.core.findings import Finding, Severity, Suggestion
from undertow.analyzers.deps.dependency_map import (
    Coverage,
    DependencyMap,
    Problem,
    Transitive,
    dependency_map,
    first_declaration,
)
from undertow.analyzers.deps.import_names import distribution_name, is_known, is_stub_distribution
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


class MissingRequirement(RepoRule):
    """## What it does
    Flags a changed line that imports a third-party module which the manifest covering that
    file does not declare. Coverage follows the deployment: a Dockerfile's `pip install -r`
    manifest covers every module its `CMD`/`ENTRYPOINT` (or a compose `command:` reusing the
    image), a `[program:x] command=` of the supervisord configuration it copies in, a shell
    script it copies in and starts, or a Procfile process (with the Procfile's manifests)
    reaches through first-party imports; a file no entry point reaches but that a Dockerfile
    copies in by name is covered by that image's manifests; elsewhere the nearest manifest up
    the tree does
    (a requirements file, or a `pyproject.toml`, `setup.cfg` or `setup.py` that declares
    dependencies: one that only configures tools is passed over), and tests count dev groups.
    A lock file or compiled requirements file is not a declaration: a module installed only
    because another distribution depends on it (`uv.lock`, `poetry.lock`, pip-compile's
    `# via X`) is a warning naming X. Imports under `if TYPE_CHECKING:` or guarded by
    `except ImportError` are optional and never flagged. A module the import table does not
    know is taken as provided by a declared distribution named like it (separators removed,
    or a prefix: `boxsdk` → `box_sdk_gen`) or by one the same change adds; never by a
    type-stub package (`types-X`); a distribution named after a dotted prefix of the module
    (`opentelemetry-instrumentation-fastapi`) provides it too.

    Code no image runs and no package holds (`scripts/`, `dev/`) counts every group of its
    nearest manifest; a build hook (`hatch_build.py`) and what only it reaches are judged against
    the build requirements (`[build-system] requires`, the hook's `dependencies`). An extra named
    like a distribution installs it (`dramatiq[redis]` provides `redis`). Without a lock file, an
    import declared nowhere is still reported, and the message says that another distribution
    might happen to bring it.

    ## Why is this bad?
    The code works on the developer's machine, where every package is installed, and the
    image that runs it crashes at start-up with `ModuleNotFoundError` because only another
    image's requirements (or none) list the package.

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
    fix = "declare the distribution in every manifest that installs this code (each image's, or the nearest one)"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        deps = dependency_map(ctx.facts, ctx.config)
        if not deps.manifests:
            return
        base = dependency_map(ctx.base_facts, ctx.config) if ctx.side == "head" and ctx.base_facts else None
        for changed in ctx.changes.present:
            if not changed.path.endswith(".py") or ctx.config.is_excluded(changed.path):
                continue
            path = changed.path if ctx.side == "head" else (changed.old_path or changed.path)
            for problem in deps.problems(path):
                # At base every problem counts (pre-existing); at head only changed lines.
                if ctx.side == "head" and problem.line not in changed.lines:
                    continue
                if base is not None and not is_known(problem.module) and _adds(deps, base, problem.coverage):
                    # A module the import table does not know, and the change declares a new
                    # distribution for this code: taken as the one providing it (unknown stays quiet).
                    continue
                yield self._finding(deps, changed.path, problem)

    def _finding(self, deps: DependencyMap, path: str, problem: Problem) -> Finding:
        cov = problem.coverage
        if problem.transitive is not None:
            return self._transitive(deps, path, problem, problem.transitive)
        elsewhere = first_declaration(deps.declaring(problem.candidates))
        dist = elsewhere.declaration.name if elsewhere else distribution_name(problem.module)
        if cov.build is not None:
            message = (
                f"{path} imports {problem.module}, run at build time ({cov.reason}); the build requirements "
                f"of {cov.shown} ([build-system] requires, the build hook's dependencies) do not declare {dist}: "
                f"the build fails with ModuleNotFoundError; declare {dist} in the build hook's dependencies"
            )
            suggestion = Suggestion("snippet", dist, f"add to the build requirements of {cov.shown}")
            return self.report(
                path, message, f"{problem.module}:{cov.manifest}:build", line=problem.line, suggestion=suggestion
            )
        if elsewhere is None and not deps.locked_whole(cov) and deps.installed(cov).declared:
            return self._unlocked(deps, path, problem, dist)
        other = ""
        if elsewhere is not None and elsewhere.manifest in cov.manifests:
            # Declared there, but for a group this environment does not install (dev, an extra).
            found = elsewhere.declaration
            other = f" ({elsewhere.manifest} has {found.requirement} only in its {found.group!r} group)"
        elif elsewhere is not None:
            other = f" ({elsewhere.manifest} has {elsewhere.declaration.requirement})"
        if cov.image is None:
            installed = "that manifest is" if len(cov.manifests) == 1 else "those manifests are"
            consequence = f"it fails with ModuleNotFoundError where only {installed} installed; "
            consequence += f"declare {dist} in {cov.manifests[-1]}"
        else:
            consequence = f"the image fails with ModuleNotFoundError; {self.fix}"
        message = f"{_covered(path, problem.module, cov)} {dist}{other}: {consequence}"
        suggestion = Suggestion(
            "snippet", elsewhere.declaration.requirement if elsewhere else dist, f"add to {cov.manifests[-1]}"
        )
        return self.report(path, message, f"{problem.module}:{cov.manifest}", line=problem.line, suggestion=suggestion)

    def _unlocked(self, deps: DependencyMap, path: str, problem: Problem, dist: str) -> Finding:
        """Declared nowhere in the repository, in an environment that declares other distributions
        and has no lock: it may come as one of their dependencies, or not at all. Still an error:
        most often nothing brings it, and an import the code needs is declared directly whatever
        happens to install it today; the message says what is not known."""
        cov = problem.coverage
        where = "the image" if cov.image is not None else "it"
        message = (
            f"{_covered(path, problem.module, cov)} {dist}: unless another distribution happens to depend on it "
            f"(no lock file says whether one does), {where} fails with ModuleNotFoundError; declare it directly"
        )
        suggestion = Suggestion("snippet", dist, f"add to {_input_of(deps, cov.manifests[-1])}")
        return self.report(path, message, f"{problem.module}:{cov.manifest}", line=problem.line, suggestion=suggestion)

    def _transitive(self, deps: DependencyMap, path: str, problem: Problem, via: Transitive) -> Finding:
        """Installed today as another distribution's dependency: it works until that one stops
        depending on it (a warning, not yet a crash)."""
        cov = problem.coverage
        others = via.required_by[0] + (f" (and {len(via.required_by) - 1} more)" if len(via.required_by) > 1 else "")
        message = (
            f"{_covered(path, problem.module, cov)} {via.distribution}: "
            f"installed today only because {others} depends on it ({via.source}); declare it"
        )
        suggestion = Suggestion("snippet", via.distribution, f"add to {_input_of(deps, cov.manifests[-1])}")
        return self.report(
            path,
            message,
            f"{problem.module}:{cov.manifest}",
            line=problem.line,
            suggestion=suggestion,
            severity=Severity.WARNING,
        )


def _covered(path: str, module: str, coverage: Coverage) -> str:
    """The start of a message: what ``path`` imports, and the manifests that should declare it
    ("... does not declare" follows)."""
    verb = "does not declare" if len(coverage.manifests) == 1 else "do not declare"
    if coverage.image is None:  # no image runs it: the manifests nearest to it up the tree
        nearest = "manifest" if len(coverage.manifests) == 1 else "manifests"
        return f"{path} imports {module}; no image runs {path}, and its nearest {nearest} {coverage.shown} {verb}"
    return f"{path} imports {module}, {coverage.reason}; {coverage.shown} {verb}"


def _adds(head: DependencyMap, base: DependencyMap, coverage: Coverage) -> bool:
    """Whether the change declares a new distribution (not a type-stub package) in ``coverage``."""
    for manifest in coverage.manifests:
        before = base.declared(manifest, coverage.groups)
        added = [d for key, d in head.declared(manifest, coverage.groups).items() if key not in before]
        if any(not d.required_by and not is_stub_distribution(d.key) for d in added):
            return True
    return False


def _input_of(deps: DependencyMap, manifest: str) -> str:
    """Where a declaration goes: a compiled requirements file (x.txt) is edited through its
    pip-compile input (x.in) when there is one."""
    source = manifest[:-4] + ".in" if manifest.endswith(".txt") else ""
    return source if source in deps.manifests else manifest


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
# pip-compile output: redis is pinned only because rq depends on it.
_COMPILED = {
    "requirements.in": "rq\n",
    "requirements.txt": "redis==5.2.1\n    # via rq\nrq==2.1.0\n    # via -r requirements.in\n",
    "jobs/__init__.py": "",
}

INVALID = [
    Case(base=_REPO, head={"app/notify.py": "import json\nimport httpx\n"}, expect=[("DEP001", "app/notify.py", 2)]),
    Case(base=_SETUP_PY, head={"tool/cli.py": "import click\nimport rich\n"}, expect=[("DEP001", "tool/cli.py", 2)]),
    Case(
        base=_TOOLS_ONLY,
        head={"services/api/app/main.py": "import fastapi\nimport httpx\n"},
        expect=[("DEP001", "services/api/app/main.py", 2)],
    ),
    Case(base=_COMPILED, head={"jobs/work.py": "import rq\nimport redis\n"}, expect=[("DEP001", "jobs/work.py", 2)]),
    Case(  # a Procfile process reaches what it runs
        base={
            "Procfile": "web: gunicorn app.wsgi\nworker: celery -A app.tasks worker\n",
            "requirements.txt": "gunicorn==23.0.0\ncelery==5.4.0\n",
            "app/__init__.py": "",
        },
        head={"app/tasks.py": "import celery\nimport redis\n"},
        expect=[("DEP001", "app/tasks.py", 2)],
    ),
    Case(  # a supervisord program of an image (which copies its whole context: no other coverage)
        base={
            "deploy/requirements.txt": "celery==5.4.0\n",
            "deploy/supervisord.conf": "[program:beat]\ncommand=celery -A app.beat beat\n",
            "Dockerfile": (
                "FROM python\nCOPY . .\nRUN pip install -r deploy/requirements.txt\n"
                "COPY deploy/supervisord.conf /etc/supervisor/conf.d/\nCMD supervisord -n\n"
            ),
            "app/__init__.py": "",
        },
        head={"app/beat.py": "import celery\nimport redis\n"},
        expect=[("DEP001", "app/beat.py", 2)],
    ),
    Case(  # a type-stub package never provides the runtime import
        base={"requirements.txt": "types-docopt==0.6.11.4\n", "app/__init__.py": ""},
        head={"app/cli.py": "from docopt import docopt\n"},
        expect=[("DEP001", "app/cli.py", 1)],
    ),
    Case(  # a namespace package's submodule needs its own distribution (google-cloud-storage)
        base={"requirements.txt": "google-cloud-pubsub==2.23.0\n", "app/__init__.py": ""},
        head={"app/upload.py": "from google.cloud import pubsub\nfrom google.cloud import storage\n"},
        expect=[("DEP001", "app/upload.py", 2)],
    ),
]
VALID = [
    # A module beside the importing file (a script's own helper; Python 2's implicit relative
    # import): not a distribution.
    Case(
        base={"requirements.txt": "flask==3.0.0\n", "tools/__init__.py": "", "tools/utils.py": "X = 1\n"},
        head={"tools/export.py": "import flask\nfrom utils import X\n"},
    ),
    Case(base=_REPO, head={"app/notify.py": "import json\nimport fastapi\nfrom app import notify\n"}),
    Case(
        base=_REPO,
        head={"app/notify.py": "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"},
    ),
    Case(base=_SETUP_PY, head={"tool/cli.py": "import click\nimport httpx\n"}),
    Case(base=_TOOLS_ONLY, head={"services/api/app/main.py": "import fastapi\n"}),
    Case(  # declared in the input: the compiled pin says `via -r requirements.in`
        base={
            **_COMPILED,
            "requirements.in": "rq\nredis\n",
            "requirements.txt": "redis==5.2.1\n    # via\n    #   -r requirements.in\n    #   rq\nrq==2.1.0\n",
        },
        head={"jobs/work.py": "import rq\nimport redis\n"},
    ),
    Case(  # a shell script copied into the image runs the module; its manifest declares the import
        base={
            "deploy/requirements.txt": "celery==5.4.0\nredis==5.2.1\n",
            "deploy/start.sh": "#!/bin/sh\nexec celery -A app.beat beat\n",
            "Dockerfile": (
                "FROM python\nCOPY . /srv\nRUN pip install -r /srv/deploy/requirements.txt\n"
                'COPY deploy/start.sh /start.sh\nCMD ["/start.sh"]\n'
            ),
            "app/__init__.py": "",
        },
        head={"app/beat.py": "import celery\nimport redis\n"},
    ),
    Case(  # a hatch build hook runs with the build requirements, not the project's dependencies
        base={
            "pyproject.toml": (
                "[build-system]\nrequires = ['hatchling']\n[project]\nname = 'pkg'\ndependencies = ['requests']\n"
                "[tool.hatch.build.hooks.custom]\ndependencies = ['Babel']\n"
            ),
            "pkg/__init__.py": "",
        },
        head={
            "hatch_build.py": "from hatchling.builders.hooks.plugin.interface import BuildHookInterface\nimport babel\n"
        },
    ),
    Case(  # an extra named like a distribution installs it
        base={"requirements.txt": "celery[redis]==5.4.0\n", "app/__init__.py": ""},
        head={"app/tasks.py": "import celery\nimport redis\n"},
    ),
    Case(  # `from google.cloud import storage` imports google.cloud.storage
        base={"requirements.txt": "google-cloud-storage==2.18.0\n", "app/__init__.py": ""},
        head={"app/upload.py": "from google.cloud import storage\n"},
    ),
    Case(  # repository tooling (no package, no image): run with the project's groups
        base={"pyproject.toml": "[dependency-groups]\ndev = ['typer>=0.20,<1']\n"},
        head={"scripts/release.py": "import typer\n"},
    ),
    Case(  # not in the import table: a declared distribution named like the module provides it
        base={"requirements.txt": "python-json-logger==2.0.7\n", "app/__init__.py": ""},
        head={"app/log.py": "from pythonjsonlogger import jsonlogger\n"},
    ),
]
