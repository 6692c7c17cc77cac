"""The engine's policies: new vs pre-existing, notices for unreadable input, config, cache."""

from tests.gitrepo import findings
from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config, parse_config
from undertow.analyzers.core.engine import MAX_FILE_BYTES, review
from undertow.analyzers.core.findings import Finding, Severity, fingerprint
from undertow.analyzers.core.snapshot import MemorySnapshot
from undertow.analyzers.facts.context import MemoryCache
from undertow.analyzers.rules.base import RepoRule
from undertow.analyzers.rules.registry import ALL_RULES

SUBPROCESS = "import subprocess\nsubprocess.run(['ls'])\n"


def _added(path: str, text: str) -> ChangedFile:
    return ChangedFile(path, Status.ADDED, lines=frozenset(range(1, text.count("\n") + 2)))


def test_syntax_error_is_a_notice_and_other_files_are_still_reviewed(make_pr, capsys):
    repo = make_pr({}, {"bad.py": "def broken(:\n    pass\n", "good.py": SUBPROCESS})
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("UND001", "bad.py", 1), ("RSK001", "good.py", 2)]
    assert doc["findings"][0]["message"] == "could not parse bad.py: invalid syntax (line 1)"
    assert doc["findings"][0]["severity"] == "notice"


def test_invalid_utf8_is_a_notice_with_the_line(make_pr, capsys):
    repo = make_pr({}, {"latin.py": b"x = 1\ns = '\xe9t\xe9'\n", "good.py": SUBPROCESS})
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("RSK001", "good.py", 2), ("UND001", "latin.py", 2)]
    assert doc["findings"][1]["message"] == "could not parse latin.py: not valid UTF-8 (byte 0xe9 on line 2)"


def test_pathologically_nested_expressions_do_not_crash(make_pr, capsys):
    deep = "x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\ny = " + "-" * 2000 + "1\n"
    repo = make_pr({}, {"deep.py": deep, "deep2.py": "x = a" + ".b" * 5000 + "\n", "good.py": SUBPROCESS})
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("UND001", "deep.py", 1), ("UND001", "deep2.py", 1), ("RSK001", "good.py", 2)]
    assert doc["findings"][0]["message"] == "could not parse deep.py: too many nested parentheses (line 1)"
    assert doc["findings"][1]["message"] == "could not parse deep2.py: expressions are nested too deeply to analyse"


def test_huge_file_and_symlink_are_skipped_with_a_notice(make_pr, capsys):
    huge = "x = 1\n" * (MAX_FILE_BYTES // 6 + 10)
    repo = make_pr({}, {"huge.py": huge, "good.py": SUBPROCESS})
    (repo.path / "link.py").symlink_to("good.py")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "link")
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("RSK001", "good.py", 2), ("UND003", "huge.py", 1), ("UND003", "link.py", 1)]
    assert doc["findings"][1]["message"] == "skipped huge.py: it is 1.0 MiB, over the 1 MiB limit per file"
    assert doc["findings"][2]["message"] == "skipped link.py: it is a symbolic link"
    # The huge file was never read: its size came from the tree.
    assert doc["stats"]["files_read"] == 1


def test_bare_suppression_silences_everything_and_is_reported(make_pr, capsys):
    repo = make_pr({}, {"a.py": "import subprocess\nsubprocess.run(['ls'])  # undertow: ignore\n"})
    doc = repo.scan_json(capsys)
    assert findings(doc) == [("UND002", "a.py", 2)]
    assert doc["findings"][0]["message"].startswith("`undertow: ignore` on line 2 names no rule")


def test_config_from_base_turns_rules_off_changes_severity_and_excludes_paths(make_pr, capsys):
    config = "rules:\n  RSK003: off\n  RSK001: error\npaths:\n  exclude: ['vendor/*']\n"
    pr = {
        "a.py": "import subprocess\ntry:\n    subprocess.run(['ls'])\nexcept Exception:\n    pass\n",
        "vendor/lib.py": SUBPROCESS,
    }
    doc = make_pr({".github/undertow.yml": config}, pr).scan_json(capsys)
    assert [(f["rule"], f["line"], f["severity"]) for f in doc["findings"]] == [("RSK001", 3, "error")]


def test_config_changed_by_the_pr_itself_is_not_used(make_pr, capsys):
    pr = {".github/undertow.yml": "rules: {RSK001: off}\n", "a.py": SUBPROCESS}
    doc = make_pr({}, pr).scan_json(capsys)
    assert findings(doc) == [("RSK001", "a.py", 2)]


