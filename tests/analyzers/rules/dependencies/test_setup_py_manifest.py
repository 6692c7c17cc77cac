"""DEP001 with setup.py as the manifest: its literal install_requires / extras_require declare
(also through module-level variables); a computed one is unknown, and unknown stays quiet."""

from tests.gitrepo import findings, only

SETUP_PY = """\
from setuptools import find_packages, setup

INSTALL_REQUIRES = [
    "flask>=2.3,<4",
    "SQLAlchemy>=2.0,<3",
]

setup(
    name="ledger",
    packages=find_packages(exclude=("tests",)),
    install_requires=INSTALL_REQUIRES,
    extras_require={"s3": ["boto3>=1.34"], "dev": ["pytest"]},
)
"""
BASE = {
    "setup.py": SETUP_PY,
    "pyproject.toml": "[tool.black]\nline-length = 100\n\n[tool.isort]\nprofile = 'black'\n",
    "ledger/__init__.py": "",
}


def test_an_import_setup_py_does_not_declare(make_pr, capsys):
    pr = {"ledger/export.py": "import flask\nfrom sqlalchemy import select\nimport boto3\nimport requests\n"}
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "ledger/export.py", 4)]
    assert (
        "no image runs ledger/export.py, and its nearest manifest setup.py does not declare requests"
        in only(doc, "DEP001")[0]["message"]
    )


def test_a_computed_install_requires_is_unknown_and_quiet(make_pr, capsys):
    computed = SETUP_PY.replace(
        "INSTALL_REQUIRES = [\n", "INSTALL_REQUIRES = [line.strip() for line in open('deps.txt')] or [\n"
    )
    doc = make_pr({**BASE, "setup.py": computed}, {"ledger/export.py": "import requests\n"}).scan_json(capsys)
    assert only(doc, "DEP001") == []


def test_an_image_installing_requirements_with_the_project(make_pr, capsys):
    base = {
        **BASE,
        "requirements.txt": "-e .\ngunicorn==22.0.0\n",
        "Dockerfile": (
            "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\n"
            'CMD ["gunicorn", "ledger.wsgi:app"]\n'
        ),
        "ledger/wsgi.py": "from ledger import export\napp = None\n",
    }
    pr = {"ledger/export.py": "import flask\nimport requests\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "ledger/export.py", 2)]
    assert (
        "reached from Dockerfile (it runs ledger.wsgi); requirements.txt does not declare requests"
        in (only(doc, "DEP001")[0]["message"])
    )


def test_a_setup_cfg_that_only_configures_tools_is_not_the_nearest_manifest(make_pr, capsys):
    base = {
        "requirements.txt": "celery==5.4.0\n",
        "services/billing/setup.cfg": "[flake8]\nmax-line-length = 100\n\n[tool:pytest]\naddopts = -q\n",
        "services/billing/billing/__init__.py": "",
    }
    pr = {"services/billing/billing/tasks.py": "import celery\nimport stripe\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "services/billing/billing/tasks.py", 2)]
    assert "its nearest manifest requirements.txt does not declare stripe" in only(doc, "DEP001")[0]["message"]


def test_a_setup_cfg_with_install_requires_stays_the_nearest(make_pr, capsys):
    base = {
        "requirements.txt": "celery==5.4.0\n",
        "services/billing/setup.cfg": "[options]\ninstall_requires =\n    stripe>=11,<12\n    celery>=5.4\n",
        "services/billing/billing/__init__.py": "",
    }
    pr = {"services/billing/billing/tasks.py": "import celery\nimport stripe\n"}
    assert only(make_pr(base, pr).scan_json(capsys), "DEP001") == []
