"""Python source to one ``ast`` tree, the same whatever Python runs Undertow.

The revision-wide extractors read ``ast`` (fast: a 2,000-file repository parses in seconds),
but ``ast`` only reads its own interpreter's grammar: on 3.11, PEP 695 generics and ``type``
statements (3.12), PEP 701 f-strings (3.12), PEP 758 ``except A, B:`` and PEP 750 template
strings (3.14) are syntax errors. libcst's native parser reads all of them. So:

1. ``ast.parse`` first: almost every file, at its usual cost.
2. On a syntax error, libcst parses the file and *lowers* the newer constructs, in place and on
   the same lines, to what this interpreter reads: type parameters dropped, ``type X = v`` as
   ``X = v``, ``except A, B:`` parenthesised, nested quotes inside f-strings swapped, template
   strings as a tuple of their interpolations. Then ``ast.parse`` reads the lowered text.
3. Trees from an interpreter that reads the newer grammar itself are normalised to the same
   shape (``TypeAlias`` as ``Assign``, ``TemplateStr`` as ``Tuple``), so every extractor sees one
   tree whatever interpreter runs it.

Anything neither parser reads (Python 2, templates, pathological nesting) is ``Unparseable``.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import threading
import tokenize
import warnings

from undertow.analyzers.core.limits import brackets_deeper_than

# CPython's parser refuses more than 200 nested brackets; libcst's native parser is only safe
# well below the depth at which its stack runs out.
MAX_BRACKET_DEPTH = 150
NESTING_LIMITS = ("too many nested parentheses", "too many levels of indentation", "too many statically nested blocks")
_TYPE_STATEMENT = re.compile(r"^[ \t]*type[ \t]+\w", re.MULTILINE)


class Unparseable(ValueError):
    """Source that no supported grammar reads; ``line`` is where the first parser stopped."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


# The last few trees parsed: the extractors of one file (its Python facts, ORM models, Alembic
# revision; the schema rules' code sites of a changed file) read one parse. Trees are shared,
# so readers never modify them.
_MEMO_SIZE = 16
_memo: dict[tuple[str, str], ast.Module] = {}
_memo_lock = threading.Lock()


def clear_parse_memo() -> None:
    with _memo_lock:
        _memo.clear()


def parse_ast(source: str, path: str = "<unknown>") -> ast.Module:
    """The module's ``ast``, for any grammar from Python 3.8 to 3.14 (one parse for the
    readers of the same file: the last trees are kept)."""
    key = (path, source)
    tree = _memo.get(key)
    if tree is None:
        tree = _parse(source, path)
        with _memo_lock:
            while len(_memo) >= _MEMO_SIZE:
                del _memo[next(iter(_memo))]
            _memo[key] = tree
    return tree


def _parse(source: str, path: str) -> ast.Module:
    try:
        tree = _ast_parse(source, path)
    except SyntaxError as exc:
        line = exc.lineno or 1
        if any(limit in (exc.msg or "") for limit in NESTING_LIMITS):
            raise Unparseable(line, f"{exc.msg} (line {line})") from None
        return _lowered(source, path, exc)
    except (RecursionError, MemoryError):
        raise Unparseable(1, "expressions are nested too deeply to analyse") from None
    except ValueError as exc:  # NUL bytes
        raise Unparseable(1, str(exc)) from None
    return _normalised(tree, source)


