"""The deploy files give workers git and a volume for the git cache, and name its settings."""

from pathlib import Path

import yaml

from undertow.app.service.settings import git_cache_dir, load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CACHE = "/var/cache/undertow/git"


def test_the_image_has_git_and_the_cache_directory():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "install -y --no-install-recommends git ca-certificates" in dockerfile
    assert f"UNDERTOW_GIT_CACHE_DIR={CACHE}" in dockerfile and f"VOLUME {CACHE}" in dockerfile


def test_compose_and_kubernetes_mount_a_git_cache_volume_on_workers():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    worker = compose["services"]["worker"]
    assert worker["volumes"] == [f"git-cache:{CACHE}"] and "git-cache" in compose["volumes"]
    assert worker["environment"]["UNDERTOW_GIT_CACHE_DIR"] == CACHE
    (k8s,) = [
        d
        for d in yaml.safe_load_all((DEPLOY / "k8s/web.yaml").read_text())
        if d["metadata"]["name"] == "undertow-worker"
    ]
    pod = k8s["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert {"name": "git-cache", "mountPath": CACHE} in container["volumeMounts"]
    volume = next(v for v in pod["volumes"] if v["name"] == "git-cache")
    env = {e["name"]: e["value"] for e in container["env"]}
    budget_mb = int(env["UNDERTOW_GIT_CACHE_MB"])
    assert env["UNDERTOW_GIT_CACHE_DIR"] == CACHE
    assert budget_mb < int(volume["emptyDir"]["sizeLimit"].removesuffix("Gi")) * 1024  # room above the budget


def test_the_git_settings_are_read_once_with_their_defaults(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    base = {"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "s"}
    defaults = load_settings(base)
    assert (defaults.git_cache_mb, defaults.git_fetch_timeout) == (10240, 300)
    assert git_cache_dir(defaults) == tmp_path / "cache" / "undertow" / "git"  # XDG_CACHE_HOME (tests/conftest.py)
    chosen = load_settings(
        {
            **base,
            "UNDERTOW_GIT_CACHE_DIR": "/srv/git",
            "UNDERTOW_GIT_CACHE_MB": "512",
            "UNDERTOW_GIT_FETCH_TIMEOUT": "60",
        }
    )
    assert (git_cache_dir(chosen), chosen.git_cache_mb, chosen.git_fetch_timeout) == (Path("/srv/git"), 512, 60)
    env_example = (DEPLOY / ".env.example").read_text()
    for name in ("UNDERTOW_GIT_CACHE_DIR=", "UNDERTOW_GIT_CACHE_MB=10240", "UNDERTOW_GIT_FETCH_TIMEOUT=300"):
        assert name in env_example
