"""One import name: everything installs under `undertow`, and nothing imports the folders by
their repository names (`analyzers`, `app`), which a project being analysed may well have too."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *ROOT.joinpath("analyzers").rglob("*.py"),
    *ROOT.joinpath("app").rglob("*.py"),
    *ROOT.joinpath("tests").rglob("*.py"),
    ROOT / "scripts/trial-history",
    ROOT / "scripts/facts-dump",
]


def test_every_package_folder_is_installed_under_undertow():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {
        "undertow." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("analyzers", "app")
        for init in ROOT.joinpath(top).rglob("__init__.py")
    }
    assert listed == folders
    assert config["package-dir"] == {"undertow.analyzers": "analyzers", "undertow.app": "app"}
    assert all(name.startswith("undertow.") for name in listed)


def test_no_module_imports_the_repository_folder_names():
    offenders = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            )
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] in ("analyzers", "app")
            ]
    assert offenders == []


def test_the_console_script_is_in_the_undertow_package():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"undertow": "undertow.app.cli:entry"}
