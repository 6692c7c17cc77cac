"""`.github/undertow.yml`: the repository's configuration, validated with the failing key's path.

The configuration is frozen dataclasses, which pydantic validates (``parse_config``) and
describes (``config_schema``): a review without a config file, or with one already parsed,
imports neither pydantic nor PyYAML (~70 ms of a warm scan's start-up)."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from undertow.analyzers import CONFIG_PATH as CONFIG_PATH
from undertow.analyzers.core.errors import UserError
from undertow.analyzers.core.limits import deep_flow_line

if TYPE_CHECKING:
    from pydantic import TypeAdapter

RuleSetting = Literal["off", "error", "warning", "notice"]


class ConfigError(UserError, ValueError):
    """A config file that cannot be used; the message names the file and the key."""


# pydantic's configuration of a stdlib dataclass it validates: an unknown key is an error.
_FORBID_EXTRA: dict[str, Any] = {"extra": "forbid"}


@dataclass(frozen=True)
class PathsConfig:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchemaConfig:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    migrations: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    dialect: Literal["postgres", "mysql", "sqlite"] = "postgres"
    # Who creates new tables: the migrations (a mapped table no migration creates is SCH001), or
    # metadata.create_all() at start-up, by design (only new columns of existing tables need one).
    new_tables: Literal["migrations", "create_all"] = "migrations"


@dataclass(frozen=True)
class ServiceConfig:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    name: str
    manifest: str
    entry: str | None = None


@dataclass(frozen=True)
class TestsConfig:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    # Patch targets created at run time (TST002 cannot see them in the source).
    dynamic_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportsConfig:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    # Modules generated at build time (protobuf stubs...): DEP002 does not ask for them in git.
    generated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    paths: PathsConfig = PathsConfig()
    # The file's key is `schema` (see _FILE_KEYS).
    schema_: SchemaConfig = SchemaConfig()
    services: tuple[ServiceConfig, ...] = ()
    tests: TestsConfig = TestsConfig()
    imports: ImportsConfig = ImportsConfig()

    def is_excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in self.paths.exclude)

    def digest_source(self) -> str:
        """The whole configuration as canonical JSON (what cached results are keyed by)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


# Keys of the file whose attribute has another name (`schema` is not a good attribute name).
_FILE_KEYS = {"schema": "schema_"}
_ATTRIBUTE_KEYS = {attribute: key for key, attribute in _FILE_KEYS.items()}


MAX_CONFIG_BYTES = 64 * 1024


# A config is a few levels deep; anything deeper (or an alias bomb) is not a config.
MAX_CONFIG_DEPTH = 20
MAX_CONFIG_ALIASES = 100


def _check_shape(text: str | bytes, source: str) -> None:
    """Depth and aliases measured on PyYAML's event stream (its parser does not recurse; its
    composer and constructor do), before anything is built."""
    import yaml

    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark is not None else 1
                raise ConfigError(
                    f"{source}: line {line}: nested more than {MAX_CONFIG_DEPTH} levels deep; "
                    "this is not an Undertow config"
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_CONFIG_ALIASES:
                raise ConfigError(
                    f"{source}: more than {MAX_CONFIG_ALIASES} YAML aliases; this is not an Undertow config"
                )


def parse_config(text: str | bytes, source: str = CONFIG_PATH, known_rules: set[str] | None = None) -> Config:
    """Parse and validate a config file; every problem names ``source`` and the key path."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{source}: the file is {len(text)} bytes, over the {MAX_CONFIG_BYTES // 1024} KiB a config may have"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{source}: not valid UTF-8 (byte {exc.start})") from None
    if deep := deep_flow_line(text):  # before PyYAML's scanner; _check_shape holds the config to 20
        raise ConfigError(
            f"{source}: line {deep}: nested more than {MAX_CONFIG_DEPTH} levels deep; this is not an Undertow config"
        )
    import yaml
    from pydantic import ValidationError

    try:
        _check_shape(text, source)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{source}:{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:  # a second line of defence behind _check_shape
        raise ConfigError(f"{source}: nested too deeply to read") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping, not {type(data).__name__}")
    for key in _ATTRIBUTE_KEYS:
        if key in data:  # only the file's own spelling is a key
            raise ConfigError(f"{source}: {key}: unknown key")
    data = {_FILE_KEYS.get(k, k): v for k, v in data.items()}
    if isinstance(data.get("rules"), dict):
        # YAML reads a bare `off` as False; accept it as the user meant it.
        data["rules"] = {k: ("off" if v is False else v) for k, v in data["rules"].items()}
    try:
        config = _adapter().validate_python(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        if loc:
            loc[0] = _ATTRIBUTE_KEYS.get(loc[0], loc[0])
        key = ".".join(loc) or "(top level)"
        unknown = error["type"] in ("extra_forbidden", "unexpected_keyword_argument")
        msg = "unknown key" if unknown else error["msg"]
        raise ConfigError(f"{source}: {key}: {msg}") from None
    if known_rules is not None:
        for rule_id in config.rules:
            if rule_id not in known_rules:
                raise ConfigError(f"{source}: rules.{rule_id}: unknown rule id")
    return config


@functools.cache
def _adapter() -> TypeAdapter[Config]:
    """pydantic's validator of the config, built once per process (building it costs more than
    validating a file: the App validates one per review)."""
    from pydantic import TypeAdapter

    return TypeAdapter(Config)


SCHEMA_FILE = "undertow.schema.json"  # shipped beside this module, equal to config_schema()


def config_schema(rule_ids: list[str] | None = None) -> dict[str, Any]:
    """The JSON Schema of ``.github/undertow.yml``, generated from the model (editors complete
    and check the file with it: ``# yaml-language-server: $schema=...``)."""
    model = _adapter().json_schema()
    model["properties"] = {_ATTRIBUTE_KEYS.get(k, k): v for k, v in model["properties"].items()}
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model,
        "title": "Undertow configuration (.github/undertow.yml)",
    }
    if rule_ids:
        schema["properties"]["rules"]["propertyNames"] = {"enum": sorted(rule_ids)}
    return schema
