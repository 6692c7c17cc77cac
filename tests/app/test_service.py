"""The whole embedded path: a signed webhook in, a check run and a review out (FakeGitHub)."""

import json

from fastapi.testclient import TestClient

from tests.app.test_review import BASE, PR
from tests.app.test_webhook import PAYLOADS, SECRET, headers
from tests.fakegithub import FakeGitHub
from undertow.app.service.wiring import Service


def test_signed_pull_request_webhook_produces_a_review(make_pr):
    repo = make_pr(BASE, PR)
    gh = FakeGitHub(repo.path)

    async def github_for(installation_id):
        return gh

    service = Service(SECRET, github_for)
    data = json.loads((PAYLOADS / "pull_request/opened.json").read_text())
    data["repository"]["full_name"] = "octo/app"
    data["pull_request"]["number"] = 7
    data["pull_request"]["head"]["sha"] = gh.git.resolve("HEAD")
    data["pull_request"]["base"]["sha"] = gh.git.resolve("main")
    data["repository"]["clone_url"] = gh.clone_url  # the fake's git server, never github.com
    body = json.dumps(data).encode()
    with TestClient(service.app) as client:
        response = client.post("/webhook", content=body, headers=headers("pull_request", body, "e2e-1"))
        assert response.status_code == 202
        again = client.post("/webhook", content=body, headers=headers("pull_request", body, "e2e-1"))
        assert again.json() == {"ok": True, "duplicate": True}
        client.portal.call(service.drain)
        metrics = client.get("/metrics").text
    assert gh.check_runs[1]["conclusion"] == "failure"
    assert len(gh.reviews) == 1 and len(gh.comments) == 2
    assert "undertow_review_seconds_count 1.0" in metrics
    assert (
        'undertow_findings_total{rule="RSK001"} 1.0' in metrics
        and 'undertow_findings_total{rule="DEP004"} 1.0' in metrics
    )
    # Derived facts stay in memory for the next review of the same repository (no Redis here).
    assert service.facts.size > 0 and any(k.startswith("fact:") for k in service.facts._data)