def test_removed_and_renamed_files(make_pr, capsys):
    base = {"old.py": SUBPROCESS + "# padding so that git sees a rename\n" * 3, "gone.py": SUBPROCESS}
    repo = make_pr(base, {"old.py": None, "gone.py": None, "new.py": base["old.py"]})
    doc = repo.scan_json(capsys)
    assert doc["findings"] == []  # a pure rename introduces nothing
    assert doc["preexisting"] == 1
    assert doc["stats"]["files_changed"] == 2


class _OrphanMarker(RepoRule):
    """## What it does
    Test rule: reports every file that contains `MARKER`.
    """

    id = "TST999"
    name = "test-marker"
    severity = Severity.ERROR
    fix = "remove the marker"
    runs = 0

    def check(self, ctx):
        type(self).runs += 1
        for path in ctx.snapshot.entries():
            text = ctx.snapshot.read(path).decode()
            if "MARKER" in text:
                line = text[: text.index("MARKER")].count("\n") + 1
                yield Finding(
                    self.id, self.name, self.severity, path, line, line, "marker", fingerprint(self.id, path, "marker")
                )


def test_cross_file_findings_are_new_only_when_their_fingerprint_is_new():
    base = MemorySnapshot({"a.py": "MARKER\n", "b.py": "x = 1\n"}, "base")
    head = MemorySnapshot(
        {"a.py": "\n\nMARKER\n", "b.py": "x = 2  # MARKER\n", "c.py": "# undertow: ignore[TST999]\nMARKER\n"}, "head"
    )
    changes = ChangeSet([ChangedFile("c.py", Status.ADDED, lines=frozenset({1, 2}))])
    report = review(base, head, changes, Config(), rules=[_OrphanMarker])
    # a.py moved its marker (same fingerprint: pre-existing); c.py is suppressed; b.py is new
    # although b.py is not in the change set: cross-file rules judge by fingerprint.
    assert [(f.rule, f.path, f.line) for f in report.findings] == [("TST999", "b.py", 1)]
    assert report.preexisting == 1


def test_per_file_results_are_cached_by_blob_and_reused():
    head = MemorySnapshot({"a.py": SUBPROCESS}, "head-rev")
    base = MemorySnapshot({}, "base-rev")
    changes = ChangeSet([_added("a.py", SUBPROCESS)])
    cache = MemoryCache()
    first = review(base, head, changes, Config(), cache=cache)
    file_keys = [k for k in cache.data if k.startswith("file:")]
    assert len(file_keys) == 1
    # Poison the cached entry: a second review must come from the cache, not from re-analysis.
    (key,) = file_keys
    cache.data[key] = cache.data[key].replace(b"has no timeout", b"CACHED")
    second = review(base, head, changes, Config(), cache=cache)
    assert first.findings[0].message.startswith("subprocess.run() has no timeout")
    assert second.findings[0].message.startswith("subprocess.run() CACHED")


def test_a_crashing_rule_is_an_internal_error_not_a_crash():
    class Broken(_OrphanMarker):
        def check(self, ctx):
            raise KeyError("boom")

    head = MemorySnapshot({"a.py": SUBPROCESS}, "head")
    report = review(
        MemorySnapshot({}), head, ChangeSet([_added("a.py", SUBPROCESS)]), Config(), rules=[*ALL_RULES, Broken]
    )
    # The other rules' findings stand; the crash is a finding of its own, never a silent pass.
    assert [(f.rule, f.path, f.line, f.severity) for f in report.findings] == [
        ("UND004", "", 1, Severity.ERROR),
        ("UND004", "", 1, Severity.ERROR),
        ("RSK001", "a.py", 2, Severity.WARNING),
    ]
    assert [f.message for f in report.findings[:2]] == [
        "analysis incomplete: rule TST999 test-marker at base failed (KeyError: 'boom'); TST999's findings are missing "
        "from this review. This is a failure inside Undertow, not a problem of the change: please report it",
        "analysis incomplete: rule TST999 test-marker at head failed (KeyError: 'boom'); TST999's findings are missing "
        "from this review. This is a failure inside Undertow, not a problem of the change: please report it",
    ]
    assert not report.complete and report.stats.to_json()["complete"] is False


def test_only_files_some_rule_reads_are_fetched():
    head = MemorySnapshot({"README.md": "# hi\n", "a.py": SUBPROCESS, "requirements.txt": "x==1\n"}, "h")
    changes = ChangeSet([_added(p, "x\n") for p in ("README.md", "a.py", "requirements.txt")])
    from undertow.analyzers.rules.dependencies.unpinned_url_requirement import UnpinnedUrlRequirement
    from undertow.analyzers.rules.risky.subprocess_without_timeout import SubprocessWithoutTimeout

    rules = [SubprocessWithoutTimeout, UnpinnedUrlRequirement]
    report = review(MemorySnapshot({}), head, changes, parse_config("rules: {DEP004: off}"), rules=rules)
    assert report.stats.files_read == 1  # a.py only: no enabled rule reads Markdown or (now) manifests


