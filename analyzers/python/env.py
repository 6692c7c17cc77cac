"""The environment variables a Python file reads, found line by line in its text: a part of the
file's Python facts (``python/facts.extract``), so that each revision has them without reading its
files again."""

from __future__ import annotations

import re

from undertow.analyzers.core.limits import MAX_LINE_CHARS

# What a revision's Python code reads from the environment, found line by line in the text (read by
# CFG001's ``known_at_base``: the per-file analysis cannot look at the base). Approximate by design: it only
# ever keeps a finding back, for a name the base already read.
_READ = re.compile(r"""(?:getenv|environ\.get|environ\.pop|environ\.setdefault)\(\s*+["']([A-Za-z_]\w*+)["']""")
_SUBSCRIPT = re.compile(r"""environ\[\s*+["']([A-Za-z_]\w*+)["']\s*+\]""")
_FIELD = re.compile(r"[ \t]++([A-Za-z_]\w*+)[ \t]*+:")
_PREFIX = re.compile(r"""env_prefix\s*+=\s*+["'](\w*+)["']""")
_ALIAS = re.compile(r"""alias\s*+=\s*+["']([A-Za-z_]\w*+)["']""")


def env_names(text: str) -> list[str]:
    """The env var names a Python file reads (``os.getenv("X")``, ``os.environ["X"]``...) and,
    in a file with a ``BaseSettings`` class, its fields with the file's ``env_prefix``."""
    names: set[str] = set()
    lines = [line for line in text.split("\n") if len(line) <= MAX_LINE_CHARS]
    settings = "BaseSettings" in text
    prefix = next((m.group(1) for line in lines if (m := _PREFIX.search(line))), "") if settings else ""
    for line in lines:
        if "environ" in line or "getenv" in line:
            names.update(m.group(1) for m in _READ.finditer(line))
            names.update(m.group(1) for m in _SUBSCRIPT.finditer(line))
        if settings:
            if (field := _FIELD.match(line)) is not None:
                names.add(f"{prefix}{field.group(1)}")
            names.update(m.group(1) for m in _ALIAS.finditer(line))
    return sorted(name.upper() for name in names)
