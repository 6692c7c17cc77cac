from tests.gitrepo import findings

MAIN = (
    "from fastapi import FastAPI\n"
    "from app.api.api import api_router\n"
    "from app.core.config import settings\n"
    "app = FastAPI()\n"
    "app.include_router(api_router, prefix=settings.API_V1_STR)\n"
)
API = (
    "from fastapi import APIRouter\n"
    "from app.api.routes import campaigns, items\n"
    "api_router = APIRouter()\n"
    "api_router.include_router(campaigns.router, prefix='/campaigns')\n"
    "api_router.include_router(items.router)\n"
)
BASE = {
    "app/__init__.py": "",
    "app/main.py": MAIN,
    "app/core/config.py": "class Settings:\n    API_V1_STR: str = '/api/v1'\nsettings = Settings()\n",
    "app/api/api.py": API,
    "app/api/routes/campaigns.py": "from fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/birthday')\ndef birthday():\n    pass\n",
    "app/api/routes/items.py": (
        "from fastapi import APIRouter\nrouter = APIRouter(prefix='/items')\n"
        "@router.get('/{item_id}')\ndef read(item_id: int):\n    pass\n"
        "@router.api_route('/', methods=['GET', 'POST'])\ndef many():\n    pass\n"
    ),
}


def test_unknown_route_with_prefix_suggestion(make_pr, capsys):
    test = (
        "from fastapi.testclient import TestClient\n"
        "from app.core.config import settings\n"
        "def test_birthday(client):\n"
        "    client.post('/api/v1/control/birthday', json={})\n"
        "    client.post(f'{settings.API_V1_STR}/campaigns/birthday')\n"
        "    client.get(f'{settings.API_V1_STR}/items/{42}?q=1')\n"
        "    client.delete('/api/v1/items/7')\n"
        "    client.post('/api/v1/items/')\n"
        "    client.head('/api/v1/items/7')\n"
    )
    doc = make_pr(BASE, {"tests/test_api.py": test}).scan_json(capsys)
    assert findings(doc) == [("TST001", "tests/test_api.py", 4), ("TST001", "tests/test_api.py", 7)]
    assert doc["findings"][0]["message"] == (
        "this test calls POST /api/v1/control/birthday, but no route of the app matches it; "
        "did you mean /api/v1/campaigns/birthday (app/api/routes/campaigns.py:3)?"
    )
    assert doc["findings"][0]["suggestion"] == {
        "kind": "replace",
        "text": "    client.post('/api/v1/campaigns/birthday', json={})",
        "description": "call /api/v1/campaigns/birthday",
    }
    assert doc["findings"][1]["message"].startswith(
        "this test calls DELETE /api/v1/items/7, but the app routes only GET for it (app/api/routes/items.py:3)"
    )


def test_route_removed_by_the_pr_flags_the_untouched_test(make_pr, capsys):
    test = "def test_it(client):\n    client.post('/api/v1/campaigns/birthday')\n"
    base = {**BASE, "tests/test_api.py": test}
    pr = {
        "app/api/routes/campaigns.py": "from fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/anniversary')\ndef a():\n    pass\n"
    }
    assert findings(make_pr(base, pr).scan_json(capsys)) == [("TST001", "tests/test_api.py", 2)]


def test_flask_blueprints(make_pr, capsys):
    app = (
        "from flask import Flask, Blueprint\n"
        "bp = Blueprint('users', __name__, url_prefix='/users')\n"
        "@bp.route('/<int:user_id>', methods=['GET', 'DELETE'])\n"
        "def user(user_id):\n    pass\n"
        "app = Flask(__name__)\n"
        "app.register_blueprint(bp, url_prefix='/v2')\n"
    )
    test = (
        "from web import app\n"
        "def test_users():\n"
        "    c = app.test_client()\n"
        "    c.get('/v2/users/1')\n"
        "    c.delete('/v2/users/1')\n"
        "    c.put('/v2/users/1')\n"
    )
    doc = make_pr({}, {"web.py": app, "tests/test_web.py": test}).scan_json(capsys)
    assert findings(doc) == [("TST001", "tests/test_web.py", 6)]


def test_unmodelled_routing_library_keeps_the_rule_quiet(make_pr, capsys):
    base = {**BASE, "app/api/restx.py": "from flask_restx import Namespace\nns = Namespace('x')\n"}
    test = "def test_it(client):\n    client.post('/api/v1/control/birthday')\n"
    assert make_pr(base, {"tests/test_api.py": test}).scan_json(capsys)["findings"] == []


def test_a_prefix_that_cannot_be_read_matches_any_segments(make_pr, capsys):
    # Found by typing the facts: prefix=get_prefix() was stored as None and sank TST001 (UND004).
    main = MAIN.replace("prefix=settings.API_V1_STR", "prefix=get_prefix()")
    test = (
        "def test_calls(client):\n"
        "    client.get('/whatever/v9/items/7')\n"
        "    client.post('/whatever/campaigns/birthday')\n"
        "    client.get('/whatever/nothing-here')\n"
    )
    doc = make_pr({**BASE, "app/main.py": main}, {"tests/test_calls.py": test}).scan_json(capsys)
    assert findings(doc) == [("TST001", "tests/test_calls.py", 4)]
    assert doc["stats"]["complete"] is True
