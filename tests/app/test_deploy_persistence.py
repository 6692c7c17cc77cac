"""The queue's Redis persists (appendonly on a volume) in compose and Kubernetes; the facts
cache does not need to."""

from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _flag(args, name):
    return args[args.index(name) + 1]


def test_the_queue_redis_appends_every_write_to_a_volume():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    queue = compose["services"]["redis"]
    assert (_flag(queue["command"], "--appendonly"), _flag(queue["command"], "--dir")) == ("yes", "/data")
    assert queue["volumes"] == ["redis-queue:/data"] and "redis-queue" in compose["volumes"]
    assert _flag(compose["services"]["redis-cache"]["command"], "--appendonly") == "no"

    documents = list(yaml.safe_load_all((DEPLOY / "k8s/redis.yaml").read_text()))
    claims = {d["metadata"]["name"] for d in documents if d["kind"] == "PersistentVolumeClaim"}
    redis = next(d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "undertow-redis")
    pod = redis["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert (_flag(container["args"], "--appendonly"), _flag(container["args"], "--dir")) == ("yes", "/data")
    assert container["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
    assert pod["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "undertow-redis-data"}}]
    assert claims == {"undertow-redis-data"} and redis["spec"]["strategy"] == {"type": "Recreate"}


def test_the_queue_redis_runs_the_same_arguments_everywhere_and_never_drops_a_write():
    """What tests/app/test_redis_outage.py starts a real redis-server with (its restart test)."""
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]["redis"]["command"]
    documents = list(yaml.safe_load_all((DEPLOY / "k8s/redis.yaml").read_text()))
    redis = next(d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "undertow-redis")
    assert redis["spec"]["template"]["spec"]["containers"][0]["args"] == compose
    assert compose[0] == "redis-server"
    # fsynced at least every second, and a full Redis refuses writes instead of evicting queued jobs
    assert _flag(compose, "--appendfsync") in ("everysec", "always")
    assert _flag(compose, "--maxmemory-policy") == "noeviction"
