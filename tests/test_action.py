"""The GitHub Action (action.yml + scripts/action/run.sh), run the way the runner runs it.

Each step of action.yml is run as GitHub runs a composite `run:` step (`bash --noprofile --norc
-eo pipefail FILE` in GITHUB_WORKSPACE) with its `env:` resolved: `${{ inputs.x }}` from the
inputs given here and action.yml's defaults, `${{ steps.ID.outputs.x }}` from what the earlier
steps wrote to their GITHUB_OUTPUT file. An expression this test does not know fails it, so
action.yml and the script cannot drift apart unseen.

The workspace is made as actions/checkout makes it with its default `fetch-depth: 1`: for a
pull_request event, `git init` and a one-commit fetch of refs/pull/N/merge (GitHub's merge commit,
first parent the base branch's tip, second the PR's head) from a file:// origin; for a push, a
`git clone --depth=1` of the branch.

The install step runs for real, once for the module: a venv under RUNNER_TEMP created by the
`python` input and `pip install` of the action's checkout (a copy of this working tree, as
${{ github.action_path }} is a checkout of the action). To keep it fast and offline-friendly the
test tells pip, through pip's own environment variables, not to install the dependencies
(PIP_NO_DEPS), and makes those the repository's venv already has importable through PYTHONPATH;
Undertow itself is imported from the installed copy, which the test checks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.gitrepo import _ENV, Repo

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
SITE_PACKAGES = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())

BASE_FILES = {
    "requirements.txt": "requests==2.31.0\n",
    "app/__init__.py": "",
    "app/main.py": "import requests\n\n\ndef ping():\n    return requests.get('https://example.com', timeout=5)\n",
}
# The pull request: an import no manifest declares (DEP001, error) and a subprocess call without
# a timeout (RSK001, warning).
PR_FILES = {
    "app/jobs.py": (
        "import subprocess\n"
        "\n"
        "import yaml\n"
        "\n"
        "\n"
        "def run(path):\n"
        "    subprocess.run(['ls', path], check=True)\n"
        "    with open(path) as f:\n"
        "        return yaml.safe_load(f)\n"
    ),
}
PR_SECOND = {"app/main.py": BASE_FILES["app/main.py"] + "\n\ndef pong():\n    return ping()\n"}
# What the base branch gains after the pull request was opened: drift that is not the PR's.
MAIN_LATER = {"app/tools.py": "import subprocess\n\n\ndef sh():\n    subprocess.run(['true'])\n"}

# The workflow commands for them (the messages are the rules' own, read from `undertow scan
# --format json` of the same change by the `annotations` fixture).
DEP001 = "::error file=app/jobs.py,line=3,endLine=3,title=DEP001 missing-requirement::"
RSK001 = "::warning file=app/jobs.py,line=7,endLine=7,title=RSK001 subprocess-without-timeout::"


# -- running action.yml's steps -----------------------------------------------------------------


def resolve(text: str, context: dict) -> str:
    def value(match: re.Match) -> str:
        path = match.group(1).split(".")
        if path[0] == "steps" and len(path) == 4 and path[2] == "outputs":
            # An output a step that ran did not set is empty (as on GitHub); an unknown step is not.
            assert path[1] in context["steps"], f"action.yml uses ${{{{ {match.group(1)} }}}} before that step"
            return context["steps"][path[1]]["outputs"].get(path[3], "")
        node = context
        for key in path:
            assert isinstance(node, dict) and key in node, f"action.yml uses ${{{{ {match.group(1)} }}}}"
            node = node[key]
        return node

    return EXPRESSION.sub(value, text)


def read_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        assert sep and "<<" not in name, line
        outputs[name] = value
    return outputs


class Action:
    """One use of the action in a job: the runner's environment, then its steps in order."""

    def __init__(self, tmp: Path, action_path: Path, workspace: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.action_path = action_path
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp / "home"),
            "LANG": "C.UTF-8",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(action_path),
            "RUNNER_TEMP": str(tmp / "runner-temp"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_SYSTEM": os.devnull,
            # The dependencies from this repository's venv (see the module's docstring).
            "PIP_NO_DEPS": "1",
            "PYTHONPATH": SITE_PACKAGES,
            **env,
        }
        (tmp / "home").mkdir(exist_ok=True)
        (tmp / "runner-temp").mkdir(exist_ok=True)
        self.workspace = workspace
        self.steps: dict[str, dict] = {}
        self.results: dict[str, subprocess.CompletedProcess] = {}

    def context(self, inputs: dict[str, str]) -> dict:
        given = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        unknown = set(inputs) - set(given)
        assert not unknown, f"not inputs of action.yml: {unknown}"
        return {
            "inputs": {**given, **inputs},
            "steps": self.steps,
            "github": {"action_path": str(self.action_path), "workspace": str(self.workspace)},
            "runner": {"temp": self.env["RUNNER_TEMP"]},
        }

    def run_step(self, step: dict, inputs: dict[str, str]) -> subprocess.CompletedProcess:
        assert set(step) <= {"id", "name", "shell", "env", "run"}, step  # no `if:`/`uses:` this test ignores
        assert step["shell"] == "bash"
        context = self.context(inputs)
        script = self.tmp / f"step-{step['id']}.sh"
        script.write_text(resolve(step["run"], context))
        output = self.tmp / f"output-{step['id']}"
        output.write_text("")
        env = {**self.env, "GITHUB_OUTPUT": str(output)}
        env.update({name: resolve(str(value), context) for name, value in step.get("env", {}).items()})
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        self.steps[step["id"]] = {"outputs": read_outputs(output)}
        self.results[step["id"]] = result
        return result

    def run(self, inputs: dict[str, str], installed: dict | None = None) -> subprocess.CompletedProcess:
        """Every step until one fails (as the runner does); the last step's result. ``installed``
        reuses the module's install step (its outputs) instead of installing again."""
        result = None
        for step in ACTION["runs"]["steps"]:
            if step["id"] == "install" and installed is not None:
                self.steps["install"] = installed
                continue
            result = self.run_step(step, inputs)
            if result.returncode != 0:
                break
        assert result is not None
        return result

    def log(self) -> str:
        """What the steps printed, for an assertion's message."""
        return "\n".join(f"--- {name}: exit {r.returncode}\n{r.stdout}{r.stderr}" for name, r in self.results.items())

    def outputs(self) -> dict[str, str]:
        """The action's outputs (action.yml `outputs:`)."""
        context = self.context({})
        return {name: resolve(spec["value"], context) for name, spec in ACTION["outputs"].items()}


