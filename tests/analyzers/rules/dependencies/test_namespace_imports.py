"""A namespace package (google, google.cloud, azure...) is provided by no distribution of its own:
``from google.cloud import storage`` imports google.cloud.storage, google-cloud-storage's; the
bare namespace's name (the unrelated PyPI projects ``google``, ``azure``) is never suggested."""

from tests.gitrepo import findings, only
from undertow.analyzers.deps.import_names import candidate_distributions, distribution_name, imported_modules

BASE = {
    "requirements.txt": "google-cloud-pubsub==2.23.0\n    # via -r requirements.in\ngoogle-api-core==2.19.0\n",
    "app/__init__.py": "",
}


def test_the_submodules_a_namespace_import_names():
    assert imported_modules("google.cloud", ["storage", "pubsub_v1"]) == [
        "google.cloud.storage",
        "google.cloud.pubsub_v1",
    ]
    assert imported_modules("azure.storage", ["queue"]) == ["azure.storage.queue"]
    assert imported_modules("google", None) == [] and imported_modules("google.cloud", ["*"]) == []
    assert imported_modules("google.cloud.storage", ["Client"]) == ["google.cloud.storage"]
    assert imported_modules("requests", ["get"]) == ["requests"]


def test_a_distribution_under_a_namespace_is_named_after_its_next_part():
    assert candidate_distributions("google.cloud.spanner_v1.types") == ["google-cloud-spanner-v1"]
    assert candidate_distributions("azure.core.exceptions") == ["azure-core"]
    assert distribution_name("google.cloud.dns") == "google-cloud-dns"
    assert distribution_name("azure.storage.queue") == "azure-storage-queue"
    for module in ("google.cloud.dns", "google.foo", "azure.core"):
        assert not {"google", "azure", "google-cloud"} & set(candidate_distributions(module))
    assert candidate_distributions("google.cloud") == []


def test_from_namespace_import_submodule(make_pr, capsys):
    pr = {"app/upload.py": "from google.cloud import pubsub_v1, storage\n\nclient = storage.Client()\n"}
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "app/upload.py", 1)]
    (finding,) = only(doc, "DEP001")
    assert finding["message"].startswith(
        "app/upload.py imports google.cloud.storage; no image runs app/upload.py, and its nearest manifest "
        "requirements.txt does not declare google-cloud-storage: "
    )
    assert finding["suggestion"]["text"] == "google-cloud-storage"


def test_from_namespace_import_a_declared_submodule_is_quiet(make_pr, capsys):
    base = {**BASE, "requirements.txt": "google-cloud-storage==2.18.0\ngoogle-cloud-dns==0.35.0\n"}
    pr = {"app/upload.py": "from google.cloud import storage\nfrom google.cloud import dns\nimport google\n"}
    assert only(make_pr(base, pr).scan_json(capsys), "DEP001") == []
