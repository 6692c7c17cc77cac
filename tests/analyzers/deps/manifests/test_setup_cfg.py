from undertow.analyzers.deps.manifests.setup_cfg import parse_setup_cfg


def test_a_comment_after_a_requirement_is_dropped_as_setuptools_does():
    text = (
        "[options]\n"
        "install_requires =\n"
        "    Flask-WTF>=0.14.3,<1.2  # 1.2.0 breaks CSRF\n"
        "    # requests is pinned by the image\n"
        "    requests>=2,<3 #no space after the hash\n"
        "    lib @ https://example.org/lib.zip#sha256=aa\n"
        "[options.extras_require]\n"
        "redis = redis>=5,<6  # the cache\n"
    )
    manifest = parse_setup_cfg("setup.cfg", text)
    assert manifest.problems == ()
    assert [(d.name, d.line, d.specifier, d.text, d.group) for d in manifest.declared] == [
        ("Flask-WTF", 3, "<1.2,>=0.14.3", "Flask-WTF>=0.14.3,<1.2", ""),
        ("requests", 5, "<3,>=2", "requests>=2,<3", ""),
        ("lib", 6, "", "lib @ https://example.org/lib.zip#sha256=aa", ""),
        ("redis", 8, "<6,>=5", "redis>=5,<6", "redis"),
    ]
    assert manifest.declared[2].url == "https://example.org/lib.zip#sha256=aa"
