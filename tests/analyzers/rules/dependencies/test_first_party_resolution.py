"""DEP002 resolves a first-party import the way Python does: from path components, against the
importing file's own project, and a namespace directory never shadows a declared distribution."""

from tests.gitrepo import findings, only


def test_relative_imports_under_a_directory_that_is_no_identifier(make_pr, capsys):
    base = {
        "api.v3/core/__init__.py": "",
        "api.v3/core/handlers/__init__.py": "VERSION = 1\n",
    }
    pr = {
        "api.v3/core/handlers/__init__.py": "from .auth import login\nfrom .billing import charge\n",
        "api.v3/core/handlers/auth.py": "def login():\n    return 1\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP002") == [("DEP002", "api.v3/core/handlers/__init__.py", 2)]
    assert only(doc, "DEP002")[0]["message"] == (
        "api.v3/core/handlers/__init__.py imports core.handlers.billing, but no module core.handlers.billing "
        "exists (no core/handlers/billing.py) at head; commit the missing module, or import it from where it lives"
    )


def test_relative_imports_below_a_plain_directory_under_one_that_is_no_identifier(make_pr, capsys):
    # {{cookiecutter.name}}/variant/ (no __init__.py) holds the package app/: the module index names
    # its files from a root of its own, the relative import is found by path.
    base = {
        "{{cookiecutter.name}}/variant/app/__init__.py": "",
        "{{cookiecutter.name}}/variant/app/schemas/__init__.py": "VERSION = 1\n",
    }
    pr = {
        "{{cookiecutter.name}}/variant/app/schemas/__init__.py": "from .user import User\nfrom .team import Team\n",
        "{{cookiecutter.name}}/variant/app/schemas/user.py": "class User:\n    pass\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    # user.py is there; team.py is not, and is still reported.
    assert findings(doc, "DEP002") == [("DEP002", "{{cookiecutter.name}}/variant/app/schemas/__init__.py", 2)]
    assert "imports variant.app.schemas.team, but no module" in only(doc, "DEP002")[0]["message"]


TWO_PROJECTS = {
    "services/billing/pyproject.toml": "[project]\nname = 'billing'\nversion = '0'\n",
    "services/billing/app/__init__.py": "",
    "services/billing/app/models.py": "class Invoice:\n    pass\n",
    "services/billing/app/ledger.py": "def post():\n    return 1\n",
    "services/users/pyproject.toml": "[project]\nname = 'users'\nversion = '0'\n",
    "services/users/app/__init__.py": "",
    "services/users/app/models.py": "class Member:\n    pass\n",
}


def test_an_import_resolves_in_the_importing_files_own_project(make_pr, capsys):
    pr = {
        "services/users/app/views.py": (
            "from app.models import Member\n"  # users' own models: fine (billing's has no Member)
            "from app.models import Invoice\n"  # billing's has it, users' does not
            "from app.ledger import post\n"  # only billing has app/ledger.py
        ),
        "services/users/tests/test_views.py": "from app.models import Member\n",  # a project's tests: its package
    }
    doc = make_pr(TWO_PROJECTS, pr).scan_json(capsys)
    assert findings(doc, "DEP002") == [
        ("DEP002", "services/users/app/views.py", 2),
        ("DEP002", "services/users/app/views.py", 3),
    ]
    assert [f["message"].split(" at head;")[0] for f in only(doc, "DEP002")] == [
        "services/users/app/views.py imports app.models.Invoice, but services/users/app/models.py defines no Invoice",
        "services/users/app/views.py imports app.ledger, but no module app.ledger exists (no app/ledger.py)",
    ]


def test_a_namespace_directory_does_not_shadow_a_declared_distribution(make_pr, capsys):
    base = {
        "requirements.txt": "celery==5.4.0\n",
        "celery/beat_schedule.py": "SCHEDULE = {}\n",  # the project's celery settings, no __init__.py
        "jobs/nightly.py": "def run():\n    return 1\n",  # a namespace package no distribution provides
        "app/__init__.py": "",
    }
    pr = {
        "app/worker.py": (
            "from celery import Celery\n"
            "from celery.schedules import crontab\n"
            "import celery.result\n"
            "from jobs.nightly import run\n"
            "from jobs.weekly import run_weekly\n"
        )
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP002") == [("DEP002", "app/worker.py", 5)]
    assert only(doc, "DEP002")[0]["message"].startswith(
        "app/worker.py imports jobs.weekly, but no module jobs.weekly exists (no jobs/weekly.py) at head"
    )


def test_a_regular_first_party_package_wins_over_a_declared_distribution(make_pr, capsys):
    base = {"requirements.txt": "celery==5.4.0\n", "celery/__init__.py": "", "celery/app.py": "X = 1\n"}
    pr = {"main.py": "from celery.app import X\nfrom celery.schedules import crontab\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP002") == [("DEP002", "main.py", 2)]
