"""Each command imports only what it needs (start-up time is measured by `make bench`; here,
which libraries a process loaded, which does not depend on the machine's speed)."""

import json
import subprocess
import sys

HEAVY = ("libcst", "sqlglot", "pydantic", "yaml", "fastapi", "structlog", "redis")


def _run(argv: list[str], env_home: str) -> tuple[int, set[str], str]:
    code = (
        "import json, sys\n"
        "from undertow.app.cli import main\n"
        "try:\n"
        f"    status = main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        "sys.stdout.flush()\n"
        "print('\\nMODULES ' + json.dumps([status, sorted(sys.modules)]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"XDG_CACHE_HOME": env_home, "PATH": "/usr/bin:/bin"},
    )
    head, _, tail = proc.stdout.rpartition("\nMODULES ")
    status, modules = json.loads(tail)
    return status, {m.split(".")[0] for m in modules} | set(modules), head + proc.stderr


def test_version_and_rules_load_no_parser_and_no_rule(tmp_path):
    for argv in (["--version"], ["rules"], ["rules", "SCH001"], ["rules", "--format", "markdown"]):
        status, modules, out = _run(argv, str(tmp_path))
        assert status == 0, out
        assert modules.isdisjoint(HEAVY), (argv, modules & set(HEAVY))
        assert "undertow.analyzers.core.engine" not in modules
    assert "SCH001 model-without-migration" in _run(["rules", "SCH001"], str(tmp_path))[2]


def test_a_warm_scan_loads_no_python_rule_nor_sql_parser(tmp_path, make_pr):
    repo = make_pr(
        {
            "requirements.txt": "sqlalchemy==2.0.36\n",
            "migrations/001_init.sql": "CREATE TABLE jobs (id integer primary key, status text);\n",
            "app/__init__.py": "",
        },
        {
            "app/jobs.py": "import subprocess\n\n\ndef run():\n    subprocess.run(['make'])\n",
            # A CFG001 finding: the engine asks whether the base read the variable already.
            "app/settings.py": "import os\n\nTOKEN = os.environ['SERVICE_TOKEN']\n",
            "migrations/002_add.sql": "ALTER TABLE jobs ADD COLUMN owner text;\n",
        },
    )
    argv = ["scan", "--repo", str(repo.path), "--format", "json", "--fail-on", "never"]
    cold_status, cold, cold_out = _run(argv, str(tmp_path / "cache"))
    warm_status, warm, warm_out = _run(argv, str(tmp_path / "cache"))
    assert cold_status == warm_status == 0
    # Cold: the Python rules parsed app/jobs.py (libcst), the SQL migrations were replayed (sqlglot).
    assert {"libcst", "sqlglot", "undertow.analyzers.rules.risky.subprocess_without_timeout"} <= cold
    # Warm: the same findings, from the cache, without either.
    # (and no config file: neither pydantic, which validates one, is needed)
    assert warm.isdisjoint({"libcst", "sqlglot", "pydantic", "fastapi", "structlog", "redis"}), warm & set(HEAVY)
    assert "undertow.analyzers.rules.risky.subprocess_without_timeout" not in warm
    findings = [(f["rule"], f["path"], f["line"]) for f in json.loads(warm_out)["findings"]]
    assert findings == [(f["rule"], f["path"], f["line"]) for f in json.loads(cold_out)["findings"]]
    assert ("RSK001", "app/jobs.py", 5) in findings and ("CFG001", "app/settings.py", 3) in findings
