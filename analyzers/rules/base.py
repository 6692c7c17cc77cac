"""What a rule is: identity, documentation parsed from its docstring, and the kinds of check
other than Python rules (python_rule.py), so that naming a rule imports no libcst."""

from __future__ import annotations

import abc
import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, overload

from undertow.analyzers.core.findings import Finding, Severity, Suggestion, fingerprint

if TYPE_CHECKING:
    import libcst as cst

    from undertow.analyzers.facts.context import FileContext, RepoContext, RevisionFacts

FixSafety = Literal["safe", "unsafe", "none"]
RuleKind = Literal["python", "file", "repo", "engine"]

_SECTION = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RuleDoc:
    summary: str
    sections: dict[str, str]

    @property
    def markdown(self) -> str:
        return "\n\n".join(f"## {title}\n{body}" for title, body in self.sections.items())


class Rule:
    """Base of every rule. Subclasses set the class attributes and write a Ruff-style docstring."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    fix_safety: ClassVar[FixSafety] = "none"
    # One line telling the user how to fix it (shown by the text renderer).
    fix: ClassVar[str]
    # For a rule that overrides ``known_at_base``: "module:function", the same question in a
    # module that imports neither the rule nor libcst (the engine asks it on warm reviews too).
    base_check: ClassVar[str | None] = None
    # What the engine runs it on: "python" (the shared pass over a changed Python file), "file"
    # (one changed file of another kind), "repo" (a whole revision's facts) or "engine" (a notice
    # the engine raises). A class attribute, so that telling kinds apart imports no libcst.
    kind: ClassVar[RuleKind] = "engine"

    @classmethod
    def doc(cls) -> RuleDoc:
        text = inspect.cleandoc(cls.__doc__ or "")
        parts = _SECTION.split(text)
        sections = {title: body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=False)}
        what = sections.get("What it does", "")
        summary = what.split("\n\n")[0].replace("\n", " ").strip()
        return RuleDoc(summary=summary, sections=sections)

    @classmethod
    def family(cls) -> str:
        return cls.id[:3]

    @classmethod
    def known_at_base(cls, finding: Finding, base: RevisionFacts) -> bool:
        """For a per-file rule: whether a new finding's problem already existed anywhere in the
        base revision (an env var the base already reads elsewhere). Asked by the engine after
        the per-file analysis, which is cached by blob and so cannot depend on the base itself."""
        return False

    @overload
    def report(
        self,
        at: cst.CSTNode,
        message: str,
        key: str,
        *,
        suggestion: Suggestion | None = None,
        severity: Severity | None = None,
        anchor: cst.CSTNode | None = None,
        first_line_only: bool = False,
    ) -> Finding: ...

    @overload
    def report(
        self,
        at: str,
        message: str,
        key: str,
        *,
        line: int,
        end_line: int | None = None,
        suggestion: Suggestion | None = None,
        severity: Severity | None = None,
        scope: str | None = None,
    ) -> Finding: ...

    def report(
        self,
        at: cst.CSTNode | str,
        message: str,
        key: str,
        *,
        line: int | None = None,
        end_line: int | None = None,
        suggestion: Suggestion | None = None,
        severity: Severity | None = None,
        scope: str | None = None,
        anchor: cst.CSTNode | None = None,
        first_line_only: bool = False,
    ) -> Finding:
        """The one way a rule reports a finding; its fingerprint is rule + ``scope`` (default: the
        path) + ``key``, never a line number.

        ``at`` is where the finding is:

        - a libcst node (``PythonRule`` only): the path is the file being visited, the line,
          end line and column are the node's; ``anchor`` (default: the node) is what decides
          whether the change introduced it, ``first_line_only`` keeps both to their first line;
        - a path, with ``line=`` (and ``end_line=``, default: the same line): any rule kind.

        ``severity`` overrides the rule's default for this one finding. The finding is returned:
        a ``check`` yields it. A ``PythonRule`` (whose visitors return nothing) also has it
        recorded in ``self.findings``, which the shared pass collects.
        """
        if not isinstance(at, str):
            finding = self._at_node(at, message, key, suggestion, anchor, first_line_only)
        else:
            if line is None:
                raise TypeError(f"{self.id}: a finding reported at a path needs line=")
            finding = self.finding_at(at, line, message, key, end_line=end_line, suggestion=suggestion, scope=scope)
        if severity is not None:
            finding = finding.with_severity(severity)
        self._record(finding)
        return finding

    def _at_node(
        self,
        node: cst.CSTNode,
        message: str,
        key: str,
        suggestion: Suggestion | None,
        anchor: cst.CSTNode | None,
        first_line_only: bool,
    ) -> Finding:
        raise TypeError(f"{self.id}: only a PythonRule reports at a libcst node; pass a path and line=")

    def _record(self, finding: Finding) -> None:
        """Where a reported finding goes besides being returned (a PythonRule keeps it)."""

    @classmethod
    def finding_at(
        cls,
        path: str,
        line: int,
        message: str,
        key: str,
        *,
        end_line: int | None = None,
        suggestion: Suggestion | None = None,
        scope: str | None = None,
    ) -> Finding:
        """A finding of this rule without an instance: for the engine's own notices (UND001-UND004,
        ``core/engine.py``), which no rule object raises. Rules call ``report``."""
        return Finding(
            rule=cls.id,
            name=cls.name,
            severity=cls.severity,
            path=path,
            line=line,
            end_line=end_line or line,
            message=message,
            fingerprint=fingerprint(cls.id, scope or path, key),
            suggestion=suggestion,
        )


class FileRule(Rule, abc.ABC):
    """A check over one changed non-Python file (manifest, SQL, YAML, Dockerfile...)."""

    kind: ClassVar[RuleKind] = "file"

    @classmethod
    @abc.abstractmethod
    def applies_to(cls, path: str) -> bool:
        """Whether this rule reads ``path``; the engine reads only files some rule wants."""

    @abc.abstractmethod
    def check(self, ctx: FileContext) -> Iterable[Finding]:
        """The findings in one file (the engine keeps those on changed lines)."""


class RepoRule(Rule, abc.ABC):
    """A cross-file check, run at base and at head; a finding is new when its fingerprint is."""

    kind: ClassVar[RuleKind] = "repo"

    # The kind of input (a key of facts/impact.INPUTS) the findings are a function of, when
    # that is all they depend on: a change that touches none of it cannot alter them.
    depends_on: ClassVar[str | None] = None
    # Whether the findings depend on the change (``ctx.changes``, ``ctx.base_facts``) and not on the
    # revision alone; a rule that does not has them cached under the revision id. A rule uses
    # the change at head only (its base run returns at once) still declares True: its base
    # findings are not cached either. Every registered rule declares it (held equal to what
    # the rule reads by tests/analyzers/facts/test_declared_inputs.py); None, for a rule outside
    # the registry: the engine judges by what the rule read.
    uses_change: ClassVar[bool | None] = None

    @abc.abstractmethod
    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        """The findings over the whole revision, built from its (cached) facts."""


class EngineRule(Rule):
    """A notice the engine itself raises (unparseable file, broad suppression...); no check."""