# -- fixtures ------------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env={**os.environ, **_ENV}
    ).stdout.strip()


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> dict[str, str]:
    """The repository on GitHub: main, a pull request branch `pr` (two commits) opened from
    main's first commit, a later commit on main, and GitHub's refs/pull/1/{head,merge}."""
    repo = Repo(tmp_path_factory.mktemp("origin") / "repo")
    fork = repo.commit(BASE_FILES, "base")
    repo.branch("pr")
    pr1 = repo.commit(PR_FILES, "jobs")
    pr2 = repo.commit(PR_SECOND, "pong")
    repo.git("checkout", "-q", "main")
    main = repo.commit(MAIN_LATER, "tools")
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
    merge = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "main")
    repo.git("update-ref", "refs/pull/1/head", pr2)
    repo.git("update-ref", "refs/pull/1/merge", merge)
    return {"url": f"file://{repo.path}", "fork": fork, "pr1": pr1, "pr2": pr2, "main": main, "merge": merge}


@pytest.fixture(scope="module")
def annotations(origin) -> list[str]:
    """DEP001 and RSK001's workflow commands, each with its finding's message."""
    document = json.loads(
        subprocess.run(
            [sys.executable, "-m", "undertow.app.cli", "scan", "--repo", origin["url"].removeprefix("file://"),
             "--base", origin["fork"], "--head", origin["pr2"], "--format", "json", "--no-cache"],
            capture_output=True, text=True, check=False,
        ).stdout
    )  # fmt: skip
    messages = {f["rule"]: f["message"] for f in document["findings"]}
    assert [(f["rule"], f["line"]) for f in document["findings"]] == [("DEP001", 3), ("RSK001", 7)]
    assert "yaml" in messages["DEP001"] and "timeout" in messages["RSK001"]
    assert not any(c in m for m in messages.values() for c in "%\r\n")  # printed as they are
    return [DEP001 + messages["DEP001"], RSK001 + messages["RSK001"]]


