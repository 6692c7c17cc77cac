"""The git cache a test's reviews fetch into: under the test's own cache directory
(tests/conftest.py points XDG_CACHE_HOME at the test's tmp_path)."""

from undertow.app.repos.cache import RepoCache, default_root


def repos(**kw) -> RepoCache:
    return RepoCache(default_root(), **kw)
