import pytest

from tests.gitrepo import Repo, pr_repo


@pytest.fixture
def make_pr(tmp_path):
    """make_pr(base_files, pr_files) -> Repo with main=base and HEAD=pr."""

    def build(base: dict, pr: dict) -> Repo:
        return pr_repo(tmp_path, base, pr)

    return build


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    # The scan's disk cache must never leak between tests or into the user's home.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def redis_url():
    """A real Redis on loopback (`make test` starts one when none runs); a DB of its own."""
    import socket

    url = "redis://127.0.0.1:6379/15"
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.fail("Redis is not running on 127.0.0.1:6379: run the suite with `make test` (scripts/ensure-redis)")
    return url
