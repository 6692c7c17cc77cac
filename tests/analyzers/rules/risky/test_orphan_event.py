from tests.gitrepo import findings

SERVER = "import socketio\nsio = socketio.AsyncServer()\n@sio.on('join')\nasync def join(sid, data):\n    pass\n"


def test_emit_without_listener(make_pr, capsys):
    pr = {
        "app/progress.py": "async def done(sio):\n    await sio.emit('transcript_ready', {})\n    await sio.emit('progress', {})\n"
    }
    base = {"app/server.py": SERVER, "web/src/socket.ts": "socket.on('progress', (p) => render(p));\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc) == [("RSK012", "app/progress.py", 2)]
    assert doc["findings"][0]["message"].startswith("emits Socket.IO event `transcript_ready`, but no listener")


def test_listener_added_in_the_pr_and_pubsub_patterns(make_pr, capsys):
    pr = {
        "app/progress.py": "def done(sio, r):\n    sio.emit('transcript_ready', {})\n    r.publish('jobs.done', '1')\n",
        "web/app.js": 'socket.on("transcript_ready", show);\n',
        "app/listen.py": "def listen(p):\n    p.psubscribe('jobs.*')\n",
    }
    assert make_pr({"app/server.py": SERVER}, pr).scan_json(capsys)["findings"] == []
