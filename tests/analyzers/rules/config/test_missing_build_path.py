from tests.gitrepo import findings

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
