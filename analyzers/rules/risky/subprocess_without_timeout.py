"""RSK001: a subprocess call that can block forever."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity, Suggestion
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.python.names import has_star_kwargs, keyword, keyword_suggestion, qualified_names
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_WAITING_FUNCTIONS = {
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
}
_WAITING_METHODS = {"communicate", "wait"}


class SubprocessWithoutTimeout(ScopedPythonRule):
    """## What it does
    Flags `subprocess.run`, `call`, `check_call` and `check_output`, and `Popen(...).communicate()`
    or `.wait()`, called without `timeout=`.

    ## Why is this bad?
    Without a timeout the caller waits for the child for ever. A child that hangs (a network
    mount, a prompt waiting for input, a stuck encoder) blocks the worker that called it, and
    with it every job queued behind it; nothing in the logs says why.

    ## Example
    ```python
    subprocess.run(["ffmpeg", "-i", src, dst], check=True)
    ```

    ## Use instead
    ```python
    subprocess.run(["ffmpeg", "-i", src, dst], check=True, timeout=600)
    ```
    and handle `subprocess.TimeoutExpired`.
    """

    id = "RSK001"
    name = "subprocess-without-timeout"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    fix = "pass timeout=<seconds> and handle subprocess.TimeoutExpired"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # Names bound to a Popen object in the current function (``p = subprocess.Popen(...)``).
        self.popen_names: list[set[str]] = [set()]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        self.popen_names.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        super().leave_FunctionDef(original_node)
        self.popen_names.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_popen(node.value):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.popen_names[-1].add(target.target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self._is_popen(node.item) and node.asname and isinstance(node.asname.name, cst.Name):
            self.popen_names[-1].add(node.asname.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        if keyword(node, "timeout") is not None or has_star_kwargs(node):
            return
        names = qualified_names(self, node.func)
        called = next(iter(sorted(names & _WAITING_FUNCTIONS)), None)
        if called is not None:
            self._report(node, f"{called}()", f"{called}() has no timeout")
            return
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _WAITING_METHODS:
            target = func.value
            is_popen = self._is_popen(target) or (isinstance(target, cst.Name) and target.value in self.popen_names[-1])
            if is_popen:
                method = func.attr.value
                self._report(node, f"Popen.{method}()", f"Popen.{method}() has no timeout")

    def _is_popen(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and "subprocess.Popen" in qualified_names(self, node.func)

    def _report(self, node: cst.Call, what: str, headline: str) -> None:
        message = (
            f"{headline}: if the child process hangs, this call blocks for ever and holds the "
            "worker with it; pass timeout=<seconds> and handle subprocess.TimeoutExpired"
        )
        self.report(node, message, key=self.scope.key(what), suggestion=self._suggestion(node))

    def _suggestion(self, node: cst.Call) -> Suggestion | None:
        return keyword_suggestion(
            self.ctx.lines,
            self.get_metadata(PositionProvider, node),
            "timeout=60",
            "add a timeout (60 s is a placeholder: choose the real bound)",
        )


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_JOBS = "import subprocess\n\n\ndef old():\n    subprocess.run(['ls'])\n"

INVALID = [
    Case(
        head={"app/jobs.py": "import subprocess\nsubprocess.run(['ffmpeg', '-i', src])\n"},
        expect=[("RSK001", "app/jobs.py", 2)],
    ),
    Case(head={"a.py": "import subprocess\np = subprocess.Popen(['ls'])\np.wait()\n"}, expect=[("RSK001", "a.py", 3)]),
]
VALID = [
    Case(head={"a.py": "import subprocess\nsubprocess.check_output(['ls'], timeout=5)\n"}),
    # an old call in a file the change touches elsewhere is not the change's
    Case(base={"app/jobs.py": _JOBS}, head={"app/jobs.py": _JOBS + "X = 1\n"}, changed={"app/jobs.py": [6]}),
]
