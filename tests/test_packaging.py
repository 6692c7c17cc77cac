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


# What `pip install 'undertow[app]'` adds: the plain install (the scanner) must not need any of it.
SERVICE_DISTRIBUTIONS = {"fastapi", "uvicorn", "gidgethub", "httpx", "pyjwt", "pydantic-settings", "prometheus-client"}
SERVICE_DISTRIBUTIONS |= {"structlog", "redis", "arq"}


def test_the_plain_install_is_the_scanner_and_the_service_is_an_extra():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    plain = {Requirement(r).name.lower() for r in project["dependencies"]}
    assert plain == {"libcst", "packaging", "pydantic", "pyyaml", "platformdirs", "orjson", "sqlglot"}
    extra = {Requirement(r).name.lower() for r in project["optional-dependencies"]["app"]}
    assert extra == SERVICE_DISTRIBUTIONS
    assert "undertow[app]" in project["optional-dependencies"]["test"]


def test_a_fresh_plain_install_scans_and_serve_says_what_to_install(tmp_path, make_pr):
    """`pip install .` into a new venv (from the registry, through pip's cache): no service
    library is installed, `undertow scan` reviews a change, `undertow serve` exits 2 with the hint."""
    import subprocess
    import venv

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin/python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {line.split("==")[0].lower().replace("_", "-") for line in listed.splitlines()}
    assert "undertow" in installed and "libcst" in installed
    assert installed & SERVICE_DISTRIBUTIONS == set()

    undertow = str(env_dir / "bin/undertow")
    repo = make_pr(
        {"requirements.txt": "requests==2.32.3\n", "app/__init__.py": ""},
        {"app/jobs.py": "import subprocess\n\n\ndef run():\n    subprocess.run(['make'])\n"},
    )
    scan = subprocess.run(
        [undertow, "scan", "--repo", str(repo.path), "--fail-on", "warning", "--no-cache"],
        capture_output=True,
        text=True,
    )
    assert scan.returncode == 1, scan.stderr
    assert "app/jobs.py\n  5: warning RSK001 subprocess-without-timeout" in scan.stdout
    for command in ("serve", "worker"):
        refused = subprocess.run([undertow, command], capture_output=True, text=True)
        assert refused.returncode == 2
        assert refused.stdout == ""
        assert refused.stderr.startswith(
            f"undertow: undertow {command} runs the GitHub App service, which needs more than the scanner: "
            "pip install 'undertow[app]' (missing: fastapi, uvicorn, gidgethub, httpx, jwt, pydantic_settings, "
        ), refused.stderr
        assert refused.stderr.count("\n") == 1
