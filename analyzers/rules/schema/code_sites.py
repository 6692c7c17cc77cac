"""Where changed Python code touches mapped models: constructor keywords, comparisons, attribute
reads, upserts and raw SQL strings. Shared by SCH005–SCH008 (parse with ``ast``, never run)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from undertow.analyzers.core.limits import within_size
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.facts.indexes import file_facts
from undertow.analyzers.python.facts import sql_call  # one policy: the same calls as the `sql` facts
from undertow.analyzers.python.modules import summarize_tree
from undertow.analyzers.python.syntax import Unparseable, parse_ast


@dataclass
class Site:
    kind: str  # "write" (Model(col="x") / Model.col == "x"), "attribute", "conflict", "sql"
    line: int
    model: str | None = None
    attribute: str | None = None
    value: str | None = None
    detail: dict[str, Any] | None = None  # a "conflict" site's {"constraint": ..., "columns": ...}


def python_sites(path: str, source: str) -> Iterator[Site]:
    try:
        tree = parse_ast(source, path)
    except Unparseable:
        return
    imports = summarize_tree(path, tree).imports
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                for kw in node.keywords:
                    if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        yield Site("write", node.lineno, func.id, kw.arg, kw.value.value)
            name = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
            if name in ("on_conflict_do_update", "on_conflict_do_nothing"):
                model = _inserted_model(func.value) if isinstance(func, ast.Attribute) else None
                constraint = next(
                    (
                        k.value.value
                        for k in node.keywords
                        if k.arg == "constraint" and isinstance(k.value, ast.Constant)
                    ),
                    None,
                )
                elements = next((k.value for k in node.keywords if k.arg == "index_elements"), None)
                columns = (
                    [e.value for e in elements.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                    if isinstance(elements, (ast.List, ast.Tuple))
                    else None
                )
                if model and (constraint or columns):
                    yield Site("conflict", node.lineno, model, detail={"constraint": constraint, "columns": columns})
            attr = func.attr if isinstance(func, ast.Attribute) else None
            if (
                sql_call(attr, imports.get(name, name) if attr is None else name)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield Site("sql", node.args[0].lineno, value=node.args[0].value)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            left, right = node.left, node.comparators[0]
            if (
                isinstance(left, ast.Attribute)
                and isinstance(left.value, ast.Name)
                and isinstance(right, ast.Constant)
                and isinstance(right.value, str)
            ):
                yield Site("write", node.lineno, left.value.id, left.attr, right.value)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and isinstance(node.ctx, ast.Load):
            yield Site("attribute", node.lineno, node.value.id, node.attr)


def _inserted_model(node: ast.expr) -> str | None:
    """The model in `insert(Model).values(...)...` (a chain of calls)."""
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
            if name == "insert" and node.args and isinstance(node.args[0], ast.Name):
                return node.args[0].id
            node = func
        else:
            node = node.value
    return None


def changed_sites(ctx: RepoContext, kinds: set[str]) -> Iterator[tuple[str, Site]]:
    """(head path, site) for sites in the change's Python files: on changed lines at head, and
    everywhere in the same files at base (so that moved code stays pre-existing)."""
    for changed in ctx.changes.present:
        if not changed.path.endswith(".py") or ctx.config.is_excluded(changed.path):
            continue
        path = changed.path if ctx.side == "head" else (changed.old_path or changed.path)
        entry = ctx.snapshot.entries().get(path)
        if not within_size(entry):
            continue  # the engine reports the skipped file once
        # Four rules on two revisions ask for the same file's sites: extracted once per blob.
        for raw in file_facts(ctx.facts, "code-sites", path, _sites_json) or []:
            site = Site(*raw)
            if site.kind in kinds and (ctx.side == "base" or site.line in changed.lines):
                yield changed.path, site


def _sites_json(path: str, source: str) -> list[list[Any]]:
    return [[s.kind, s.line, s.model, s.attribute, s.value, s.detail] for s in python_sites(path, source)]
