"""Without a lock file, what a declared distribution brings with it is unknown: an import declared
nowhere in the repository is still an error (most often nothing brings it, and what the code
imports is declared directly), whose message says what is not known; an extra named like a
distribution installs it."""

from tests.gitrepo import findings, only

PROJECT = {
    "pyproject.toml": (
        "[project]\nname = 'idp'\nversion = '0'\n"
        "dependencies = ['dramatiq[redis]>=1.12,<2', 'asgi-babel>=0.9']\n"
        "[dependency-groups]\ndev = ['pytest>=8']\n"
    ),
    "idp/__init__.py": "",
}


def test_an_extra_named_like_the_distribution_provides_it(make_pr, capsys):
    assert only(make_pr(PROJECT, {"idp/tasks.py": "import dramatiq\nimport redis\n"}).scan_json(capsys), "DEP001") == []


def test_a_poetry_extra_provides_it_too(make_pr, capsys):
    base = {
        "pyproject.toml": (
            "[tool.poetry]\nname = 'idp'\nversion = '0'\n\n[tool.poetry.dependencies]\npython = '^3.12'\n"
            "celery = {version = '^5.4', extras = ['redis']}\n"
        ),
        "idp/__init__.py": "",
    }
    assert only(make_pr(base, {"idp/tasks.py": "import celery\nimport redis\n"}).scan_json(capsys), "DEP001") == []


def test_no_lock_an_undeclared_import_says_what_is_not_known(make_pr, capsys):
    doc = make_pr(PROJECT, {"idp/i18n.py": "import babel\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "idp/i18n.py", 1)]
    (finding,) = only(doc, "DEP001")
    assert finding["severity"] == "error"
    assert finding["message"] == (
        "idp/i18n.py imports babel; no image runs idp/i18n.py, and its nearest manifest pyproject.toml does not "
        "declare Babel: unless another distribution happens to depend on it (no lock file says whether one "
        "does), it fails with ModuleNotFoundError; declare it directly"
    )
    assert finding["suggestion"] == {"kind": "snippet", "text": "Babel", "description": "add to pyproject.toml"}


def test_declared_only_for_development_stays_an_error(make_pr, capsys):
    (finding,) = only(make_pr(PROJECT, {"idp/check.py": "import pytest\n"}).scan_json(capsys), "DEP001")
    assert finding["severity"] == "error"
    assert "pyproject.toml has pytest>=8 only in its 'dev' group" in finding["message"]


def test_with_a_lock_a_missing_distribution_stays_an_error(make_pr, capsys):
    lock = (
        'version = 1\n\n[[package]]\nname = "idp"\nversion = "0"\nsource = { editable = "." }\n'
        'dependencies = [{ name = "dramatiq", extra = ["redis"] }, { name = "asgi-babel" }]\n\n'
        '[[package]]\nname = "dramatiq"\nversion = "1.17.1"\nsource = { registry = "https://pypi.org/simple" }\n\n'
        '[[package]]\nname = "asgi-babel"\nversion = "0.10.0"\nsource = { registry = "https://pypi.org/simple" }\n'
    )
    doc = make_pr({**PROJECT, "uv.lock": lock}, {"idp/i18n.py": "import httpx\n"}).scan_json(capsys)
    (finding,) = only(doc, "DEP001")
    assert finding["severity"] == "error"
    assert finding["message"].endswith(
        "it fails with ModuleNotFoundError where only that manifest is installed; declare httpx in pyproject.toml"
    )
