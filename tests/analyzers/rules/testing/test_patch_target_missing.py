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


SERVICE = {
    "backend/app/__init__.py": "",
    "backend/app/billing.py": "import redis\n\nclient = redis.Redis()\n\ndef charge():\n    pass\n",
    "backend/app/redis.py": "def connect():\n    pass\n",  # first-party app.redis
    "backend/redis.py": "from redis import Redis\n\nclient = Redis()\n",  # a helper named like the distribution
    "backend/tests/__init__.py": "",
    "backend/tests/unit/__init__.py": "",
    "backend/tests/unit/billing.py": "def fake_charge():\n    pass\n",  # same last name as app.billing
}


def test_an_aliased_module_import_is_resolved_absolutely(make_pr, capsys):
    test = (
        "import app.billing as billing\n"
        "from app.main import create_app\n"
        "\n"
        "app = create_app()\n"
        "\n"
        "def test_charge(monkeypatch, mocker):\n"
        "    monkeypatch.setattr(billing, 'charge', lambda: None)\n"
        "    mocker.patch.object(billing, 'charge_card')\n"
        "    mocker.patch.object(billing.client, 'get')\n"
    )
    doc = make_pr(SERVICE, {"backend/tests/unit/test_billing.py": test}).scan_json(capsys)
    assert findings(doc, "TST002") == [("TST002", "backend/tests/unit/test_billing.py", 8)]
    assert only_messages(doc)[0].startswith("patches app.billing.charge_card, but backend/app/billing.py defines no")


def test_a_third_party_module_is_not_a_first_party_one_of_the_same_name(make_pr, capsys):
    test = (
        "from unittest import mock\n"
        "import redis\n"
        "from app import redis as app_redis\n"
        "\n"
        "@mock.patch('redis.Redis.from_url')\n"
        "def test_cache(from_url, monkeypatch):\n"
        "    monkeypatch.setattr(redis, 'StrictRedis', object)\n"
        "    monkeypatch.setattr(app_redis, 'connect', object)\n"
        "    monkeypatch.setattr(app_redis, 'disconnect', object)\n"
        "    monkeypatch.setattr('app.redis.reconnect', object)\n"
    )
    doc = make_pr(SERVICE, {"backend/tests/unit/test_cache.py": test}).scan_json(capsys)
    assert findings(doc, "TST002") == [
        ("TST002", "backend/tests/unit/test_cache.py", 9),
        ("TST002", "backend/tests/unit/test_cache.py", 10),
    ]


def only_messages(doc):
    return [f["message"] for f in doc["findings"] if f["rule"] == "TST002"]
