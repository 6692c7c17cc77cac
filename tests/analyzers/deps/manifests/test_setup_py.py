"""setup.py is read as a manifest from its syntax tree: literal install_requires/extras_require,
also through module-level variables; anything computed makes it opaque (never run)."""

from undertow.analyzers.deps.manifests import is_manifest, parse_manifest
from undertow.analyzers.deps.manifests.setup_py import parse_setup_py

LEDGER = """\
import os
from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))

BASE = [
    "flask>=2.0",
    "sqlalchemy>=1.4,<2",
]
REQUIRES = BASE + ["marshmallow==3.20.1"]

if __name__ == "__main__":
    setup(
        name="ledger",
        version="0.3.0",
        packages=find_packages(exclude=["tests"]),
        install_requires=REQUIRES,
        extras_require={"redis": ["redis>=4"], "test:python_version<'3.11'": ("tomli",)},
    )
"""


def test_literal_requirements_through_variables_and_concatenation():
    assert is_manifest("setup.py") and is_manifest("libs/core/setup.py")
    manifest = parse_manifest("setup.py", LEDGER)
    assert not manifest.opaque and manifest.problems == ()
    assert [(d.key, d.group, d.line, d.specifier) for d in manifest.declared] == [
        ("flask", "", 7, ">=2.0"),
        ("sqlalchemy", "", 8, "<2,>=1.4"),
        ("marshmallow", "", 10, "==3.20.1"),
        ("redis", "redis", 18, ">=4"),
        ("tomli", "test", 18, ""),
    ]


def test_a_requirements_string_and_setup_kwargs():
    text = (
        "import setuptools\n"
        "DEPS = '''\n"
        "requests>=2.31  # http\n"
        "# a comment\n"
        "click\n"
        "'''\n"
        "config = dict(name='cli', install_requires=DEPS)\n"
        "setuptools.setup(**config)\n"
    )
    manifest = parse_setup_py("setup.py", text)
    assert [(d.key, d.line) for d in manifest.declared] == [("requests", 3), ("click", 5)]
    assert not manifest.opaque


def test_computed_requirements_are_opaque_never_run():
    text = (
        "from setuptools import setup\n"
        "with open('requirements.txt') as f:\n"
        "    reqs = f.read().splitlines()\n"
        "setup(name='x', install_requires=reqs, extras_require={'s3': ['boto3']})\n"
    )
    manifest = parse_setup_py("setup.py", text)
    assert manifest.opaque
    assert [d.key for d in manifest.declared] == ["boto3"]
    assert manifest.problems[0].message == "install_requires is computed, not a literal: not read"
    # A call inside the list, a comprehension, a name never assigned at module level.
    for value in ("['a', get_version()]", "[r for r in REQS]", "UNKNOWN"):
        assert parse_setup_py("setup.py", f"from setuptools import setup\nsetup(install_requires={value})\n").opaque


def test_hostile_setup_py_is_bounded():
    cycle = "A = B\nB = A\nsetup(install_requires=A)\n"
    assert parse_setup_py("setup.py", cycle).opaque
    chain = "R0 = ['x']\n" + "".join(f"R{i + 1} = R{i}\n" for i in range(300)) + "setup(install_requires=R300)\n"
    assert parse_setup_py("setup.py", chain).opaque
    deep = "setup(install_requires=" + "[" * 500 + "]" * 500 + ")\n"
    assert parse_setup_py("setup.py", deep).opaque
    long_sum = "setup(install_requires=" + " + ".join(["['a']"] * 400) + ")\n"
    assert parse_setup_py("setup.py", long_sum).opaque
    broken = parse_setup_py("setup.py", "setup(install_requires=[\n")
    assert broken.opaque and broken.problems[0].message.startswith("not valid Python")
    assert parse_setup_py("setup.py", "setup(install_requires=['not a valid ~~ req'])\n").problems
