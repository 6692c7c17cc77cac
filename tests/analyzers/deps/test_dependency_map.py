"""The dependency map hands rules typed facts, decoded from the cached JSON: the same values
whether the per-file facts were just extracted or read back from the cache."""

from undertow.analyzers.core.config import Config
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.deps.dependency_map import (
    Declaration,
    DeclaredIn,
    ManifestFacts,
    ManifestInclude,
    dependency_map,
    first_declaration,
)
from undertow.analyzers.deps.services import (
    ComposeService,
    Copy,
    DockerfileFacts,
    Install,
    compose_facts,
    compose_services,
    dockerfile_facts,
    dockerfile_index,
)
from undertow.analyzers.facts.context import MemoryCache, RevisionFacts

FILES = {
    "requirements.txt": "-r requirements-base.txt\nhttpx>=0.27\n",
    "requirements-base.txt": "redis==5.2.1\n",
    "worker/requirements.txt": "httpx==0.28.1\n",
    "Dockerfile": (
        "FROM python:3.12\nCOPY requirements.txt requirements-base.txt ./\n"
        "RUN pip install -r requirements.txt\nCMD python -m app.main\n"
    ),
    "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python -m app.other\n  db:\n    image: postgres\n",
    "app/__init__.py": "",
    "app/main.py": "import httpx\n",
    "app/other.py": "import redis\n",
}
REVISION = "a" * 40


def _facts(cache=None):
    return RevisionFacts(MemorySnapshot(FILES, REVISION), cache)


def test_manifests_are_decoded_into_typed_facts():
    deps = dependency_map(_facts(), Config())
    manifest = deps.manifests["requirements.txt"]
    assert manifest == ManifestFacts(
        declared=(Declaration("httpx", "httpx", 2, "", "httpx>=0.27", ">=0.27", None),),
        includes=(ManifestInclude("-r", 1, "requirements-base.txt"),),
        problems=0,
    )
    assert sorted(deps.manifests) == ["requirements-base.txt", "requirements.txt", "worker/requirements.txt"]
    assert list(deps.declared("requirements.txt", None)) == ["redis", "httpx"]
    found = deps.declaring(["httpx"])
    assert found == [
        DeclaredIn("requirements.txt", manifest.declared[0]),
        DeclaredIn("worker/requirements.txt", deps.manifests["worker/requirements.txt"].declared[0]),
    ]
    # A pinned declaration is the one to suggest.
    assert first_declaration(found) == found[1]
    assert first_declaration([found[0]]) == found[0]
    assert first_declaration([]) is None


def test_dockerfiles_and_compose_services_are_decoded():
    facts = _facts()
    assert dockerfile_index(facts) == {
        "Dockerfile": DockerfileFacts(
            copies=(Copy("requirements.txt", "./", "COPY", 2), Copy("requirements-base.txt", "./", "COPY", 2)),
            installs=(Install("requirements", "requirements.txt"),),
            commands=("python -m app.main",),
        )
    }
    assert compose_services(facts) == [
        ComposeService("web", "docker-compose.yml", ".", "Dockerfile", None, "python -m app.other"),
        ComposeService("db", "docker-compose.yml", None, None, "postgres", None),
    ]
    # The cached form stays JSON: lists and dicts, which is what the extractors return.
    assert dockerfile_facts("Dockerfile", FILES["Dockerfile"])["installs"] == [["requirements", "requirements.txt"]]
    assert compose_facts("docker-compose.yml", FILES["docker-compose.yml"])[1]["image"] == "postgres"


def test_decoded_from_the_cache_equals_freshly_extracted():
    cache = MemoryCache()
    cold = dependency_map(_facts(cache), Config())
    cold_manifests = dict(cold.manifests)
    assert any(key.startswith("idx:") for key in cache.data)
    warm = dependency_map(_facts(cache), Config())
    assert dict(warm.manifests) == cold_manifests
    assert warm.images == cold.images
    assert [image.name for image in warm.images] == ["Dockerfile", "the web service (docker-compose.yml)"]
    assert warm.images[0].manifests == ["requirements.txt"]


def test_locks_scripts_and_process_managers_are_typed_and_equal_from_the_cache():
    from undertow.analyzers.deps.manifests.locks import Locked
    from undertow.analyzers.deps.services import ProcessCommand, procfile_index, script_index, supervisor_index

    files = {
        "pyproject.toml": "[project]\nname = 'svc'\ndependencies = ['httpx']\n",
        "uv.lock": (
            '[[package]]\nname = "svc"\nversion = "0"\nsource = { editable = "." }\ndependencies = [{ name = "httpx" }]\n'
            '[[package]]\nname = "httpx"\nversion = "0.28.1"\ndependencies = [{ name = "anyio" }]\n'
            '[[package]]\nname = "anyio"\nversion = "4.7.0"\n'
        ),
        "Procfile": "web: bin/web.sh\n",
        "bin/web.sh": "#!/bin/sh\nexec uvicorn svc.main:app\n",
        "deploy/supervisord.conf": "[program:web]\ncommand=uvicorn svc.main:app\n",
        "deploy/nginx.conf": "server { listen 80; }\n",
        "svc/__init__.py": "",
        "svc/main.py": "import httpx\n",
    }
    cache = MemoryCache()
    results = []
    for _ in range(2):  # cold, then warm (decoded from the cache)
        facts = RevisionFacts(MemorySnapshot(files, REVISION), cache)
        deps = dependency_map(facts, Config())
        results.append(
            (
                dict(deps.locks["uv.lock"]),
                script_index(facts),
                procfile_index(facts),
                supervisor_index(facts),
                deps.images,
            )
        )
    assert results[0] == results[1]
    locks, scripts, procfiles, programs, images = results[1]
    assert locks["anyio"] == Locked("4.7.0", ("httpx",), False, False)
    assert locks["httpx"] == Locked("0.28.1", (), True, False)
    assert scripts == {"bin/web.sh": ("exec uvicorn svc.main:app",)}
    assert procfiles == {"Procfile": (ProcessCommand("web", "bin/web.sh"),)}
    assert programs == {"deploy/supervisord.conf": (ProcessCommand("web", "uvicorn svc.main:app"),)}
    assert [(image.name, image.manifests, image.entries) for image in images] == [
        ("the web process (Procfile)", ["pyproject.toml"], [("module", "svc.main")])
    ]
