from tests.gitrepo import findings


def test_missing_directories(make_pr, capsys):
    source = (
        "from fastapi import FastAPI\n"
        "from fastapi.staticfiles import StaticFiles\n"
        "from fastapi.templating import Jinja2Templates\n"
        "from flask import Flask\n"
        "app = FastAPI()\n"
        "app.mount('/static', StaticFiles(directory='frontend/dist'), name='static')\n"
        "templates = Jinja2Templates(directory='templates')\n"
        "flask_app = Flask(__name__, template_folder='views')\n"
        "app.mount('/assets', StaticFiles(directory='assets'))\n"
        "app.mount('/late', StaticFiles(directory='late', check_dir=False))\n"
        "app.mount('/made', StaticFiles(directory='uploads'))\n"
        "import os\n"
        "os.makedirs('uploads', exist_ok=True)\n"
    )
    base = {"web/assets/app.css": "body {}\n"}
    doc = make_pr(base, {"web/main.py": source, "templates/index.html": "<p></p>\n"}).scan_json(capsys)
    assert findings(doc) == [("RSK007", "web/main.py", 6), ("RSK007", "web/main.py", 8)]
    assert doc["findings"][0]["message"].startswith(
        "StaticFiles serves 'frontend/dist', but the repository has no such directory (looked in frontend/dist/ and web/frontend/dist/)"
    )
    assert doc["findings"][1]["message"].startswith("Flask template_folder serves 'views'")
