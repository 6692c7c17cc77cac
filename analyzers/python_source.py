"""Parse a changed Python file once and run every enabled Python rule over it in one pass."""

from __future__ import annotations

import ast
import warnings
from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper

from analyzers.context import FileContext
from analyzers.findings import Finding
from analyzers.rules.base import PythonRule


_NESTING_LIMITS = ("too many nested parentheses", "too many levels of indentation", "too many statically nested blocks")
# CPython's parser refuses more than 200 nested brackets; libcst's native parser is only safe
# well below the depth at which its stack runs out.
MAX_BRACKET_DEPTH = 150


def _bracket_depth(source: str) -> int:
    """Deepest bracket nesting, counting brackets inside strings too (an over-estimate is safe)."""
    depth = deepest = 0
    for char in source:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(depth - 1, 0)
    return deepest


_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}


def _visitors_of(visitor: cst.BatchableCSTVisitor) -> dict[str, Callable]:
    """The same mapping as libcst's ``BatchableCSTVisitor.get_visitors``, listed once per class.

    libcst lists a visitor's ``visit_*``/``leave_*`` methods with ``inspect.getmembers`` over the
    ~1,500 typed stubs of every visitor, for every file it visits: about 5 ms per rule or
    metadata provider and file, most of a small file's review. The names depend on the class
    alone, so each class is listed once (tests check both listings agree for every rule)."""
    cls = type(visitor)
    names = _VISITOR_NAMES.get(cls)
    if names is None:
        names = _VISITOR_NAMES[cls] = tuple(
            name for name in dir(cls)
            if name.startswith(("visit_", "leave_")) and callable(method := getattr(cls, name))
            and not getattr(method, "_is_no_op", False)
        )
    return {name: getattr(visitor, name) for name in names}


# Rules and libcst's own batchable metadata providers (scope, qualified names) all go through it.
LIBCST_GET_VISITORS = cst.BatchableCSTVisitor.get_visitors
cst.BatchableCSTVisitor.get_visitors = _visitors_of  # type: ignore[method-assign]


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
        if any(limit in exc.msg for limit in _NESTING_LIMITS) or _bracket_depth(source) > MAX_BRACKET_DEPTH:
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
