"""DEP005: a requirement removed while code covered by that manifest still imports it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.deps.dependency_map import dependency_map
from undertow.analyzers.deps.manifests import is_manifest
from undertow.analyzers.deps.manifests.locks import is_lock_file
from undertow.analyzers.deps.services import is_dockerfile, is_process_config, is_procfile
from undertow.analyzers.deps.yaml_nodes import is_compose_file
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.python.fact_types import ImportEdge
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


class RemovedRequirementStillImported(RepoRule):
    """## What it does
    Flags a change that removes a distribution from a manifest (or stops an image from
    installing it) while code covered by that manifest still imports it; the finding points at
    each import that will break.

    ## Why is this bad?
    Removing an "unused" dependency is a common clean-up, and the import that still needs it
    may live in a module only one image runs: the build passes, that image crashes.

    ## Example
    ```diff
    # requirements-worker.txt
    -redis==5.2.1
    ```
    while `app/worker/main.py` still does `import redis`.

    ## Use instead
    Remove the last import in the same change, or keep the requirement.
    """

    id = "DEP005"
    name = "removed-requirement-still-imported"
    severity = Severity.ERROR
    fix = "keep the requirement, or remove the code that imports it in the same change"
    uses_change = True

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        if ctx.side != "head" or ctx.base_facts is None:
            return
        relevant = (is_manifest, is_lock_file, is_dockerfile, is_compose_file, is_procfile, is_process_config)
        if not any(check(f.path) or check(f.old_path or "") for f in ctx.changes.files for check in relevant):
            return  # nothing that decides what is installed changed
        head = dependency_map(ctx.facts, ctx.config)
        base = dependency_map(ctx.base_facts, ctx.config)
        edges: Mapping[str, list[ImportEdge]] = head.index.part("import_edges")
        for path, imports in sorted(edges.items()):
            if ctx.config.is_excluded(path) or not any(head.is_third_party(module) for module, _names in imports):
                continue
            for problem in head.problems(path):
                coverage = problem.coverage
                if not base.declares(coverage, problem.candidates, problem.module):
                    continue  # never declared there: DEP001's business, not a removal
                changed = ctx.changes.get(path)
                if changed is not None and problem.line in changed.lines:
                    continue  # a new import: DEP001 reports it
                dist = next(
                    (
                        d.name
                        for m in coverage.manifests
                        for c in problem.candidates
                        if (d := base.declared(m, None).get(c))
                    ),
                    problem.candidates[0],
                )
                message = (
                    f"{path} still imports {problem.module} ({coverage.reason}), but this change removes "
                    f"{dist} from {coverage.shown}; {self.fix}"
                )
                yield self.report(path, message, f"{problem.module}:{coverage.manifest}", line=problem.line)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_REPO = {"requirements.txt": "redis==5.2.1\n", "app/__init__.py": "", "app/worker.py": "import redis\n"}

INVALID = [
    Case(base=_REPO, head={"requirements.txt": "celery==5.4.0\n"}, expect=[("DEP005", "app/worker.py", 1)]),
]
_SETUP_CFG = "[options]\npackages = app\ninstall_requires =\n    Flask-WTF>=0.14.3,<2\n    requests>=2,<3\n"

VALID = [
    Case(base=_REPO, head={"requirements.txt": "celery==5.4.0\n", "app/worker.py": "import celery\n"}),
    Case(base=_REPO, head={"requirements.txt": "redis==5.2.1\ncelery==5.4.0\n"}),
    # A comment after the requirement (setuptools drops it): still declared.
    Case(
        base={"setup.cfg": _SETUP_CFG, "app/__init__.py": "", "app/forms.py": "from flask_wtf import FlaskForm\n"},
        head={"setup.cfg": _SETUP_CFG.replace(",<2\n", ",<1.2  # 1.2.0 breaks CSRF\n")},
    ),
]
