"""DEP002 resolves a first-party import the way Python does: from path components, against the
importing file's own project, and a namespace directory never shadows a declared distribution."""

from tests.gitrepo import findings, only


def test_relative_imports_under_a_directory_that_is_no_identifier(make_pr, capsys):
    base = {
        "api.v3/core/__init__.py": "",
        "api.v3/core/handlers/__init__.py": "VERSION = 1\n",
    }
    pr = {
        "api.v3/core/handlers/__init__.py": "from .auth import login\nfrom .billing import charge\n",
        "api.v3/core/handlers/auth.py": "def login():\n    return 1\n",
    }
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP002") == [("DEP002", "api.v3/core/handlers/__init__.py", 2)]
    assert only(doc, "DEP002")[0]["message"] == (
        "api.v3/core/handlers/__init__.py imports core.handlers.billing, but no module core.handlers.billing "
        "exists (no core/handlers/billing.py) at head; commit the missing module, or import it from where it lives"
    )
