"""Where Python code touches mapped models: constructor keywords, comparisons, attribute reads,
writes to instances, upserts and raw SQL strings. Shared by SCH005–SCH008 (parse with ``ast``,
never run).

Which sites a rule examines (``sites_to_check``): those on the changed lines of the change's
Python files; and, when the change touches migrations (it may drop or alter a column, index or
constraint that unchanged code uses), every site of every Python file but migrations. A site
found at both revisions has the same fingerprint: only what the change breaks is new."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from undertow.analyzers.core.limits import within_size
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.facts.indexes import file_facts, file_index
from undertow.analyzers.python.facts import sql_call  # one policy: the same calls as the `sql` facts
from undertow.analyzers.python.modules import imported_module, package_of
from undertow.analyzers.python.syntax import Unparseable, parse_ast
from undertow.analyzers.schema.facts import ModelClass, is_migration_path, schema_facts
from undertow.analyzers.schema.paths import is_migration_source


class Conflict(NamedTuple):
    """An upsert's conflict target: a constraint name, or the index elements as written."""

    constraint: str | None
    columns: tuple[str, ...] | None  # column names, or the model's attribute names (``attributes``)
    attributes: bool = False  # index_elements=[Model.a, Model.b]
    partial: bool = False  # index_where=...: a partial unique index is meant


class Site(NamedTuple):
    # "write" (Model(col="x"), obj.col = "x", .values(col="x"), Model.col == "x"), "attribute",
    # "conflict" or "sql"
    kind: str
    line: int
    model: str | None = None  # a class name as the code writes it
    attribute: str | None = None
    value: str | None = None
    conflict: Conflict | None = None  # a "conflict" site's target
    # Where the class name comes from in the file: the dotted name its import gives, "" for a
    # class the file defines itself, None when unknown (a star import, a global of elsewhere).
    origin: str | None = None

    def to_json(self) -> list[Any]:
        conflict = None if self.conflict is None else list(self.conflict)
        return [self.kind, self.line, self.model, self.attribute, self.value, conflict, self.origin]

    @classmethod
    def from_json(cls, raw: list[Any]) -> Site:
        kind, line, model, attribute, value, conflict, origin = raw
        target = None
        if conflict is not None:
            columns = None if conflict[1] is None else tuple(conflict[1])
            target = Conflict(conflict[0], columns, bool(conflict[2]), bool(conflict[3]))
        return cls(kind, line, model, attribute, value, target, origin)


def is_model(model: ModelClass, site: Site, path: str) -> bool:
    """Whether the class the site names is that mapped class, as far as the file says: one the
    file defines (the model's own file), or one imported from the model's module or a package
    above it (a re-export). A same-named class of another module (``schemas.Order`` beside
    ``models.Order``) or a name of unknown origin is not."""
    if site.origin is None:
        return False
    if site.origin == "":
        return model.path == path
    module, _, name = site.origin.rpartition(".")
    if name != model.name or not module:
        return False
    rel = model.path[:-3] if model.path.endswith(".py") else model.path
    dotted = rel.replace("/", ".").removesuffix(".__init__")
    return f".{module}." in f".{dotted}." or f".{dotted}.".endswith(f".{module}.")


# -- extraction -----------------------------------------------------------------------------


class _Typed(NamedTuple):
    """What an expression holds: ``kind`` of rows of the mapped class named ``model``."""

    kind: str  # "one" (an instance), "many" (a list), "query", "select", "result", "scalars", "insert", "update"
    model: str
    node: ast.expr  # the class as written (a Name or an Attribute)


class _Binding(NamedTuple):
    """One binding of a name in a scope, and how to know what it holds."""

    line: int
    col: int
    name: str
    how: str  # "unknown", "value" (of expr), "element" (of iterating expr), "annotation", "declared"
    expr: ast.expr | None
    annotation: ast.expr | None