def test_grammar_newer_than_the_interpreter_is_still_analysed(make_pr, capsys):
    # PEP 758 (Python 3.14): unparenthesized except lists. CPython 3.11's parser rejects it; libcst reads it.
    source = "try:\n    a()\nexcept ValueError, TypeError:\n    pass\ntry:\n    a()\nexcept Exception:\n    pass\n"
    doc = make_pr({}, {"new.py": source}).scan_json(capsys)
    assert findings(doc) == [("RSK003", "new.py", 7)]


class _ChangeAwareMarker(_OrphanMarker):
    """Reads the change set: its findings may differ from one change to another."""

    id = "TST998"
    runs = 0

    def check(self, ctx):
        if ctx.changes.files:
            yield from super().check(ctx)


def test_cross_file_findings_of_a_revision_are_cached_when_the_rule_ignores_the_change():
    base = MemorySnapshot({"a.py": "MARKER\n"}, "base-sha")
    head = MemorySnapshot({"a.py": "MARKER\n", "b.py": "MARKER\n"}, "head-sha")
    changes = ChangeSet([ChangedFile("b.py", Status.ADDED, lines=frozenset({1}))])
    cache = MemoryCache()
    _OrphanMarker.runs = _ChangeAwareMarker.runs = 0
    first = review(base, head, changes, Config(), rules=[_OrphanMarker, _ChangeAwareMarker], cache=cache)
    assert (_OrphanMarker.runs, _ChangeAwareMarker.runs) == (2, 2)
    assert sorted(k.split(":")[2:5] for k in cache.data if k.startswith("rule:")) == [
        ["TST999", "base-sha", "base"],
        ["TST999", "head-sha", "head"],
    ]
    # Another change on the same base (a new push): the base side comes from the cache.
    other_head = MemorySnapshot({"a.py": "MARKER\n", "c.py": "MARKER\n"}, "other-sha")
    other = ChangeSet([ChangedFile("c.py", Status.ADDED, lines=frozenset({1}))])
    second = review(base, other_head, other, Config(), rules=[_OrphanMarker, _ChangeAwareMarker], cache=cache)
    assert (_OrphanMarker.runs, _ChangeAwareMarker.runs) == (3, 4)
    assert [(f.rule, f.path) for f in first.findings] == [("TST998", "b.py"), ("TST999", "b.py")]
    assert [(f.rule, f.path) for f in second.findings] == [("TST998", "c.py"), ("TST999", "c.py")]
    # The same review again reads both revisions' findings of TST999 from the cache.
    review(base, head, changes, Config(), rules=[_OrphanMarker, _ChangeAwareMarker], cache=cache)
    assert _OrphanMarker.runs == 3


def test_cached_cross_file_findings_depend_on_the_config_and_skip_failed_runs():
    class Flaky(_OrphanMarker):
        id = "TST997"

        def check(self, ctx):
            raise RuntimeError("transient")

    base, head = (
        MemorySnapshot({"a.py": "MARKER\n"}, "b1"),
        MemorySnapshot({"a.py": "MARKER\n", "b.py": "MARKER\n"}, "h1"),
    )
    changes = ChangeSet([ChangedFile("b.py", Status.ADDED, lines=frozenset({1}))])
    cache = MemoryCache()
    _OrphanMarker.runs = 0
    review(base, head, changes, Config(), rules=[_OrphanMarker, Flaky], cache=cache)
    review(base, head, changes, parse_config("paths: {exclude: [docs/**]}"), rules=[_OrphanMarker], cache=cache)
    assert _OrphanMarker.runs == 4  # another config: computed again
    assert not [k for k in cache.data if k.startswith("rule:") and ":TST997:" in k]


def test_a_revision_reviewed_as_base_then_as_head_is_judged_as_head():
    class HeadOnly(_OrphanMarker):
        id = "TST996"

        def check(self, ctx):
            if ctx.side == "head":
                yield from super().check(ctx)

    first, second, third = (MemorySnapshot({"a.py": "x\n" + "MARKER\n" * n}, f"c{n}") for n in (0, 1, 2))
    cache = MemoryCache()
    review(second, third, ChangeSet([]), Config(), rules=[HeadOnly], cache=cache)
    report = review(first, second, ChangeSet([]), Config(), rules=[HeadOnly], cache=cache)
    assert [(f.rule, f.path, f.line) for f in report.findings] == [("TST996", "a.py", 2)]


