import pytest

from tests.gitrepo import findings
from undertow.analyzers.rules.config.missing_build_path import _gitignore_patterns, _ignored, _segments_match

COMPOSE = (
    "services:\n"
    "  web:\n"
    "    build: .\n"
    "    env_file: .env.web\n"
    "  worker:\n"
    "    build:\n"
    "      context: .\n"
    "      dockerfile: docker/worker.Dockerfile\n"
    "    volumes:\n"
    "      - ./scripts:/app/scripts\n"
    "      - ./config/worker.ini:/app/worker.ini\n"
    "      - /var/lib/data:/data\n"
)
DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements-worker.txt .\nCOPY app/ app/\nCOPY --from=build /wheels /wheels\n"
BASE = {
    "docker-compose.yml": COMPOSE,
    "Dockerfile": "FROM python:3.12\nCOPY . /app\n",
    ".env.web": "X=1\n",
    "docker/worker.Dockerfile": DOCKERFILE,
    "requirements-worker.txt": "redis==5.2.1\n",
    "app/main.py": "print()\n",
    "scripts/run.sh": "docker compose -f docker-compose.yml up -d\n",
    "config/worker.ini": "[worker]\n",
}


def test_renamed_dockerfile_and_removed_files(make_pr, capsys):
    pr = {
        "docker/worker.Dockerfile": None,
        "docker/worker.dockerfile": DOCKERFILE,
        "requirements-worker.txt": None,
        "config/worker.ini": None,
        "scripts/deploy.sh": "docker-compose -f deploy/prod.yml pull\n",
    }
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc) == [
        ("CFG002", "docker-compose.yml", 8),
        ("CFG002", "docker-compose.yml", 11),
        ("CFG002", "docker/worker.dockerfile", 3),
        ("CFG002", "scripts/deploy.sh", 1),
    ]
    messages = [f["message"] for f in doc["findings"]]
    assert messages[0].startswith(
        "service worker's dockerfile docker/worker.Dockerfile does not exist in the repository"
    )
    assert messages[1].startswith("service worker's bind-mounted file config/worker.ini does not exist")
    assert messages[2].startswith(
        "COPY requirements-worker.txt: no such file or directory in the build context (the repository root or docker/)"
    )
    assert messages[3].startswith("docker compose -f deploy/prod.yml: the repository has no such file")


def test_existing_paths_are_quiet_and_old_problems_preexisting(make_pr, capsys):
    base = {**BASE, "compose.override.yml": "services:\n  web:\n    env_file: [missing.env]\n"}
    doc = make_pr(base, {"app/main.py": "print(1)\n"}).scan_json(capsys)
    assert doc["findings"] == []
    assert doc["preexisting"] == 1


def test_gitignored_or_templated_env_file_is_local_but_a_typo_is_reported(make_pr, capsys):
    base = {".gitignore": ".env\n", ".env.example": "DB_PASSWORD=change-me\n"}
    compose = "services:\n  db:\n    image: postgres:16\n    env_file:\n      - .env\n      - db.env\n"
    doc = make_pr(base, {"docker-compose.yml": compose}).scan_json(capsys)
    assert findings(doc) == [("CFG002", "docker-compose.yml", 6)]
    assert doc["findings"][0]["message"].startswith("service db's env_file db.env does not exist in the repository")


@pytest.mark.parametrize(
    ("ignores", "target", "ignored"),
    [
        ({".gitignore": [".env"]}, ".env", True),
        ({".gitignore": [".env"]}, "deploy/.env", True),  # no slash: a name at any depth
        ({".gitignore": ["/.env"]}, "deploy/.env", False),  # a leading slash anchors it
        ({".gitignore": ["deploy/.env"]}, "app/deploy/.env", False),  # so does a middle one
        ({".gitignore": ["deploy/.env"]}, "deploy/.env", True),
        ({".gitignore": ["*.env", "!public.env"]}, "public.env", False),  # the last match decides
        ({".gitignore": ["!public.env", "*.env"]}, "public.env", True),
        ({".gitignore": ["secrets/"]}, "secrets/db.env", True),  # a directory: all below it
        ({".gitignore": ["secrets/", "!secrets/db.env"]}, "secrets/db.env", True),  # git never looks inside
        ({".gitignore": ["db.env/"]}, "db.env", False),  # a trailing slash: directories only
        ({".gitignore": ["config/**/local.env"]}, "config/local.env", True),
        ({".gitignore": ["config/**/local.env"]}, "config/a/b/local.env", True),
        ({".gitignore": ["config/**"]}, "config/a/local.env", True),
        ({".gitignore": ["**/local.env"]}, "a/local.env", True),
        ({".gitignore": ["*.env"]}, "a/b.env/c", True),  # the directory b.env
        ({".gitignore": ["*"]}, "a/b", True),
        ({".gitignore": ["e?v.[a-c]", "x"]}, "env.b", True),
        ({".gitignore": ["[!e]nv"]}, "env", False),
        ({"deploy/.gitignore": [".env"]}, "deploy/.env", True),  # a nested file: below its directory
        ({"deploy/.gitignore": [".env"]}, ".env", False),
        ({"deploy/.gitignore": ["/prod.env"]}, "deploy/prod.env", True),
        ({".gitignore": ["*.env"], "deploy/.gitignore": ["!prod.env"]}, "deploy/prod.env", False),
        ({".gitignore": ["\\#x.env"]}, "#x.env", True),
        ({".gitignore": []}, ".env", False),
        ({}, ".env", False),
    ],
)
def test_gitignore_matcher(ignores, target, ignored):
    assert _ignored(target, ignores) is ignored


def test_gitignore_patterns_drop_comments_blanks_and_trailing_spaces():
    assert _gitignore_patterns(".gitignore", "# local\n\n.env  \r\n!keep\\ \n") == [".env", "!keep\\ "]


def test_gitignore_matching_does_not_backtrack():
    pattern = "/".join(["**", "a*a*a*a*a*a*a*a*b"] * 40)
    assert _segments_match(pattern.split("/"), ["a" * 60] * 99) is False


# A Dockerfile moved unchanged (a git rename), with the file it copies: the broken COPY it had at
# base only moved. CFG002's fingerprint holds the Dockerfile's path; the engine matches a renamed
# file's findings with the base's at its old path (core/engine._Run._before_rename).
MOVED_DOCKERFILE = "FROM python:3.12\nWORKDIR /srv\nCOPY ./bin/entrypoint.sh /entrypoint.sh\n"


def test_a_broken_copy_in_a_moved_dockerfile_is_preexisting(make_pr, capsys):
    base = {"worker/Dockerfile": MOVED_DOCKERFILE, "worker/entrypoint.sh": "#!/bin/sh\nexec worker\n"}
    pr = {
        "worker/Dockerfile": None,
        "worker/entrypoint.sh": None,
        "services/worker/Dockerfile": MOVED_DOCKERFILE,
        "services/worker/entrypoint.sh": "#!/bin/sh\nexec worker\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert doc["findings"] == []
    assert doc["preexisting"] == 1


def test_a_broken_copy_a_moved_dockerfile_gains_is_new(make_pr, capsys):
    base = {"worker/Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY bin/ /srv/bin/\n", "bin/run": "x\n"}
    pr = {"worker/Dockerfile": None, "services/worker/Dockerfile": MOVED_DOCKERFILE}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc) == [("CFG002", "services/worker/Dockerfile", 3)]
    assert doc["findings"][0]["message"].startswith(
        "COPY ./bin/entrypoint.sh: no such file or directory in the build context (the repository root or "
        "services/worker/)"
    )
