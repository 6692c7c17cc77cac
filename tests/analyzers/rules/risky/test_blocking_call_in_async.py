def test_blocking_calls_in_async_def(make_pr, capsys):
    source = (
        "import time, subprocess, requests, asyncio\n"
        "import redis\n"
        "from time import sleep as nap\n"
        "async def handler(url):\n"
        "    time.sleep(1)\n"
        "    nap(2)\n"
        "    subprocess.run(['ls'], timeout=3)\n"
        "    requests.get(url, timeout=5)\n"
        "    r = redis.Redis()\n"
        "    data = open('f').read()\n"
        "    await asyncio.sleep(1)\n"
        "    await asyncio.to_thread(time.sleep, 1)\n"
        "    proc = await asyncio.create_subprocess_exec('ls')\n"
        "    def inner():\n"
        "        time.sleep(1)\n"
        "    return lambda: time.sleep(1)\n"
        "def sync():\n"
        "    time.sleep(1)\n"
    )
    doc = make_pr({}, {"svc.py": source}).scan_json(capsys)
    assert [(f["rule"], f["line"]) for f in doc["findings"] if f["rule"] == "RSK002"] == [
        ("RSK002", 5),
        ("RSK002", 6),
        ("RSK002", 7),
        ("RSK002", 8),
        ("RSK002", 9),
        ("RSK002", 10),
    ]
    first = doc["findings"][0]
    assert first["message"].startswith("time.sleep() blocks the event loop inside async def handler(): ")
    assert "use asyncio.sleep()" in first["message"]


def test_async_equivalents_are_quiet(make_pr, capsys):
    source = (
        "import asyncio, httpx\n"
        "async def handler():\n"
        "    await asyncio.sleep(1)\n"
        "    async with httpx.AsyncClient() as c:\n"
        "        await c.get('/')\n"
        "    await asyncio.to_thread(open('f').read)\n"
    )
    assert make_pr({}, {"svc.py": source}).scan_json(capsys)["findings"] == []