def _ast_parse(source: str, path: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is the author's concern
        return ast.parse(source, filename=path)


def _lowered(source: str, path: str, first: SyntaxError) -> ast.Module:
    # Several extractors read the same file in one review: the lowering is done once.
    digest = hashlib.sha1(source.encode("utf-8", "surrogatepass")).digest()
    known = _LOWERED.get(digest)
    if known is not None:
        if isinstance(known, Unparseable):
            raise known
        return _normalised(_ast_parse(known, path), known)
    try:
        lowered, tree = _lower(source, path, first)
    except Unparseable as exc:
        _remember(digest, exc)
        raise
    _remember(digest, lowered)
    return _normalised(tree, lowered)


_LOWERED: dict[bytes, str | Unparseable] = {}
_LOWERED_LIMIT = 512


def _remember(digest: bytes, value: str | Unparseable) -> None:
    if len(_LOWERED) >= _LOWERED_LIMIT:
        _LOWERED.pop(next(iter(_LOWERED)))
    _LOWERED[digest] = value


def _lower(source: str, path: str, first: SyntaxError) -> tuple[str, ast.Module]:
    """Source this interpreter's ``ast`` reads, with the same facts on the same lines, and its
    tree (parsed once: the parse that proves the lowering worked is the one returned)."""
    line = first.lineno or 1
    reason = Unparseable(line, f"{first.msg} (line {line})")
    if brackets_deeper_than(source, MAX_BRACKET_DEPTH):
        raise reason
    # The usual newer syntax (PEP 695, PEP 758) is lowered on the token stream, several times
    # cheaper than a libcst round trip; what that does not cover (PEP 701, PEP 750) goes to libcst.
    quick = _lower_tokens(source)
    if quick is not None:
        try:
            return quick, _ast_parse(quick, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    from undertow.analyzers.python.cst_lowering import NOT_PARSED, REJECTED, lower_with_libcst

    unreadable: tuple[type[Exception], ...] = (*NOT_PARSED, SyntaxError, ValueError, RecursionError, MemoryError)
    try:
        lowered = lower_with_libcst(source)
        tree = _ast_parse(lowered, path)
    except unreadable:
        raise reason from None
    except REJECTED:
        # libcst rejecting the tree of a garbled file (e.g. a t-string concatenation, which its
        # own ConcatenatedString cannot hold): unreadable. Anything else is a bug of the
        # lowering and reaches the caller's failure boundary (UND004).
        raise reason from None
    return lowered, tree


def _normalised(tree: ast.Module, source: str) -> ast.Module:
    type_alias = getattr(ast, "TypeAlias", None)
    template = getattr(ast, "TemplateStr", None)
    needed = (type_alias is not None and _TYPE_STATEMENT.search(source)) or (
        template is not None and ("t'" in source or 't"' in source)
    )
    return _Normalise().visit(tree) if needed else tree


class _Normalise(ast.NodeTransformer):
    """Native trees of newer grammar in the shape lowering gives on older interpreters."""

    def visit_TypeAlias(self, node: ast.AST) -> ast.AST:
        self.generic_visit(node)
        # ast.TypeAlias is Python 3.12+: the 3.11 stubs mypy reads have no such node.
        name = node.name  # type: ignore[attr-defined]  # a TypeAlias (see above)
        value = node.value  # type: ignore[attr-defined]  # a TypeAlias (see above)
        assign = ast.Assign(targets=[ast.Name(id=name.id, ctx=ast.Store())], value=value)
        return ast.copy_location(assign, node)

    def visit_TemplateStr(self, node: ast.AST) -> ast.AST:
        self.generic_visit(node)
        # ast.TemplateStr is Python 3.14+: the 3.11 stubs mypy reads have no such node.
        values = [v.value for v in node.values if type(v).__name__ == "Interpolation"]  # type: ignore[attr-defined]
        replacement = ast.Tuple(elts=values, ctx=ast.Load()) if values else ast.Constant(value=None)
        return ast.copy_location(replacement, node)


def _lower_tokens(source: str) -> str | None:
    """PEP 695 type parameters blanked and ``type X = v`` spelt ``X = v`` (same columns for
    everything after), ``except A, B:`` parenthesised; None when the text does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, int, str]] = []  # (row, col, end row, end col, replacement)
    statement_start = True
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if (
            tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT)
            or tok.string == ";"
        ):
            statement_start = tok.type != tokenize.COMMENT or statement_start
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if (
            tok.string in ("def", "class")
            and nxt is not None
            and nxt.type == tokenize.NAME
            and after is not None
            and after.string == "["
        ):
            end = _closing(tokens, i + 2)
            if end is None:
                return None
            edits.append((*after.start, *tokens[end].end, ""))
            i = end + 1
        elif (
            statement_start
            and tok.string == "type"
            and nxt is not None
            and nxt.type == tokenize.NAME
            and after is not None
            and after.string in ("=", "[")
        ):
            edits.append((*tok.start, *nxt.end, nxt.string))
            if after.string == "[":
                end = _closing(tokens, i + 2)
                if end is None:
                    return None
                edits.append((*after.start, *tokens[end].end, ""))
                i = end + 1
            else:
                i += 2
        elif tok.string == "except" and nxt is not None and nxt.string != ":":
            colon = _top_level_colon(tokens, i + 1)
            if colon is not None and any(t.string == "," for t in _top_level(tokens, i + 1, colon)):
                edits.append((*nxt.start, *nxt.start, "("))
                edits.append((*tokens[colon].start, *tokens[colon].start, ")"))
            i += 1
        else:
            i += 1
        statement_start = False
    if not edits:
        return None
    return _apply(lines, edits)


def _closing(tokens: list[tokenize.TokenInfo], opening: int) -> int | None:
    depth = 0
    for j in range(opening, len(tokens)):
        if tokens[j].string in "([{" and tokens[j].type == tokenize.OP:
            depth += 1
        elif tokens[j].string in ")]}" and tokens[j].type == tokenize.OP:
            depth -= 1
            if depth == 0:
                return j
    return None


def _top_level_colon(tokens: list[tokenize.TokenInfo], start: int) -> int | None:
    depth = 0
    for j in range(start, len(tokens)):
        text = tokens[j].string
        if tokens[j].type == tokenize.OP and text in "([{":
            depth += 1
        elif tokens[j].type == tokenize.OP and text in ")]}":
            depth -= 1
        elif depth == 0 and text == ":":
            return j
        elif tokens[j].type in (tokenize.NEWLINE,):
            return None
    return None


def _top_level(tokens: list[tokenize.TokenInfo], start: int, stop: int) -> list[tokenize.TokenInfo]:
    depth, out = 0, []
    for tok in tokens[start:stop]:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif depth == 0:
            out.append(tok)
    return out


def _apply(lines: list[str], edits: list[tuple[int, int, int, int, str]]) -> str | None:
    """Apply edits from the last to the first; a removed span keeps its width as blanks, so
    columns and lines after it do not move. A span over several lines is left to libcst."""
    for row, col, end_row, end_col, text in sorted(edits, reverse=True):
        if row != end_row:
            return None
        line = lines[row - 1]
        removed = line[col:end_col]
        pad = " " * (len(removed) - len(text)) if len(text) <= len(removed) else ""
        lines[row - 1] = line[:col] + text + pad + line[end_col:]
    return "".join(lines)
