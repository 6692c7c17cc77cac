"""The readers of issue 16's inputs take any text without raising (a raise would be an UND004
for that file) and without running any of it: setup.py, lock files with their dependency
graph, compiled requirements with `# via`, shell scripts, Procfiles, supervisord configurations."""

from hypothesis import given, settings
from hypothesis import strategies as st

from undertow.analyzers.deps.manifests import parse_manifest
from undertow.analyzers.deps.manifests.locks import lock_facts
from undertow.analyzers.deps.services import (
    procfile_commands,
    runs_supervisord,
    script_commands,
    script_paths,
    supervisor_programs,
    supervisord_config,
)

_UNITS = st.sampled_from(
    [
        " ",
        "\t",
        "\n",
        "\\\n",
        "#",
        ";",
        ":",
        "=",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "'",
        '"',
        ",",
        "+",
        "*",
        "**",
        "\x00",
        "\ud800",
        "via",
        "# via",
        "-r",
        "-e .",
        "setup(",
        "install_requires=",
        "extras_require=",
        "REQS",
        "REQS = ",
        "[program:x]",
        "command=",
        "web:",
        "supervisord",
        "-c",
        ".sh",
        "then ",
        "[[package]]",
        "name = ",
        "dependencies = ",
        '{ name = "a" }',
        'source = { editable = "." }',
        "a==1",
        "b>=2",
        "x" * 300,
    ]
)
_TEXT = st.lists(_UNITS, max_size=60).map("".join)


@settings(max_examples=300, deadline=None, database=None)
@given(_TEXT)
def test_readers_take_any_text(text):
    for path in ("setup.py", "requirements.txt", "pyproject.toml"):
        parse_manifest(path, text)
    lock_facts(text)
    script_commands("start.sh", text)
    procfile_commands("Procfile", text)
    supervisor_programs("supervisord.conf", text)
    script_paths(text), supervisord_config(text), runs_supervisord(text)


def test_setup_py_is_never_run(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    text = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\nsetup(install_requires=['a'])\n"
    assert [d.name for d in parse_manifest("setup.py", text).declared] == ["a"]
    assert not marker.exists()
