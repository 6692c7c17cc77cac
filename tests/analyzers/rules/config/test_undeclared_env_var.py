from tests.gitrepo import findings


def test_undocumented_env_reads(make_pr, capsys):
    source = (
        "import os\n"
        "from os import environ\n"
        "A = os.environ['SLACK_WEBHOOK_URL']\n"
        "B = os.getenv('DATABASE_URL')\n"
        "C = environ.get('FEATURE_FLAGS', '')\n"
        "D = os.environ.get('HOME')\n"
        "E = os.getenv('REDIS_URL')\n"
        "F = os.getenv('SENTRY_DSN')\n"
    )
    base = {
        ".env.example": "DATABASE_URL=postgresql://user:pass@db/app\n",
        "docker-compose.yml": "services:\n  web:\n    environment:\n      - REDIS_URL=redis://redis:6379\n",
        "README.md": "Set `SENTRY_DSN` to report errors.\n",
    }
    doc = make_pr(base, {"app/config.py": source}).scan_json(capsys)
    assert findings(doc) == [("CFG001", "app/config.py", 3), ("CFG001", "app/config.py", 5)]
    first = doc["findings"][0]
    assert first["message"].startswith("reads env var SLACK_WEBHOOK_URL, which no .env example, compose file")
    assert first["suggestion"] == {
        "kind": "snippet",
        "text": "SLACK_WEBHOOK_URL=",
        "description": "add to .env.example",
    }


def test_settings_fields_with_prefix(make_pr, capsys):
    source = (
        "from pydantic import Field\n"
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
        "class Settings(BaseSettings):\n"
        "    model_config = SettingsConfigDict(env_prefix='APP_')\n"
        "    database_url: str\n"
        "    smtp_host: str = 'localhost'\n"
        "    token: str = Field(validation_alias='SERVICE_TOKEN')\n"
        "    def helper(self) -> None:\n"
        "        local: int = 1\n"
    )
    base = {".env.example": "APP_DATABASE_URL=\n"}
    doc = make_pr(base, {"app/settings.py": source}).scan_json(capsys)
    assert findings(doc) == [("CFG001", "app/settings.py", 6), ("CFG001", "app/settings.py", 7)]
    # smtp_host has a default: a notice (the service starts; deployments cannot learn of it).
    assert [(f["severity"], f["message"].split(",")[0]) for f in doc["findings"]] == [
        ("notice", "declares settings field for env var APP_SMTP_HOST with a default"),
        ("warning", "declares settings field for env var SERVICE_TOKEN"),
    ]


def test_env_var_documented_in_the_same_pr_and_tests_are_quiet(make_pr, capsys):
    pr = {
        "app/config.py": "import os\nX = os.environ['NEW_SETTING']\n",
        ".env.example": "NEW_SETTING=\n",
        "tests/test_config.py": "import os\nos.environ['ONLY_IN_TESTS']\n",
    }
    assert make_pr({}, pr).scan_json(capsys)["findings"] == []


NESTED_SETTINGS = (
    "from pydantic import BaseModel\n"
    "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
    "class Database(BaseModel):\n"
    "    host: str = 'db'\n"
    "class Cache(BaseModel):\n"
    "    url: str = 'redis://cache'\n"
    "    ttl: int = 60\n"
    "class Settings(BaseSettings):\n"
    "    database: Database = Database()\n"
    "    cache: Cache = Cache()\n"
    "    model_config = SettingsConfigDict(env_prefix='SVC_', env_nested_delimiter='__')\n"
)


def test_nested_settings_field_documented_by_its_delimited_names(make_pr, capsys):
    base = {".env.example": "SVC_DATABASE__HOST=localhost\nSVC_CACHE__URL=redis://localhost\n"}
    doc = make_pr(base, {"app/config.py": NESTED_SETTINGS}).scan_json(capsys)
    assert doc["findings"] == []


def test_undocumented_nested_settings_field_names_what_deployments_set(make_pr, capsys):
    base = {".env.example": "SVC_DATABASE__HOST=localhost\n"}
    doc = make_pr(base, {"app/config.py": NESTED_SETTINGS}).scan_json(capsys)
    assert findings(doc) == [("CFG001", "app/config.py", 10)]
    finding = doc["findings"][0]
    assert finding["severity"] == "notice"
    assert finding["message"].startswith(
        "declares nested settings field for env vars SVC_CACHE__URL, SVC_CACHE__TTL (or SVC_CACHE, as JSON) "
        "with a default, which no .env example"
    )
    assert finding["suggestion"] == {
        "kind": "snippet",
        "text": "SVC_CACHE__URL=\nSVC_CACHE__TTL=",
        "description": "add to .env.example",
    }
