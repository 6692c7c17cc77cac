from tests.gitrepo import findings


def test_socket_mounts_short_and_long_syntax(make_pr, capsys):
    compose = (
        "services:\n"
        "  runner:\n"
        "    image: runner\n"
        "    volumes:\n"
        "      - /var/run/docker.sock:/var/run/docker.sock\n"
        "  agent:\n"
        "    image: agent\n"
        "    volumes:\n"
        "      - type: bind\n"
        "        source: /var/run/docker.sock\n"
        "        target: /var/run/docker.sock\n"
        "  web:\n"
        "    image: web\n"
        "    volumes: [./data:/data]\n"
    )
    doc = make_pr({}, {"deploy/docker-compose.prod.yml": compose}).scan_json(capsys)
    assert findings(doc) == [
        ("CFG003", "deploy/docker-compose.prod.yml", 5),
        ("CFG003", "deploy/docker-compose.prod.yml", 9),
    ]
    assert doc["findings"][0]["message"].startswith(
        "service runner mounts the Docker socket (/var/run/docker.sock): whoever runs code in it is root on the host"
    )


def test_unchanged_mount_is_preexisting_and_bad_yaml_is_a_notice(make_pr, capsys):
    base = {"compose.yml": "services:\n  a:\n    volumes:\n      - /var/run/docker.sock:/s\n"}
    doc = make_pr(
        base, {"compose.yml": base["compose.yml"] + "  b:\n    image: x\n", "docker-compose.yml": "services: [\n"}
    ).scan_json(capsys)
    assert findings(doc) == [("UND001", "docker-compose.yml", 1)]
    assert doc["preexisting"] == 1
