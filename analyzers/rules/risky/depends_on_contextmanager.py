"""RSK006: FastAPI `Depends()` on a function decorated as a context manager."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.python.index import python_index
from undertow.analyzers.python.names import qualified_names
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_DEPENDS = {"fastapi.Depends", "fastapi.params.Depends", "fastapi.Security"}
_CONTEXT_MANAGERS = {
    "contextmanager",
    "asynccontextmanager",
    "contextlib.contextmanager",
    "contextlib.asynccontextmanager",
}


class DependsOnContextmanager(ScopedPythonRule):
    """## What it does
    Flags FastAPI `Depends(f)` where `f` (in this file or another module of the repository) is
    decorated with `@contextmanager` or `@asynccontextmanager`.

    ## Why is this bad?
    FastAPI runs generator dependencies itself. Given a context-manager function it injects the
    `_GeneratorContextManager` object instead of what it yields, so every route fails with an
    `AttributeError` at its first use, or, worse, the cleanup after `yield` never runs.

    ## Example
    ```python
    @contextmanager
    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()

    @app.get("/items")
    def items(db=Depends(get_db)): ...
    ```

    ## Use instead
    Drop the decorator (a plain generator is what `Depends` expects), or keep a separate
    context-manager version for non-FastAPI callers.
    """

    id = "RSK006"
    name = "depends-on-contextmanager"
    severity = Severity.ERROR
    fix = "pass a plain generator function to Depends(): remove @contextmanager"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.local_managers: set[str] = set()
        self.uses: list[tuple[cst.Call, str, set[str]]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        if len(self.scope.stack) == 1:
            for decorator in node.decorators:
                if qualified_names(self, decorator.decorator) & {
                    "contextlib.contextmanager",
                    "contextlib.asynccontextmanager",
                }:
                    self.local_managers.add(node.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        if not node.args or not qualified_names(self, node.func) & _DEPENDS:
            return
        target = node.args[0].value
        if isinstance(target, (cst.Name, cst.Attribute)):
            self.uses.append((node, self.scope.key("Depends"), qualified_names(self, target)))

    def leave_Module(self, original_node: cst.Module) -> None:
        index = python_index(self.ctx.facts)
        for call, key, names in self.uses:
            target = call.args[0].value
            local = target.value if isinstance(target, cst.Name) else None
            where = None
            if local in self.local_managers:
                where = "in this file"
            else:
                for name in names:
                    resolved = index.resolve(name)
                    module = index.facts(resolved.module) if resolved is not None and not resolved.external else None
                    if resolved is None or module is None:
                        continue
                    decorators = module.get("functions", {}).get(resolved.rest, [])
                    if any(d in _CONTEXT_MANAGERS for d in decorators):
                        where = f"in {index.by_module[resolved.module]}"
                        break
            if where is None:
                continue
            shown = local or cst.Module([]).code_for_node(target)
            message = (
                f"Depends({shown}) receives a context manager: {shown} is decorated with "
                f"@contextmanager {where}, so FastAPI injects the context-manager object, not what it "
                f"yields; {self.fix}"
            )
            self.report(call, message, key=key)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_DB = (
    "from contextlib import contextmanager\n@contextmanager\ndef get_db_cm():\n    yield 1\n"
    "def get_db():\n    yield 1\n"
)

INVALID = [
    Case(
        base={"app/__init__.py": "", "app/db.py": _DB},
        head={
            "app/routes.py": "from fastapi import Depends\nfrom app.db import get_db_cm\n"
            "def a(x=Depends(get_db_cm)):\n    pass\n"
        },
        expect=[("RSK006", "app/routes.py", 3)],
    ),
]
VALID = [
    Case(
        base={"app/__init__.py": "", "app/db.py": _DB},
        head={
            "app/routes.py": "from fastapi import Depends\nfrom app.db import get_db\ndef a(x=Depends(get_db)):\n"
            "    pass\n"
        },
    ),
]
