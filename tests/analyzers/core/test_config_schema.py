"""The JSON Schema of .github/undertow.yml: generated from the config model, shipped in the
package, and held equal to the model (regenerate with `undertow config schema`)."""

import json
from importlib import resources

from undertow.analyzers.core.config import SCHEMA_FILE, config_schema
from undertow.analyzers.rules import rules_by_id


def test_the_shipped_schema_is_the_model_s():
    shipped = json.loads(resources.files("undertow.analyzers.core").joinpath(SCHEMA_FILE).read_text())
    assert shipped == config_schema(sorted(rules_by_id())), (
        "the config model changed: run `undertow config schema > analyzers/core/undertow.schema.json`"
    )


def test_the_schema_knows_every_key_and_rule_and_nothing_else():
    schema = config_schema(sorted(rules_by_id()))
    assert schema["additionalProperties"] is False
    assert sorted(schema["properties"]) == ["imports", "paths", "rules", "schema", "services", "tests"]
    assert "SCH012" in schema["properties"]["rules"]["propertyNames"]["enum"]
    dialect = schema["$defs"]["SchemaConfig"]["properties"]["dialect"]
    assert dialect["enum"] == ["postgres", "mysql", "sqlite"]
