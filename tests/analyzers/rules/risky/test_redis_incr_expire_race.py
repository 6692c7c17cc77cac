from tests.gitrepo import findings


def test_incr_then_expire_is_a_race(make_pr, capsys):
    source = (
        "def allow(r, user):\n"
        "    key = f'rate:{user}'\n"
        "    n = r.incr(key)\n"
        "    if n == 1:\n"
        "        r.expire(key, 60)\n"
        "    return n < 10\n"
        "async def allow_async(redis, user):\n"
        "    n = await redis.hincrby('counts', user, 1)\n"
        "    await redis.expire('counts', 60)\n"
    )
    doc = make_pr({}, {"limits.py": source}).scan_json(capsys)
    assert findings(doc) == [("RSK004", "limits.py", 3), ("RSK004", "limits.py", 8)]
    assert doc["findings"][0]["message"].startswith("r.incr(key) and this expire() on line 5 are two commands, not one")


def test_ttl_first_pipeline_and_other_keys_are_quiet(make_pr, capsys):
    source = (
        "def a(r, key):\n"
        "    r.set(key, 0, ex=60, nx=True)\n"
        "    r.incr(key)\n"
        "    r.expire(key, 60)\n"
        "def b(r, key):\n"
        "    with r.pipeline() as p:\n"
        "        p.incr(key)\n"
        "        p.expire(key, 60)\n"
        "        p.execute()\n"
        "def c(r, key, other):\n"
        "    r.incr(key)\n"
        "    r.expire(other, 60)\n"
        "def d(r, key):\n"
        "    pipe = r.pipeline()\n"
        "    pipe.incr(key)\n"
        "    pipe.expire(key, 60)\n"
    )
    assert make_pr({}, {"limits.py": source}).scan_json(capsys)["findings"] == []
