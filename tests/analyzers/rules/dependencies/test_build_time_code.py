"""Build-time code: a hatch build hook ([tool.hatch.build.hooks.custom], hatch_build.py by default)
and what only it imports run with the build requirements ([build-system] requires and the hook's
dependencies), not with the project's dependencies; a module of a directory a file puts on
sys.path is first-party."""

from tests.gitrepo import findings, only
from undertow.analyzers.deps.dependency_map import _sys_path_directories
from undertow.analyzers.deps.manifests.pyproject import build_requirements

PYPROJECT = (
    "[build-system]\nrequires = ['hatchling']\nbuild-backend = 'hatchling.build'\n\n"
    "[project]\nname = 'pkg'\nversion = '0'\ndependencies = ['requests>=2,<3']\n\n"
    "[tool.hatch.build.hooks.custom]\ndependencies = ['Babel>=2.13.1']\n"
)
BASE = {"pyproject.toml": PYPROJECT, "pkg/__init__.py": ""}
HOOK = (
    "import sys\n\nfrom hatchling.builders.hooks.plugin.interface import BuildHookInterface\n\n\n"
    "class CustomBuildHook(BuildHookInterface):\n    def initialize(self, version, build_data):\n"
    "        sys.path.insert(0, './pkg')\n        from helpers import prepare\n\n        prepare()\n"
)


def test_build_requirements_of_a_pyproject():
    assert build_requirements("pyproject.toml", PYPROJECT) == {
        "requires": ["hatchling", "babel"],
        "hooks": ["hatch_build.py"],
    }
    targeted = "[tool.hatch.build.targets.wheel.hooks.custom]\npath = 'build/hook.py'\ndependencies = ['jinja2']\n"
    assert build_requirements("pyproject.toml", targeted) == {"requires": ["jinja2"], "hooks": ["build/hook.py"]}
    assert build_requirements("pyproject.toml", "[project\n") == {"requires": [], "hooks": []}


def test_sys_path_directories():
    text = (
        "import os, sys\nsys.path.insert(0, './pkg')\nsys.path.append(os.path.join(os.path.dirname(__file__), 'lib'))\n"
    )
    assert _sys_path_directories("x.py", text) == ["./pkg", "lib"]


def test_a_hook_and_the_helper_it_imports_are_quiet(make_pr, capsys):
    pr = {
        "hatch_build.py": HOOK,
        "pkg/helpers.py": "from babel.messages.frontend import compile_catalog\n\n\ndef prepare():\n    return compile_catalog()\n",
    }
    assert only(make_pr(BASE, pr).scan_json(capsys), "DEP001") == []


def test_a_helper_importing_what_no_build_requirement_declares(make_pr, capsys):
    pr = {"hatch_build.py": HOOK, "pkg/helpers.py": "import jinja2\nimport requests\n\n\ndef prepare():\n    pass\n"}
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "pkg/helpers.py", 1), ("DEP001", "pkg/helpers.py", 2)]
    jinja2, requests = only(doc, "DEP001")
    assert jinja2["message"] == (
        "pkg/helpers.py imports jinja2, run at build time (imported by hatch_build.py, the hatch build hook of "
        "pyproject.toml); the build requirements of pyproject.toml ([build-system] requires, the build hook's "
        "dependencies) do not declare Jinja2: the build fails with ModuleNotFoundError; declare Jinja2 in the "
        "build hook's dependencies"
    )
    assert jinja2["severity"] == "error"
    # requests is the project's dependency, not the build's.
    assert "do not declare requests" in requests["message"]


def test_a_module_the_project_imports_too_is_the_projects_code(make_pr, capsys):
    pr = {
        "hatch_build.py": HOOK,
        "pkg/helpers.py": "from babel.messages.frontend import compile_catalog\n\n\ndef prepare():\n    pass\n",
        "pkg/app.py": "from pkg import helpers\n",
    }
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "pkg/helpers.py", 1)]
    assert "run at build time" not in only(doc, "DEP001")[0]["message"]


def test_a_script_putting_its_own_directory_on_sys_path(make_pr, capsys):
    base = {"requirements.txt": "flask==3.0.0\n", "app/__init__.py": "", "tools/lib/report.py": "X = 1\n"}
    pr = {"tools/export.py": "import sys\nsys.path.insert(0, 'lib')\nimport flask\nfrom report import X\n"}
    assert only(make_pr(base, pr).scan_json(capsys), "DEP001") == []
