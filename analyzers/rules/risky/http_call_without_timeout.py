"""RSK008: a `requests` call without a timeout."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.python.names import dotted_name, has_star_kwargs, keyword, keyword_suggestion, qualified_names
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}


class HttpCallWithoutTimeout(ScopedPythonRule):
    """## What it does
    Flags `requests.get/post/put/patch/delete/head/options/request(...)` and the same methods on
    a `requests.Session()` called without `timeout=`.

    ## Why is this bad?
    `requests` has no default timeout: a server that accepts the connection and never answers
    keeps the call waiting for ever, and the worker or web thread with it. (httpx has a default
    timeout and is not flagged.)

    ## Example
    ```python
    response = requests.get(url)
    ```

    ## Use instead
    ```python
    response = requests.get(url, timeout=10)
    ```
    """

    id = "RSK008"
    name = "http-call-without-timeout"
    severity = Severity.WARNING
    fix_safety = "unsafe"
    fix = "pass timeout=<seconds> (connect, read) to every requests call"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.sessions: set[str] = set()  # names and self.attributes bound to requests.Session()

    def _is_session_factory(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and bool(
            qualified_names(self, node.func) & {"requests.Session", "requests.session", "requests.sessions.Session"}
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_session_factory(node.value):
            for target in node.targets:
                if name := dotted_name(target.target):
                    self.sessions.add(name)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self._is_session_factory(node.item) and node.asname and (name := dotted_name(node.asname.name)):
            self.sessions.add(name)

    def visit_Call(self, node: cst.Call) -> None:
        if keyword(node, "timeout") is not None or has_star_kwargs(node):
            return
        func = node.func
        names = qualified_names(self, func)
        module_call = next(
            (
                n
                for n in sorted(names)
                if n.split(".")[:-1] in (["requests"], ["requests", "api"]) and n.rsplit(".", 1)[1] in _METHODS
            ),
            None,
        )
        if module_call is not None:
            what = f"requests.{module_call.rsplit('.', 1)[1]}()"
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value in _METHODS
            and (dotted_name(func.value) in self.sessions or self._is_session_factory(func.value))
        ):
            what = f"session.{func.attr.value}()"
        else:
            return
        message = (
            f"{what} has no timeout: requests waits for ever on a server that never answers, "
            "holding this worker or web thread; pass timeout=<seconds>"
        )
        suggestion = keyword_suggestion(
            self.ctx.lines,
            self.get_metadata(PositionProvider, node),
            "timeout=10",
            "add a timeout (10 s is a placeholder: choose the real bound)",
        )
        self.report(node, message, key=self.scope.key(what), suggestion=suggestion)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(head={"svc.py": "import requests\nrequests.get(URL)\n"}, expect=[("RSK008", "svc.py", 2)]),
    Case(head={"svc.py": "import requests\ns = requests.Session()\ns.post(URL)\n"}, expect=[("RSK008", "svc.py", 3)]),
]
VALID = [
    Case(head={"svc.py": "import requests, httpx\nrequests.get(URL, timeout=5)\nhttpx.get(URL)\n"}),
]