def test_visitor_listing_per_class_matches_libcst_for_every_rule_and_leaves_libcst_alone():
    import libcst as cst

    from undertow.analyzers.python.visitors import visitor_methods
    from undertow.analyzers.rules.python_rule import PythonRule

    assert "get_visitors" in vars(PythonRule)
    assert cst.BatchableCSTVisitor.get_visitors.__module__.startswith("libcst")  # no global patch
    for cls in [r for r in ALL_RULES if issubclass(r, PythonRule)]:
        visitor = cls.__new__(cls)
        assert set(visitor_methods(visitor)) == set(cst.BatchableCSTVisitor.get_visitors(visitor)), cls


def test_a_rule_whose_inputs_the_change_leaves_alone_is_not_run_at_head():
    class SchemaMarker(_OrphanMarker):
        id = "TST995"
        depends_on = "schema"
        sides: list[str] = []

        def check(self, ctx):
            type(self).sides.append(ctx.side)
            yield from super().check(ctx)

    models = "from sqlalchemy import Column, Integer\nclass User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)  # MARKER\n"
    base = MemorySnapshot({"app/models.py": models, "app/service.py": "X = 1\n"}, "b-rev")
    for changed, content, sides in (
        ("app/service.py", "X = 2  # MARKER\n", ["base"]),  # no model, no migration: head = base
        ("app/models.py", models + "# touched\n", ["base", "head"]),
        ("migrations/002.sql", "CREATE TABLE t (id int);\n", ["base", "head"]),
    ):
        files = {"app/models.py": models, "app/service.py": "X = 1\n", changed: content}
        head = MemorySnapshot(files, f"h-{changed}")
        SchemaMarker.sides = []
        report = review(
            base,
            head,
            ChangeSet([ChangedFile(changed, Status.MODIFIED, lines=frozenset({1}))]),
            Config(),
            rules=[SchemaMarker],
            cache=MemoryCache(),
        )
        assert SchemaMarker.sides == sides, changed
        # The model's marker is pre-existing either way; skipped at head, the rule does not see the
        # service file's new marker (a real rule with these inputs does not read service files).
        assert (report.findings, report.preexisting) == ([], 1)


class _BrokenFile(RepoRule):
    """Test rule: every file whose text says BROKEN is a finding, keyed by what it says."""

    id = "TST901"
    name = "broken-file"
    severity = Severity.ERROR
    fix = "fix it"
    uses_change = False

    def check(self, ctx):
        for path, entry in ctx.snapshot.entries().items():
            data = ctx.snapshot.read(path) if entry.kind == "file" else None
            if data and b"BROKEN" in data:
                yield self.report(path, "broken", data.decode().strip(), line=1)


def test_a_repo_finding_on_a_file_that_was_only_renamed_is_pre_existing():
    base = MemorySnapshot({"svc/Dockerfile": b"COPY BROKEN\n"}, revision="b" * 40)
    head = MemorySnapshot({"deploy/svc/Dockerfile": b"COPY BROKEN\n"}, revision="c" * 40)
    moved = ChangeSet([ChangedFile("deploy/svc/Dockerfile", Status.RENAMED, old_path="svc/Dockerfile")])
    report = review(base, head, moved, Config(), rules=[_BrokenFile])
    assert report.findings == [] and report.preexisting == 1
    # Renamed and made worse in the same change: the new problem is new.
    worse = MemorySnapshot({"deploy/svc/Dockerfile": b"COPY BROKEN TWICE\n"}, revision="d" * 40)
    moved_and_edited = ChangeSet(
        [ChangedFile("deploy/svc/Dockerfile", Status.RENAMED, old_path="svc/Dockerfile", lines=frozenset({1}))]
    )
    report = review(base, worse, moved_and_edited, Config(), rules=[_BrokenFile])
    assert [(f.rule, f.path, f.message) for f in report.findings] == [("TST901", "deploy/svc/Dockerfile", "broken")]
    # A copy beside the original (not a rename) is a new file with its own problem.
    copied = MemorySnapshot({"svc/Dockerfile": b"COPY BROKEN\n", "deploy/svc/Dockerfile": b"COPY BROKEN\n"}, "e" * 40)
    report = review(
        base, copied, ChangeSet([_added("deploy/svc/Dockerfile", "COPY BROKEN\n")]), Config(), [_BrokenFile]
    )
    assert [f.path for f in report.findings] == ["deploy/svc/Dockerfile"]
