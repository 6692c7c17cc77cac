"""RSK003: an exception handler that hides the error."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.metadata import PositionProvider

from analyzers.findings import Severity
from analyzers.python_names import dotted_name
from analyzers.rules.base import ScopedPythonRule

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
    neither re-raises, nor logs at warning level or above, nor uses the caught exception.

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

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        caught = _broad_type(node.type)
        if caught is None:
            return
        bound = node.name.name.value if node.name and isinstance(node.name.name, cst.Name) else None
        if _handles(node.body, bound):
            return
        label = "bare except" if caught == "" else f"except {caught}"
        message = (
            f"{label} swallows the error: the handler neither re-raises, logs it, nor uses it, so "
            "failures vanish without a trace; log it with log.exception(...), re-raise, or catch "
            "the specific exception you expect"
        )
        # The anchor is the `except ...:` line, so edits inside an old handler do not blame the PR.
        self.report(node, message, key=self.scope.key(label), first_line_only=True)


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
    if m.findall(body, m.Raise()):
        return True
    if bound is not None and m.findall(body, m.Name(bound)):
        return True
    for call in m.findall(body, m.Call()):
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
