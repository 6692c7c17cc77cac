"""RSK005: a credential written into the source."""

from __future__ import annotations

import math
import re

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Severity
from undertow.analyzers.python.names import dotted_name, qualified_names, string_value
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.python_rule import ScopedPythonRule

SECRET_NAME = re.compile(
    r"(secret|passw(or)?d|passwd|pwd|token|api_?key|apikey|private_?key|access_?key|auth_?key|credential|client_secret|signing_key)",
    re.IGNORECASE,
)
# Names that contain a secret word but hold no secret.
_NOT_SECRET_NAME = re.compile(
    r"(_(url|uri|path|file|dir|name|names|field|header|type|types|prefix|length|len|expire|expires|expiry|ttl|ms|seconds|minutes|hours|days|endpoint|env|var|key_name|id)$"
    r"|^(is|has|use|should|enable|require)_|token_type|password_reset|forgot_password|_pattern$|_regex$)",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^$|change.?(me|this|it)|replace.?me|your[-_ ]|example|placeholder|dummy|sample|fake|test|e2e|seed|mock|todo"
    r"|xxx+|^\*+$|^\.+$"
    r"|^<.*>$|^\{.*\}$|^\$\{?.*\}?$|^%\(.*\)s$|^(none|null|nil|secret|password|token|key|default|dev|local|changeme)$",
    re.IGNORECASE,
)
# Well-known token formats: a literal like this is a secret whatever its variable is called.
_KNOWN_TOKENS = re.compile(
    r"^(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|xox[baprs]-[A-Za-z0-9-]{10,}"
    r"|AKIA[0-9A-Z]{16}|sk-(proj-)?[A-Za-z0-9_-]{32,}|sk_live_[A-Za-z0-9]{24,}|AIza[0-9A-Za-z_-]{35})$"
)
_GETENV = {"os.getenv", "os.environ.get", "os.environ.setdefault"}


def shannon_entropy(value: str) -> float:
    counts = {c: value.count(c) for c in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_like_secret(value: str) -> bool:
    """A password-like or high-entropy literal, not a placeholder, a sentence or a URL."""
    if _PLACEHOLDER.search(value) or " " in value.strip() or "://" in value or len(value) < 8:
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if len(value) >= 16 and shannon_entropy(value) >= 3.5:
        return True
    return classes >= 3 or (classes >= 2 and re.search(r"\d", value) is not None)


class HardcodedSecret(ScopedPythonRule):
    """## What it does
    Flags credentials written into the code: a literal default in `os.getenv("SECRET_KEY", "…")`
    for a secret-named variable, password-like or high-entropy literals assigned to secret-named
    names (`API_TOKEN = "…"`, `password="…"`), and well-known token formats (`ghp_…`, `AKIA…`,
    `sk-…`). Placeholders (`"change-me"`, `"<token>"`, `""`) and test files are not flagged.

    ## Why is this bad?
    A secret in the repository is readable by everyone with access to it, its forks and its
    history, for ever; rotating it means finding every deployment that relied on it. A literal
    default for a secret also means a deployment that forgot to set it starts anyway, with a
    password the whole team (and the internet) knows.

    ## Example
    ```python
    SECRET_KEY = os.getenv("SECRET_KEY", "s3cr3t-Pr0d-k3y")
    ```

    ## Use instead
    ```python
    SECRET_KEY = os.environ["SECRET_KEY"]  # fail at start-up when it is missing
    ```
    and rotate the secret that was committed.
    """

    id = "RSK005"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    fix = "read it from the environment or a secret store, without a literal default, and rotate it"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def visit_Module(self, node: cst.Module) -> None:
        self.skip = self.ctx.is_test

    def visit_Call(self, node: cst.Call) -> None:
        if self.skip or len(node.args) < 2 or not qualified_names(self, node.func) & _GETENV:
            return
        name = string_value(node.args[0].value)
        default = string_value(node.args[1].value)
        if name is None or default is None or not _secret_name(name):
            return
        if _KNOWN_TOKENS.match(default) or (not _PLACEHOLDER.search(default) and len(default) >= 4):
            self._report(node.args[1].value, name, f"is the default of env var {name}")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._check_binding(dotted_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check_binding(dotted_name(node.target), node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._check_binding(node.keyword.value, node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._check_binding(string_value(node.key), node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if not self.skip and value and _KNOWN_TOKENS.match(value):
            self._report(node, "a token", "has the format of a live API token")

    def _check_binding(self, name: str | None, value_node: cst.BaseExpression) -> None:
        if self.skip or name is None:
            return
        value = string_value(value_node)
        if value is None or _KNOWN_TOKENS.match(value):
            return  # known formats are reported by visit_SimpleString
        short = name.rsplit(".", 1)[-1]
        if _secret_name(short) and looks_like_secret(value):
            self._report(value_node, short, f"is assigned to {short}")

    def _report(self, node: cst.CSTNode, name: str, how: str) -> None:
        message = f"a literal credential {how}: anyone who can read the repository or its history has it; {self.fix}"
        self.report(node, message, key=self.scope.key(f"secret:{name}"))


def _secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        head={"app/settings.py": "import os\nSECRET_KEY = os.getenv('SECRET_KEY', 's3cr3t-Pr0d-k3y')\n"},
        expect=[("RSK005", "app/settings.py", 2)],
    ),
    Case(
        head={"app/settings.py": "API_TOKEN = 'q8V3nZt1LkR9wXy2Pb7Hc4Md6Jf0Gs5A'\n"},
        expect=[("RSK005", "app/settings.py", 1)],
    ),
]
VALID = [
    Case(
        head={
            "app/settings.py": "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n"
            "TOKEN = os.getenv('TOKEN', 'change-me')\n"
        }
    ),
    # Seed data for end-to-end tests names what it is.
    Case(head={"scripts/seeds_load.py": "link = Link(client_secret='acme_cl_e2e_seed_checkout_link')\n"}),
    Case(head={"tests/test_auth.py": "API_TOKEN = 'q8V3nZt1LkR9wXy2Pb7Hc4Md6Jf0Gs5A'\n"}),
]
