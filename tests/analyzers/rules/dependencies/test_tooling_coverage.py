"""Code no image runs and the project does not ship (``scripts/``, ``dev/``: no package) is run by
developers and CI with the project's groups: a declaration in any group of its nearest manifest
declares it. The project's own packages are still judged by what installing the project installs."""

from tests.gitrepo import findings, only

TOOLING_ONLY = {
    "pyproject.toml": "[dependency-groups]\ndev = [\n    'ruff>=0.4,<1',\n    'typer>=0.20,<1',\n]\n",
    "README.md": "",
}
POETRY = {
    "pyproject.toml": (
        "[tool.poetry]\nname = 'cookbook'\nversion = '1.0.0'\n\n"
        "[tool.poetry.dependencies]\npython = '^3.12'\nfastapi = '^0.115'\n\n"
        "[tool.poetry.group.dev.dependencies]\nfreezegun = '^1.5'\n"
    ),
    "cookbook/__init__.py": "",
}


def test_a_script_imports_what_a_dependency_group_declares(make_pr, capsys):
    doc = make_pr(TOOLING_ONLY, {"scripts/release.py": "import typer\n\napp = typer.Typer()\n"}).scan_json(capsys)
    assert only(doc, "DEP001") == []


def test_poetry_dev_group_covers_a_code_generation_script(make_pr, capsys):
    pr = {"dev/code-generation/gen_docs.py": "from freezegun import freeze_time\nimport fastapi\n"}
    assert only(make_pr(POETRY, pr).scan_json(capsys), "DEP001") == []


def test_the_package_itself_still_needs_a_main_dependency(make_pr, capsys):
    doc = make_pr(POETRY, {"cookbook/clock.py": "from freezegun import freeze_time\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "cookbook/clock.py", 1)]
    assert "pyproject.toml has freezegun = '^1.5' only in its 'dev' group" in only(doc, "DEP001")[0]["message"]


def test_a_script_importing_what_no_group_declares(make_pr, capsys):
    doc = make_pr(TOOLING_ONLY, {"scripts/release.py": "import typer\nimport httpx\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "scripts/release.py", 2)]
    (finding,) = only(doc, "DEP001")
    assert finding["message"] == (
        "scripts/release.py imports httpx; no image runs scripts/release.py, and its nearest manifest "
        "pyproject.toml does not declare httpx: unless another distribution happens to depend on it (no lock "
        "file says whether one does), it fails with ModuleNotFoundError; declare it directly"
    )
    assert finding["severity"] == "error"  # no lock: whether typer or ruff brings it is unknown, and said
    assert finding["suggestion"] == {"kind": "snippet", "text": "httpx", "description": "add to pyproject.toml"}
