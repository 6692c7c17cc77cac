"""UND001–UND004: what the engine could not analyse, and suppressions too broad to trust."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from undertow.analyzers.core.findings import Finding, Severity
from undertow.analyzers.facts.context import RepoContext
from undertow.analyzers.rules.base import EngineRule, RepoRule
from undertow.analyzers.rules.case_repos import SQL_REPO
from undertow.analyzers.rules.cases import Case


class UnparseableFile(RepoRule):
    """## What it does
    Reports a changed file that could not be parsed (a syntax error, invalid UTF-8, a manifest
    line that is not a valid requirement, SQL the parser does not understand).

    ## Why is this bad?
    Undertow cannot check what it cannot read: the rules that would have looked at the file were
    skipped for it, and the same file probably fails in the interpreter or the installer too.

    ## Example
    ```python
    def broken(:
    ```

    ## Use instead
    Fix the syntax; the next push is analysed in full.
    """

    id = "UND001"
    name = "unparseable-file"
    severity = Severity.NOTICE
    fix = "fix the syntax so that the file can be analysed"
    uses_change = True

    # Cases of the check below (the engine's own notices on unparseable files are tested in
    # tests/analyzers/core); class attributes, since this module holds four rules.
    INVALID: ClassVar[list[Case]] = [
        Case(
            base=SQL_REPO,
            head={
                "migrations/002.sql": "ALTER TABLE videos ADD COLUMN a INTEGER;\n"
                "CREATE STATISTICS s1 ON (a) FROM videos;\n"
            },
            expect=[("UND001", "migrations/002.sql", 2)],
        ),
    ]
    VALID: ClassVar[list[Case]] = [
        Case(base=SQL_REPO, head={"migrations/002.sql": "ALTER TABLE videos ADD COLUMN a INTEGER;\n"}),
        # a statement the replay cannot model, on a line the change does not touch
        Case(
            base={**SQL_REPO, "migrations/002.sql": "CREATE STATISTICS s1 ON (a) FROM videos;\n"},
            head={
                "migrations/002.sql": "CREATE STATISTICS s1 ON (a) FROM videos;\n"
                "ALTER TABLE videos ADD COLUMN a INTEGER;\n"
            },
            changed={"migrations/002.sql": [2]},
        ),
    ]

    def check(self, ctx: RepoContext) -> Iterable[Finding]:
        """Statements the schema replay could not model, in migrations this change touches
        (files the engine parses itself get their notice from the engine)."""
        if ctx.side != "head":
            return
        from undertow.analyzers.schema.facts import schema_facts

        facts = schema_facts(ctx.facts, ctx.config)
        for changed in ctx.changes.present:
            for line, message in facts.notices.get(changed.path, []):
                if line in changed.lines:
                    text = f"{changed.path}: {message}"
                    yield self.report(changed.path, text, f"replay:{line}:{message}", line=line)


class BroadSuppression(EngineRule):
    """## What it does
    Reports a bare `# undertow: ignore` comment that names no rule.

    ## Why is this bad?
    It silences every rule on the line, including ones added later that would have caught a real
    problem; a reader cannot tell which finding was judged acceptable.

    ## Example
    ```python
    subprocess.run(cmd)  # undertow: ignore
    ```

    ## Use instead
    ```python
    subprocess.run(cmd)  # undertow: ignore[RSK001]
    ```
    """

    id = "UND002"
    name = "broad-suppression"
    severity = Severity.NOTICE
    fix = "name the rules: # undertow: ignore[RSK001]"


class SkippedFile(EngineRule):
    """## What it does
    Reports a changed file the review skipped: larger than the size limit, a symbolic link, or
    not text.

    ## Why is this bad?
    The rules that would have looked at the file did not run on it, so the review is silent
    about it rather than clean.

    ## Example
    A 40 MB generated `schema.sql` committed in the pull request.

    ## Use instead
    Keep generated or vendored files out of the review with `paths: {exclude: [...]}` in
    `.github/undertow.yml`, or split the file.
    """

    id = "UND003"
    name = "skipped-file"
    severity = Severity.NOTICE
    fix = "exclude generated files in .github/undertow.yml paths.exclude, or split the file"


class AnalysisIncomplete(EngineRule):
    """## What it does
    Reports that part of the review did not run: a rule, a parser or an index failed inside
    Undertow on some input. The finding names what was not reviewed (the rule, the file or the
    whole revision) and the exception type.

    ## Why is this bad?
    A review that could not look at something must not pass for a review that found nothing:
    the check would turn green having checked nothing. Until the cause is fixed, the findings
    that part would have produced are missing from this review.

    ## Example
    A migration whose SQL makes the schema replay fail: every schema rule that needs the
    replayed schema is incomplete for the revision.

    ## Use instead
    Report the failure (the log, or `undertow scan -v`, has the traceback). To stop it blocking
    merges meanwhile, lower its severity in `.github/undertow.yml`: `rules: {UND004: warning}`.
    """

    id = "UND004"
    name = "analysis-incomplete"
    severity = Severity.ERROR
    fix = "report it with the traceback from `undertow scan -v`; `rules: {UND004: warning}` stops it blocking meanwhile"
