"""CFG001: code that newly reads an environment variable nobody documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypedDict

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider

from undertow.analyzers.core.findings import Finding, Severity, Suggestion
from undertow.analyzers.core.limits import MAX_LINE_CHARS
from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.deps.yaml_nodes import is_compose_file
from undertow.analyzers.facts.context import FileContext, RevisionFacts
from undertow.analyzers.facts.indexes import file_index
from undertow.analyzers.python.names import dotted_name, keyword, qualified_names, string_value
from undertow.analyzers.rules.cases import Case
from undertow.analyzers.rules.config.env_at_base import read_at_base
from undertow.analyzers.rules.python_rule import ScopedPythonRule

_ENV_FILE = re.compile(r"(^|/)(\.env(\.[^/]+)?|[^/]+\.env|env\.(example|sample|template|dist))$")
_DOCS = re.compile(
    r"\.(md|rst|txt|adoc|ini|tf|tfvars)$|(^|/)values[^/]*\.ya?ml$|(^|/)Dockerfile[^/]*$|\.[Dd]ockerfile$"
)
# YAML under a deployment directory: looked up by path segment, not with the former
# `(^|/)(helm|...)/.+\.ya?ml$`, which rescanned the rest of the path from every such segment.
_DEPLOY_DIRS = frozenset({"helm", "charts", "k8s", "kubernetes", "deploy"})
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]++\b")
# One line of a .env file (blanks other than a newline: the former `^\s*` with re.MULTILINE ran
# over every following blank line from each of them).
_ENV_LINE = re.compile(r"[^\S\n]*+(?:export[^\S\n]++)?([A-Za-z_][A-Za-z0-9_]*+)[^\S\n]*+=")
_READERS = {"os.getenv", "os.environ.get", "os.environ.__getitem__", "os.environ.pop"}
_PLATFORM = {
    "PATH",
    "HOME",
    "USER",
    "SHELL",
    "PWD",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LANG",
    "LC_ALL",
    "TZ",
    "TERM",
    "HOSTNAME",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "CI",
    "GITHUB_ACTIONS",
    "KUBERNETES_SERVICE_HOST",
    "K_SERVICE",
    "DYNO",
}
# Variables a hosting platform sets for the service, read to detect where it runs (seen on a
# real project: AWS_LAMBDA_FUNCTION_NAME, VERCEL_URL, RENDER_SERVICE_NAME): nobody deploying
# the service sets them, so documenting them would be wrong.
_PLATFORM_PREFIXES = (
    "AWS_LAMBDA_",
    "AWS_EXECUTION_ENV",
    "VERCEL_",
    "RENDER_",
    "HEROKU_",
    "FLY_",
    "RAILWAY_",
    "GAE_",
    "GOOGLE_CLOUD_PROJECT",
    "FUNCTION_TARGET",
    "WEBSITE_",
    "KUBERNETES_",
)
_SETTINGS_BASES = {"pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic_settings.main.BaseSettings"}


class _Settings(TypedDict):
    """A pydantic ``BaseSettings`` class being visited: its ``env_prefix``, ``case_sensitive`` and
    ``env_nested_delimiter`` ("": none)."""

    prefix: str
    case: bool
    delimiter: str


# Annotations that are never a nested model (a field of one of these is one variable).
_SCALARS = frozenset(
    {"str", "int", "float", "bool", "bytes", "Decimal", "Path", "SecretStr", "SecretBytes", "HttpUrl", "AnyUrl"}
    | {"PostgresDsn", "RedisDsn", "AnyHttpUrl", "EmailStr", "datetime", "date", "time", "timedelta", "UUID"}
    | {"Optional", "Union", "None", "Literal", "list", "List", "dict", "Dict", "set", "Set", "tuple", "Tuple"}
)
# Nested models followed into, at most (a model holding a model...), and the variables named.
_MAX_NESTING = 4
_MAX_NESTED_NAMES = 20


def _documented_names(path: str, text: str) -> list[str]:
    if _ENV_FILE.search(path):
        names = (_ENV_LINE.match(line) for line in text.split("\n") if len(line) <= MAX_LINE_CHARS)
        return sorted({m.group(1) for m in names if m is not None})
    return sorted({word.upper() for word in _IDENT.findall(text) if any(c.isupper() for c in word) or "_" in word})


def _is_doc(path: str) -> bool:
    return bool(_ENV_FILE.search(path) or _DOCS.search(path) or _deployed_yaml(path) or is_compose_file(path))


def _deployed_yaml(path: str) -> bool:
    """A .yml/.yaml file below a helm/, charts/, k8s/, kubernetes/ or deploy/ directory."""
    parts = path.split("/")
    first = next((i for i, part in enumerate(parts[:-1]) if part in _DEPLOY_DIRS), None)
    if first is None:
        return False
    rest = "/".join(parts[first + 1 :])
    return any(rest.endswith(ext) and len(rest) > len(ext) for ext in (".yml", ".yaml"))


class UndeclaredEnvVar(ScopedPythonRule):
    """## What it does
    Flags a changed line that reads an environment variable (`os.environ["X"]`,
    `os.environ.get("X")`, `os.getenv("X")`, a new field of a pydantic `BaseSettings` class,
    with its `env_prefix`) that no `.env.example`/`.env.sample`, compose file, Helm values,
    Dockerfile, `.ini` file or README/docs mentions: a warning, or a notice when the code gives
    it a default. A variable the base revision's code already reads is not new.

    With `env_nested_delimiter` (say `__`), a settings field typed with a model is read field by
    field (`CACHE__URL`): any documented variable of it documents the field, and a finding names
    the variables deployments set.

    ## Why is this bad?
    The next deployment does not set it: the service starts with a default nobody chose, or
    crashes with `KeyError` at start-up, and whoever deploys has to read the code to learn
    what the service needs.

    ## Example
    ```python
    WEBHOOK_URL = os.environ["SLACK_WEBHOOK_URL"]
    ```

    ## Use instead
    Document it where deployments look:
    ```text
    # .env.example
    SLACK_WEBHOOK_URL=
    ```
    """

    id = "CFG001"
    name = "undeclared-env-var"
    severity = Severity.WARNING
    fix = "document it in .env.example (and the compose/Helm config that deploys the service)"
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.skip = ctx.is_test
        self.settings_stack: list[_Settings | None] = []
        # The module's top-level classes: their fields and each field's annotation names (a
        # settings field typed with one of them is a nested model, read field by field).
        self.models: dict[str, list[tuple[str, list[str]]]] = {}

    # What the engine asks about each new finding (see Rule.base_check).
    base_check = "undertow.analyzers.rules.config.env_at_base:read_at_base"

    @classmethod
    def known_at_base(cls, finding: Finding, base: RevisionFacts) -> bool:
        return read_at_base(finding, base)

    def _documented(self) -> set[str]:
        def build(_snapshot: Snapshot) -> set[str]:
            index = file_index(self.ctx.facts, "env-docs", _is_doc, _documented_names)
            return {name for names in index.values() for name in names}

        documented: set[str] = self.ctx.facts.local("documented-env", build)
        return documented

    def visit_Call(self, node: cst.Call) -> None:
        if self.skip or not node.args:
            return
        if qualified_names(self, node.func) & _READERS:
            if (name := string_value(node.args[0].value)) is not None:
                # os.getenv("X", "default") / os.environ.get("X", default=...): it has a default.
                self._check(node, name, defaulted=len(node.args) > 1 or keyword(node, "default") is not None)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self.skip or not isinstance(node.value, (cst.Attribute, cst.Name)):
            return
        if "os.environ" in qualified_names(self, node.value) and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index) and (name := string_value(index.value)) is not None:
                self._check(node, name)

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            if isinstance(stmt, cst.ClassDef):
                self.models[stmt.name.value] = [
                    (inner.target.value, _annotation_names(inner.annotation.annotation))
                    for inner in _class_statements(stmt)
                    if isinstance(inner, cst.AnnAssign)
                    and isinstance(inner.target, cst.Name)
                    and not inner.target.value.startswith("_")
                    and inner.target.value != "model_config"
                ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        self.settings_stack.append(None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        super().leave_FunctionDef(original_node)
        self.settings_stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        super().visit_ClassDef(node)
        is_settings = any(qualified_names(self, base.value) & _SETTINGS_BASES for base in node.bases)
        settings: _Settings | None = (
            {
                "prefix": _config_value(node, "env_prefix") or "",
                "case": _case_sensitive(node),
                "delimiter": _config_value(node, "env_nested_delimiter") or "",
            }
            if is_settings
            else None
        )
        self.settings_stack.append(settings)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        super().leave_ClassDef(original_node)
        self.settings_stack.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        settings = self.settings_stack[-1] if self.settings_stack else None
        if self.skip or settings is None:
            return
        if (
            not isinstance(node.target, cst.Name)
            or node.target.value.startswith("_")
            or node.target.value == "model_config"
        ):
            return
        alias = None
        if isinstance(node.value, cst.Call) and dotted_name(node.value.func) in ("Field", "pydantic.Field"):
            for option in ("validation_alias", "alias", "env"):
                if (arg := keyword(node.value, option)) is not None and (alias := string_value(arg.value)):
                    break
        name = alias or f"{settings['prefix']}{node.target.value}"
        defaulted = node.value is not None and not (
            isinstance(node.value, cst.Call)
            and dotted_name(node.value.func) in ("Field", "pydantic.Field")
            and not any(a.keyword is None for a in node.value.args)  # Field("x"): a default
            and keyword(node.value, "default") is None
            and keyword(node.value, "default_factory") is None
        )
        name = name if settings["case"] else name.upper()
        nested: list[str] | None = None
        if settings["delimiter"] and alias is None:
            kinds = _annotation_names(node.annotation.annotation)
            if not kinds or not set(kinds) <= _SCALARS:
                # env_nested_delimiter: a nested model's fields are read from NAME<delimiter>FIELD.
                nested = self._nested_names(name, kinds, settings["delimiter"], settings["case"], 1)
        self._check(
            node, name, settings_field=True, defaulted=defaulted, nested=nested, delimiter=settings["delimiter"]
        )

    def _nested_names(self, name: str, kinds: list[str], delimiter: str, case: bool, depth: int) -> list[str]:
        """The variables a nested model field ``name`` is read from (``CACHE__URL``...): its model's
        fields when the module defines it, else none known."""
        model = next((self.models[k] for k in kinds if k in self.models), None)
        if model is None or depth > _MAX_NESTING:
            return []
        names: list[str] = []
        for field, field_kinds in model:
            inner = f"{name}{delimiter}{field if case else field.upper()}"
            deeper = self._nested_names(inner, field_kinds, delimiter, case, depth + 1)
            names += deeper or [inner]
            if len(names) >= _MAX_NESTED_NAMES:
                break
        return names[:_MAX_NESTED_NAMES]

    def _check(
        self,
        node: cst.CSTNode,
        name: str,
        settings_field: bool = False,
        defaulted: bool = False,
        nested: list[str] | None = None,
        delimiter: str = "",
    ) -> None:
        documented = self._documented()
        if name.upper() in _PLATFORM or name.upper().startswith(_PLATFORM_PREFIXES) or name.upper() in documented:
            return
        if nested is not None:
            # A nested model is set as a whole (NAME, JSON) or field by field (NAME__FIELD).
            start = f"{name}{delimiter}".upper()
            if any(d.upper().startswith(start) for d in documented):
                return
        what = f"declares settings field for env var {name}" if settings_field else f"reads env var {name}"
        suggestion = Suggestion("snippet", f"{name}=", "add to .env.example")
        if nested:
            # What deployments set: the model's fields, each its own variable.
            shown = ", ".join(nested[:5]) + (", ..." if len(nested) > 5 else "")
            what = f"declares nested settings field for env vars {shown} (or {name}, as JSON)"
            suggestion = Suggestion("snippet", "\n".join(f"{n}=" for n in nested), "add to .env.example")
        if defaulted:
            # It has a default: the service starts; deployments just cannot learn they may set it.
            message = (
                f"{what} with a default, which no .env example, compose file, Helm values, Dockerfile or "
                f"docs mention: deployments cannot know it exists; {self.fix}"
            )
            self.report(
                node, message, key=self.scope.key(f"env:{name}"), suggestion=suggestion, severity=Severity.NOTICE
            )
            return
        message = (
            f"{what}, which no .env example, compose file, Helm values, Dockerfile or docs "
            f"mention: the next deployment will not know to set it; {self.fix}"
        )
        self.report(node, message, key=self.scope.key(f"env:{name}"), suggestion=suggestion)


def _config_value(node: cst.ClassDef, option: str) -> str | None:
    """A string option of a settings class (``env_prefix``, ``env_nested_delimiter``)."""
    for stmt in _class_statements(node):
        # model_config = SettingsConfigDict(env_prefix="APP_")  /  class Config: env_prefix = "APP_"
        if isinstance(stmt, cst.Assign) and isinstance(stmt.value, cst.Call):
            if (arg := keyword(stmt.value, option)) is not None:
                return string_value(arg.value)
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Config":
            for inner in _class_statements(stmt):
                if isinstance(inner, cst.Assign) and dotted_name(inner.targets[0].target) == option:
                    return string_value(inner.value)
    return None


def _annotation_names(annotation: cst.BaseExpression) -> list[str]:
    """The names an annotation is made of (``Cache``, ``Cache | None``, ``Optional[Cache]``,
    ``config.Cache``: the last part of a dotted name; ``"Cache"``, a forward reference),
    outermost first."""
    if isinstance(annotation, cst.SimpleString):
        value = annotation.evaluated_value
        return [value.strip()] if isinstance(value, str) and value.strip().isidentifier() else []
    names: list[str] = []
    stack: list[cst.CSTNode] = [annotation]
    while stack and len(names) < 32:
        node = stack.pop()
        if isinstance(node, cst.Name):
            names.append(node.value)
        elif isinstance(node, cst.Attribute):
            names.append(node.attr.value)
        elif isinstance(node, (cst.BinaryOperation, cst.Subscript, cst.SubscriptElement, cst.Index)):
            stack.extend(reversed(node.children))
    return names


def _case_sensitive(node: cst.ClassDef) -> bool:
    for stmt in _class_statements(node):
        if isinstance(stmt, cst.Assign) and isinstance(stmt.value, cst.Call):
            arg = keyword(stmt.value, "case_sensitive")
            if arg is not None and isinstance(arg.value, cst.Name):
                return arg.value.value == "True"
    return False


def _class_statements(node: cst.ClassDef) -> Iterator[cst.BaseStatement | cst.BaseSmallStatement]:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        else:
            yield stmt


# -- cases (tests/analyzers/rules/test_cases.py) ------------------------------

INVALID = [
    Case(
        base={".env.example": "DATABASE_URL=\n"},
        head={"app/config.py": "import os\nA = os.environ['SLACK_WEBHOOK_URL']\nB = os.getenv('DATABASE_URL')\n"},
        expect=[("CFG001", "app/config.py", 2)],
    ),
    Case(
        head={
            "app/settings.py": "from pydantic_settings import BaseSettings\n"
            "class Settings(BaseSettings):\n"
            "    smtp_host: str = 'localhost'\n"
        },
        expect=[("CFG001", "app/settings.py", 3)],
    ),
    # env_nested_delimiter: a nested model is read from QUEUE__BROKER_URL, which nobody
    # documented (DB__HOST is another field's); without a delimiter, QUEUE__X says nothing of QUEUE.
    Case(
        base={".env.example": "DB__HOST=\nAUDIT__URL=\n"},
        head={
            "app/settings.py": "from pydantic import BaseModel\n"
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
            "class Queue(BaseModel):\n    broker_url: str = 'redis://'\n"
            "class Settings(BaseSettings):\n"
            "    model_config = SettingsConfigDict(env_nested_delimiter='__')\n"
            "    queue: Queue = Queue()\n"
            "class Plain(BaseSettings):\n"
            "    audit: Queue = Queue()\n"
        },
        expect=[("CFG001", "app/settings.py", 7), ("CFG001", "app/settings.py", 9)],
    ),
]
VALID = [
    Case(
        head={
            "app/config.py": "import os\nX = os.environ['NEW_SETTING']\nH = os.getenv('HOME')\n",
            ".env.example": "NEW_SETTING=\n",
        }
    ),
    Case(
        head={
            "app/env.py": "import os\nON_LAMBDA = bool(os.environ.get('AWS_LAMBDA_FUNCTION_NAME'))\n"
            "U = os.getenv('VERCEL_URL')\n"
        }
    ),
    Case(head={"tests/test_config.py": "import os\nos.environ['ONLY_IN_TESTS']\n"}),
    # Terraform sets the function's environment in the same change.
    Case(
        head={
            "lambda/handler.py": "import os\nARN = os.environ['TARGET_GROUP_ARN']\n",
            "infra/lambda.tf": "environment {\n  variables = {\n    TARGET_GROUP_ARN = aws_lb.arn\n  }\n}\n",
        }
    ),
    # The base already reads it elsewhere (an unchanged module, a settings class with a prefix):
    # a new read of an old variable is not a new variable.
    Case(
        base={
            "app/worker.py": "import os\nQUEUE = os.environ.get('JOB_QUEUE_URL', 'redis://')\n",
            "app/settings.py": "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
            "class Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n"
            "    smtp_host: str = 'localhost'\n",
        },
        head={"app/api.py": "import os\nURL = os.environ['JOB_QUEUE_URL']\nHOST = os.getenv('APP_SMTP_HOST')\n"},
    ),
    # env_nested_delimiter (with env_prefix, in model_config or class Config): a nested model field
    # is documented by any of its NAME__FIELD variables, or by NAME itself (JSON).
    Case(
        base={".env.example": "APP_CACHE__URL=redis://localhost\nSVC_DB={}\nSVC_MAIL__SMTP__HOST=\n"},
        head={
            "app/config.py": "from pydantic import BaseModel\n"
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
            "class Cache(BaseModel):\n    url: str = 'redis://cache'\n"
            "class Settings(BaseSettings):\n"
            "    cache: Cache = Cache()\n"
            "    model_config = SettingsConfigDict(env_prefix='APP_', env_nested_delimiter='__')\n"
            "class Old(BaseSettings):\n"
            "    db: 'Cache'\n    mail: Mail | None = None\n"
            "    class Config:\n        env_prefix = 'SVC_'\n        env_nested_delimiter = '__'\n"
        },
    ),
]
