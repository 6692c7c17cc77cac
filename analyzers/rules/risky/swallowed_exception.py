"""RSK003: an exception handler that hides the error."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.python.names import descendants, dotted_name
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_BROAD = {"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"}
_LOG_METHODS = {"exception", "error", "warning", "warn", "critical", "fatal"}
_REPORTING_CALLS = {
    "traceback.print_exc",
    "traceback.print_exception",
    "traceback.format_exc",
    "sentry_sdk.capture_exception",
    "capture_exception",
}


class SwallowedException(ScopedPythonRule):
    """## What it does
    Flags `except Exception:`, `except BaseException:` and bare `except:` handlers whose body
    only passes, continues, breaks or returns/assigns a constant: it neither re-raises, nor
    logs, nor uses the caught exception, nor does any fallback work.

    ## Why is this bad?
    The failure disappears: the job reports success, the row is never written, and nobody can
    tell from the logs that anything went wrong. Broad handlers also catch programming errors
    (`NameError`, `TypeError`) that should have failed loudly in review.

    ## Example
    ```python
    try:
        publish(event)
    except Exception:
        pass
    ```

    ## Use instead
    ```python
    try:
        publish(event)
    except Exception:
        log.exception("publishing %s failed", event.id)
    ```
    or catch the specific exception you expect.
    """

    id = "RSK003"
    name = "swallowed-exception"
    severity = Severity.WARNING
    fix = "log the exception (log.exception(...)), re-raise it, or catch a narrower type"
    METADATA_DEPENDENCIES = (PositionProvider,)

    def visit_Try(self, node: cst.Try) -> None:
        # `try: import x / except Exception: x = None` probes for an optional module.
        statements = _statements(node.body)
        self.import_probe = bool(statements) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statements)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        caught = _broad_type(node.type)
        if caught is None or getattr(self, "import_probe", False) or not _trivial(node.body):
            return
        bound = node.name.name.value if node.name and isinstance(node.name.name, cst.Name) else None
        if _handles(node.body, bound):
            return
        if _returns_a_verdict(node.body) and self.scope.stack and _is_converter(self.scope.stack[-1]):
            return  # `def parse_uuid(v): try: ... except Exception: return None`: the failure is the answer
        label = "bare except" if caught == "" else f"except {caught}"
        message = (
            f"{label} swallows the error: the handler neither re-raises, logs it, nor uses it, so "
            "failures vanish without a trace; log it with log.exception(...), re-raise, or catch "
            "the specific exception you expect"
        )
        # The anchor is the `except ...:` line, so edits inside an old handler do not blame the PR.
        self.report(node, message, key=self.scope.key(label), first_line_only=True)


def _statements(body: cst.BaseSuite) -> list[cst.CSTNode]:
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    out: list[cst.CSTNode] = []
    for line in lines:
        out += list(line.body) if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else [line]
    return out


# Functions whose job is to turn bad input into an answer (a validator, a parser, a predicate):
# `except Exception: return None/False` there converts the failure; it does not hide it.
_CONVERTERS = ("valid", "parse", "is_", "has_", "try_", "safe_", "coerce", "to_")


def _is_converter(name: str) -> bool:
    bare = name.lower().lstrip("_")
    return bare.startswith(_CONVERTERS) or bare.endswith(("_or_none", "_or_default"))


def _returns_a_verdict(body: cst.BaseSuite) -> bool:
    statements = _statements(body)
    return len(statements) == 1 and isinstance(statements[0], cst.Return) and statements[0].value is not None


def _constant(node: cst.BaseExpression | None) -> bool:
    return (
        node is None
        or isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString))
        or (isinstance(node, cst.Name) and node.value in ("None", "True", "False"))
        or (isinstance(node, (cst.List, cst.Dict, cst.Tuple, cst.Set)) and not node.elements)
    )


def _trivial(body: cst.BaseSuite) -> bool:
    """Does the handler do nothing but pass/continue/break/return or assign a constant?

    A handler that calls something is doing fallback work (closing a session, trying another
    source): that is a decision, not a swallowed error.
    """
    for statement in _statements(body):
        if isinstance(statement, (cst.Pass, cst.Continue, cst.Break)):
            continue
        if isinstance(statement, cst.Expr) and isinstance(statement.value, (cst.SimpleString, cst.Ellipsis)):
            continue
        if isinstance(statement, cst.Return) and _constant(statement.value):
            continue
        if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
            name = dotted_name(statement.value.func) or ""
            if name.rsplit(".", 1)[-1] in ("debug", "info") and "log" in name.lower():
                continue  # a low-level log line that drops the error is still a swallowed error
        if isinstance(statement, (cst.Assign, cst.AnnAssign, cst.AugAssign)) and _constant(statement.value):
            continue
        return False
    return True


def _broad_type(node: cst.BaseExpression | None) -> str | None:
    """'' for a bare except, the broad name when one is caught, None for a narrow handler."""
    if node is None:
        return ""
    elements = [e.value for e in node.elements] if isinstance(node, cst.Tuple) else [node]
    for element in elements:
        name = dotted_name(element)
        if name in _BROAD:
            return name.rsplit(".", 1)[-1]
    return None


def _handles(body: cst.BaseSuite, bound: str | None) -> bool:
    nodes = list(descendants(body))
    if any(isinstance(node, cst.Raise) for node in nodes):
        return True
    if bound is not None and any(isinstance(node, cst.Name) and node.value == bound for node in nodes):
        return True
    for call in nodes:
        if not isinstance(call, cst.Call):
            continue
        name = dotted_name(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        if name in _REPORTING_CALLS or last == "capture_exception":
            return True
        if "." in name and last in _LOG_METHODS:
            return True
        if "." in name and last in {"log", "debug", "info"} and _has_exc_info(call):
            return True
    return False


def _has_exc_info(call: cst.Call) -> bool:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in {"exc_info", "stack_info"}:
            return not (isinstance(arg.value, cst.Name) and arg.value.value in {"False", "None"})
    return False


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_HANDLER = "try:\n    a()\nexcept Exception:\n    x = 1\n"

INVALID = [
    Case(
        head={"svc.py": "def f():\n    try:\n        g()\n    except Exception:\n        pass\n"},
        expect=[("RSK003", "svc.py", 4)],
    ),
    Case(head={"svc.py": "try:\n    a()\nexcept:\n    x = None\n"}, expect=[("RSK003", "svc.py", 3)]),
]
VALID = [
    # A validator that answers "no" on bad input converts the failure; it does not hide it.
    Case(
        head={
            "app/schemas.py": "from uuid import UUID\ndef parse_uuid(v):\n    try:\n        return UUID(v)\n"
            "    except Exception:\n        return None\n"
        }
    ),
    Case(head={"svc.py": "try:\n    publish(event)\nexcept Exception:\n    log.exception('publishing failed')\n"}),
    Case(head={"svc.py": "try:\n    import ujson as json\nexcept Exception:\n    json = None\n"}),
    # editing inside an old handler does not blame the change
    Case(base={"svc.py": _HANDLER}, head={"svc.py": _HANDLER.replace("x = 1", "x = 2")}, changed={"svc.py": [4]}),
]
