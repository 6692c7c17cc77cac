"""RSK009: a credential or connection URL written to the logs."""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.python.names import dotted_name, qualified_names
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
_CREDENTIAL = re.compile(
    r"(passw(or)?d|passwd|secret|token|api_?key|apikey|private_?key|access_?key|credential|auth_header|authorization"
    r"|(database|db|redis|broker|amqp|mongo|mongodb|postgres|postgresql|mysql|sqlalchemy|celery_broker|dsn|connection)_?(url|uri|dsn|string)$|^dsn$)",
    re.IGNORECASE,
)
_NOT_CREDENTIAL = re.compile(
    r"(_(type|name|length|len|expires?|expiry|ttl|id|count|path|file)$|^(is|has)_"
    # LLM token counts (seen on a real project): prompt_tokens, max_tokens, token_estimate...
    r"|(prompt|completion|cached|input|output|context|total|max|min|num|stream|goal|reasoning)_tokens?$"
    r"|tokens?_(estimate|count|usage|limit|budget|len|used)$)",
    re.IGNORECASE,
)
# Attributes of a URL or credential object that hold no secret.
_SAFE_ATTRS = {
    "host",
    "hostname",
    "port",
    "scheme",
    "database",
    "drivername",
    "path",
    "username",
    "user",
    "name",
    "__class__",
}
_SAFE_WRAPPERS = {
    "len",
    "bool",
    "type",
    "redact",
    "mask",
    "masked",
    "hide",
    "sanitize",
    "obfuscate",
    "repr_safe",
    "hash",
    "render_as_string",
}


class SecretInLog(ScopedPythonRule):
    """## What it does
    Flags logging calls and `print()` that format a value named like a credential or a
    connection URL (`DATABASE_URL`, `*_password`, `token`, `api_key`, `settings.database_url`).
    Host-only extraction (`urlparse(url).hostname`, `engine.url.host`) and explicit masking
    are fine.

    ## Why is this bad?
    Logs are shipped to aggregators, kept for months and read by far more people than the
    secret store. A connection URL carries the database password; one debug line at start-up
    leaks it to everyone with log access.

    ## Example
    ```python
    log.info("connecting to %s", settings.database_url)
    ```

    ## Use instead
    ```python
    log.info("connecting to %s", make_url(settings.database_url).render_as_string(hide_password=True))
    ```
    """

    id = "RSK009"
    name = "secret-in-log"
    severity = Severity.ERROR
    fix = "log only the host (urlparse(url).hostname) or a masked value, never the credential"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def visit_Call(self, node: cst.Call) -> None:
        if not self._is_log_call(node):
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ("exc_info", "stack_info", "extra", "stacklevel"):
                continue
            leaked = _leaked_name(arg.value)
            if leaked is not None:
                message = (
                    f"this log call writes {leaked}, which holds a credential or a connection URL with its "
                    f"password: anyone with access to the logs gets it; {self.fix}"
                )
                self.report(node, message, key=self.scope.key(f"log:{leaked}"))
                return

    def _is_log_call(self, node: cst.Call) -> bool:
        func = node.func
        if isinstance(func, cst.Name) and func.value == "print":
            return "builtins.print" in qualified_names(self, func)
        if not isinstance(func, cst.Attribute) or func.attr.value not in _LOG_METHODS:
            return False
        receiver = (dotted_name(func.value) or "").lower()
        return receiver.endswith(("log", "logger", "logging", "_log", "_logger")) or "logging" in receiver


def _leaked_name(expr: cst.BaseExpression) -> str | None:
    """The credential-named expression that reaches the output unmasked, if any."""
    if isinstance(expr, cst.Call):
        callee = (dotted_name(expr.func) or "").rsplit(".", 1)[-1]
        if callee in _SAFE_WRAPPERS:
            return None
        for arg in expr.args:
            # A call like urlparse(url) hands its argument on; its result is judged by attribute.
            if (found := _leaked_name(arg.value)) is not None:
                return found
        return None
    if isinstance(expr, cst.Attribute):
        if expr.attr.value in _SAFE_ATTRS:
            return None
        name = dotted_name(expr)
        if name and _credential(expr.attr.value):
            return name
        return _leaked_name(expr.value) if isinstance(expr.value, cst.Call) else None
    if isinstance(expr, cst.Name):
        return expr.value if _credential(expr.value) else None
    if isinstance(expr, cst.FormattedString):
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringExpression) and (found := _leaked_name(part.expression)):
                return found
        return None
    if isinstance(expr, (cst.BinaryOperation,)):
        return _leaked_name(expr.left) or _leaked_name(expr.right)
    if (
        isinstance(expr, cst.Subscript)
        and isinstance(expr.value, cst.Attribute)
        and isinstance(expr.value.attr, cst.Name)
        and expr.value.attr.value == "environ"
    ):
        key = expr.slice[0].slice
        if isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString):
            value = key.value.evaluated_value
            return f"os.environ[{value!r}]" if isinstance(value, str) and _credential(value) else None
    return None


def _credential(name: str) -> bool:
    return bool(_CREDENTIAL.search(name)) and not _NOT_CREDENTIAL.search(name)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(head={"svc.py": "log.info('connecting to %s', settings.database_url)\n"}, expect=[("RSK009", "svc.py", 1)]),
    Case(head={"svc.py": "log.info('refreshing %s', refresh_tokens)\n"}, expect=[("RSK009", "svc.py", 1)]),
    Case(head={"svc.py": "print('token', api_key)\n"}, expect=[("RSK009", "svc.py", 1)]),
]
VALID = [
    Case(head={"svc.py": "log.info('db at %s', urlparse(DATABASE_URL).hostname)\nlog.info('n %d', len(token))\n"}),
    Case(
        head={
            "llm.py": "log.info('%d', usage.prompt_tokens)\nlog.warning(f'{system_prompt_token_estimate} tokens')\n"
            "print(max_tokens, cached_tokens, stream_tokens)\n"
        }
    ),
]
