"""The review: run the enabled rules over a change and keep only what the change introduced."""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Iterable

from analyzers import cache_salt, codec
from analyzers.changes import ChangedFile, ChangeSet
from analyzers.config import Config
from analyzers.context import UNCACHEABLE_REVISIONS, FactCache, FileContext, MemoryCache, RepoContext, RevisionFacts
from analyzers.findings import Finding, Severity, Suggestion
from analyzers.impact import INPUTS
from analyzers.python_source import PythonParseError, parse_python, run_python_rules
from analyzers.rules import ALL_RULES
from analyzers.rules.base import FileRule, PythonRule, RepoRule, Rule
from analyzers.rules.engine.notices import BroadSuppression, SkippedFile, UnparseableFile
from analyzers.snapshot import Entry, Snapshot
from analyzers.suppression import Suppressions, parse_suppressions

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1024 * 1024


@dataclass
class Stats:
    files_changed: int = 0
    files_read: int = 0
    elapsed_ms: int = 0

    def to_json(self) -> dict[str, int]:
        return {"files_changed": self.files_changed, "files_read": self.files_read, "elapsed_ms": self.elapsed_ms}


@dataclass
class Report:
    findings: list[Finding]
    preexisting: int
    stats: Stats
    # Faults of Undertow itself (a rule that crashed): logged, never blamed on the change.
    internal_errors: list[str] = field(default_factory=list)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


class _CountingSnapshot:
    """Counts the blobs the review reads (for stats, and to keep the work honest)."""

    def __init__(self, inner: Snapshot) -> None:
        self.inner = inner
        self.read_paths: set[str] = set()

    @property
    def revision(self) -> str:
        return self.inner.revision

    def entries(self) -> dict[str, Entry]:
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
    rules: Iterable[type[Rule]] = ALL_RULES,
    cache: FactCache | None = None,
) -> Report:
    started = time.perf_counter()
    base_c, head_c = _CountingSnapshot(base), _CountingSnapshot(head)
    # Without a persistent cache, still share per-blob results between base and head.
    cache = cache if cache is not None else MemoryCache()
    enabled = [r for r in rules if config.rules.get(r.id) != "off"]
    run = _Run(base_c, head_c, changes, config, enabled, cache)
    new, old = run.line_rules()
    repo_new, repo_old = run.repo_rules()
    new += repo_new
    old += repo_old
    new = [_with_configured_severity(f, config) for f in new]
    new.sort(key=Finding.sort_key)
    stats = Stats(
        files_changed=len(changes),
        files_read=len(base_c.read_paths) + len(head_c.read_paths),
        elapsed_ms=int((time.perf_counter() - started) * 1000),
    )
    return Report(findings=new, preexisting=len(old), stats=stats, internal_errors=run.errors)


def _with_configured_severity(finding: Finding, config: Config) -> Finding:
    setting = config.rules.get(finding.rule)
    return finding.with_severity(Severity.parse(setting)) if setting else finding


