from tests.gitrepo import findings


def test_requests_without_timeout(make_pr, capsys):
    source = (
        "import requests\n"
        "from requests import post\n"
        "import requests as rq\n"
        "requests.get(URL)\n"
        "post(URL, json={})\n"
        "rq.request('GET', URL)\n"
        "s = requests.Session()\n"
        "s.get(URL)\n"
        "class Client:\n"
        "    def __init__(self):\n"
        "        self.http = requests.Session()\n"
        "    def fetch(self):\n"
        "        return self.http.post(URL)\n"
        "requests.get(URL, timeout=5)\n"
        "import httpx\n"
        "httpx.get(URL)\n"
        "cache.get(URL)\n"
    )
    doc = make_pr({}, {"svc.py": source}).scan_json(capsys)
    assert findings(doc) == [("RSK008", "svc.py", n) for n in (4, 5, 6, 8, 13)]
    assert doc["findings"][0]["message"].startswith("requests.get() has no timeout")
    assert doc["findings"][0]["suggestion"]["text"] == "requests.get(URL, timeout=10)"
    assert doc["findings"][3]["message"].startswith("session.get() has no timeout")
