"""RSK001: a subprocess call that can block forever."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from analyzers.findings import Severity, Suggestion
from analyzers.python_names import ScopeNames, has_star_kwargs, keyword, qualified_names
from analyzers.rules.base import PythonRule

_WAITING_FUNCTIONS = {
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
}
_WAITING_METHODS = {"communicate", "wait"}


class SubprocessWithoutTimeout(PythonRule):
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

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.scope = ScopeNames()
        # Names bound to a Popen object in the current function (``p = subprocess.Popen(...)``).
        self.popen_names: list[set[str]] = [set()]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.push(node.name.value)
        self.popen_names.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scope.pop()
        self.popen_names.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.push(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scope.pop()

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
            is_popen = self._is_popen(target) or (
                isinstance(target, cst.Name) and target.value in self.popen_names[-1]
            )
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
        pos = self.get_metadata(PositionProvider, node)
        if pos.start.line != pos.end.line:
            return None
        line = self.ctx.lines[pos.start.line - 1]
        # Columns are code points in libcst; the closing parenthesis is the call's last character.
        close = pos.end.column - 1
        if line[close : close + 1] != ")":
            return None
        inside = line[pos.start.column : close]
        separator = "" if inside.rstrip().endswith("(") else ", "
        if inside.rstrip().endswith(","):
            separator = " "
        text = line[:close] + f"{separator}timeout=60" + line[close:]
        return Suggestion("replace", text, "add a timeout (60 s is a placeholder: choose the real bound)")