_SQL_LIBRARIES = ("sqlalchemy", "sqlmodel")
_MAX_CHAIN = 64  # a method chain longer than this is not followed (hostile input)
_QUERY_CHAIN = {
    "filter",
    "filter_by",
    "where",
    "order_by",
    "limit",
    "offset",
    "join",
    "outerjoin",
    "options",
    "with_for_update",
    "distinct",
    "populate_existing",
    "execution_options",
    "enable_eagerloads",
}
_SELECT_CHAIN = _QUERY_CHAIN | {"join_from", "select_from"}
_ONE = {"first", "one", "one_or_none", "first_or_404", "one_or_404"}
_INSERT_CHAIN = {"values", "on_conflict_do_update", "on_conflict_do_nothing", "returning", "execution_options"}
_UPDATE_CHAIN = {"where", "filter", "filter_by", "values", "returning", "execution_options"}
_MANY_HINTS = {"list", "List", "Sequence", "Iterable", "Iterator", "set", "Set", "AbstractSet", "Collection"}
# What a method of rows of a class gives: kind -> {method: kind}.
_CHAINS: dict[str, dict[str, str]] = {
    "query": {
        **dict.fromkeys(_QUERY_CHAIN, "query"),
        **dict.fromkeys(_ONE | {"get"}, "one"),
        "all": "many",
    },
    "select": dict.fromkeys(_SELECT_CHAIN, "select"),
    "result": {"scalars": "scalars", "scalar_one": "one", "scalar_one_or_none": "one", "unique": "result"},
    "scalars": {"all": "many", "first": "one", "one": "one", "one_or_none": "one", "unique": "scalars"},
    "insert": dict.fromkeys(_INSERT_CHAIN, "insert"),
    "update": dict.fromkeys(_UPDATE_CHAIN, "update"),
}
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _classy(node: ast.expr) -> str | None:
    """The class name of ``Order`` or ``models.Order`` (capitalised, as classes are named)."""
    if isinstance(node, ast.Name) and node.id[:1].isupper():
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr[:1].isupper():
        return node.attr
    return None


def _one_class_arg(node: ast.Call) -> ast.expr | None:
    """The class of ``f(Model)``: exactly one positional argument, a class name, no keywords."""
    if len(node.args) == 1 and not node.keywords and _classy(node.args[0]):
        return node.args[0]
    return None


