"""`undertow config schema` and `undertow config check [FILE]`."""

import json

from undertow.app.cli import main


def test_config_schema_prints_the_json_schema(capsys):
    assert main(["config", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Undertow configuration (.github/undertow.yml)"


def test_config_check_names_the_key_path_of_a_problem(tmp_path, capsys):
    good = tmp_path / "good.yml"
    good.write_text("rules:\n  SCH001: warning\nschema:\n  dialect: sqlite\n")
    assert main(["config", "check", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: valid\n"
    bad = tmp_path / "bad.yml"
    bad.write_text("schema:\n  dialect: oracle\n")
    assert main(["config", "check", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"undertow: {bad}: schema.dialect: Input should be 'postgres', 'mysql' or 'sqlite'\n"
    )
    assert main(["config"]) == 2
    assert "config needs a command" in capsys.readouterr().err
