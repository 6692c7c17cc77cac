"""Settings are read once, from the environment; errors name the variable, never its value."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from undertow.app.service.settings import SettingsError, load_settings


@pytest.fixture(scope="module")
def pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_a_key_file_and_empty_unused_variables_as_deploy_env_example_leaves_them(tmp_path, monkeypatch, pem):
    key = tmp_path / "app.pem"
    key.write_text(pem)
    environ = {
        "GITHUB_APP_ID": "7",
        "GITHUB_PRIVATE_KEY": "",
        "GITHUB_PRIVATE_KEY_PATH": str(key),
        "GITHUB_WEBHOOK_SECRET": "s3cret",
        "UNDERTOW_CACHE_REDIS_URL": "",
        "REDIS_URL": "redis://q:6379/0",
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.github_private_key is None and settings.private_key == pem
    assert settings.cache_redis_url is None and settings.redis_url.get_secret_value() == "redis://q:6379/0"


def test_errors_name_the_variable_and_never_echo_a_secret(pem):
    with pytest.raises(SettingsError, match="GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH"):
        load_settings({"GITHUB_APP_ID": "7", "GITHUB_WEBHOOK_SECRET": "s3cret"})
    with pytest.raises(SettingsError) as bad_key:
        load_settings({"GITHUB_APP_ID": "7", "GITHUB_WEBHOOK_SECRET": "s3cret", "GITHUB_PRIVATE_KEY": "hunter2"})
    assert "GITHUB_PRIVATE_KEY" in str(bad_key.value) and "hunter2" not in str(bad_key.value)
    with pytest.raises(SettingsError, match="UNDERTOW_MAX_CONCURRENCY"):
        load_settings(
            {
                "GITHUB_APP_ID": "7",
                "GITHUB_WEBHOOK_SECRET": "s",
                "GITHUB_PRIVATE_KEY": pem,
                "UNDERTOW_MAX_CONCURRENCY": "0",
            }
        )


def test_the_facts_cache_redis_is_its_own_setting(pem):
    settings = load_settings(
        {
            "GITHUB_APP_ID": "7",
            "GITHUB_WEBHOOK_SECRET": "s",
            "GITHUB_PRIVATE_KEY": pem,
            "REDIS_URL": "redis://queue:6379/0",
            "UNDERTOW_CACHE_REDIS_URL": "redis://cache:6379/0",
        }
    )
    assert settings.cache_redis_url.get_secret_value() == "redis://cache:6379/0"