class _File:
    """One file's scopes: what each name holds where it can be known (an assignment, an
    annotation, a loop over query results), and the sites found through them."""

    def __init__(self, path: str, tree: ast.Module) -> None:
        self.imports, self.defined, self.stars = _top_level(path, tree)
        # insert/update/select functions of SQLAlchemy under any local name.
        self.sql_funcs = {
            local: name
            for local, target in self.imports.items()
            if target.startswith(_SQL_LIBRARIES)
            and (name := target.rsplit(".", 1)[-1]) in ("insert", "update", "select")
        }
        self.sites: list[Site] = []
        self._scope(tree, None)
        self.sites.sort(key=lambda site: site.line)

    def origin(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.imports:
                return self.imports[node.id]
            if node.id in self.defined:
                return ""
            # One `from app.models import *`: the name may come from there (else unknown).
            return f"{self.stars[0]}.{node.id}" if len(self.stars) == 1 else None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = self.imports.get(node.value.id)
            return f"{module}.{node.attr}" if module else None
        return None

    # -- scopes -------------------------------------------------------------------------------

    def _scope(self, scope: ast.AST, parent: Callable[[str], _Typed | None] | None) -> None:
        bindings: list[_Binding] = []
        nested: list[ast.AST] = []
        body: list[ast.AST] = []

        def bind(node: ast.AST, name: str, how: str = "unknown", expr: ast.expr | None = None) -> None:
            line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
            annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
            bindings.append(_Binding(line, col, name, how, expr, annotation))

        def bind_names(node: ast.AST) -> None:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    bind(sub, sub.id)

        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = scope.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                bind(scope, arg.arg, "annotation" if arg.annotation is not None else "unknown", arg.annotation)
            for extra in (args.vararg, args.kwarg):
                if extra is not None:
                    bind(scope, extra.arg)
        stack: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)  # type: ignore[attr-defined]
        while stack:
            node = stack.pop()
            if isinstance(node, _NESTED):
                nested.append(node)
                if not isinstance(node, ast.Lambda):
                    bind(node, node.name)
                stack.extend(_evaluated_outside(node))  # decorators, defaults, bases: this scope's
                continue
            body.append(node)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        bind(target, target.id, "value", node.value)
                    else:
                        bind_names(target)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                bind(node, node.target.id, "declared", node.value)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                if isinstance(node.target, ast.Name):
                    bind(node.target, node.target.id, "element", node.iter)
                else:
                    bind_names(node.target)
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                bind(node.target, node.target.id, "value", node.value)
            elif isinstance(node, (ast.AugAssign, ast.comprehension)):
                bind_names(node.target)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                bind_names(node.optional_vars)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bind(node, alias.asname or alias.name.split(".")[0])
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    bind(node, name)
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                bind(node, node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                bind(node, node.rest)
            stack.extend(ast.iter_child_nodes(node))

        # Names bound here hold one kind of thing, the same at every binding, or are unknown.
        local = {binding.name for binding in bindings}
        env: dict[str, _Typed] = {}
        poisoned: set[str] = set()

        def lookup(name: str) -> _Typed | None:
            if name in local:
                return None if name in poisoned else env.get(name)
            return parent(name) if parent is not None else None

        for binding in sorted(bindings, key=lambda b: (b.line, b.col)):
            name = binding.name
            if name in poisoned:
                continue
            typed = self._bound(binding, lookup)
            if typed is None or (name in env and env[name][:2] != typed[:2]):
                poisoned.add(name)
                env.pop(name, None)
            else:
                env[name] = typed

        for node in body:
            self._sites(node, lookup)
            self._plain_sites(node)
        # A class body's names are not visible in the functions inside it.
        inner = parent if isinstance(scope, ast.ClassDef) else lookup
        for child in nested:
            self._scope(child, inner)

    def _bound(self, binding: _Binding, lookup: Callable[[str], _Typed | None]) -> _Typed | None:
        if binding.how == "value":
            return self.typed(binding.expr, lookup)
        if binding.how == "element":
            return _element(self.typed(binding.expr, lookup))
        if binding.how == "annotation":
            return _annotated(binding.expr)
        if binding.how == "declared":  # x: Order = ... (what the value is, else what it is declared as)
            return self.typed(binding.expr, lookup) or _annotated(binding.annotation)
        return None

    # -- typing -------------------------------------------------------------------------------

    def typed(self, node: ast.expr | None, lookup: Callable[[str], _Typed | None], depth: int = 0) -> _Typed | None:
        """What ``node`` holds, when it is rows of one mapped class (else None: unknown)."""
        if node is None or depth > _MAX_CHAIN:
            return None
        if isinstance(node, ast.Await):
            return self.typed(node.value, lookup, depth + 1)
        if isinstance(node, ast.Name):
            return lookup(node.id)
        if isinstance(node, ast.Attribute):
            # Flask-SQLAlchemy's Model.query
            return _made("query", node.value) if node.attr == "query" and _classy(node.value) else None
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Name):
            if (made := self.sql_funcs.get(func.id)) is not None:
                return _made(made, _one_class_arg(node))
            if func.id == "list" and len(node.args) == 1 and not node.keywords:
                inner = self.typed(node.args[0], lookup, depth + 1)
                element = _element(inner)
                return element._replace(kind="many") if element is not None else None
            if _classy(func) and func.id not in self.sql_funcs:
                return _made("one", func)  # Order(...): an instance (the rule checks that it is mapped)
            return None
        if not isinstance(func, ast.Attribute):
            return None
        attr = func.attr
        if attr in ("insert", "update", "select") and isinstance(func.value, ast.Name):
            module = self.imports.get(func.value.id, "")
            # sa.insert(Model), postgresql.insert(Model), Flask-SQLAlchemy's db.select(Model)
            if module.startswith(_SQL_LIBRARIES) or func.value.id == "db":
                return _made(attr, _one_class_arg(node))
        if attr == "query" and (cls := _one_class_arg(node)) is not None:
            return _made("query", cls)  # session.query(Model)
        if attr in ("get", "get_one", "get_or_404") and len(node.args) >= 2 and _classy(node.args[0]):
            return _made("one", node.args[0])  # session.get(Model, pk)
        if attr in ("scalars", "scalar", "execute") and len(node.args) >= 1:
            selected = self.typed(node.args[0], lookup, depth + 1)
            if selected is not None and selected.kind == "select":
                return selected._replace(kind={"scalars": "scalars", "scalar": "one", "execute": "result"}[attr])
        receiver = self.typed(func.value, lookup, depth + 1)
        if receiver is None:
            return None
        new = _CHAINS.get(receiver.kind, {}).get(attr)
        return receiver._replace(kind=new) if new is not None else None

    # -- sites --------------------------------------------------------------------------------

    def _sites(self, node: ast.AST, lookup: Callable[[str], _Typed | None]) -> None:
        if isinstance(node, ast.Assign) and (written := _text(node.value)) is not None:
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    held = lookup(target.value.id)
                    if held is not None and held.kind == "one":  # order.state = "refunded"
                        self._site("write", target.lineno, held, target.attr, written)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr in ("on_conflict_do_update", "on_conflict_do_nothing", "values"):
                held = self.typed(node.func.value, lookup)
                if held is None or held.kind not in ("insert", "update"):
                    return
                if attr == "values":  # insert(Order).values(state="x"), update(Order)....values(...)
                    for kw in node.keywords:
                        if kw.arg and (value := _text(kw.value)) is not None:
                            self._site("write", node.lineno, held, kw.arg, value)
                elif held.kind == "insert":
                    upsert = _conflict(node, held)
                    if upsert is not None:
                        self._site("conflict", node.lineno, held, conflict=upsert)

    def _plain_sites(self, node: ast.AST) -> None:
        """Sites that need no knowledge of what a name holds: Model(col="x"), Model.col == "x",
        Model.attr (``Model`` or ``models.Model``), and SQL strings."""
        if isinstance(node, ast.Call):
            func = node.func
            if (model := _classy(func)) is not None:
                for kw in node.keywords:
                    if kw.arg and (value := _text(kw.value)) is not None:
                        self.sites.append(Site("write", node.lineno, model, kw.arg, value, origin=self.origin(func)))
            name = func.attr if isinstance(func, ast.Attribute) else (func.id if isinstance(func, ast.Name) else "")
            attr = func.attr if isinstance(func, ast.Attribute) else None
            if (
                sql_call(attr, self.imports.get(name, name) if attr is None else name)
                and node.args
                and (sql := _text(node.args[0])) is not None
            ):
                self.sites.append(Site("sql", node.args[0].lineno, value=sql))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            left, right = node.left, node.comparators[0]
            if (
                isinstance(left, ast.Attribute)
                and (model := _classy(left.value)) is not None
                and (value := _text(right)) is not None
            ):
                self.sites.append(Site("write", node.lineno, model, left.attr, value, origin=self.origin(left.value)))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and (model := _classy(node.value)):
            self.sites.append(Site("attribute", node.lineno, model, node.attr, origin=self.origin(node.value)))

    def _site(
        self,
        kind: str,
        line: int,
        held: _Typed,
        attribute: str | None = None,
        value: str | None = None,
        conflict: Conflict | None = None,
    ) -> None:
        self.sites.append(Site(kind, line, held.model, attribute, value, conflict, self.origin(held.node)))


