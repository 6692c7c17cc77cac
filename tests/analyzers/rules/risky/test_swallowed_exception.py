from tests.gitrepo import findings


def _scan(make_pr, capsys, body: str, base: dict | None = None):
    return make_pr(base or {}, {"svc.py": body}).scan_json(capsys)


def test_except_exception_pass_is_reported_on_the_except_line(make_pr, capsys):
    doc = _scan(make_pr, capsys, "def f():\n    try:\n        g()\n    except Exception:\n        pass\n")
    assert findings(doc) == [("RSK003", "svc.py", 4)]
    f = doc["findings"][0]
    assert (f["name"], f["severity"], f["end_line"]) == ("swallowed-exception", "warning", 4)
    assert f["message"].startswith("except Exception swallows the error")
    assert f["fingerprint"] == "RSK003:svc.py:f/except Exception#1"


def test_bare_except_and_base_exception_and_tuples(make_pr, capsys):
    source = (
        "try:\n    a()\nexcept:\n    x = None\n"
        "try:\n    a()\nexcept BaseException:\n    continue_ = 1\n"
        "try:\n    a()\nexcept (ValueError, Exception):\n    return_ = 2\n"
    )
    doc = _scan(make_pr, capsys, source)
    assert findings(doc) == [("RSK003", "svc.py", 3), ("RSK003", "svc.py", 7), ("RSK003", "svc.py", 11)]
    assert doc["findings"][0]["message"].startswith("bare except swallows")


def test_handlers_that_log_reraise_or_use_the_error_are_quiet(make_pr, capsys):
    source = (
        "import logging, traceback\nlog = logging.getLogger(__name__)\n"
        "try:\n    a()\nexcept Exception:\n    log.exception('failed')\n"
        "try:\n    a()\nexcept Exception:\n    logger.warning('failed')\n"
        "try:\n    a()\nexcept Exception:\n    cleanup()\n    raise\n"
        "try:\n    a()\nexcept Exception as exc:\n    errors.append(exc)\n"
        "try:\n    a()\nexcept Exception:\n    traceback.print_exc()\n"
        "try:\n    a()\nexcept Exception:\n    log.info('failed', exc_info=True)\n"
        "try:\n    a()\nexcept ValueError:\n    pass\n"
    )
    assert _scan(make_pr, capsys, source)["findings"] == []


def test_debug_log_without_the_exception_still_swallows(make_pr, capsys):
    doc = _scan(make_pr, capsys, "try:\n    a()\nexcept Exception:\n    log.debug('ignored')\n")
    assert findings(doc) == [("RSK003", "svc.py", 3)]


def test_editing_inside_an_old_handler_does_not_blame_the_pr(make_pr, capsys):
    base = {"svc.py": "try:\n    a()\nexcept Exception:\n    x = 1\n"}
    doc = make_pr(base, {"svc.py": "try:\n    a()\nexcept Exception:\n    x = 2\n"}).scan_json(capsys)
    assert doc["findings"] == []
    assert doc["preexisting"] == 1


def test_fallback_work_and_import_probes_are_quiet(make_pr, capsys):
    source = (
        "try:\n    session.rollback()\nexcept Exception:\n    session.close()\n"
        "try:\n    import ujson as json\nexcept Exception:\n    json = None\n"
        "for x in items:\n    try:\n        use(x)\n    except Exception:\n        continue\n"
    )
    doc = _scan(make_pr, capsys, source)
    assert findings(doc) == [("RSK003", "svc.py", 12)]
