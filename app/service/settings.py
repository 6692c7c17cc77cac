"""The service's settings, read once from the environment into one explicit object."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from undertow.analyzers.core.errors import UserError


class SettingsError(UserError, ValueError):
    """Start-up configuration that cannot work: one line naming the variable, never its value."""


class Settings(BaseSettings):
    # env_ignore_empty: deploy/.env.example leaves the settings one does not use empty
    # (GITHUB_PRIVATE_KEY when GITHUB_PRIVATE_KEY_PATH is set); empty means unset.
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore", env_ignore_empty=True)

    github_app_id: int = Field(validation_alias="GITHUB_APP_ID")
    github_private_key: SecretStr | None = Field(default=None, validation_alias="GITHUB_PRIVATE_KEY")
    github_private_key_path: Path | None = Field(default=None, validation_alias="GITHUB_PRIVATE_KEY_PATH")
    github_webhook_secret: SecretStr = Field(validation_alias="GITHUB_WEBHOOK_SECRET")
    github_api_url: str = Field(default="https://api.github.com", validation_alias="GITHUB_API_URL")
    redis_url: SecretStr | None = Field(default=None, validation_alias="REDIS_URL")
    # Derived facts (many MB per large revision) in a Redis of their own, bounded with LRU
    # eviction; the queue's Redis must never evict. Default: REDIS_URL.
    cache_redis_url: SecretStr | None = Field(default=None, validation_alias="UNDERTOW_CACHE_REDIS_URL")
    max_concurrency: int = Field(default=4, ge=1, le=64, validation_alias="UNDERTOW_MAX_CONCURRENCY")
    # Seconds a review is retried (GitHub 5xx, network, rate limits, Redis) before its check run
    # completes as timed_out.
    review_deadline: float = Field(default=30 * 60, gt=0, le=24 * 3600, validation_alias="UNDERTOW_REVIEW_DEADLINE")
    log_format: Literal["json", "console"] = Field(default="json", validation_alias="UNDERTOW_LOG_FORMAT")
    # The bare repositories reviews fetch into (a volume shared by the workers of one machine),
    # their disk budget (least recently used repositories removed), and a fetch's time limit.
    git_cache_dir: Path | None = Field(default=None, validation_alias="UNDERTOW_GIT_CACHE_DIR")
    git_cache_mb: int = Field(default=10 * 1024, ge=16, validation_alias="UNDERTOW_GIT_CACHE_MB")
    git_fetch_timeout: float = Field(default=300, gt=0, le=3600, validation_alias="UNDERTOW_GIT_FETCH_TIMEOUT")

    @model_validator(mode="after")
    def _one_key(self) -> Settings:
        if self.github_private_key is None and self.github_private_key_path is None:
            raise ValueError("set GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH")
        if not self.github_webhook_secret.get_secret_value():
            raise ValueError("GITHUB_WEBHOOK_SECRET is empty")
        return self

    @cached_property
    def private_key(self) -> str:
        if self.github_private_key is not None:
            return self.github_private_key.get_secret_value()
        try:
            return self.github_private_key_path.read_text()  # type: ignore[union-attr]
        except OSError as exc:
            raise SettingsError(
                f"GITHUB_PRIVATE_KEY_PATH: cannot read {self.github_private_key_path}: {exc.strerror}"
            ) from None


def git_cache_dir(settings: Settings) -> Path:
    """UNDERTOW_GIT_CACHE_DIR, else ``git`` under the user cache directory."""
    if settings.git_cache_dir is not None:
        return settings.git_cache_dir
    from undertow.app.repos.cache import default_root

    return default_root()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from ``environ`` (default: the process environment), or SettingsError."""
    try:
        # model_validate reads only the mapping given (tests); Settings() reads the environment.
        settings = Settings.model_validate(environ) if environ is not None else Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "configuration"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{where.upper()}: {message}" if error["loc"] else message) from None
    _ = settings.private_key  # read the key file now: fail at start-up, not at the first review
    if "PRIVATE KEY" not in settings.private_key:
        raise SettingsError("GITHUB_PRIVATE_KEY: not a PEM private key")
    return settings
