"""The catalogue (what is known of each rule without importing it) is the registry's classes."""

import json
import subprocess
import sys

from undertow.analyzers.rules.catalogue import CATALOGUE_FILE, catalogue, describe, render
from undertow.analyzers.rules.registry import ALL_RULES


def test_the_shipped_catalogue_is_generated_from_the_rule_classes():
    assert CATALOGUE_FILE.read_text(encoding="utf-8") == render(ALL_RULES), (
        "analyzers/rules/catalogue.json is out of date: run `make readme`"
    )


def test_every_entry_loads_its_own_class():
    by_id = {rule.id: rule for rule in ALL_RULES}
    assert list(catalogue()) == sorted(by_id)
    for rule_id, info in catalogue().items():
        assert info.load() is by_id[rule_id]
        assert json.loads(json.dumps(describe(info.load()))) == describe(by_id[rule_id])


def test_only_a_rule_that_overrides_known_at_base_asks_the_base_and_without_importing_the_rule():
    asking = {rule_id: info.base_check for rule_id, info in catalogue().items() if info.base_check}
    assert asking == {"CFG001": "undertow.analyzers.rules.config.env_at_base:read_at_base"}
    loaded = _modules_after(
        "from undertow.analyzers.rules.catalogue import catalogue, load_base_check\n"
        "load_base_check(catalogue()['CFG001'].base_check)"
    )
    assert "libcst" not in loaded and "undertow.analyzers.rules.config.undeclared_env_var" not in loaded


def test_sections_keep_the_docstrings_order():
    for rule in ALL_RULES:
        assert list(catalogue()[rule.id].sections) == list(rule.doc().sections)
    assert list(catalogue()["SCH001"].sections) == ["What it does", "Why is this bad?", "Example", "Use instead"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_reading_the_catalogue_imports_no_rule_and_no_parser():
    loaded = _modules_after("from undertow.analyzers.rules.catalogue import catalogue; catalogue()")
    assert not {m for m in loaded if m.split(".")[0] in ("libcst", "sqlglot", "pydantic", "yaml")}
    assert not {m for m in loaded if m.startswith("undertow.analyzers.rules.") and m.count(".") >= 4}
