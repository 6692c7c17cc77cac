"""deploy/ is consistent with the service: parsed (no Docker or cluster here), not just present."""

from pathlib import Path

import yaml

from undertow.app.service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def test_compose_builds_this_repository_and_runs_serve():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert (DEPLOY / web["build"]["context"] / web["build"]["dockerfile"]).resolve() == (
        DEPLOY / "Dockerfile"
    ).resolve()
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert "redis" in compose["services"]
    worker = compose["services"]["worker"]
    assert (
        worker["command"] == ["undertow", "worker"]
        and worker["environment"]["REDIS_URL"] == web["environment"]["REDIS_URL"]
    )
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert 'CMD ["undertow", "serve", "--host", "0.0.0.0", "--port", "8000"]' in dockerfile
    assert "USER 10001" in dockerfile


def test_the_queue_redis_never_evicts_and_the_facts_cache_is_bounded():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    assert compose["redis"]["command"][-2:] == ["--maxmemory-policy", "noeviction"]
    assert compose["redis-cache"]["command"][-4:] == ["--maxmemory", "512mb", "--maxmemory-policy", "allkeys-lru"]
    assert compose["worker"]["environment"]["UNDERTOW_CACHE_REDIS_URL"] == "redis://redis-cache:6379/0"
    documents = [d for d in yaml.safe_load_all((DEPLOY / "k8s/redis.yaml").read_text())]
    containers = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]
        for d in documents
        if d["kind"] == "Deployment"
    }
    assert containers["undertow-redis"]["args"][-1] == "noeviction"
    cache = containers["undertow-redis-cache"]
    maxmemory = int(cache["args"][cache["args"].index("--maxmemory") + 1].removesuffix("mb"))
    assert (
        maxmemory < int(cache["resources"]["limits"]["memory"].removesuffix("Mi"))
        and cache["args"][-1] == "allkeys-lru"
    )
    worker = [
        d
        for d in yaml.safe_load_all((DEPLOY / "k8s/web.yaml").read_text())
        if d["metadata"]["name"] == "undertow-worker"
    ][0]
    env = {e["name"]: e["value"] for e in worker["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["UNDERTOW_CACHE_REDIS_URL"] == "redis://undertow-redis-cache:6379/0"


def test_env_example_lists_every_setting():
    names = {
        line.split("=", 1)[0]
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    aliases = {field.validation_alias for field in Settings.model_fields.values()} - {"REDIS_URL"}
    assert aliases <= names


def test_kubernetes_manifests_have_probes_resources_and_run_as_non_root():
    documents = [d for f in sorted((DEPLOY / "k8s").glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    deployments = [d for d in documents if d["kind"] == "Deployment"]
    services = {d["metadata"]["name"] for d in documents if d["kind"] == "Service"}
    assert {d["metadata"]["name"] for d in deployments} == {
        "undertow-web",
        "undertow-worker",
        "undertow-redis",
        "undertow-redis-cache",
    }
    for deployment in deployments:
        spec = deployment["spec"]
        assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
        for container in spec["template"]["spec"]["containers"]:
            assert container["readinessProbe"] and container["resources"]["limits"]
    web = next(d for d in deployments if d["metadata"]["name"] == "undertow-web")["spec"]["template"]["spec"]
    assert web["securityContext"]["runAsNonRoot"] is True
    probes = web["containers"][0]
    assert (probes["readinessProbe"]["httpGet"]["path"], probes["livenessProbe"]["httpGet"]["path"]) == (
        "/readyz",
        "/healthz",
    )
    assert "undertow-redis" in services and "undertow-redis" in web["containers"][0]["env"][0]["value"]


def test_compose_file_validates_with_docker_compose(tmp_path):
    import shutil
    import subprocess

    import pytest

    command = ["docker-compose"] if shutil.which("docker-compose") else None
    if command is None:
        pytest.skip("docker-compose is not installed here (the parse tests above still run)")
    shutil.copy(DEPLOY / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(DEPLOY / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        [*command, "-f", str(tmp_path / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