class _Run:
    def __init__(self, base, head, changes: ChangeSet, config: Config, rules: list[type[Rule]], cache) -> None:
        self.base, self.head, self.changes, self.config, self.cache = base, head, changes, config, cache
        self.enabled_ids = {r.id for r in rules}
        self.python_rules = sorted((r for r in rules if issubclass(r, PythonRule)), key=lambda r: r.id)
        self.file_rules = sorted((r for r in rules if issubclass(r, FileRule)), key=lambda r: r.id)
        self.cross_file_rules = sorted((r for r in rules if issubclass(r, RepoRule)), key=lambda r: r.id)
        self.base_facts = RevisionFacts(base, cache)
        self.head_facts = RevisionFacts(head, cache)
        self.head_facts.base, self.head_facts.changes = self.base_facts, changes
        self.errors: list[str] = []
        self._inputs_touched: dict[str, bool] = {}
        self._suppressions: dict[str, Suppressions] = {}
        self._config_digest = hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16]
        self._rule_signature = ",".join(r.id for r in self.python_rules + self.file_rules) + ":" + self._config_digest

    # -- per-file rules -------------------------------------------------------------------------

    def line_rules(self) -> tuple[list[Finding], list[Finding]]:
        wanted: dict[str, ChangedFile] = {}
        new: list[Finding] = []
        entries = self.head.entries()
        for changed in self.changes.present:
            path = changed.path
            if self.config.is_excluded(path) or changed.binary or not self._rules_for(path):
                continue
            entry = entries.get(path)
            if entry is None or entry.kind == "submodule":
                continue
            if entry.kind == "symlink":
                new.append(self._notice(SkippedFile, path, 1, f"skipped {path}: it is a symbolic link"))
                continue
            if entry.size is not None and entry.size > MAX_FILE_BYTES:
                new.append(self._notice(SkippedFile, path, 1, _too_large(path, entry.size)))
                continue
            wanted[path] = changed
        analyses = {path: self._cached_analysis(path, entries[path]) for path in wanted}
        missing = [path for path, analysis in analyses.items() if analysis is None]
        for path, data in self.head.read_many(missing).items():
            analyses[path] = self._analyse_blob(path, data, entries[path])
        old: list[Finding] = []
        for path, changed in wanted.items():
            analysis = analyses.get(path)
            if analysis is None:
                continue
            file_new, file_old = self._split(changed, *analysis)
            new += file_new
            old += file_old
        return [f for f in new if f.rule in self.enabled_ids], old

    def _rules_for(self, path: str) -> list[type[Rule]]:
        rules: list[type[Rule]] = [r for r in self.file_rules if r.applies_to(path)]
        if path.endswith(".py"):
            rules += self.python_rules
        return rules

    # A file's analysis: (findings, whole-file notices, suppressions), cached by blob id, so that
    # a file seen before (another review, another PR) is neither read nor parsed again.

    def _analysis_key(self, path: str, entry: Entry) -> str:
        return f"file:{cache_salt()}:{entry.oid}:{path}:{self._rule_signature}"

    def _cached_analysis(self, path: str, entry: Entry):
        if self.cache is None or not entry.oid:
            return None
        raw = self.cache.get(self._analysis_key(path, entry))
        if raw is None:
            return None
        data = codec.loads(raw)
        suppressions = Suppressions({int(k): frozenset(v) for k, v in data["suppressions"].items()})
        return [_finding_from_json(f) for f in data["findings"]], [_finding_from_json(f) for f in data["notices"]], suppressions

    def _analyse_blob(self, path: str, data: bytes, entry: Entry):
        if len(data) > MAX_FILE_BYTES:
            analysis = [], [self._notice(SkippedFile, path, 1, _too_large(path, len(data)))], Suppressions({})
        else:
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                notice = self._notice(UnparseableFile, path, line, f"could not parse {path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line})")
                analysis = [], [notice], Suppressions({})
            else:
                findings, notices = self._analyse_source(path, source)
                analysis = findings, notices, parse_suppressions(source.splitlines())
        if self.cache is not None and entry.oid:
            findings, notices, suppressions = analysis
            payload = {"findings": [_finding_to_json(f) for f in findings], "notices": [_finding_to_json(f) for f in notices],
                       "suppressions": {str(k): sorted(v) for k, v in suppressions.by_line.items()}}
            self.cache.set(self._analysis_key(path, entry), codec.dumps(payload))
        return analysis

    def _split(self, changed: ChangedFile, findings: list[Finding], notices: list[Finding], suppressions: Suppressions):
        """New findings (anchored on changed lines) and pre-existing ones, after suppressions."""
        path = changed.path
        self._suppressions[path] = suppressions
        new, old = [], []
        for finding in findings:
            if suppressions.covers(finding.rule, finding.line):
                continue
            (new if changed.touches(finding.anchor_lines) else old).append(finding)
        new += notices
        for line in suppressions.bare_lines:
            if line in changed.lines:
                new.append(self._notice(BroadSuppression, path, line, f"`undertow: ignore` on line {line} names no rule, so it silences every rule on the line; name the rules: undertow: ignore[RULE]"))
        return new, old

    def _analyse_source(self, path: str, source: str) -> tuple[list[Finding], list[Finding]]:
        ctx = FileContext(path=path, source=source, config=self.config, facts=self.head_facts)
        findings: list[Finding] = []
        notices: list[Finding] = []
        for rule in self._rules_for(path):
            if issubclass(rule, FileRule):
                findings += self._guarded(rule, path, lambda: list(rule().check(ctx)))
        if path.endswith(".py") and self.python_rules:
            try:
                module = parse_python(source, path)
                findings += self._guarded(None, path, lambda: run_python_rules(module, ctx, self.python_rules))
            except PythonParseError as exc:
                notices.append(self._notice(UnparseableFile, path, exc.line, f"could not parse {path}: {exc}"))
        # Line-level parse problems (one bad manifest line) follow the changed-line policy.
        for line, message in ctx.notices:
            findings.append(self._notice(UnparseableFile, path, line, message, key=f"line:{message}"))
        return findings, notices

    def _guarded(self, rule: type[Rule] | None, path: str, work) -> list[Finding]:
        try:
            return work()
        except Exception as exc:  # a bug in a rule must not sink the review of everything else
            name = rule.id if rule else "Python rules"
            self.errors.append(f"{name} failed on {path}: {type(exc).__name__}: {exc}")
            log.error("rule %s failed on %s\n%s", name, path, traceback.format_exc())
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
                old += [f for f in self._revision_findings(rule, base_ctx)
                        if not self.config.is_excluded(f.path) and not self._suppressed_at_head(f)]
                continue
            at_base = {f.fingerprint for f in self._revision_findings(rule, base_ctx)}
            for finding in self._revision_findings(rule, head_ctx):
                if self.config.is_excluded(finding.path) or self._suppressed_at_head(finding):
                    continue
                (old if finding.fingerprint in at_base else new).append(finding)
        return new, old

    def _touched(self, inputs: str) -> bool:
        if inputs not in self._inputs_touched:
            self._inputs_touched[inputs] = INPUTS[inputs](self.changes, self.base_facts, self.head_facts, self.config)
        return self._inputs_touched[inputs]

    def _revision_findings(self, rule: type[Rule], ctx: RepoContext) -> list[Finding]:
        """A cross-file rule's findings on one revision. When the rule judged the revision alone
        (it never looked at the change), they are cached under the revision id: the base branch's
        findings are then computed once for every pull request and push that targets it."""
        revision = ctx.snapshot.revision
        cacheable = self.cache is not None and revision not in UNCACHEABLE_REVISIONS
        # The side is part of the key: a rule may judge a revision differently as a base.
        key = f"rule:{cache_salt()}:{rule.id}:{revision}:{ctx.side}:{self._config_digest}"
        if cacheable and (raw := self.cache.get(key)) is not None:
            return [_finding_from_json(f) for f in codec.loads(raw)]
        errors = len(self.errors)
        findings = self._guarded(rule, f"({ctx.side})", lambda: list(rule().check(ctx)))
        if cacheable and not ctx.consulted_change and len(self.errors) == errors:
            self.cache.set(key, codec.dumps([_finding_to_json(f) for f in findings]))
        return findings

    def _suppressed_at_head(self, finding: Finding) -> bool:
        if finding.path not in self._suppressions:
            data = self.head.read(finding.path)
            text = data.decode("utf-8", "replace") if data else ""
            self._suppressions[finding.path] = parse_suppressions(text.splitlines())
        return self._suppressions[finding.path].covers(finding.rule, finding.line)


def _too_large(path: str, size: int) -> str:
    return f"skipped {path}: it is {size / 1024 / 1024:.1f} MiB, over the {MAX_FILE_BYTES // 1024 // 1024} MiB limit per file"


def _finding_to_json(finding: Finding) -> dict:
    data = finding.to_json()
    data["column"] = finding.column
    data["anchor"] = list(finding.anchor) if finding.anchor else None
    return data


def _finding_from_json(data: dict) -> Finding:
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
