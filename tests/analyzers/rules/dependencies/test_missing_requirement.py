import pytest

from tests.gitrepo import findings, only
from undertow.analyzers.deps.import_names import IMPORT_TO_DISTRIBUTIONS, candidate_distributions

WEB_DOCKERFILE = 'FROM python:3.12-slim\nCOPY requirements-web.txt .\nRUN pip install -r requirements-web.txt\nCOPY app app\nCMD ["uvicorn", "app.web.main:app"]\n'
WORKER_DOCKERFILE = "FROM python:3.12-slim\nCOPY requirements-worker.txt /tmp/req.txt\nRUN pip install -r /tmp/req.txt\nCOPY app app\nCMD python -m app.worker.main\n"
SEED = {
    "requirements-web.txt": "fastapi==0.115.6\nhttpx==0.28.1\nrequests==2.32.3\n",
    "requirements-worker.txt": "redis==5.2.1\n",
    "docker/web.Dockerfile": WEB_DOCKERFILE,
    "docker/worker.Dockerfile": WORKER_DOCKERFILE,
    "docker-compose.yml": (
        "services:\n"
        "  web:\n    build: {context: ., dockerfile: docker/web.Dockerfile}\n"
        "  worker:\n    build: {context: ., dockerfile: docker/worker.Dockerfile}\n"
        "  scheduler:\n    build: {context: ., dockerfile: docker/worker.Dockerfile}\n    command: python -m app.scheduler.main\n"
    ),
    "app/__init__.py": "",
    "app/web/__init__.py": "",
    "app/web/main.py": "from fastapi import FastAPI\nimport httpx\napp = FastAPI()\n",
    "app/worker/__init__.py": "",
    "app/worker/main.py": "import redis\nfrom app.worker import sse_broadcaster\n",
    "app/worker/sse_broadcaster.py": "import json\n",
    "app/scheduler/__init__.py": "",
    "app/scheduler/main.py": "import redis\n",
    "tests/test_web.py": "import pytest\n",
    "requirements-dev.txt": "-r requirements-web.txt\npytest==8.3.0\n",
}


