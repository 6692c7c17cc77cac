"""DEP003: which lock is a uv workspace member's, and what a project already had unbounded."""

import pytest

from tests.gitrepo import findings, only
from undertow.analyzers.deps.uv_workspace import _glob_match


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


_SETUP = {
    "Dockerfile": "FROM python\nCOPY . /src\nRUN pip install /src\n",
    "setup.cfg": "[options]\ninstall_requires =\n    python-dateutil\n    requests>=2,<3\n",
    "setup.py": "from setuptools import setup\nsetup()\n",
    "worker/requirements.txt": "redis\n",
}
_PYPROJECT = (
    '[build-system]\nrequires = ["setuptools"]\n[project]\nname = "svc"\n'
    'dependencies = [\n    "python-dateutil",\n    "requests",\n    "redis",\n]\n'
)


def test_a_requirement_moved_within_its_project_is_not_new_but_one_loosened_or_from_elsewhere_is(make_pr, capsys):
    doc = make_pr(_SETUP, {"setup.cfg": None, "setup.py": None, "pyproject.toml": _PYPROJECT}).scan_json(capsys)
    # python-dateutil was bare in setup.cfg: moved. requests lost its bound; redis was bare only
    # in another project's manifest (worker/).
    assert findings(doc, "DEP003") == [("DEP003", "pyproject.toml", 7), ("DEP003", "pyproject.toml", 8)]
    assert only(doc, "DEP003")[0]["message"].startswith(
        "pyproject.toml accepts requests any version with no upper bound: the next build may install"
    )
