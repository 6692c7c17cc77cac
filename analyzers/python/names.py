"""Small helpers over libcst nodes shared by the Python rules."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
from libcst.metadata import CodeRange, QualifiedNameProvider

from undertow.analyzers.core.findings import Suggestion


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (itself excluded), depth first. libcst.matchers.findall does
    this too, but importing libcst.matchers costs more than a warm review (~0.3 s)."""
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def qualified_names(visitor: cst.MetadataDependent, node: cst.CSTNode) -> set[str]:
    """Fully qualified names of ``node`` through imports and aliases (``sp.run`` → ``subprocess.run``)."""
    return {q.name for q in visitor.get_metadata(QualifiedNameProvider, node, set())}


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    """``f(**opts)`` may carry any keyword, so a missing one cannot be proven missing."""
    return any(arg.star == "**" for arg in call.args)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for Name/Attribute chains, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


class ScopeNames:
    """Tracks the enclosing def/class names, for fingerprints that survive line shifts."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.counts: dict[tuple[str, str], int] = {}

    def push(self, name: str) -> None:
        self.stack.append(name)

    def pop(self) -> None:
        self.stack.pop()

    def key(self, what: str) -> str:
        """``scope/what#n``: the n-th occurrence of ``what`` in the current scope."""
        scope = ".".join(self.stack) or "<module>"
        n = self.counts.get((scope, what), 0) + 1
        self.counts[(scope, what)] = n
        return f"{scope}/{what}#{n}"


def keyword_suggestion(lines: list[str], pos: CodeRange, argument: str, description: str) -> Suggestion | None:
    """A ``replace`` suggestion adding ``argument`` to a call that fits on one line, else None."""
    if pos.start.line != pos.end.line:
        return None
    line = lines[pos.start.line - 1]
    close = pos.end.column - 1  # libcst columns are code points; the call ends with its ")"
    if line[close : close + 1] != ")":
        return None
    inside = line[pos.start.column : close].rstrip()
    separator = "" if inside.endswith("(") else (" " if inside.endswith(",") else ", ")
    return Suggestion("replace", line[:close] + f"{separator}{argument}" + line[close:], description)


_EMPTY_MODULE = cst.Module(body=[])


def source_of(node: cst.CSTNode) -> str:
    """The code of a node, for comparing expressions (``key`` in ``r.incr(key)``)."""
    return _EMPTY_MODULE.code_for_node(node)


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain string literal (not an f-string), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
