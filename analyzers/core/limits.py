"""Limits on repository-controlled input: a pull request is hostile input, and every input kind
is bounded before it is parsed, so that no file, line or document costs more than its share."""

from __future__ import annotations

import re
from itertools import accumulate

from undertow.analyzers.core.snapshot import Entry

# Any file a rule reads (source, manifest, migration, compose, docs). Judged from the size in
# the tree listing, before the blob is read.
MAX_FILE_BYTES = 1024 * 1024
# One line of a line-oriented format (requirements, Dockerfile, shell, .env): longer lines are
# not matched by any pattern (a line-level notice where the engine reports one).
MAX_LINE_CHARS = 16 * 1024
# Nesting of a structured document (YAML, TOML, JSON) or expression handed to a recursive parser.
MAX_DEPTH = 100
# Lock files list every distribution of an environment with its hashes: 1-3 MiB is a normal
# uv.lock, so they get a limit of their own (and are read in one linear pass).
MAX_LOCK_FILE_BYTES = 16 * 1024 * 1024
LOCK_FILE_NAMES = ("uv.lock", "poetry.lock", "pdm.lock")
# A YAML document with its aliases expanded: an alias repeats a whole node, so a small file can
# stand for a huge tree (each use of `*big` walks `big` again).
MAX_YAML_NODES = 1_000_000


# Files some part of Undertow reads (besides what the rules' own `applies_to` names): a changed
# one over the limit gets a notice, so that skipping it is never silent.
READ_SUFFIXES = (
    ".py",
    ".sql",
    ".txt",
    ".in",
    ".toml",
    ".cfg",
    ".lock",
    ".yml",
    ".yaml",
    ".env",
    ".ini",
    ".sh",
    ".conf",
)
READ_NAMES = ("Dockerfile", "Containerfile", ".env", "Procfile")


def is_read(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(READ_SUFFIXES) or name.startswith(READ_NAMES)


def max_bytes(path: str) -> int:
    """The size limit of one file: lock files have their own."""
    return MAX_LOCK_FILE_BYTES if path.rsplit("/", 1)[-1] in LOCK_FILE_NAMES else MAX_FILE_BYTES


def within_size(entry: Entry | None, limit: int | None = None) -> bool:
    """A regular file small enough to read (an unknown size is read: only git knows it)."""
    if entry is None or entry.kind != "file":
        return False
    return (entry.size or 0) <= (limit if limit is not None else max_bytes(entry.path))


def too_large(path: str, size: int) -> str:
    limit = max_bytes(path) // 1024 // 1024
    return f"skipped {path}: it is {size / 1024 / 1024:.1f} MiB, over the {limit} MiB limit per file"


# What a nesting scan skips: strings (an unterminated one runs to the end of its line, or of the
# text for a multi-line string, so that every start matches and nothing is scanned twice) and
# TOML comments. Possessive loops whose alternatives start with different characters: linear.
_JSON_SKIP = re.compile(r'"(?:[^"\\]++|\\.?)*+"?', re.DOTALL)
_TOML_SKIP = re.compile(
    r'"""(?:[^"\\]++|\\.?|"(?!""))*+(?:""")?'
    r"|'''(?:[^']++|'(?!''))*+(?:''')?"
    r'|"(?:[^"\\\n]++|\\[^\n]?)*+"?'
    r"|'[^'\n]*+'?"
    r"|#[^\n]*+",
    re.DOTALL,
)
# YAML flow scalars: "..." (backslash escapes), '...' ('' escapes); a comment is a "#" after a blank.
_YAML_SKIP = re.compile(
    r'"(?:[^"\\\n]++|\\[^\n]?)*+"?'
    r"|'(?:[^'\n]++|'')*+'?"
    r"|(?:^|(?<=\s))#[^\n]*+",
    re.MULTILINE,
)
_SKIP = {"json": _JSON_SKIP, "toml": _TOML_SKIP, "yaml": _YAML_SKIP}
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str, syntax: str = "json") -> int:
    """An upper bound on how deeply the arrays and tables/objects of a JSON or TOML document
    (or YAML flow collections) nest, brackets in strings and comments not counted, in linear
    time and without recursion: measured before a recursive parser (json, tomllib) is given
    the text."""
    openers = text.count("[") + text.count("{")
    if openers <= MAX_DEPTH:
        return openers
    brackets = _NOT_BRACKET.sub("", _SKIP[syntax].sub(" ", text))
    # Not clamped at 0 after a stray closing bracket (that would be a Python call per bracket):
    # json and tomllib read in order and stop at the stray bracket, before any deeper part.
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def too_deep(text: str, syntax: str = "json") -> bool:
    return nesting_depth(text, syntax) > MAX_DEPTH


_NOT_ANY_BRACKET = re.compile(r"[^()\[\]{}]+")


def brackets_deeper_than(text: str, limit: int) -> bool:
    """Whether ``()[]{}`` nest deeper than ``limit`` in ``text``, brackets in strings counted too
    (an over-estimate, which is the safe side before a recursive parser). Linear; a text with
    no more opening brackets than the limit is answered from three counts."""
    if text.count("(") + text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for char in _NOT_ANY_BRACKET.sub("", text):
        depth = depth + 1 if char in "([{" else (depth - 1 if depth else 0)
        if depth > limit:
            return True
    return False


def deep_flow_line(text: str) -> int:
    """The first line (1-based; 0 if none) whose YAML flow collections ([ {) nest deeper than
    MAX_DEPTH. Measured before PyYAML reads the text: its scanner reads up to 1,024 characters
    of a line ahead while a `[` might start a key, each token then checking every open level
    (quadratic in the depth), before any depth check on its events or nodes is reached."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.count("[") + line.count("{") > MAX_DEPTH and nesting_depth(line, "yaml") > MAX_DEPTH:
            return number
    return 0


def depth_message() -> str:
    return f"nested more than {MAX_DEPTH} levels deep"