def _made(kind: str, cls: ast.expr | None) -> _Typed | None:
    name = _classy(cls) if cls is not None else None
    return _Typed(kind, name, cls) if name is not None and cls is not None else None


def _element(held: _Typed | None) -> _Typed | None:
    """What iterating ``held`` gives: an instance per row of a query, scalars or list."""
    if held is None or held.kind not in ("query", "scalars", "many"):
        return None
    return held._replace(kind="one")


def _annotated(node: ast.expr | None) -> _Typed | None:
    """``order: Order``, ``Order | None``, ``Optional[Order]``, ``"Order"``, ``list[Order]``."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        # A forward reference: only a plain (dotted) class name is read, never parsed.
        written_text = "|".join(p.strip() for p in node.value.split("|") if p.strip() != "None")
        parts = written_text.split(".")
        if len(parts) > 2 or not all(p.isidentifier() for p in parts):
            return None
        written: ast.expr = ast.Name(parts[0], ast.Load())
        if len(parts) == 2:
            written = ast.Attribute(written, parts[1], ast.Load())
        return _annotated(written)
    if _classy(node) and not (isinstance(node, ast.Name) and node.id in _MANY_HINTS | {"Optional"}):
        return _made("one", node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)]
        return _annotated(sides[0]) if len(sides) == 1 else None
    if isinstance(node, ast.Subscript):
        outer = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", "")
        inner = _annotated(node.slice)
        if inner is None or inner.kind != "one":
            return None
        if outer == "Optional":
            return inner
        if outer in _MANY_HINTS:
            return inner._replace(kind="many")
    return None


def _conflict(node: ast.Call, held: _Typed) -> Conflict | None:
    constraint = next((_text(k.value) for k in node.keywords if k.arg == "constraint"), None)
    elements = next((k.value for k in node.keywords if k.arg == "index_elements"), None)
    columns: tuple[str, ...] | None = None
    attributes = False
    if isinstance(elements, (ast.List, ast.Tuple)) and elements.elts:
        texts = [_text(e) for e in elements.elts]
        attrs = [
            e.attr
            for e in elements.elts
            if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and _classy(e.value) == held.model
        ]
        if all(t is not None for t in texts):
            columns = tuple(t for t in texts if t is not None)
        elif len(attrs) == len(elements.elts):
            columns, attributes = tuple(attrs), True
    if constraint is None and columns is None:
        return None
    partial = any(k.arg == "index_where" for k in node.keywords)
    return Conflict(constraint, columns, attributes, partial)


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_sites(path: str, source: str) -> Iterator[Site]:
    try:
        tree = parse_ast(source, path)
    except Unparseable:
        return
    yield from _File(path, tree).sites


def _top_level(path: str, tree: ast.Module) -> tuple[dict[str, str], set[str], list[str]]:
    """(local name -> qualified name of the module's imports, the classes it defines, the
    modules it star-imports), as ``modules.summarize_tree`` reads them (module level, and
    inside ``if``/``try``)."""
    package = package_of(path)
    imports: dict[str, str] = {}
    classes: set[str] = set()
    stars: list[str] = []
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef):
            classes.add(node.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                imports[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = imported_module(node, package)
            for alias in node.names:
                if alias.name == "*":
                    stars += [base] if base else []
                    continue
                imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        elif isinstance(node, (ast.If, ast.Try)):
            children: list[ast.stmt] = [*node.body, *node.orelse, *getattr(node, "finalbody", [])]
            for handler in getattr(node, "handlers", []):
                children += handler.body
            stack.extend(reversed(children))
    return imports, classes, stars


def _evaluated_outside(node: ast.AST) -> list[ast.AST]:
    """What a def, lambda or class statement evaluates in the scope that holds it."""
    found: list[ast.AST] = list(getattr(node, "decorator_list", []))
    if isinstance(node, ast.ClassDef):
        found += [*node.bases, *(k.value for k in node.keywords)]
    else:
        args = node.args  # type: ignore[attr-defined]
        found += [d for d in [*args.defaults, *args.kw_defaults] if d is not None]
    return found


# -- which sites a rule examines ------------------------------------------------------------


def touches_migrations(ctx: RepoContext) -> bool:
    """Whether the change adds, alters or removes a migration (on either side of a rename): it
    may then break code it leaves alone. Known from the change alone, so base and head agree."""
    return any(
        is_migration_path(path, ctx.config)
        for changed in ctx.changes.files
        for path in (changed.path, changed.old_path)
        if path
    )


def sites_to_check(ctx: RepoContext, kinds: set[str]) -> Iterator[tuple[str, Site]]:
    """(path, site) for the sites a rule examines at this revision: ``changed_sites``, or, when
    the change touches migrations, every site of every Python file but migrations (at both
    revisions, so that what is found at base stays pre-existing)."""
    if not touches_migrations(ctx) or not _migrated_at_base(ctx):
        yield from changed_sites(ctx, kinds)
        return
    # A file the change renames is reported under its head path at both revisions.
    renamed = {c.old_path: c.path for c in ctx.changes.present if c.old_path} if ctx.side == "base" else {}
    # One index of every file's sites, cached per blob and per revision (a head's derived from
    # its base's plus the changed files).
    for path, raw_sites in sorted(file_index(ctx.facts, "code-sites", _is_code, _sites_json).items()):
        shown = renamed.get(path, path)
        if ctx.config.is_excluded(shown) or _is_migration_code(path, ctx):
            continue
        for raw in raw_sites or []:
            site = Site.from_json(raw)
            if site.kind in kinds:
                yield shown, site


def _migrated_at_base(ctx: RepoContext) -> bool:
    """Whether the base revision had migrations: a change that brings the first ones (adopting
    Alembic over a create_all() schema) judges its own lines only, not a whole codebase
    written against another schema."""
    base = ctx.facts if ctx.side == "base" else ctx.base_facts
    return base is not None and schema_facts(base, ctx.config).has_migrations


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
            site = Site.from_json(raw)
            if site.kind in kinds and (ctx.side == "base" or site.line in changed.lines):
                yield changed.path, site


def _is_code(path: str) -> bool:
    return path.endswith(".py")


def _is_migration_code(path: str, ctx: RepoContext) -> bool:
    """Migrations ran against the schema of their time: their SQL and values are not re-checked
    against a later one (nor a package's ``migrations.py`` of DDL functions)."""
    return is_migration_source(path) or is_migration_path(path, ctx.config) or path.endswith("/migrations.py")


def _sites_json(path: str, source: str) -> list[list[Any]]:
    return [site.to_json() for site in python_sites(path, source)]