def test_worker_code_imports_what_only_the_web_image_installs(make_pr, capsys):
    pr = {
        "app/worker/sse_broadcaster.py": "import json\nimport httpx\n",
        "app/scheduler/main.py": "import redis\nimport requests\n",
        "app/web/main.py": "from fastapi import FastAPI\nimport httpx\nimport yaml\napp = FastAPI()\n",
    }
    doc = make_pr(SEED, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [
        ("DEP001", "app/scheduler/main.py", 2),
        ("DEP001", "app/web/main.py", 3),
        ("DEP001", "app/worker/sse_broadcaster.py", 2),
    ]
    scheduler, web, worker = only(doc, "DEP001")
    assert worker["message"] == (
        "app/worker/sse_broadcaster.py imports httpx, reached from docker/worker.Dockerfile (it runs app.worker.main); "
        "requirements-worker.txt does not declare httpx (requirements-web.txt has httpx==0.28.1): the image fails with "
        "ModuleNotFoundError; declare the distribution in every manifest that installs this code (each image's, or the nearest one)"
    )
    assert worker["suggestion"] == {
        "kind": "snippet",
        "text": "httpx==0.28.1",
        "description": "add to requirements-worker.txt",
    }
    assert scheduler["message"].startswith(
        "app/scheduler/main.py imports requests, reached from the scheduler service (docker-compose.yml) (it runs app.scheduler.main); requirements-worker.txt does not declare requests"
    )
    assert web["message"].startswith(
        "app/web/main.py imports yaml, reached from docker/web.Dockerfile (it runs app.web.main); requirements-web.txt does not declare PyYAML"
    )


def test_declared_stdlib_first_party_optional_and_test_imports_are_quiet(make_pr, capsys):
    pr = {
        "app/worker/sse_broadcaster.py": (
            "import json, os.path\n"
            "from app.worker import main\n"
            "from . import main as m2\n"
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    import httpx\n"
            "try:\n"
            "    import ujson\n"
            "except ImportError:\n"
            "    ujson = None\n"
            "import redis.asyncio\n"
        ),
        "tests/test_web.py": "import pytest\nimport httpx\n",
    }
    assert only(make_pr(SEED, pr).scan_json(capsys), "DEP001") == []


def test_nearest_manifest_without_dockerfiles_and_src_layout(make_pr, capsys):
    base = {
        "pyproject.toml": "[project]\nname = 'svc'\ndependencies = ['PyJWT==2.9.0', 'python-dateutil>=2,<3']\n[dependency-groups]\ndev = ['pytest']\n",
        "src/svc/__init__.py": "",
        "src/svc/util.py": "X = 1\n",
    }
    pr = {
        "src/svc/auth.py": "import jwt\nfrom dateutil import parser\nfrom svc.util import X\nimport pytest\nimport PIL\n",
        "tests/test_auth.py": "import pytest\nimport jwt\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "src/svc/auth.py", 4), ("DEP001", "src/svc/auth.py", 5)]
    pytest_finding, pil = only(doc, "DEP001")
    # The project's own package: pytest only in the dev group does not count (and is said so).
    assert pytest_finding["message"] == (
        "src/svc/auth.py imports pytest; no image runs src/svc/auth.py, and its nearest manifest pyproject.toml "
        "does not declare pytest (pyproject.toml has pytest only in its 'dev' group): it fails with "
        "ModuleNotFoundError where only that manifest is installed; declare pytest in pyproject.toml"
    )
    assert "image" not in pil["message"].split("no image runs", 1)[1]


def test_preexisting_undeclared_import_is_not_blamed(make_pr, capsys):
    base = {**SEED, "app/worker/sse_broadcaster.py": "import httpx\n"}
    doc = make_pr(base, {"app/worker/sse_broadcaster.py": "import httpx\nX = 1\n"}).scan_json(capsys)
    assert only(doc, "DEP001") == []


MISMATCHED = {
    "yaml": "pyyaml",
    "jwt": "pyjwt",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "sklearn": "scikit-learn",
    "bs4": "beautifulsoup4",
    "dotenv": "python-dotenv",
    "google.genai": "google-genai",
    "google.cloud.storage": "google-cloud-storage",
    "discord": "discord-py",
    "dateutil": "python-dateutil",
    "magic": "python-magic",
    "MySQLdb": "mysqlclient",
    "Crypto": "pycryptodome",
    "nacl": "pynacl",
    "socketio": "python-socketio",
    "docx": "python-docx",
    "fitz": "pymupdf",
    "attr": "attrs",
    "pkg_resources": "setuptools",
    "git": "gitpython",
    "github": "pygithub",
    "serial": "pyserial",
    "zmq": "pyzmq",
    "websocket": "websocket-client",
    "grpc": "grpcio",
    "google.protobuf": "protobuf",
    "multipart": "python-multipart",
    "slugify": "python-slugify",
    "telegram": "python-telegram-bot",
}


@pytest.mark.parametrize("module, distribution", sorted(MISMATCHED.items()))
def test_mapping_table(module, distribution):
    assert distribution in candidate_distributions(module)


def test_mapping_table_size_and_fallback():
    mismatched = [k for k, v in IMPORT_TO_DISTRIBUTIONS.items() if v and k.lower().replace("_", "-") != v[0].lower()]
    assert len(IMPORT_TO_DISTRIBUTIONS) >= 150 and len(mismatched) >= 100
    assert "some-lib" in candidate_distributions("some_lib.sub")
    assert "google-cloud-spanner" in candidate_distributions("google.cloud.spanner")


def test_an_image_installing_two_manifests_needs_the_import_in_either(make_pr, capsys):
    dockerfile = "FROM python\nCOPY requirements-base.txt requirements-worker.txt ./\nRUN pip install -r requirements-base.txt -r requirements-worker.txt\nCMD python -m app.worker\n"
    base = {
        "Dockerfile": dockerfile,
        "requirements-base.txt": "httpx==0.28.1\n",
        "requirements-worker.txt": "redis==5.2.1\n",
        "app/__init__.py": "",
    }
    doc = make_pr(base, {"app/worker.py": "import httpx\nimport redis\nimport boto3\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "app/worker.py", 3)]
    assert "requirements-base.txt and requirements-worker.txt do not declare boto3" in only(doc, "DEP001")[0]["message"]


def test_pip_compile_pairs_setup_py_and_invisible_dev_tooling(make_pr, capsys):
    base = {"requirements.in": "flask-migrate\n", "requirements.txt": "flask-migrate==4.0.7\nalembic==1.16.4\n"}
    pr = {
        "migrations/versions/1.py": "from alembic import op\n",
        "setup.py": "from setuptools import setup\n",
        "tests/test_x.py": "import pytest\n",
    }
    assert only(make_pr(base, pr).scan_json(capsys), "DEP001") == []


def test_a_hashed_pin_elsewhere_is_shown_and_suggested_without_its_hashes(make_pr, capsys):
    base = {
        "requirements.txt": "fastapi==0.115.6\n",
        "requirements-dev.txt": (
            'toml==0.10.2 ; python_version >= "3.6" \\\n'
            "    --hash=sha256:806143ae5bfb6a3c6e736a764057db0e6a0e05e338b5630894a5f779cabb4f9b \\\n"
            "    --hash=sha256:b3bda1d108d5dd99f4a20d24d9c348e91c4db7ab1b749200bded2f839ccbe68f\n"
        ),
        "Dockerfile": "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app app\nCMD python -m app.main\n",
        "app/__init__.py": "",
        "app/main.py": "import app.config\n",
        "app/config.py": "X = 1\n",
    }
    doc = make_pr(base, {"app/config.py": "import toml\n\nX = 1\n"}).scan_json(capsys)
    (finding,) = [f for f in doc["findings"] if f["rule"] == "DEP001"]
    assert '(requirements-dev.txt has toml==0.10.2 ; python_version >= "3.6")' in finding["message"]
    assert "sha256" not in finding["message"]
    assert finding["suggestion"] == {
        "kind": "snippet",
        "text": 'toml==0.10.2 ; python_version >= "3.6"',
        "description": "add to requirements.txt",
    }
