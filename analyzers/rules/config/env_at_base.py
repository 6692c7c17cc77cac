"""CFG001's question about the base revision, in a module of its own: the engine asks it about
each new CFG001 finding, and asking must not import the rule (a Python rule, and with it libcst)
on a review whose files' analyses are all cached."""

from __future__ import annotations

from undertow.analyzers.core.findings import Finding
from undertow.analyzers.core.snapshot import Snapshot
from undertow.analyzers.facts.context import RevisionFacts
from undertow.analyzers.python.index import python_part


def read_at_base(finding: Finding, base: RevisionFacts) -> bool:
    """An env var the base revision's code already reads (elsewhere, or before a rewrite):
    not one this change introduces, whatever its documentation."""
    _, marker, rest = finding.fingerprint.rpartition("/env:")
    name = rest.rpartition("#")[0]
    if not marker or not name:
        return False

    def build(_snapshot: Snapshot) -> set[str]:
        return {name for names in python_part(base, "env_reads").values() for name in names}

    read: set[str] = base.local("env-reads-at-base", build)
    return name.upper() in read
