"""The review: run the enabled rules over a change and keep only what the change introduced."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from undertow.analyzers.core import failures
from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import Config
from undertow.analyzers.core.failures import Failure, FailureLog
from undertow.analyzers.core.findings import Finding, Severity, Suggestion, fingerprint
from undertow.analyzers.core.limits import MAX_FILE_BYTES, is_read, max_bytes, too_large, within_size
from undertow.analyzers.core.snapshot import Entry, Snapshot
from undertow.analyzers.core.suppression import Suppressions, parse_suppressions
from undertow.analyzers.facts import codec
from undertow.analyzers.facts.context import (
    FactCache,
    FileContext,
    MemoryCache,
    RepoContext,
    RevisionFacts,
    cacheable_revision,
    fact_key,
)
from undertow.analyzers.facts.impact import INPUTS, uses_change
from undertow.analyzers.rules.base import FileRule, RepoRule, Rule
from undertow.analyzers.rules.catalogue import RuleInfo, base_check_of, catalogue, load_base_check
from undertow.analyzers.rules.engine.notices import AnalysisIncomplete, BroadSuppression, SkippedFile, UnparseableFile

if TYPE_CHECKING:
    import libcst as cst

    from undertow.analyzers.rules.python_rule import PythonRule

log = logging.getLogger(__name__)

# A file's analysis: (findings, whole-file notices, suppressions).
_Analysis = tuple[list[Finding], list[Finding], Suppressions]


@dataclass
class Stats:
    files_changed: int = 0
    files_read: int = 0
    elapsed_ms: int = 0
    # False when some part of the review failed inside Undertow (each failure is an UND004 finding).
    complete: bool = True

    def to_json(self) -> dict[str, int | bool]:
        return {
            "files_changed": self.files_changed,
            "files_read": self.files_read,
            "elapsed_ms": self.elapsed_ms,
            "complete": self.complete,
        }


@dataclass
class Report:
    findings: list[Finding]
    preexisting: int
    stats: Stats
    # What failed inside Undertow (each also an UND004 finding unless that rule is off).
    failures: list[Failure] = field(default_factory=list)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    @property
    def complete(self) -> bool:
        return not self.failures


class _CountingSnapshot:
    """Counts the blobs the review reads (for stats, and to keep the work honest)."""

    def __init__(self, inner: Snapshot) -> None:
        self.inner = inner
        self.read_paths: set[str] = set()

    @property
    def revision(self) -> str:
        return self.inner.revision

    def entries(self) -> Mapping[str, Entry]:
        return self.inner.entries()

    def read(self, path: str) -> bytes | None:
        data = self.inner.read(path)
        if data is not None:
            self.read_paths.add(path)
        return data

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        found = self.inner.read_many(paths)
        self.read_paths.update(found)
        return found


def review(
    base: Snapshot,
    head: Snapshot,
    changes: ChangeSet,
    config: Config,
    rules: Iterable[type[Rule]] | None = None,
    cache: FactCache | None = None,
) -> Report:
    """The new findings of ``changes`` (base → head). ``rules``: the rule classes to run (default:
    every registered rule the config leaves on, each imported only when it runs: a warm review,
    whose files' analyses are all cached, imports no Python rule and so no libcst)."""
    started = time.perf_counter()
    base_c, head_c = _CountingSnapshot(base), _CountingSnapshot(head)
    # Without a persistent cache, still share per-blob results between base and head.
    cache = cache if cache is not None else MemoryCache()
    enabled: list[_RuleRef] = (
        [r for r in catalogue().values() if config.rules.get(r.id) != "off"]
        if rules is None
        else [r for r in rules if config.rules.get(r.id) != "off"]
    )
    with failures.collecting() as failed:
        run = _Run(base_c, head_c, changes, config, enabled, cache, failed)
        new, old = run.line_rules()
        repo_new, repo_old = run.repo_rules()
    new += repo_new
    old += repo_old
    incomplete = failed.unique()
    if AnalysisIncomplete.id in run.enabled_ids:
        new += [_incomplete(failure) for failure in incomplete]
    new = [_with_configured_severity(f, config) for f in new]
    new.sort(key=Finding.sort_key)
    stats = Stats(
        files_changed=len(changes),
        files_read=len(base_c.read_paths) + len(head_c.read_paths),
        elapsed_ms=int((time.perf_counter() - started) * 1000),
        complete=not incomplete,
    )
    return Report(findings=new, preexisting=len(old), stats=stats, failures=incomplete)


def _incomplete(failure: Failure) -> Finding:
    """The UND004 finding for one failure: what was not reviewed, and why."""
    where = f" on {failure.path}" if failure.path else ""
    cause = f"{failure.error}: {failure.detail}" if failure.detail else failure.error
    if failure.rule:
        info = catalogue().get(failure.rule)
        label = f"{failure.rule} {info.name}" if info else failure.rule
        missing = f"{label}'s findings{where} are missing from this review"
    else:
        missing = (
            f"what it would have told the rules about {failure.path or 'this revision'} is unknown, "
            "so findings that depend on it may be missing"
        )
    message = (
        f"analysis incomplete: {failure.what} failed{where} ({cause}); {missing}. "
        "This is a failure inside Undertow, not a problem of the change: please report it"
    )
    return AnalysisIncomplete.finding_at(failure.path, failure.line, message, failure.key)


def _with_configured_severity(finding: Finding, config: Config) -> Finding:
    setting = config.rules.get(finding.rule)
    return finding.with_severity(Severity.parse(setting)) if setting else finding


class _Run:
    def __init__(
        self,
        base: Snapshot,
        head: Snapshot,
        changes: ChangeSet,
        config: Config,
        rules: list[_RuleRef],
        cache: FactCache | None,
        failed: FailureLog,
    ) -> None:
        self.base, self.head, self.changes, self.config, self.cache = base, head, changes, config, cache
        self.failed = failed
        ordered = sorted(rules, key=lambda r: r.id)
        self.enabled_ids = {r.id for r in ordered}
        # Python rules stay unimported until a file is parsed (or a finding asks the base).
        self._python_refs = [r for r in ordered if r.kind == "python"]
        self._python_rules: list[type[PythonRule]] | None = None
        loaded = {r.id: _loaded(r) for r in ordered if r.kind != "python"}
        self.file_rules = [r for r in loaded.values() if issubclass(r, FileRule)]
        self.cross_file_rules = [r for r in loaded.values() if issubclass(r, RepoRule)]
        self._rules_by_id: dict[str, _RuleRef] = {**{r.id: r for r in self._python_refs}, **loaded}
        self.base_facts = RevisionFacts(base, cache)
        self.head_facts = RevisionFacts(head, cache)
        self.head_facts.base, self.head_facts.changes = self.base_facts, changes
        self._inputs_touched: dict[str, bool] = {}
        self._renamed: dict[str, str] | None = None
        self._suppressions: dict[str, Suppressions] = {}
        self._config_digest = hashlib.sha256(config.digest_source().encode()).hexdigest()[:16]
        self._rule_signature = (
            ",".join(r.id for r in [*self._python_refs, *self.file_rules]) + ":" + self._config_digest
        )

    @property
    def python_rules(self) -> list[type[PythonRule]]:
        if self._python_rules is None:
            self._python_rules = [cast("type[PythonRule]", _loaded(r)) for r in self._python_refs]
        return self._python_rules

    # -- per-file rules -------------------------------------------------------------------------

    def line_rules(self) -> tuple[list[Finding], list[Finding]]:
        wanted: dict[str, ChangedFile] = {}
        new: list[Finding] = []
        entries = self.head.entries()
        for changed in self.changes.present:
            path = changed.path
            if self.config.is_excluded(path):
                continue
            entry = entries.get(path)
            if entry is None or entry.kind == "submodule":
                continue
            if not self._rules_for(path):
                if entry.kind == "file" and (entry.size or 0) > max_bytes(path) and is_read(path):
                    new.append(self._notice(SkippedFile, path, 1, too_large(path, entry.size or 0)))
                continue
            if entry.kind == "symlink":
                new.append(self._notice(SkippedFile, path, 1, f"skipped {path}: it is a symbolic link"))
                continue
            if entry.size is not None and entry.size > MAX_FILE_BYTES:
                new.append(self._notice(SkippedFile, path, 1, too_large(path, entry.size)))
                continue
            if changed.binary:
                new.append(self._notice(SkippedFile, path, 1, _binary(path)))
                continue
            if changed.unknown_lines:
                new.append(
                    self._notice(SkippedFile, path, 1, f"{path} was not reviewed line by line: {changed.unknown_lines}")
                )
            wanted[path] = changed
        analyses = {path: self._cached_analysis(path, entries[path]) for path in wanted}
        missing = [path for path, analysis in analyses.items() if analysis is None]
        read = self.head.read_many(missing)
        for path in missing:
            if path not in read:  # listed in the tree, but the object store does not have it
                new.append(self._notice(SkippedFile, path, 1, _not_in_clone(path, entries[path])))
        for path, data in read.items():
            analyses[path] = self._analyse_blob(path, data, entries[path])
        old: list[Finding] = []
        for path, changed in wanted.items():
            analysis = analyses.get(path)
            if analysis is None:
                continue
            file_new, file_old = self._split(changed, *analysis)
            new += file_new
            old += file_old
        head_findings = [f for analysis in analyses.values() if analysis is not None for f in analysis[0]]
        new, moved = self._without_moved(new, head_findings)
        new, known = self._without_known_at_base(new)
        return [f for f in new if f.rule in self.enabled_ids], old + moved + known

    def _without_known_at_base(self, new: list[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(new findings, those whose rule says the base revision already had the problem)."""
        kept: list[Finding] = []
        known: list[Finding] = []
        for finding in new:
            ref = self._rules_by_id.get(finding.rule)
            check = _base_check(ref) if ref is not None and finding.rule not in _NOTICE_IDS else None
            if ref is None or check is None:
                kept.append(finding)
                continue

            def ask(check: _BaseCheck = check, finding: Finding = finding) -> list[bool]:  # bound (B023)
                return [check(finding, self.base_facts)]

            answer = self._guarded(ref, finding.path, ask, side="base")
            (known if answer and answer[0] else kept).append(finding)
        return kept, known

    def _without_moved(self, new: list[Finding], head_findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(new findings, those that only moved): a finding on changed lines whose problem the
        change's files already had at base, moved or rewritten (a settings class moved to another
        module, a call edited but still without its timeout), is pre-existing. Counted per rule
        and key (the scope and what, not the path or the n-th occurrence): the change adds as many
        findings of a kind as its files have more of them at head than at base."""

        def candidate(finding: Finding) -> bool:
            return finding.rule in self.enabled_ids and finding.rule not in _NOTICE_IDS

        if not any(candidate(f) for f in new):
            return new, []
        allowed = Counter(_kind_of(f) for f in head_findings)
        allowed.subtract(Counter(_kind_of(f) for f in self._base_findings()))
        kept: list[Finding] = []
        moved: list[Finding] = []
        for finding in new:
            if not candidate(finding):
                kept.append(finding)
                continue
            kind = _kind_of(finding)
            if allowed[kind] > 0:
                allowed[kind] -= 1
                kept.append(finding)
            else:
                moved.append(finding)
        return kept, moved

    def _base_findings(self) -> list[Finding]:
        """The line rules' findings on the base version of every file the change modifies,
        renames or removes (cached by blob, like the head's)."""
        entries = self.base.entries()
        wanted: dict[str, Entry] = {}
        for item in self.changes.files:
            path = item.old_path or item.path
            entry = entries.get(path)
            if item.status is Status.ADDED or entry is None or entry.kind != "file" or not self._rules_for(path):
                continue
            if (entry.size or 0) > MAX_FILE_BYTES or self.config.is_excluded(path):
                continue
            wanted[path] = entry
        analyses = {path: self._cached_analysis(path, entry) for path, entry in wanted.items()}
        read = self.base.read_many([path for path, analysis in analyses.items() if analysis is None])
        for path, data in read.items():
            analyses[path] = self._analyse_blob(path, data, wanted[path], self.base_facts)
        return [f for analysis in analyses.values() if analysis is not None for f in analysis[0]]

    def _rules_for(self, path: str) -> bool:
        """Whether some enabled rule reads ``path``."""
        return (path.endswith(".py") and bool(self._python_refs)) or any(r.applies_to(path) for r in self.file_rules)

    # A file's analysis: (findings, whole-file notices, suppressions), cached by blob id, so that
    # a file seen before (another review, another PR) is neither read nor parsed again.

    def _analysis_key(self, path: str, entry: Entry) -> str:
        return fact_key("file", entry.oid, path, self._rule_signature)

    def _cached_analysis(self, path: str, entry: Entry) -> _Analysis | None:
        if self.cache is None or not entry.oid:
            return None
        raw = self.cache.get(self._analysis_key(path, entry))
        if raw is None:
            return None
        data = codec.loads(raw)
        suppressions = Suppressions({int(k): frozenset(v) for k, v in data["suppressions"].items()})
        return (
            [_finding_from_json(f) for f in data["findings"]],
            [_finding_from_json(f) for f in data["notices"]],
            suppressions,
        )

    def _analyse_blob(self, path: str, data: bytes, entry: Entry, facts: RevisionFacts | None = None) -> _Analysis:
        failed_before = self.failed.count
        analysis: _Analysis
        if len(data) > MAX_FILE_BYTES:
            analysis = [], [self._notice(SkippedFile, path, 1, too_large(path, len(data)))], Suppressions({})
        elif b"\0" in data[:8000]:
            analysis = [], [self._notice(SkippedFile, path, 1, _binary(path))], Suppressions({})
        else:
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                notice = self._notice(
                    UnparseableFile,
                    path,
                    line,
                    f"could not parse {path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line})",
                )
                analysis = [], [notice], Suppressions({})
            else:
                findings, notices = self._analyse_source(path, source, facts or self.head_facts)
                analysis = findings, notices, parse_suppressions(source.splitlines())
        # A failed analysis is not kept: the next review meets the failure again and reports it.
        if self.cache is not None and entry.oid and self.failed.count == failed_before:
            findings, notices, suppressions = analysis
            payload = {
                "findings": [_finding_to_json(f) for f in findings],
                "notices": [_finding_to_json(f) for f in notices],
                "suppressions": {str(k): sorted(v) for k, v in suppressions.by_line.items()},
            }
            self.cache.set(self._analysis_key(path, entry), codec.dumps(payload))
        return analysis

    def _split(
        self, changed: ChangedFile, findings: list[Finding], notices: list[Finding], suppressions: Suppressions
    ) -> tuple[list[Finding], list[Finding]]:
        """New findings (anchored on changed lines) and pre-existing ones, after suppressions."""
        path = changed.path
        self._suppressions[path] = suppressions
        new: list[Finding] = []
        old: list[Finding] = []
        for finding in findings:
            if suppressions.covers(finding.rule, finding.line):
                continue
            (new if changed.touches(finding.anchor_lines) else old).append(finding)
        new += notices
        for line in suppressions.bare_lines:
            if line in changed.lines:
                new.append(
                    self._notice(
                        BroadSuppression,
                        path,
                        line,
                        f"`undertow: ignore` on line {line} names no rule, so it silences every rule on the line; "
                        "name the rules: undertow: ignore[RULE]",
                    )
                )
        return new, old

    def _analyse_source(self, path: str, source: str, facts: RevisionFacts) -> tuple[list[Finding], list[Finding]]:
        ctx = FileContext(path=path, source=source, config=self.config, facts=facts)
        findings: list[Finding] = []
        notices: list[Finding] = []
        for rule in self.file_rules:
            if rule.applies_to(path):

                def check(rule: type[FileRule] = rule) -> list[Finding]:  # this iteration's rule, bound (B023)
                    return list(rule().check(ctx))

                findings += self._guarded(rule, path, check)
        if path.endswith(".py") and self._python_refs:
            from undertow.analyzers.python.source import PythonParseError, parse_python

            try:
                module = parse_python(source, path)
            except PythonParseError as exc:
                notices.append(self._notice(UnparseableFile, path, exc.line, f"could not parse {path}: {exc}"))
            else:
                findings += self._python_pass(module, ctx)
        # Line-level parse problems (one bad manifest line) follow the changed-line policy.
        for line, message in ctx.notices:
            findings.append(self._notice(UnparseableFile, path, line, message, key=f"line:{message}"))
        return findings, notices

    def _guarded(self, rule: _RuleRef, path: str, work: Callable[[], list[T]], side: str = "") -> list[T]:
        """A rule's findings on one input; a rule that raises is recorded (UND004), and the
        review of everything else goes on."""
        try:
            return work()
        except Exception as exc:  # a bug in a rule must not sink the review of everything else
            what = f"rule {rule.id} {rule.name}" + (f" at {side}" if side else "")
            failures.record(exc, what, path, rule=rule.id)
            return []

    def _python_pass(self, module: cst.Module, ctx: FileContext) -> list[Finding]:
        """All Python rules in one pass over the file; a rule that raises is recorded and the
        pass runs again without it, so one rule's bug costs only that rule's findings."""
        from undertow.analyzers.python.source import PythonParseError, run_python_rules

        rules = list(self.python_rules)
        while rules:
            try:
                return run_python_rules(module, ctx, rules)
            except PythonParseError as exc:  # nesting too deep for the visitors: a notice, not a bug
                ctx.notices.append((exc.line, f"could not parse {ctx.path}: {exc}"))
                return []
            except Exception as exc:
                culprit = _culprit(exc, rules)
                if culprit is None:
                    failures.record(exc, "the Python rules' pass", ctx.path)
                    return []
                failures.record(exc, f"rule {culprit.id} {culprit.name}", ctx.path, rule=culprit.id)
                rules.remove(culprit)
        return []

    def _notice(self, rule: type[Rule], path: str, line: int, message: str, key: str | None = None) -> Finding:
        return rule.finding_at(path, line, message, key or message)

    # -- cross-file rules -----------------------------------------------------------------------

    def repo_rules(self) -> tuple[list[Finding], list[Finding]]:
        new: list[Finding] = []
        old: list[Finding] = []
        for rule in self.cross_file_rules:
            base_ctx = RepoContext(self.base, self.changes, self.config, self.base_facts, "base")
            head_ctx = RepoContext(self.head, self.changes, self.config, self.head_facts, "head", self.base_facts)
            if rule.depends_on is not None and not self._touched(rule.depends_on):
                # Its inputs are the same at head: so are its findings, all pre-existing.
                old += [
                    f
                    for f in self._revision_findings(rule, base_ctx) or []
                    if not self.config.is_excluded(f.path) and not self._suppressed_at_head(f)
                ]
                continue
            base_findings = self._revision_findings(rule, base_ctx)
            head_findings = self._revision_findings(rule, head_ctx)
            if base_findings is None or head_findings is None:
                # Which findings are new cannot be known: the failure (UND004) says so, and
                # nothing is blamed on the change.
                continue
            at_base = {f.fingerprint for f in base_findings}
            for finding in head_findings:
                if self.config.is_excluded(finding.path) or self._suppressed_at_head(finding):
                    continue
                known = finding.fingerprint in at_base or self._before_rename(finding) in at_base
                (old if known else new).append(finding)
        return new, old

    def _before_rename(self, finding: Finding) -> str | None:
        """The fingerprint ``finding`` had at base if its file was only renamed (a Dockerfile
        moved with its broken COPY is not a new problem); None for a file that was not."""
        if self._renamed is None:
            self._renamed = {f.path: f.old_path for f in self.changes.files if f.old_path}
        old_path = self._renamed.get(finding.path)
        prefix = f"{finding.rule}:{finding.path}:"
        if old_path is None or not finding.fingerprint.startswith(prefix):
            return None  # not renamed, or a finding whose scope is not its path
        return fingerprint(finding.rule, old_path, finding.fingerprint[len(prefix) :])

    def _touched(self, inputs: str) -> bool:
        if inputs not in self._inputs_touched:
            self._inputs_touched[inputs] = INPUTS[inputs](self.changes, self.base_facts, self.head_facts, self.config)
        return self._inputs_touched[inputs]

    def _revision_findings(self, rule: type[RepoRule], ctx: RepoContext) -> list[Finding] | None:
        """A cross-file rule's findings on one revision (None when it failed). When the rule judges
        the revision alone (it declares it does not use the change: ``facts/impact.uses_change``),
        they are cached under the revision id: the base branch's findings are then computed once
        for every pull request and push that targets it."""
        revision = ctx.snapshot.revision
        declared = uses_change(rule)
        # The cache the findings are kept in (None: not kept).
        cache = self.cache if cacheable_revision(self.cache, revision) and declared is not True else None
        # The side is part of the key: a rule may judge a revision differently as a base.
        key = fact_key("rule", rule.id, revision, ctx.side, self._config_digest)
        if cache is not None and (raw := cache.get(key)) is not None:
            return [_finding_from_json(f) for f in codec.loads(raw)]
        failed_before = self.failed.count
        crashed: list[bool] = []

        def run() -> list[Finding]:
            crashed.append(True)
            found = list(rule().check(ctx))
            crashed.clear()
            return found

        findings = self._guarded(rule, "", run, side=ctx.side)
        if crashed:
            return None  # the rule itself failed: its findings are unknown
        # A failure contained elsewhere (one file of an index) leaves the findings usable for
        # this review, but incomplete: they are not kept for the next.
        # A rule that declares nothing (one outside the registry) is judged by what it read.
        if declared is None and ctx.consulted_change:
            cache = None
        if cache is not None and self.failed.count == failed_before:
            cache.set(key, codec.dumps([_finding_to_json(f) for f in findings]))
        return findings

    def _suppressed_at_head(self, finding: Finding) -> bool:
        if finding.path not in self._suppressions:
            data = self.head.read(finding.path) if within_size(self.head.entries().get(finding.path)) else None
            text = data.decode("utf-8", "replace") if data else ""
            self._suppressions[finding.path] = parse_suppressions(text.splitlines())
        return self._suppressions[finding.path].covers(finding.rule, finding.line)


T = TypeVar("T")

# The engine's own notices (unreadable, skipped, broad suppressions, incomplete) are about the
# file as it is now: never "moved".
_NOTICE_IDS = frozenset(r.id for r in (UnparseableFile, SkippedFile, BroadSuppression, AnalysisIncomplete))


def _kind_of(finding: Finding) -> tuple[str, str]:
    """A finding's rule and key without its path or occurrence number (``Settings/env:X``)."""
    prefix = f"{finding.rule}:{finding.path}:"
    key = finding.fingerprint[len(prefix) :] if finding.fingerprint.startswith(prefix) else finding.fingerprint
    return finding.rule, re.sub(r"#\d+$", "", key)


def _binary(path: str) -> str:
    return f"skipped {path}: it is not text (it contains NUL bytes), so no rule could read it"


def _not_in_clone(path: str, entry: Entry) -> str:
    return f"skipped {path}: its content (object {entry.oid[:12]}) is not in this clone, so no rule could read it"


# A rule to run: its class, or its catalogue entry (imported when it runs).
_RuleRef = type[Rule] | RuleInfo


def _loaded(ref: _RuleRef) -> type[Rule]:
    return ref.load() if isinstance(ref, RuleInfo) else ref


_BaseCheck = Callable[[Finding, RevisionFacts], bool]


def _base_check(ref: _RuleRef) -> _BaseCheck | None:
    """How to ask whether the base already had a finding's problem (None: the rule never says
    so). An unimported rule is asked through its catalogue's ``base_check``, which imports
    neither the rule nor libcst."""
    if isinstance(ref, RuleInfo):
        return load_base_check(ref.base_check) if ref.base_check else None
    return ref.known_at_base if base_check_of(ref) else None


def _culprit(exc: BaseException, rules: list[type[PythonRule]]) -> type[PythonRule] | None:
    """The rule whose visitor raised, from the frames of the traceback."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        owner = type(tb.tb_frame.f_locals.get("self"))
        found = next((rule for rule in rules if rule is owner), found)
        tb = tb.tb_next
    return found


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    data = finding.to_json()
    data["column"] = finding.column
    data["anchor"] = list(finding.anchor) if finding.anchor else None
    return data


def _finding_from_json(data: dict[str, Any]) -> Finding:
    suggestion = data.get("suggestion")
    return Finding(
        rule=data["rule"],
        name=data["name"],
        severity=Severity.parse(data["severity"]),
        path=data["path"],
        line=data["line"],
        end_line=data["end_line"],
        message=data["message"],
        fingerprint=data["fingerprint"],
        suggestion=Suggestion(**suggestion) if suggestion else None,
        column=data.get("column", 1),
        anchor=tuple(data["anchor"]) if data.get("anchor") else None,
    )
