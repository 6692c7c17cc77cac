from tests.gitrepo import findings

DB = (
    "from contextlib import contextmanager\n"
    "@contextmanager\n"
    "def get_db_cm():\n"
    "    yield 1\n"
    "def get_db():\n"
    "    yield 1\n"
)


def test_depends_on_a_context_manager_here_or_in_another_module(make_pr, capsys):
    routes = (
        "from fastapi import Depends, FastAPI\n"
        "from contextlib import asynccontextmanager\n"
        "from app.db import get_db_cm, get_db\n"
        "from app import db\n"
        "app = FastAPI()\n"
        "@asynccontextmanager\n"
        "async def local():\n"
        "    yield 2\n"
        "@app.get('/a')\n"
        "def a(x=Depends(get_db_cm), y=Depends(local), z=Depends(get_db), w=Depends(db.get_db_cm)):\n"
        "    return x\n"
    )
    doc = make_pr({"app/__init__.py": "", "app/db.py": DB}, {"app/routes.py": routes}).scan_json(capsys)
    assert findings(doc) == [("RSK006", "app/routes.py", 10)] * 3
    assert [f["message"].split(":")[0] for f in doc["findings"]] == [
        "Depends(get_db_cm) receives a context manager",
        "Depends(local) receives a context manager",
        "Depends(db.get_db_cm) receives a context manager",
    ]
    assert "decorated with @contextmanager in app/db.py" in doc["findings"][0]["message"]


def test_plain_generator_dependency_is_quiet(make_pr, capsys):
    routes = "from fastapi import Depends\nfrom app.db import get_db\ndef a(x=Depends(get_db)):\n    pass\n"
    assert (
        make_pr({"app/__init__.py": "", "app/db.py": DB}, {"app/routes.py": routes}).scan_json(capsys)["findings"] == []
    )
