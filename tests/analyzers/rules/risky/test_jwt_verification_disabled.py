from tests.gitrepo import findings


def test_unverified_jwt_decodes(make_pr, capsys):
    source = (
        "import jwt\n"
        "from jose import jwt as jose_jwt\n"
        "a = jwt.decode(tok, options={'verify_signature': False})\n"
        "b = jwt.decode(tok, KEY)\n"
        "c = jose_jwt.decode(tok, KEY, algorithms=['HS256'], options={'verify_signature': False})\n"
        "d = jwt.decode(tok, KEY, verify=False, algorithms=['HS256'])\n"
        "ok = jwt.decode(tok, KEY, algorithms=['HS256'])\n"
        "ok2 = json.decode(tok)\n"
    )
    doc = make_pr({}, {"auth.py": source}).scan_json(capsys)
    assert findings(doc) == [("RSK010", "auth.py", n) for n in (3, 4, 5, 6)]
    messages = [f["message"] for f in doc["findings"]]
    assert messages[0].startswith('jwt.decode(): options={"verify_signature": False} turns signature verification off')
    assert messages[1].startswith("jwt.decode(): no algorithms= list is given")
    assert messages[3].startswith("jwt.decode(): verify=False turns signature verification off")
