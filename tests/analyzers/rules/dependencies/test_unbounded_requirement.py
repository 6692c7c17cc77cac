"""DEP003's reading of a uv workspace (which lock is a member's) and of moved requirements."""

import pytest

from undertow.analyzers.rules.dependencies.unbounded_requirement import _glob_match


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("backend", "backend", True),
        ("packages/*", "packages/api", True),
        ("packages/*", "packages/api/sub", False),  # * stays within one segment
        ("packages/*", "backend", False),
        ("libs/**", "libs/a/b", True),
        ("**/svc", "a/b/svc", True),
        ("**", "anything/at/all", True),
        ("a/**/b", "a/b", True),
    ],
)
def test_workspace_globs(pattern, path, expected):
    assert _glob_match(pattern, path) is expected


def test_a_workspace_glob_of_many_double_stars_is_linear():
    assert not _glob_match("/".join(["**"] * 30 + ["x"]), "/".join(["a"] * 30))
