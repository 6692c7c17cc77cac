"""The Python rules: checks run in the one shared pass over a changed Python file's CST."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst
from libcst.metadata import PositionProvider
from libcst.metadata.base_provider import ProviderT

from undertow.analyzers.core.findings import Finding, Suggestion, fingerprint
from undertow.analyzers.python.visitors import visitor_methods
from undertow.analyzers.rules.base import Rule, RuleKind

if TYPE_CHECKING:
    from undertow.analyzers.facts.context import FileContext


class PythonRule(Rule, cst.BatchableCSTVisitor):
    """A check over one changed Python file, run in the shared single pass over its CST."""

    kind: ClassVar[RuleKind] = "python"
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = (PositionProvider,)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.findings: list[Finding] = []

    def _record(self, finding: Finding) -> None:
        self.findings.append(finding)  # the shared pass collects them (visitors return nothing)

    def get_visitors(self) -> Mapping[str, Callable[..., Any]]:
        return visitor_methods(self)

    def _at_node(
        self,
        node: cst.CSTNode,
        message: str,
        key: str,
        suggestion: Suggestion | None,
        anchor: cst.CSTNode | None,
        first_line_only: bool,
    ) -> Finding:
        """A finding on ``node`` of the file being visited (see ``Rule.report``)."""
        pos = self.get_metadata(PositionProvider, node)
        anchor_pos = self.get_metadata(PositionProvider, anchor) if anchor is not None else pos
        end_line = pos.start.line if first_line_only else pos.end.line
        anchor_end = anchor_pos.start.line if first_line_only else anchor_pos.end.line
        return Finding(
            rule=self.id,
            name=self.name,
            severity=self.severity,
            path=self.ctx.path,
            line=pos.start.line,
            end_line=end_line,
            column=pos.start.column + 1,
            message=message,
            fingerprint=fingerprint(self.id, self.ctx.path, key),
            suggestion=suggestion,
            anchor=(anchor_pos.start.line, anchor_end),
        )


class ScopedPythonRule(PythonRule):
    """A Python rule that knows its enclosing def/class, and whether that def is ``async``."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        from undertow.analyzers.python.names import ScopeNames

        self.scope = ScopeNames()
        self.async_stack: list[bool] = [False]

    @property
    def in_async(self) -> bool:
        return self.async_stack[-1]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.push(node.name.value)
        self.async_stack.append(node.asynchronous is not None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scope.pop()
        self.async_stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.async_stack.append(False)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.async_stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.push(node.name.value)
        self.async_stack.append(False)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scope.pop()
        self.async_stack.pop()
