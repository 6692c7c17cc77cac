"""app.yml declares least-privilege permissions and the events the App handles."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_app_manifest_permissions_and_events():
    manifest = yaml.safe_load((ROOT / "app.yml").read_text())
    assert manifest["default_permissions"] == {
        "checks": "write",
        "pull_requests": "write",
        "contents": "read",
        "metadata": "read",
        "issues": "write",
    }
    assert manifest["default_events"] == ["pull_request", "issue_comment", "check_run", "check_suite"]
    assert manifest["name"] == "Undertow"
