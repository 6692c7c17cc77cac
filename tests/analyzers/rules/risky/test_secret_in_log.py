from tests.gitrepo import findings


def test_credentials_in_logs(make_pr, capsys):
    source = (
        "import logging, os\n"
        "log = logging.getLogger(__name__)\n"
        "log.info('db at %s', DATABASE_URL)\n"
        "logger.debug(f'connecting {settings.database_url}')\n"
        "print('token', api_key)\n"
        "logging.warning('env %s', os.environ['DB_PASSWORD'])\n"
        "log.info('parsed %s', urlparse(REDIS_URL))\n"
    )
    doc = make_pr({".env.example": "DB_PASSWORD=\n"}, {"svc.py": source}).scan_json(capsys)
    assert findings(doc) == [("RSK009", "svc.py", n) for n in (3, 4, 5, 6, 7)]
    assert doc["findings"][0]["message"].startswith("this log call writes DATABASE_URL, which holds a credential")
    assert doc["findings"][1]["message"].startswith("this log call writes settings.database_url,")


def test_host_only_and_masked_values_are_quiet(make_pr, capsys):
    source = (
        "log.info('db at %s', urlparse(DATABASE_URL).hostname)\n"
        "log.info('db at %s', engine.url.host)\n"
        "log.info('token length %d', len(token))\n"
        "log.info('url %s', make_url(DATABASE_URL).render_as_string(hide_password=True))\n"
        "log.info('token type %s', token_type)\n"
        "cache.set('token', token)\n"
    )
    assert make_pr({}, {"svc.py": source}).scan_json(capsys)["findings"] == []
