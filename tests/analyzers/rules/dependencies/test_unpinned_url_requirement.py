import pytest

from tests.gitrepo import findings

SHA = "5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"


@pytest.mark.parametrize(
    "line, problem",
    [
        ("mylib @ git+https://github.com/acme/mylib.git", "no ref is given"),
        ("mylib @ git+https://github.com/acme/mylib.git@main", "@main is a branch or tag"),
        ("git+ssh://git@github.com/acme/mylib.git@v1.2#egg=mylib", "@v1.2 is a branch or tag"),
        ("-e git+https://github.com/acme/mylib.git#egg=mylib", "no ref is given"),
        ("mylib @ https://example.com/mylib-1.0.tar.gz", "the archive has no hash"),
    ],
)
def test_moving_urls_in_requirements_are_reported(make_pr, capsys, line, problem):
    repo = make_pr({"requirements.txt": "httpx==0.28.1\n"}, {"requirements.txt": f"httpx==0.28.1\n{line}\n"})
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("DEP004", "requirements.txt", 2)]
    assert problem in doc["findings"][0]["message"]
    assert doc["findings"][0]["message"].startswith("requirements.txt installs ")
    assert doc["findings"][0]["severity"] == "error"


@pytest.mark.parametrize(
    "line",
    [
        f"mylib @ git+https://github.com/acme/mylib.git@{SHA}",
        f"git+https://github.com/acme/mylib.git@{SHA}#egg=mylib",
        "mylib @ https://example.com/mylib-1.0.tar.gz#sha256=" + "ab" * 32,
        "https://example.com/mylib-1.0.tar.gz --hash=sha256:" + "cd" * 32,
        "./vendor/mylib",
        "mylib==1.0",
    ],
)
def test_immutable_references_are_quiet(make_pr, capsys, line):
    repo = make_pr({}, {"requirements/base.txt": f"{line}\n"})
    assert repo.scan_json(capsys)["findings"] == []


def test_unchanged_unpinned_line_is_preexisting(make_pr, capsys):
    base = {"requirements.txt": "mylib @ git+https://github.com/acme/mylib.git@main\n"}
    doc = make_pr(base, {"requirements.txt": base["requirements.txt"] + "httpx==0.28.1\n"}).scan_json(capsys)
    assert doc["findings"] == []
    assert doc["preexisting"] == 1


def test_pyproject_pep621_and_poetry(make_pr, capsys):
    pyproject = (
        "[project]\nname = 'svc'\ndependencies = [\n"
        "  'httpx==0.28.1',\n"
        "  'mylib @ git+https://github.com/acme/mylib.git@develop',\n"
        "]\n"
        "[project.optional-dependencies]\n"
        f"ok = ['other @ git+https://github.com/acme/other.git@{SHA}']\n"
        "[tool.poetry.dependencies]\n"
        "python = '^3.11'\n"
        "poetrylib = { git = 'https://github.com/acme/poetrylib.git', branch = 'main' }\n"
        f"pinned = {{ git = 'https://github.com/acme/pinned.git', rev = '{SHA}' }}\n"
    )
    doc = make_pr({}, {"pyproject.toml": pyproject}).scan_json(capsys)
    assert findings(doc) == [("DEP004", "pyproject.toml", 5), ("DEP004", "pyproject.toml", 11)]
    assert "branch = 'main' is a moving ref" in doc["findings"][1]["message"]


def test_invalid_requirement_line_is_a_notice_and_the_rest_is_still_read(make_pr, capsys):
    text = "httpx>=>1\nmylib @ git+https://github.com/acme/mylib.git\n"
    doc = make_pr({}, {"requirements.txt": text}).scan_json(capsys)
    assert findings(doc) == [("UND001", "requirements.txt", 1), ("DEP004", "requirements.txt", 2)]
    assert doc["findings"][0]["message"] == (
        "could not parse requirements.txt line 1: not a valid requirement: "
        "Expected semicolon (after name with no version specifier) or end"
    )


def test_invalid_pyproject_is_a_notice(make_pr, capsys):
    doc = make_pr({}, {"pyproject.toml": "[project\n"}).scan_json(capsys)
    assert findings(doc) == [("UND001", "pyproject.toml", 1)]
    assert "not valid TOML" in doc["findings"][0]["message"]
