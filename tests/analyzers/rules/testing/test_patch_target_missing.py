from tests.gitrepo import findings

BASE = {
    "app/__init__.py": "",
    "app/base.py": "class Client:\n    def send(self):\n        pass\n",
    "app/billing.py": (
        "import requests\n"
        "from app.base import Client\n"
        "class BillingClient(Client):\n"
        "    retries = 3\n"
        "    def __init__(self):\n"
        "        self.session = None\n"
        "    def charge(self):\n"
        "        pass\n"
        "def helper():\n"
        "    pass\n"
    ),
}


def test_missing_patch_targets(make_pr, capsys):
    test = (
        "from unittest import mock\n"
        "from unittest.mock import patch\n"
        "from app.billing import BillingClient\n"
        "@patch('app.billing.BillingClient.charge_card')\n"
        "def test_a(m):\n"
        "    with mock.patch('app.billing.gone_helper'):\n"
        "        pass\n"
        "def test_b(mocker, monkeypatch):\n"
        "    mocker.patch.object(BillingClient, 'refund')\n"
        "    monkeypatch.setattr('app.missing_module.thing', 1)\n"
    )
    doc = make_pr(BASE, {"tests/test_billing.py": test}).scan_json(capsys)
    assert findings(doc) == [("TST002", "tests/test_billing.py", n) for n in (4, 6, 9, 10)]
    messages = [f["message"] for f in doc["findings"]]
    assert messages[0].startswith(
        "patches app.billing.BillingClient.charge_card, but class BillingClient (app/billing.py) has no attribute charge_card, not even inherited at head"
    )
    assert messages[1].startswith("patches app.billing.gone_helper, but app/billing.py defines no gone_helper at head")
    assert messages[3].startswith(
        "patches app.missing_module.thing, but there is no module app.missing_module and app/__init__.py defines no missing_module at head"
    )


def test_existing_inherited_imported_and_third_party_targets_are_quiet(make_pr, capsys):
    test = (
        "from unittest.mock import patch\n"
        "from app.billing import BillingClient\n"
        "@patch('app.billing.BillingClient.send')\n"
        "@patch('app.billing.BillingClient.retries')\n"
        "@patch('app.billing.BillingClient.session')\n"
        "@patch('app.billing.requests.post')\n"
        "@patch('app.billing.helper')\n"
        "@patch('requests.get')\n"
        "@patch('app.billing.BillingClient.dynamic', create=True)\n"
        "@patch('app.billing.BillingClient.configured')\n"
        "def test_ok(*mocks):\n"
        "    pass\n"
    )
    base = {**BASE, ".github/undertow.yml": "tests:\n  dynamic_attributes: [app.billing.BillingClient.configured]\n"}
    assert make_pr(base, {"tests/test_billing.py": test}).scan_json(capsys)["findings"] == []


def test_method_renamed_in_the_pr_flags_the_untouched_test(make_pr, capsys):
    base = {
        **BASE,
        "tests/test_billing.py": "from unittest.mock import patch\n@patch('app.billing.BillingClient.charge')\ndef test_x(m):\n    pass\n",
    }
    pr = {"app/billing.py": BASE["app/billing.py"].replace("def charge", "def charge_card")}
    assert findings(make_pr(base, pr).scan_json(capsys)) == [("TST002", "tests/test_billing.py", 2)]


def test_patch_object_on_a_local_variable_or_fixture_is_quiet(make_pr, capsys):
    # Seen on a real project: patch.object(observer._client, "read") where observer is a local.
    test = (
        "from unittest.mock import patch\n"
        "from app.billing import BillingClient\n"
        "CLIENT = BillingClient()\n"
        "def test_local(billing_fixture):\n"
        "    client = BillingClient()\n"
        "    with patch.object(client.session, 'get'):\n"
        "        pass\n"
        "    with patch.object(billing_fixture, 'charge'):\n"
        "        pass\n"
        "    with patch.object(CLIENT, 'gone'):\n"
        "        pass\n"
    )
    doc = make_pr(BASE, {"tests/test_billing.py": test}).scan_json(capsys)
    assert findings(doc) == []  # CLIENT is an instance: its attributes are the class's, unknown here
