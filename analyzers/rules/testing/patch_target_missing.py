"""TST002: a mock patch of a first-party module or attribute that does not exist."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.python.fact_types import PatchTarget
from undertow.analyzers.python.facts import is_test_path
from undertow.analyzers.python.index import PythonIndex, python_index
from undertow.analyzers.python.modules import PACKAGE_ROOTS
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.cases import Case


class PatchTargetMissing(RepoRule):
    """## What it does
    Flags `mock.patch("pkg.mod.Class.attr")`, `mocker.patch(...)`, `patch.object(Class, "attr")`
    and `monkeypatch.setattr("pkg.mod.attr", ...)` whose target is a first-party module, name,
    class attribute or method (inherited ones included) that does not exist at head.

    ## Why is this bad?
    `patch` raises `AttributeError` for a missing target, so the test errors; or, with
    `create=True` or a renamed-but-still-present name, it patches something nobody calls and
    the test passes while exercising the real dependency: a network call in CI, a test that
    tests nothing.

    ## Example
    ```python
    @patch("app.services.billing.BillingClient.charge_card")  # renamed to charge()
    def test_checkout(charge): ...
    ```

    ## Use instead
    ```python
    @patch("app.services.billing.BillingClient.charge")
    def test_checkout(charge): ...
    ```
    Attributes created at run time can be listed in `tests.dynamic_attributes` in
    `.github/undertow.yml`.
    """

    id = "TST002"
    name = "patch-target-missing"
    severity = Severity.ERROR
    fix = "patch the name the code defines now (or list a dynamic attribute in config)"
    uses_change = False

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        index = python_index(ctx.facts)
        dynamic = set(ctx.config.tests.dynamic_attributes)
        patched: Mapping[str, list[PatchTarget]] = index.part("patches")
        for path, patches in sorted(patched.items()):
            if not is_test_path(path):
                continue
            for kind, target, attr, line, create in patches:
                if create:
                    continue
                if kind == "object":
                    resolved = _resolve_local(index, index.files[path], target)
                    if resolved is None:
                        continue  # the patched object is a local variable or fixture: not knowable
                    target = f"{resolved}.{attr}"
                if target in dynamic:
                    continue
                problem = missing(index, target)
                if problem is None:
                    continue
                message = f"patches {target}, but {problem} at head; {self.fix}"
                yield self.report(path, message, target, line=line)


def _resolve_local(index: PythonIndex, facts: dict[str, Any], name: str) -> str | None:
    """The dotted path ``name`` stands for in the test file: through its imports, or a name the
    module itself defines; None for anything else (a local variable, a fixture argument)."""
    head, _, rest = name.partition(".")
    target = facts.get("imports", {}).get(head)
    if target:
        return f"{target}.{rest}" if rest else target
    if head in index.top_names:
        return name  # already qualified through the file's imports
    if head in facts.get("names", []):
        return f"{facts['module']}.{name}"
    return None


def missing(index: PythonIndex, target: str) -> str | None:
    """Why ``target`` does not exist, or None when it exists or is not first-party."""
    if _maybe_third_party(index, target):
        return None
    split = index.split(target)
    if split is None:
        first = target.split(".")[0]
        if any(m == first or m.startswith(first + ".") for m in index.by_module):
            return f"no module {target.rsplit('.', 1)[0]} exists"
        return None  # third-party or standard library
    module, rest = split
    if "." in rest:
        # Re-exports (`from .billing import Client` in a package __init__) through the index's
        # one resolver: the name is judged where it is defined.
        found = index.resolve(target)
        if found is not None and found.external:
            return missing(index, found.external)
        if found is not None:
            module, rest = found.module, found.rest
    if not rest or index.unknown(module):
        return None  # what an unreadable module defines is unknown: no guess
    facts = index.facts(module) or {}
    parts = rest.split(".")
    name = parts[0]
    if name not in facts.get("names", []):
        if module + "." + name in index.by_module:
            return None  # a submodule
        path = index.by_module[module]
        if path.endswith("__init__.py"):
            return f"there is no module {module}.{name} and {path} defines no {name}"
        return f"{path} defines no {name}"
    if len(parts) == 1:
        return None
    if name in facts.get("classes", {}) and len(parts) == 2:
        if _has_attribute(index, module, name, parts[1], 0):
            return None
        return f"class {name} ({index.by_module[module]}) has no attribute {parts[1]}, not even inherited"
    return None


def _maybe_third_party(index: PythonIndex, target: str) -> bool:
    """Whether the first name of ``target`` may as well be a third-party module: a plain module
    file directly in a directory that is an import root only because it holds a package
    (``app/redis.py`` beside ``app/api/``) is ``redis`` only for code run from that directory;
    everywhere else ``import redis`` is the distribution (which that file itself often imports).
    A package there (``backend/app/``) is what made the directory a root: first-party."""
    path = index.by_module.get(target.split(".")[0])
    if path is None or path.endswith("__init__.py"):
        return False
    directory = path.rpartition("/")[0]
    return f"{directory}/" not in PACKAGE_ROOTS if directory else False


def _has_attribute(index: PythonIndex, module: str, cls: str, attr: str, depth: int) -> bool:
    facts = index.facts(module) or {}
    info = facts.get("classes", {}).get(cls)
    if info is None or depth > 8:
        return True  # cannot see it: assume it is there
    if attr in info["attributes"]:
        return True
    for base in info["bases"]:
        if base in ("object", ""):
            continue
        head, _, rest = base.partition(".")
        qualified = facts.get("imports", {}).get(head)
        qualified = f"{qualified}.{rest}" if qualified and rest else (qualified or f"{module}.{base}")
        split = index.split(qualified)
        if split is None or "." in split[1] or not split[1]:
            return True  # a third-party base (BaseModel, TestCase...) may provide anything
        if _has_attribute(index, split[0], split[1], attr, depth + 1):
            return True
    return False


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

_BILLING = {
    "app/__init__.py": "",
    "app/billing.py": "class BillingClient:\n    def charge(self):\n        pass\ndef helper():\n    pass\n",
}
_PATCH = "from unittest.mock import patch\n@patch('{}')\ndef test_a(m):\n    pass\n"

# A service laid out as most FastAPI/Flask templates are: the package under backend/ (a root
# because it holds a package), the tests beside it, a module-level app in the test file.
_SERVICE = {
    "backend/app/__init__.py": "",
    "backend/app/billing.py": "import redis\nfrom app.cache import store\ndef helper():\n    pass\n",
    "backend/app/cache.py": "store = {}\n",
    "backend/redis.py": "from redis import Redis\nclient = Redis()\n",  # a first-party module named like redis
}
_ALIASED = (
    "import redis\n"
    "import app.billing as billing\n"
    "from app.main import create_app\n"
    "app = create_app()\n"
    "def test_charge(monkeypatch):\n"
    "    monkeypatch.setattr(billing, {!r}, lambda: None)\n"
    "    monkeypatch.setattr(redis, 'StrictRedis', object)\n"
)

INVALID = [
    Case(
        base=_BILLING,
        head={"tests/test_billing.py": _PATCH.format("app.billing.BillingClient.charge_card")},
        expect=[("TST002", "tests/test_billing.py", 2)],
    ),
    Case(
        base=_BILLING,
        head={"tests/test_billing.py": _PATCH.format("app.billing.gone_helper")},
        expect=[("TST002", "tests/test_billing.py", 2)],
    ),
    Case(  # import pkg.mod as alias: the alias is app.billing wherever the test lives
        base=_SERVICE,
        head={"backend/tests/test_billing.py": _ALIASED.format("charge")},
        expect=[("TST002", "backend/tests/test_billing.py", 6)],
    ),
]
VALID = [
    Case(base=_BILLING, head={"tests/test_billing.py": _PATCH.format("app.billing.BillingClient.charge")}),
    Case(base=_BILLING, head={"tests/test_billing.py": _PATCH.format("requests.get")}),
    Case(  # the alias's attribute exists; redis is the distribution, not backend/redis.py
        base=_SERVICE,
        head={"backend/tests/test_billing.py": _ALIASED.format("helper")},
    ),
]
