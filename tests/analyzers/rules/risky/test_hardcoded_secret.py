import pytest

from tests.gitrepo import findings, only
from undertow.analyzers.rules.risky.hardcoded_secret import looks_like_secret


def test_literal_secrets_are_reported(make_pr, capsys):
    source = (
        "import os\n"
        "SECRET_KEY = os.getenv('SECRET_KEY', 'dev-secret-key-2024')\n"
        "DB_PASSWORD = os.environ.get('DB_PASSWORD', 'admin123')\n"
        "API_TOKEN = 'q8V3nZt1LkR9wXy2Pb7Hc4Md6Jf0Gs5A'\n"
        "connect(host='db', password='Sup3rS3cret!')\n"
        "headers = {'X-Internal-Token': 'a1b2c3d4e5f6a7b8c9d0'}\n"
        "GITHUB = 'ghp_' + 'x'\n"
        "client = make(key='ghp_abcdefghijklmnopqrstuvwxyz0123456789')\n"
    )
    doc = make_pr({}, {"app/settings.py": source}).scan_json(capsys)
    assert findings(doc, "RSK005") == [("RSK005", "app/settings.py", n) for n in (2, 3, 4, 5, 6, 8)]
    doc["findings"] = only(doc, "RSK005")  # CFG001 also notes the undocumented env vars
    assert doc["findings"][0]["message"].startswith("a literal credential is the default of env var SECRET_KEY")
    assert doc["findings"][2]["message"].startswith("a literal credential is assigned to API_TOKEN")
    assert doc["findings"][5]["message"].startswith("a literal credential has the format of a live API token")


def test_placeholders_and_non_secrets_are_quiet(make_pr, capsys):
    source = (
        "import os\n"
        "SECRET_KEY = os.getenv('SECRET_KEY', 'change-me')\n"
        "TOKEN = os.getenv('TOKEN', '')\n"
        "PASSWORD = os.environ['PASSWORD']\n"
        "API_KEY = '<your-api-key>'\n"
        "password = 'password'\n"
        "TOKEN_URL = 'https://auth.example.com/oauth/token'\n"
        "PASSWORD_RESET_TEMPLATE = 'emails/reset.html'\n"
        "token_type = 'bearer'\n"
        "SECRET_KEY_FILE = '/run/secrets/key'\n"
        "db_password = settings.db_password\n"
        "label = 'Enter your password'\n"
        "LOG_LEVEL = os.getenv('LOG_LEVEL', 'Info123!')\n"
    )
    assert only(make_pr({}, {"app/settings.py": source}).scan_json(capsys), "RSK005") == []


def test_test_files_are_never_reported(make_pr, capsys):
    source = "API_TOKEN = 'q8V3nZt1LkR9wXy2Pb7Hc4Md6Jf0Gs5A'\n"
    assert (
        make_pr({}, {"tests/test_auth.py": source, "app/tests/conftest.py": source}).scan_json(capsys)["findings"] == []
    )


@pytest.mark.parametrize(
    "value, secret",
    [
        ("q8V3nZt1LkR9wXy2Pb7Hc4Md6Jf0Gs5A", True),
        ("admin123", True),
        ("Sup3rS3cret!", True),
        ("change-me", False),
        ("password", False),
        ("hello world 123", False),
        ("short1", False),
        ("abcdefgh", False),
    ],
)
def test_looks_like_secret(value, secret):
    assert looks_like_secret(value) is secret
