"""DEP002, DEP003, DEP005, DEP006, DEP007."""

from tests.analyzers.rules.dependencies.test_missing_requirement import SEED
from tests.gitrepo import findings, only
from undertow.analyzers.rules.dependencies.manifest_version_conflict import compatible


def test_dep002_import_of_a_module_never_committed(make_pr, capsys):
    base = {
        "app/__init__.py": "",
        "app/ai/__init__.py": "",
        "app/ai/models.py": "class Model:\n    pass\n",
        "app/ns/sub/mod.py": "X = 1\n",
    }
    pr = {
        "app/main.py": (
            "from app.ai.search_router import router\n"
            "from app.ai.models import Model, Missing\n"
            "from app.ns.sub import mod\n"
            "import app.ns.sub.mod\n"
            "from .ai import models\n"
            "from .worker import rollup_service\n"
            "import requests\n"
            "from app.proto import service_pb2\n"
        ),
        "app/new_module.py": "Y = 2\n",
        "app/uses_new.py": "from app.new_module import Y\n",
        ".github/undertow.yml": "",
    }
    base[".github/undertow.yml"] = "imports:\n  generated: ['app.proto.*']\n"
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP002") == [
        ("DEP002", "app/main.py", 1),
        ("DEP002", "app/main.py", 2),
        ("DEP002", "app/main.py", 6),
    ]
    messages = [f["message"] for f in only(doc, "DEP002")]
    assert messages[0] == (
        "app/main.py imports app.ai.search_router, but no module app.ai.search_router exists (no app/ai/search_router.py) "
        "at head; commit the missing module, or import it from where it lives"
    )
    assert messages[1].startswith(
        "app/main.py imports app.ai.models.Missing, but app/ai/models.py defines no Missing at head"
    )
    assert messages[2].startswith("app/main.py imports app.worker, but no module app.worker exists")


def test_dep003_unbounded_requirements(make_pr, capsys):
    base = {"requirements.txt": "fastapi==0.115.6\n", "Dockerfile": "FROM python\n"}
    pr = {
        "requirements.txt": "fastapi==0.115.6\ngoogle-genai>=0.2.0\ndiscord.py\nhttpx~=0.28\nredis<6,>=5\n",
        "requirements-dev.txt": "pytest>=8\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP003") == [("DEP003", "requirements.txt", 2), ("DEP003", "requirements.txt", 3)]
    assert only(doc, "DEP003")[0]["message"].startswith(
        "requirements.txt accepts google-genai >=0.2.0 with no upper bound: the next build may install a new major version"
    )
    assert "discord.py any version" in only(doc, "DEP003")[1]["message"]


def test_dep003_quiet_when_the_lock_file_is_updated(make_pr, capsys):
    base = {"pyproject.toml": "[project]\nname='a'\ndependencies = []\n", "uv.lock": "version = 1\n"}
    pr = {
        "pyproject.toml": "[project]\nname='a'\ndependencies = ['httpx>=0.28']\n",
        "uv.lock": "version = 1\n[[package]]\nname = 'httpx'\nversion = '0.28.1'\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert only(doc, "DEP003") == [] and only(doc, "DEP007") == []


def test_dep007_lock_not_updated(make_pr, capsys):
    base = {"pyproject.toml": "[project]\nname='a'\ndependencies = []\n", "uv.lock": "version = 1\n"}
    pr = {"pyproject.toml": "[project]\nname='a'\ndependencies = [\n  'httpx==0.28.1',\n]\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP007") == [("DEP007", "pyproject.toml", 4)]
    assert only(doc, "DEP007")[0]["message"].startswith(
        "pyproject.toml changes its dependencies but uv.lock is not updated in this change"
    )


def test_dep005_removed_requirement_still_imported(make_pr, capsys):
    doc = make_pr(SEED, {"requirements-worker.txt": "celery==5.4.0\n"}).scan_json(capsys)
    assert findings(doc, "DEP005") == [("DEP005", "app/scheduler/main.py", 1), ("DEP005", "app/worker/main.py", 1)]
    assert only(doc, "DEP005")[1]["message"].startswith(
        "app/worker/main.py still imports redis (reached from docker/worker.Dockerfile (it runs app.worker.main)), but this change removes redis from requirements-worker.txt"
    )


def test_dep005_quiet_when_the_last_import_goes_too(make_pr, capsys):
    pr = {
        "requirements-worker.txt": "celery==5.4.0\n",
        "app/worker/main.py": "from app.worker import sse_broadcaster\n",
        "app/scheduler/main.py": "X = 1\n",
    }
    assert only(make_pr(SEED, pr).scan_json(capsys), "DEP005") == []


def test_dep006_conflicting_ranges(make_pr, capsys):
    base = {"requirements-web.txt": "pydantic==2.7.1\nhttpx>=0.27\n"}
    pr = {"requirements-worker.txt": "pydantic<2\nhttpx>=0.28,<0.29\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP006") == [("DEP006", "requirements-worker.txt", 1)]
    assert only(doc, "DEP006")[0]["message"] == (
        "requirements-worker.txt requires pydantic<2 but requirements-web.txt:1 requires pydantic==2.7.1: no version "
        "satisfies both; make both manifests accept the same version (share a constraints file)"
    )


def test_specifier_compatibility():
    assert not compatible("==0.27.0", "==0.28.1")
    assert not compatible(">=2", "<1.5")
    assert compatible(">=1.0,<2", ">=1.5")
    assert compatible(">1.0", "<1.1")
    assert compatible("~=2.3", ">=2.4")
    assert not compatible("~=2.3.0", ">=2.4")


def test_dep003_many_unbounded_lines_are_one_finding(make_pr, capsys):
    names = [f"lib{i}" for i in range(12)]
    pr = {"Dockerfile": "FROM python\n", "requirements.txt": "".join(f"{n}>=1\n" for n in names)}
    doc = make_pr({}, pr).scan_json(capsys)
    assert findings(doc, "DEP003") == [("DEP003", "requirements.txt", 1)]
    assert only(doc, "DEP003")[0]["message"].startswith(
        "requirements.txt adds 12 requirements with no upper bound and no lock file updated (lib0, lib1, lib2, lib3, lib4, lib5, lib6, lib7, ...)"
    )
