from tests.gitrepo import findings

WORKER = (
    "import redis\n"
    "from app.queues import TRANSCRIPTION_QUEUE\n"
    "r = redis.Redis()\n"
    "def main():\n"
    "    while True:\n"
    "        job = r.brpop(TRANSCRIPTION_QUEUE, timeout=5)\n"
)
BASE = {
    "app/__init__.py": "",
    "app/queues.py": "TRANSCRIPTION_QUEUE = 'transcription_queue'\n",
    "app/worker/main.py": WORKER,
    "app/api.py": "import redis\nfrom app import queues\nr = redis.Redis()\ndef submit(job):\n    r.lpush(queues.TRANSCRIPTION_QUEUE, job)\n",
}


def test_producer_pushing_a_key_no_consumer_pops(make_pr, capsys):
    pr = {"app/api.py": "import redis\nr = redis.Redis()\ndef submit(job):\n    r.lpush('job_queue', job)\n"}
    doc = make_pr(BASE, pr).scan_json(capsys)
    assert findings(doc) == [("RSK011", "app/api.py", 4), ("RSK011", "app/worker/main.py", 6)]
    assert doc["findings"][0]["message"] == (
        "lpush() pushes to Redis key `job_queue`, but no code pops it; the closest key code pops is "
        "`transcription_queue` (app/worker/main.py:6); make producer and consumer use the same key (one shared constant)"
    )
    # The worker file did not change, but its key became orphaned by this PR: reported there too.
    assert doc["findings"][1]["message"].startswith(
        "brpop() pops from Redis key `transcription_queue`, but no code pushes it"
    )


def test_producer_and_consumer_agree_through_constants(make_pr, capsys):
    pr = {"app/api.py": BASE["app/api.py"] + "def again(job):\n    r.rpush('transcription_queue', job)\n"}
    assert make_pr(BASE, pr).scan_json(capsys)["findings"] == []


def test_async_client_streams_and_preexisting_orphans(make_pr, capsys):
    base = {"a.py": "async def f(r):\n    await r.xadd('events', {'a': 1})\n    await r.lpush('legacy', 1)\n"}
    pr = {"b.py": "async def g(r):\n    await r.xreadgroup('grp', 'c1', {'events': '>'})\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert doc["findings"] == []
    assert doc["preexisting"] == 1  # `legacy` was orphaned before the PR
