"""RSK004: a Redis counter incremented and given a TTL in two separate commands."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.facts.context import FileContext
from undertow.analyzers.python.names import dotted_name, keyword, source_of
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_INCREMENTS = {"incr", "incrby", "incrbyfloat", "hincrby", "hincrbyfloat"}
_EXPIRES = {"expire", "pexpire", "expireat", "pexpireat"}


class RedisIncrExpireRace(ScopedPythonRule):
    """## What it does
    Flags `incr`/`incrby`/`hincrby` on a key followed, in the same function, by a separate
    `expire` of that key on the same client (outside a pipeline/transaction).

    ## Why is this bad?
    The two commands are not atomic. If the process dies, times out or is deployed between
    them, the counter exists without a TTL and never resets: a rate limiter locks the user out
    for ever, a quota never refills.

    ## Example
    ```python
    count = r.incr(key)
    if count == 1:
        r.expire(key, 60)
    ```

    ## Use instead
    ```python
    r.set(key, 0, ex=60, nx=True)
    count = r.incr(key)
    ```
    or send both in one `MULTI` (`with r.pipeline() as p: p.incr(key); p.expire(key, 60); p.execute()`).
    """

    id = "RSK004"
    name = "redis-incr-expire-race"
    severity = Severity.WARNING
    fix = "create the key with its TTL first (set(key, 0, ex=..., nx=True)) or use a MULTI pipeline"
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        # Per function: (client, key) -> (increment call, its method); clients that are transactional pipelines;
        # keys created with a TTL already.
        self.increments: list[dict[tuple[str, str], tuple[cst.Call, str]]] = [{}]
        self.pipelines: list[set[str]] = [set()]
        self.ttl_keys: list[set[tuple[str, str]]] = [set()]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        self.increments.append({})
        self.pipelines.append(set())
        self.ttl_keys.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        super().leave_FunctionDef(original_node)
        self.increments.pop()
        self.pipelines.pop()
        self.ttl_keys.pop()

    def _is_pipeline(self, node: cst.BaseExpression) -> bool:
        if not (
            isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "pipeline"
        ):
            return False
        transaction = keyword(node, "transaction")
        return not (
            transaction is not None and isinstance(transaction.value, cst.Name) and transaction.value.value == "False"
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_pipeline(node.value):
            for target in node.targets:
                if name := dotted_name(target.target):
                    self.pipelines[-1].add(name)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self._is_pipeline(node.item) and node.asname and (name := dotted_name(node.asname.name)):
            self.pipelines[-1].add(name)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or not node.args or node.args[0].keyword is not None:
            return
        client = source_of(func.value)
        if client in self.pipelines[-1] or self._is_pipeline(func.value):
            return
        method = func.attr.value
        key = (client, source_of(node.args[0].value))
        if method == "set" and keyword(node, "nx") is not None and (keyword(node, "ex") or keyword(node, "px")):
            self.ttl_keys[-1].add(key)
        elif method in _INCREMENTS and key not in self.ttl_keys[-1]:
            self.increments[-1].setdefault(key, (node, method))
        elif method in _EXPIRES and key in self.increments[-1]:
            incr, name = self.increments[-1].pop(key)
            message = (
                f"{client}.{name}({key[1]}) and this {method}() on line "
                f"{self.get_metadata(PositionProvider, node).start.line} are two commands, not one: "
                "if the process stops between them the counter never expires; "
                f"{self.fix}"
            )
            self.report(incr, message, key=self.scope.key(f"{client}.{name}({key[1]})"))


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        head={"limits.py": "def allow(r, key):\n    n = r.incr(key)\n    if n == 1:\n        r.expire(key, 60)\n"},
        expect=[("RSK004", "limits.py", 2)],
    ),
]
VALID = [
    Case(
        head={
            "limits.py": "def allow(r, key):\n    with r.pipeline() as p:\n        p.incr(key)\n"
            "        p.expire(key, 60)\n"
        }
    ),
    Case(head={"limits.py": "def allow(r, key, other):\n    r.incr(key)\n    r.expire(other, 60)\n"}),
]
