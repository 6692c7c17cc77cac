"""RSK007: a static-files or templates directory that the repository does not have."""

from __future__ import annotations

import posixpath

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.core.limits import MAX_DEPTH
from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.python.names import keyword, qualified_names, string_value
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_DIRECTORY_ARGS = {
    "starlette.staticfiles.StaticFiles": "directory",
    "fastapi.staticfiles.StaticFiles": "directory",
    "starlette.templating.Jinja2Templates": "directory",
    "fastapi.templating.Jinja2Templates": "directory",
}
_FLASK = {"flask.Flask", "flask.Blueprint"}
_MAKEDIRS = {"os.makedirs", "os.mkdir", "pathlib.Path.mkdir"}


class MissingStaticDirectory(ScopedPythonRule):
    """## What it does
    Flags `StaticFiles(directory="…")`, `Jinja2Templates(directory="…")` and Flask
    `static_folder=`/`template_folder=` naming a literal directory that does not exist in the
    repository at head (relative to the repository root or to the module's directory).

    ## Why is this bad?
    Starlette checks the directory when the app starts: `RuntimeError: Directory '<directory>'
    does not exist` and the container crash-loops. Templates fail on the first request instead.

    ## Example
    ```python
    app.mount("/static", StaticFiles(directory="frontend/dist"), name="static")
    ```

    ## Use instead
    Commit the directory (a `.gitkeep` is enough), create it at start-up, or build it in the
    image before the app starts; `StaticFiles(..., check_dir=False)` if it appears later.
    """

    id = "RSK007"
    name = "missing-static-directory"
    severity = Severity.ERROR
    fix = "commit the directory (a .gitkeep will do) or create it before the app starts"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.created: set[str] = set()
        self.candidates: list[tuple[cst.Call, str, str]] = []

    def visit_Call(self, node: cst.Call) -> None:
        names = qualified_names(self, node.func)
        func = node.func
        if names & _MAKEDIRS or (isinstance(func, cst.Attribute) and func.attr.value == "mkdir"):
            target = node.args[0].value if node.args else (func.value if isinstance(func, cst.Attribute) else None)
            if isinstance(target, cst.Call) and target.args:  # Path("x").mkdir()
                target = target.args[0].value
            if (value := string_value(target)) is not None:
                self.created.add(value.strip("/"))
            return
        for name in names:
            if name in _DIRECTORY_ARGS:
                if (check := keyword(node, "check_dir")) is not None and getattr(check.value, "value", "") == "False":
                    return
                arg = keyword(node, "directory") or (
                    node.args[0] if node.args and node.args[0].keyword is None else None
                )
                if arg is not None and (value := string_value(arg.value)) is not None:
                    self.candidates.append((node, value, name.rsplit(".", 1)[-1]))
            elif name in _FLASK:
                for option in ("static_folder", "template_folder"):
                    arg = keyword(node, option)
                    if arg is not None and (value := string_value(arg.value)) is not None:
                        self.candidates.append((node, value, f"Flask {option}"))

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.candidates:
            return
        # The tree's directories, once per revision (was: every path tested for every call).
        directories: set[str] = self.ctx.facts.local("tree-directories", _directories)
        here = posixpath.dirname(self.ctx.path)
        for node, directory, what in self.candidates:
            clean = posixpath.normpath(directory).strip("/")
            if posixpath.isabs(directory) or clean in self.created or clean.startswith(".."):
                continue
            roots = [clean, posixpath.normpath(posixpath.join(here, clean))]
            if any(root in directories for root in roots):
                continue
            message = (
                f"{what} serves {directory!r}, but the repository has no such directory (looked in "
                f"{' and '.join(sorted(set(r + '/' for r in roots)))}): the app fails at start-up or on "
                f"the first request; {self.fix}"
            )
            self.report(node, message, key=self.scope.key(f"{what}:{directory}"))


def _directories(snapshot: Snapshot) -> set[str]:
    """Every directory of the tree (a proper prefix of some path), down to MAX_DEPTH levels."""
    found: set[str] = set()
    for path in snapshot.entries():
        parts = path.split("/")[:-1][:MAX_DEPTH]
        for i in range(1, len(parts) + 1):
            found.add("/".join(parts[:i]))
    return found


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_IMPORT = "from fastapi.staticfiles import StaticFiles\n"

INVALID = [
    Case(
        head={"web/main.py": _IMPORT + "app.mount('/static', StaticFiles(directory='frontend/dist'), name='static')\n"},
        expect=[("RSK007", "web/main.py", 2)],
    ),
]
VALID = [
    Case(
        base={"web/assets/app.css": "body {}\n"},
        head={"web/main.py": _IMPORT + "app.mount('/assets', StaticFiles(directory='assets'))\n"},
    ),
    Case(head={"web/main.py": _IMPORT + "app.mount('/late', StaticFiles(directory='late', check_dir=False))\n"}),
]
