"""A lock file is not a declaration: a distribution there only because another depends on it is
transitive, and importing it directly is DEP001 at warning severity, naming who pulls it in."""

from tests.analyzers.deps.manifests.test_locks import COMPILED, POETRY_LOCK, UV_LOCK
from tests.gitrepo import findings, only

UV_PROJECT = {
    "pyproject.toml": (
        "[project]\nname = 'inventory'\nversion = '0.1.0'\n"
        "dependencies = ['httpx>=0.28,<1', 'pydantic-settings>=2.7,<3']\n\n"
        "[dependency-groups]\ndev = ['pytest>=8']\n"
    ),
    "uv.lock": UV_LOCK,
    "inventory/__init__.py": "",
}


def test_uv_lock_transitive_import_is_a_warning(make_pr, capsys):
    pr = {"inventory/settings.py": "import httpx\nfrom dotenv import load_dotenv\nimport anyio\n"}
    doc = make_pr(UV_PROJECT, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "inventory/settings.py", 2)]
    (finding,) = only(doc, "DEP001")
    assert finding["severity"] == "warning"
    assert finding["message"] == (
        "inventory/settings.py imports dotenv; no image runs inventory/settings.py, and its nearest manifest "
        "pyproject.toml does not declare python-dotenv: "
        "installed today only because pydantic-settings depends on it (uv.lock); declare it"
    )
    assert finding["suggestion"]["text"] == "python-dotenv"


def test_uv_lock_declared_and_well_known_providers_are_quiet(make_pr, capsys):
    # anyio is installed by httpx, which the project declares: PROVIDED_BY keeps it quiet.
    pr = {"inventory/client.py": "import httpx\nimport anyio\nfrom pydantic_settings import BaseSettings\n"}
    assert only(make_pr(UV_PROJECT, pr).scan_json(capsys), "DEP001") == []


POETRY_PROJECT = {
    "pyproject.toml": (
        "[tool.poetry]\nname = 'uploader'\nversion = '1.0.0'\n\n"
        "[tool.poetry.dependencies]\npython = '^3.11'\nboto3 = '^1.35'\n"
    ),
    "poetry.lock": POETRY_LOCK,
    "uploader/__init__.py": "",
}


def test_poetry_lock_transitive_import(make_pr, capsys):
    pr = {"uploader/s3.py": "import boto3\nfrom dateutil import parser\nimport jmespath\n"}
    doc = make_pr(POETRY_PROJECT, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "uploader/s3.py", 2), ("DEP001", "uploader/s3.py", 3)]
    dateutil, jmespath = only(doc, "DEP001")
    assert "installed today only because botocore depends on it (poetry.lock)" in dateutil["message"]
    # boto3 is declared, so it is the dependent named first.
    assert "installed today only because boto3 (and 1 more) depends on it (poetry.lock)" in jmespath["message"]
    assert {dateutil["severity"], jmespath["severity"]} == {"warning"}


def test_pip_compile_output_transitive_pin(make_pr, capsys):
    base = {
        "requirements.in": "flask\nrq\ngunicorn\n",
        "requirements.txt": COMPILED,
        "jobs/__init__.py": "",
    }
    pr = {"jobs/queue.py": "import flask\nimport rq\nimport click\nfrom redis import Redis\nimport werkzeug\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    # click and werkzeug are flask's own (PROVIDED_BY); redis is there only for rq.
    assert findings(doc, "DEP001") == [("DEP001", "jobs/queue.py", 4)]
    (finding,) = only(doc, "DEP001")
    assert finding["severity"] == "warning"
    assert finding["message"].endswith(
        "requirements.txt does not declare redis: installed today only because rq depends on it "
        "(requirements.txt); declare it"
    )
    assert finding["suggestion"]["description"] == "add to requirements.in"


def test_a_hand_pinned_requirements_file_still_declares_everything(make_pr, capsys):
    base = {
        "requirements.txt": "flask==3.1.0\nredis==5.2.1  # pinned: rq needs <6\nrq==2.1.0\n",
        "jobs/__init__.py": "",
    }
    pr = {"jobs/queue.py": "from redis import Redis\nimport rq\n"}
    assert only(make_pr(base, pr).scan_json(capsys), "DEP001") == []


def test_a_dev_dependency_imported_by_app_code_is_undeclared_not_transitive(make_pr, capsys):
    lock = UV_LOCK.replace(
        '[[package]]\nname = "pytest"\n',
        '[[package]]\nname = "pytest-asyncio"\nversion = "0.25.0"\nsource = { registry = "https://pypi.org/simple" }\n'
        'dependencies = [{ name = "pytest" }]\n\n[[package]]\nname = "pytest"\n',
    )
    doc = make_pr({**UV_PROJECT, "uv.lock": lock}, {"inventory/checks.py": "import pytest\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "inventory/checks.py", 1)]
    (finding,) = only(doc, "DEP001")
    assert finding["severity"] == "error" and "installed today" not in finding["message"]


def test_a_dev_group_only_lock_entry_is_not_declared_for_app_code(make_pr, capsys):
    doc = make_pr(
        UV_PROJECT, {"inventory/checks.py": "import pytest\n", "tests/test_x.py": "import pytest\n"}
    ).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "inventory/checks.py", 1)]
