"""Import names the table does not know: a declared distribution named like the module (or a
prefix of it), or one the same change adds, provides it; a type-stub package never does."""

from tests.gitrepo import findings, only
from undertow.analyzers.deps.import_names import is_known, is_stub_distribution, provides_by_name

BASE = {
    "requirements.txt": "fastapi==0.115.6\npyyaml==6.0.2\npython-json-logger==2.0.7\nboxsdk[jwt]==10.0.0\ntyper==0.12.5\n",
    "requirements-dev.txt": "-r requirements.txt\npytest==8.3.4\ntypes-docopt==0.6.11.4\n",
    "svc/__init__.py": "",
}


def test_name_equal_or_prefix_after_separators_are_removed():
    assert not is_known("pythonjsonlogger") and not is_known("box_sdk_gen.client")
    assert provides_by_name("python-json-logger", "pythonjsonlogger.jsonlogger")
    assert provides_by_name("boxsdk", "box_sdk_gen")
    assert provides_by_name("google-cloud-spanner", "google.cloud.spanner")
    assert not provides_by_name("google-auth", "google.cloud.spanner")
    assert not provides_by_name("py", "pydantic_extra")  # too short a prefix
    # A prefix that leaves a word of its own is another distribution (a plugin, an extension).
    assert not is_known("pydantic_extra_types")
    assert not provides_by_name("pydantic", "pydantic_extra_types")
    assert not provides_by_name("types-docopt", "docopt")
    assert is_stub_distribution("types-PyYAML") and is_stub_distribution("boto3-stubs")
    assert not is_stub_distribution("typer")


def test_declared_distributions_named_like_the_module_are_quiet(make_pr, capsys):
    pr = {
        "svc/logging.py": "from pythonjsonlogger import jsonlogger\n",
        "svc/files.py": "from box_sdk_gen import BoxClient\n",
    }
    assert only(make_pr(BASE, pr).scan_json(capsys), "DEP001") == []


def test_a_stub_package_never_provides_the_runtime_import(make_pr, capsys):
    assert not is_known("docopt")
    doc = make_pr(BASE, {"svc/cli.py": "from docopt import docopt\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "svc/cli.py", 1)]


def test_a_stub_package_the_change_adds_does_not_provide_it_either(make_pr, capsys):
    pr = {
        "requirements.txt": BASE["requirements.txt"] + "types-docopt==0.6.11.4\n",
        "svc/cli.py": "from docopt import docopt\n",
    }
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "svc/cli.py", 1)]


def test_a_distribution_the_change_adds_provides_an_unknown_module(make_pr, capsys):
    pr = {
        "requirements.txt": BASE["requirements.txt"] + "pyyaml-include==1.4.1\n",
        "svc/config_loader.py": "import yaml\nfrom yamlinclude import YamlIncludeConstructor\n",
    }
    assert only(make_pr(BASE, pr).scan_json(capsys), "DEP001") == []


def test_only_an_addition_to_the_covering_manifest_counts(make_pr, capsys):
    base = {**BASE, "worker/requirements.txt": "celery==5.4.0\n", "worker/__init__.py": ""}
    pr = {
        "requirements.txt": BASE["requirements.txt"] + "pyyaml-include==1.4.1\n",
        "worker/config_loader.py": "from yamlinclude import YamlIncludeConstructor\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "worker/config_loader.py", 1)]


def test_namespace_distributions_named_after_the_dotted_module(make_pr, capsys):
    # The table maps `opentelemetry` to its API; an instrumentation is its own distribution.
    base = {
        "requirements.txt": "opentelemetry-instrumentation-fastapi==0.50b0\nazure-storage-blob==12.24.0\n",
        "svc/__init__.py": "",
    }
    pr = {
        "svc/telemetry.py": (
            "from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor\n"
            "from azure.storage.blob import BlobServiceClient\n"
            "from opentelemetry import trace\n"
        )
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "svc/telemetry.py", 3)]
    assert "does not declare opentelemetry-api" in only(doc, "DEP001")[0]["message"]
