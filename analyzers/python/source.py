"""Parse a changed Python file once and run every enabled Python rule over it in one pass."""

from __future__ import annotations

import ast
import warnings

import libcst as cst
from libcst.metadata import MetadataWrapper

from undertow.analyzers.core.findings import Finding
from undertow.analyzers.core.limits import brackets_deeper_than
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.python.syntax import MAX_BRACKET_DEPTH, NESTING_LIMITS
from undertow.analyzers.rules.python_rule import PythonRule


class PythonParseError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def parse_python(source: str, path: str) -> cst.Module:
    """A libcst module, or PythonParseError with the line and a readable reason.

    CPython's own parser (which only parses) runs first as a gate: it rejects pathological
    nesting with a clean error, where libcst's native parser can exhaust the stack.
    """
    gate_error: SyntaxError | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is the author's concern
            ast.parse(source, filename=path)
    except SyntaxError as exc:
        if any(limit in exc.msg for limit in NESTING_LIMITS) or brackets_deeper_than(source, MAX_BRACKET_DEPTH):
            raise PythonParseError(exc.lineno or 1, f"{exc.msg} (line {exc.lineno or 1})") from None
        # Grammar newer than this interpreter's (e.g. PEP 758 `except A, B:`): libcst may know it.
        gate_error = exc
    except (RecursionError, MemoryError):
        raise PythonParseError(1, "expressions are nested too deeply to analyse") from None
    except ValueError as exc:  # source with NUL bytes
        raise PythonParseError(1, str(exc)) from None
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        if gate_error is not None:
            line = gate_error.lineno or 1
            raise PythonParseError(line, f"{gate_error.msg} (line {line})") from None
        raise PythonParseError(exc.raw_line, f"{exc.message} (line {exc.raw_line})") from None
    except RecursionError:
        raise PythonParseError(1, "expressions are nested too deeply to analyse") from None


def run_python_rules(module: cst.Module, ctx: FileContext, rules: list[type[PythonRule]]) -> list[Finding]:
    """All rules in one traversal; metadata providers are resolved once for the union they declare."""
    visitors = [rule(ctx) for rule in rules]
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    try:
        wrapper.visit_batched(visitors)
    except RecursionError:
        raise PythonParseError(1, "expressions are nested too deeply to analyse") from None
    return [finding for visitor in visitors for finding in visitor.findings]