@pytest.fixture(scope="module")
def action_path(tmp_path_factory) -> Path:
    """${{ github.action_path }}: a checkout of the action (this working tree's files)."""
    target = tmp_path_factory.mktemp("actions") / "undertow"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("analyzers", "app", "scripts"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory, action_path) -> dict:
    """The install step, run once: its outputs."""
    tmp = tmp_path_factory.mktemp("install")
    (tmp / "ws").mkdir()
    action = Action(tmp, action_path, tmp / "ws", {})
    [install] = [s for s in ACTION["runs"]["steps"] if s["id"] == "install"]
    result = action.run_step(install, {"python": sys.executable})
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    outputs = action.steps["install"]["outputs"]
    runner_temp = Path(action.env["RUNNER_TEMP"])
    assert Path(outputs["dir"]).parent == runner_temp
    assert outputs["undertow"] == f"{outputs['dir']}/venv/bin/undertow"
    # The scan step runs this undertow, and it is the copy pip installed, not the repository's.
    module = subprocess.run(
        [outputs["python"], "-c", "import undertow.app.cli as m; print(m.__file__)"],
        env={**action.env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(module).is_relative_to(Path(outputs["dir"]) / "venv"), module
    return action.steps["install"]


def pr_checkout(tmp: Path, origin: dict) -> Path:
    """actions/checkout@v4 for a pull_request event, fetch-depth 1 (its own commands)."""
    ws = tmp / "workspace"
    git(tmp, "init", "-q", str(ws))
    git(ws, "remote", "add", "origin", origin["url"])
    git(ws, "fetch", "-q", "--no-tags", "--prune", "--no-recurse-submodules", "--depth=1", "origin",
        f"+{origin['merge']}:refs/remotes/pull/1/merge")  # fmt: skip
    git(ws, "checkout", "-q", "--force", "refs/remotes/pull/1/merge")
    assert git(ws, "rev-list", "--count", "HEAD") == "1"
    return ws


def push_checkout(tmp: Path, origin: dict) -> Path:
    ws = tmp / "workspace"
    git(tmp, "clone", "-q", "--depth=1", "--branch", "pr", origin["url"], str(ws))
    assert git(ws, "rev-list", "--count", "HEAD") == "1"
    return ws


def pull_request_event(tmp: Path, origin: dict, base_sha: str) -> dict[str, str]:
    """The environment of a pull_request (opened) run: a minimal payload with the real field names."""
    payload = {
        "action": "opened",
        "number": 1,
        "pull_request": {
            "number": 1,
            "head": {"ref": "pr", "sha": origin["pr2"], "repo": {"full_name": "octo/svc"}},
            "base": {"ref": "main", "sha": base_sha, "repo": {"full_name": "octo/svc"}},
        },
        "repository": {"full_name": "octo/svc", "default_branch": "main"},
    }
    event = tmp / "event.json"
    event.write_text(json.dumps(payload))
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REF": "refs/pull/1/merge",
        "GITHUB_SHA": origin["merge"],
        "GITHUB_HEAD_REF": "pr",
        "GITHUB_BASE_REF": "main",
    }


def push_event(tmp: Path, origin: dict, before: str) -> dict[str, str]:
    payload = {
        "ref": "refs/heads/pr",
        "before": before,
        "after": origin["pr2"],
        "repository": {"full_name": "octo/svc", "default_branch": "main"},
    }
    event = tmp / "event.json"
    event.write_text(json.dumps(payload))
    return {
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REF": "refs/heads/pr",
        "GITHUB_SHA": origin["pr2"],
        "GITHUB_BASE_REF": "",
        "GITHUB_HEAD_REF": "",
    }


# -- tests ---------------------------------------------------------------------------------------


def test_inputs_reach_the_scripts_only_through_env():
    """No `${{ }}` inside a run: script (script injection); every input is passed to some step."""
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    assert all(not EXPRESSION.search(step["run"]) for step in steps)
    passed = {m for step in steps for v in step.get("env", {}).values() for m in EXPRESSION.findall(str(v))}
    assert {f"inputs.{name}" for name in ACTION["inputs"]} <= passed


def test_pull_request_annotations_from_a_depth_1_checkout(tmp_path, origin, action_path, installed, annotations):
    # The payload's base.sha is main when the PR was opened (stale): GitHub merged into main's
    # tip since, and the merge commit's first parent is what the PR is reviewed against, so
    # main's own later drift (app/tools.py) is not the PR's.
    ws = pr_checkout(tmp_path, origin)
    action = Action(tmp_path, action_path, ws, pull_request_event(tmp_path, origin, base_sha=origin["fork"]))
    result = action.run({}, installed)
    assert result.returncode == 1, action.log()
    assert result.stdout.splitlines() == annotations
    assert action.steps["history"]["outputs"] == {"base": origin["main"], "head": origin["merge"]}
    assert action.outputs()["base"] == origin["main"]
    # Two commits more than the checkout (the merge commit's parents), still shallow.
    assert git(ws, "rev-parse", "--is-shallow-repository") == "true"
    assert git(ws, "rev-list", "--count", "--all") == "3"


def test_pull_request_sarif(tmp_path, origin, action_path, installed):
    ws = pr_checkout(tmp_path, origin)
    action = Action(tmp_path, action_path, ws, pull_request_event(tmp_path, origin, base_sha=origin["main"]))
    result = action.run({"format": "sarif", "fail-on": "never"}, installed)
    assert result.returncode == 0, action.log()
    assert result.stdout == ""
    sarif_file = action.steps["scan"]["outputs"]["sarif-file"]
    assert action.outputs()["sarif-file"] == sarif_file
    assert Path(sarif_file).parent == Path(installed["outputs"]["dir"])
    sarif = json.loads(Path(sarif_file).read_text())
    assert sarif["version"] == "2.1.0"
    results = [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in sarif["runs"][0]["results"]
    ]  # fmt: skip
    assert results == [("DEP001", "app/jobs.py", 3), ("RSK001", "app/jobs.py", 7)]


def test_a_push_of_one_commit_is_reviewed_against_its_parent(tmp_path, origin, action_path, installed):
    # before is the pushed commit's parent: one commit more of history is enough. pr2 only adds a
    # function to app/main.py: nothing to report, even at fail-on warning.
    ws = push_checkout(tmp_path, origin)
    action = Action(tmp_path, action_path, ws, push_event(tmp_path, origin, before=origin["pr1"]))
    result = action.run({"fail-on": "warning"}, installed)
    assert result.returncode == 0, action.log()
    assert result.stdout == ""
    assert action.steps["history"]["outputs"]["base"] == origin["pr1"]
    assert git(ws, "rev-list", "--count", "HEAD") == "2"


def test_push_with_history_to_deepen_on_both_sides(tmp_path, origin, action_path, installed, annotations):
    # base origin/main: main's tip, one commit past the fork point; the branch two past it. Both
    # histories are deepened until they meet; the review is fork..pr2.
    ws = push_checkout(tmp_path, origin)
    action = Action(tmp_path, action_path, ws, push_event(tmp_path, origin, before="0" * 40))
    result = action.run({"base": "origin/main", "fail-on": "warning"}, installed)
    assert result.returncode == 1, action.log()
    assert result.stdout.splitlines() == annotations
    assert action.steps["history"]["outputs"]["base"] == origin["main"]
    assert git(ws, "merge-base", origin["main"], origin["pr2"]) == origin["fork"]


def test_a_push_of_a_new_branch_is_reviewed_against_the_default_branch(
    tmp_path, origin, action_path, installed, annotations
):
    ws = push_checkout(tmp_path, origin)
    action = Action(tmp_path, action_path, ws, push_event(tmp_path, origin, before="0" * 40))
    result = action.run({}, installed)
    assert result.returncode == 1, action.log()
    assert result.stdout.splitlines() == annotations
    assert action.steps["history"]["outputs"]["base"] == origin["main"]


def test_a_usage_error_fails_the_step_never_green(tmp_path, origin, action_path, installed):
    ws = pr_checkout(tmp_path, origin)
    action = Action(tmp_path, action_path, ws, pull_request_event(tmp_path, origin, base_sha=origin["main"]))
    result = action.run({"config": "no/such/undertow.yml", "fail-on": "never"}, installed)
    assert result.returncode == 2, action.log()
    assert result.stdout == ""
    assert "::error title=Undertow::undertow scan failed with exit status 2" in result.stderr


def test_a_shallow_clone_alone_has_no_merge_base(tmp_path, origin, action_path, installed):
    # Why the history step deepens: both commits fetched one deep, and the scan step alone.
    ws = push_checkout(tmp_path, origin)
    git(ws, "fetch", "-q", "--no-tags", "--depth=1", "origin", origin["main"])
    action = Action(tmp_path, action_path, ws, push_event(tmp_path, origin, before=origin["main"]))
    action.steps["install"] = installed
    action.steps["history"] = {"outputs": {"base": origin["main"], "head": origin["pr2"]}}
    [scan] = [step for step in ACTION["runs"]["steps"] if step["id"] == "scan"]
    result = action.run_step(scan, {})
    assert result.returncode == 2, action.log()
    assert f"{origin['main'][:12]} and {origin['pr2'][:12]} have no common ancestor" in result.stderr
    assert result.stdout == ""
