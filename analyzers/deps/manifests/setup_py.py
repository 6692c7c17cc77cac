"""setup.py: the literal ``install_requires`` / ``extras_require`` of its ``setup(...)`` call.

Read from the syntax tree (``python/syntax.parse_ast``), never run: a list or tuple of string
literals, a newline-separated string, a module-level variable holding one, ``a + b`` of those,
and ``setup(**kwargs)`` with a literal dict. Anything computed (``open("requirements.txt")``, a
function call, a comprehension) makes the manifest *opaque*: what it declares is unknown, and
the dependency map treats it as declaring anything rather than nothing."""

from __future__ import annotations

import ast

from packaging.requirements import InvalidRequirement

from undertow.analyzers.core.limits import MAX_DEPTH, MAX_LINE_CHARS
from undertow.analyzers.deps.manifests.model import Declared, Manifest, Problem, requirement
from undertow.analyzers.python.syntax import Unparseable, parse_ast

_KEYWORDS = ("install_requires", "extras_require")


class _Opaque(Exception):
    """A value that is not a literal (or nests deeper than MAX_DEPTH)."""


def parse_setup_py(path: str, text: str) -> Manifest:
    try:
        tree = parse_ast(text, path)
    except Unparseable as exc:
        return Manifest(path=path, declared=(), problems=(Problem(exc.line, f"not valid Python: {exc}"),), opaque=True)
    variables = _module_variables(tree)
    declared: list[Declared] = []
    problems: list[Problem] = []
    opaque = False
    for call in _setup_calls(tree):
        try:
            values = _setup_keywords(call, variables)
        except _Opaque:
            values = {}
            opaque = True
            problems.append(Problem(call.lineno, "setup() is given a computed **kwargs: not read"))
        for keyword, value in values.items():
            try:
                groups = _groups(keyword, value, variables)
            except _Opaque:
                opaque = True
                problems.append(Problem(value.lineno, f"{keyword} is computed, not a literal: not read"))
                continue
            for group, items in groups:
                for line, item in items:
                    try:
                        declared.append(Declared.from_requirement(requirement(item), line, item, group=group))
                    except InvalidRequirement as exc:
                        problems.append(Problem(line, f"not a valid requirement: {str(exc).splitlines()[0]}"))
    return Manifest(path=path, declared=tuple(declared), problems=tuple(problems), opaque=opaque)


def _module_variables(tree: ast.Module) -> dict[str, ast.expr]:
    """``NAME = value`` / ``NAME: T = value`` at module level (the last one wins, as when run)."""
    found: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            found[stmt.target.id] = stmt.value
    return found


def _setup_calls(tree: ast.Module) -> list[ast.Call]:
    """``setup(...)``, ``setuptools.setup(...)``, ``distutils.core.setup(...)`` anywhere (often
    under ``if __name__ == "__main__":``)."""
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "setup":
                calls.append(node)
    return calls


def _setup_keywords(call: ast.Call, variables: dict[str, ast.expr]) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for keyword in call.keywords:
        if keyword.arg in _KEYWORDS:
            found[keyword.arg] = keyword.value
        elif keyword.arg is None:  # setup(**kwargs)
            mapping = _dict(keyword.value, variables, 0)
            for key, value in mapping:
                if key in _KEYWORDS:
                    found.setdefault(key, value)
    return found


def _resolve(node: ast.expr, variables: dict[str, ast.expr], depth: int) -> ast.expr:
    """A module-level variable's value (followed up to MAX_DEPTH names)."""
    while isinstance(node, ast.Name):
        depth += 1
        if depth > MAX_DEPTH or node.id not in variables:
            raise _Opaque
        node = variables[node.id]
    return node


def _dict(node: ast.expr, variables: dict[str, ast.expr], depth: int) -> list[tuple[str, ast.expr]]:
    if depth > MAX_DEPTH:
        raise _Opaque
    node = _resolve(node, variables, depth)
    if isinstance(node, ast.Dict):
        pairs = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**other}
                pairs += _dict(value, variables, depth + 1)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                pairs.append((key.value, value))
            else:
                raise _Opaque
        return pairs
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        pairs = []
        for keyword in node.keywords:
            if keyword.arg is None:
                pairs += _dict(keyword.value, variables, depth + 1)
            else:
                pairs.append((keyword.arg, keyword.value))
        return pairs
    raise _Opaque


def _strings(node: ast.expr, variables: dict[str, ast.expr], depth: int) -> list[tuple[int, str]]:
    """(line, requirement) of a literal list/tuple/string, a variable holding one, or ``a + b``."""
    if depth > MAX_DEPTH:
        raise _Opaque
    node = _resolve(node, variables, depth)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        # A string: one requirement per line (setuptools accepts it), comments dropped.
        found = []
        for offset, line in enumerate(node.value.splitlines()):
            item = line.split(" #", 1)[0].strip()
            if item and not item.startswith("#") and len(item) <= MAX_LINE_CHARS:
                found.append((node.lineno + offset, item))
        return found
    if isinstance(node, (ast.List, ast.Tuple)):
        found = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                found += _strings(element.value, variables, depth + 1)
            elif isinstance(element, ast.Constant) and isinstance(element.value, str):
                if len(element.value) <= MAX_LINE_CHARS and element.value.strip():
                    found.append((element.lineno, element.value.strip()))
            else:
                found += _strings(element, variables, depth + 1)
        return found
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _strings(node.left, variables, depth + 1) + _strings(node.right, variables, depth + 1)
    raise _Opaque


def _groups(keyword: str, value: ast.expr, variables: dict[str, ast.expr]) -> list[tuple[str, list[tuple[int, str]]]]:
    if keyword == "install_requires":
        return [("", _strings(value, variables, 0))]
    # An extra may carry a marker in setuptools' old form, "name:python_version<'3.8'".
    pairs = _dict(value, variables, 0)
    return [(extra.split(":", 1)[0].strip(), _strings(items, variables, 0)) for extra, items in pairs]
