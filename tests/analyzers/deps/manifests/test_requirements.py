from undertow.analyzers.deps.manifests import is_requirements_file
from undertow.analyzers.deps.manifests.requirements import logical_lines, parse_requirements


def test_logical_lines_join_continuations_and_strip_comments():
    text = "# header\nhttpx==0.28.1 \\\n    --hash=sha256:aa  # pinned\n\nurl @ https://x/y.zip#sha256=bb\n"
    assert logical_lines(text) == [(2, "httpx==0.28.1      --hash=sha256:aa"), (5, "url @ https://x/y.zip#sha256=bb")]


def test_parse_requirements_kinds():
    text = (
        "-r base.txt\n"
        "--constraint constraints.txt\n"
        "--index-url https://pypi.example/simple\n"
        "requests[socks]>=2.31; python_version >= '3.11'\n"
        "-e git+https://github.com/acme/lib.git@main#egg=lib\n"
        "./local\n"
    )
    manifest = parse_requirements("requirements.txt", text)
    assert manifest.includes == (("-r", 1, "base.txt"), ("-c", 2, "constraints.txt"))
    requests, lib, local = manifest.declared
    assert (requests.name, requests.line, requests.specifier, requests.extras) == (
        "requests",
        4,
        ">=2.31",
        frozenset({"socks"}),
    )
    assert requests.marker == 'python_version >= "3.11"'
    assert (lib.name, lib.line, lib.editable, lib.url) == (
        "lib",
        5,
        True,
        "git+https://github.com/acme/lib.git@main#egg=lib",
    )
    assert (local.name, local.url) == ("", "./local")
    assert manifest.problems == ()


def test_requirement_file_names():
    assert is_requirements_file("requirements.txt")
    assert is_requirements_file("requirements-worker.txt")
    assert is_requirements_file("docker/web-requirements.txt")
    assert is_requirements_file("requirements/dev.in")
    assert is_requirements_file("constraints.txt")
    assert not is_requirements_file("docs/notes.txt")
    assert not is_requirements_file("requirements.py")
