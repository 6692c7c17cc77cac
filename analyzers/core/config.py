"""`.github/undertow.yml`: the repository's configuration, validated with the failing key's path."""

from __future__ import annotations

import fnmatch
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from undertow.analyzers import CONFIG_PATH as CONFIG_PATH
from undertow.analyzers.core.limits import deep_flow_line

RuleSetting = Literal["off", "error", "warning", "notice"]


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathsConfig(_Strict):
    exclude: tuple[str, ...] = ()


class SchemaConfig(_Strict):
    migrations: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    dialect: Literal["postgres", "mysql", "sqlite"] = "postgres"
    # Who creates new tables: the migrations (a mapped table no migration creates is SCH001), or
    # metadata.create_all() at start-up, by design (only new columns of existing tables need one).
    new_tables: Literal["migrations", "create_all"] = "migrations"


class ServiceConfig(_Strict):
    name: str
    manifest: str
    entry: str | None = None


class TestsConfig(_Strict):
    # Patch targets created at run time (TST002 cannot see them in the source).
    dynamic_attributes: tuple[str, ...] = ()


class ImportsConfig(_Strict):
    # Modules generated at build time (protobuf stubs...): DEP002 does not ask for them in git.
    generated: tuple[str, ...] = ()


class Config(_Strict):
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    paths: PathsConfig = PathsConfig()
    schema_: SchemaConfig = Field(default=SchemaConfig(), alias="schema")
    services: tuple[ServiceConfig, ...] = ()
    tests: TestsConfig = TestsConfig()
    imports: ImportsConfig = ImportsConfig()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("rules", mode="before")
    @classmethod
    def _rule_values(cls, value: object) -> object:
        # YAML reads a bare `off` as False; accept it as the user meant it.
        if isinstance(value, dict):
            return {k: ("off" if v is False else v) for k, v in value.items()}
        return value

    def is_excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in self.paths.exclude)


MAX_CONFIG_BYTES = 64 * 1024


# A config is a few levels deep; anything deeper (or an alias bomb) is not a config.
MAX_CONFIG_DEPTH = 20
MAX_CONFIG_ALIASES = 100


def _check_shape(text: str | bytes, source: str) -> None:
    """Depth and aliases measured on PyYAML's event stream (its parser does not recurse; its
    composer and constructor do), before anything is built."""
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
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        msg = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        raise ConfigError(f"{source}: {key}: {msg}") from None
    if known_rules is not None:
        for rule_id in config.rules:
            if rule_id not in known_rules:
                raise ConfigError(f"{source}: rules.{rule_id}: unknown rule id")
    return config


SCHEMA_FILE = "undertow.schema.json"  # shipped beside this module, equal to config_schema()


def config_schema(rule_ids: list[str] | None = None) -> dict[str, Any]:
    """The JSON Schema of ``.github/undertow.yml``, generated from the model (editors complete
    and check the file with it: ``# yaml-language-server: $schema=...``)."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Config.model_json_schema(by_alias=True),
        "title": "Undertow configuration (.github/undertow.yml)",
    }
    if rule_ids:
        schema["properties"]["rules"]["propertyNames"] = {"enum": sorted(rule_ids)}
    return schema
