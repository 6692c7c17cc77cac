"""The libcst half of ``syntax``: newer Python constructs lowered, on the same lines, to what
this interpreter's ``ast`` reads. Imported only when ``ast.parse`` has refused a file and the
token-level lowering did not do (a review of ordinary files never loads libcst for it)."""

from __future__ import annotations

from typing import TypeVar

import libcst as cst

# What libcst raises for text it does not parse, and for a tree it refuses to hold.
NOT_PARSED: tuple[type[Exception], ...] = (cst.ParserSyntaxError,)
REJECTED: tuple[type[Exception], ...] = (cst.CSTValidationError, cst.CSTLogicError)


def lower_with_libcst(source: str) -> str:
    return cst.parse_module(source).visit(_Lower()).code


class _Lower(cst.CSTTransformer):
    """Newer constructs rewritten, on the same lines, in the grammar of Python 3.11."""

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if not updated.type_parameters:
            return updated
        # `class C[T]:` → `class C:`; `class C[T](Base):` keeps its bases.
        return updated.with_changes(type_parameters=None)

    def leave_TypeAlias(self, original: cst.TypeAlias, updated: cst.TypeAlias) -> cst.Assign:
        return cst.Assign(targets=[cst.AssignTarget(target=updated.name)], value=updated.value)

    def leave_ExceptHandler(self, original: cst.ExceptHandler, updated: cst.ExceptHandler) -> cst.ExceptHandler:
        return _parenthesised_types(updated)

    def leave_ExceptStarHandler(
        self, original: cst.ExceptStarHandler, updated: cst.ExceptStarHandler
    ) -> cst.ExceptStarHandler:
        return _parenthesised_types(updated)

    def leave_TemplatedString(self, original: cst.TemplatedString, updated: cst.TemplatedString) -> cst.BaseExpression:
        return _interpolations([updated])

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        # `t"a" "b"` is one template: replaced whole (a part replaced alone breaks the node).
        return not any(isinstance(part, cst.TemplatedString) for part in _string_parts(node))

    def leave_ConcatenatedString(
        self, original: cst.ConcatenatedString, updated: cst.ConcatenatedString
    ) -> cst.BaseExpression:
        parts = _string_parts(updated)
        if not any(isinstance(part, cst.TemplatedString) for part in parts):
            return updated
        return _interpolations([p for p in parts if isinstance(p, cst.TemplatedString)])

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.FormattedString:
        quote = updated.end
        if len(quote) != 1 or not any(isinstance(part, cst.FormattedStringExpression) for part in updated.parts):
            return updated  # triple-quoted: nested quotes and line breaks were always allowed
        # PEP 701 lets a replacement field hold the f-string's own quote and line breaks; in a
        # triple-quoted f-string both were allowed before 3.12, with the same value.
        parts = [
            part.with_changes(expression=part.expression.visit(_Requote(quote * 3, quote)))
            if isinstance(part, cst.FormattedStringExpression)
            else part
            for part in updated.parts
        ]
        return updated.with_changes(start=updated.start + quote * 2, end=quote * 3, parts=parts)


class _Requote(cst.CSTTransformer):
    """Inside a replacement field of an f-string now triple-quoted: a string literal that is
    itself triple-quoted with the same quote would end it; it takes the other quote."""

    def __init__(self, triple: str, quote: str) -> None:
        super().__init__()
        self.triple, self.other = triple, ("'" if quote == '"' else '"') * 3

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        value = updated.value
        prefix = value[: len(value) - len(value.lstrip("rRbBuU"))]
        body = value[len(prefix) :]
        if not body.startswith(self.triple) or self.other in body[3:-3]:
            return updated
        return updated.with_changes(value=f"{prefix}{self.other}{body[3:-3]}{self.other}")

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.FormattedString:
        if updated.end != self.triple:
            return updated
        return updated.with_changes(start=updated.start[:-3] + self.other, end=self.other)


def _string_parts(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.ConcatenatedString):
        return [*_string_parts(node.left), *_string_parts(node.right)]
    return [node]


def _interpolations(templates: list[cst.TemplatedString]) -> cst.BaseExpression:
    """A template string as the tuple of its interpolated expressions (None when it has none),
    the shape its native tree is normalised to."""
    values = [part.expression for t in templates for part in t.parts if isinstance(part, cst.TemplatedStringExpression)]
    if not values:
        return cst.Name("None", lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    elements = [cst.Element(value, comma=cst.Comma()) for value in values]
    return cst.Tuple(elements=elements, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


_Handler = TypeVar("_Handler", cst.ExceptHandler, cst.ExceptStarHandler)


def _parenthesised_types(handler: _Handler) -> _Handler:
    kind = handler.type
    if isinstance(kind, cst.Tuple) and not kind.lpar:
        return handler.with_changes(
            type=kind.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]),
            whitespace_after_except=cst.SimpleWhitespace(" "),
        )
    return handler
