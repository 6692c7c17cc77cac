"""Undertow's analysis engine: a pure library (snapshots and a change set in, findings out)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

ANALYZER_VERSION = "0.1.0"
# Where a repository keeps its Undertow settings (read at the base revision).
CONFIG_PATH = ".github/undertow.yml"


@functools.lru_cache(maxsize=1)
def cache_salt() -> str:
    """The analyzer version plus a digest of the analyzers' own source: any change to a rule
    invalidates cached results, even between releases (a development checkout, a hotfix)."""
    digest = hashlib.sha256(ANALYZER_VERSION.encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{ANALYZER_VERSION}+{digest.hexdigest()[:16]}"
