"""The README's rules table is generated from the rule docstrings; it must not drift."""

from pathlib import Path

from undertow.app.docs import readme_with_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rules_table_is_current():
    text = README.read_text()
    assert readme_with_table(text) == text, "README rules table is stale: run `make readme`"
