"""pip requirement files: logical lines, options, includes, URLs, hashes; packaging parses the rest."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement

from undertow.analyzers.core.limits import MAX_LINE_CHARS
from undertow.analyzers.deps.manifests.model import Declared, Manifest, Problem, requirement

# Every pattern here is matched against repository text in linear time: no two adjacent loops
# can take the same character, and no loop is retried from every start of a long line.
# A comment is a "#" at the start or after a blank (one character of look-behind, not the
# former `(^|\s+)#`, which re-scanned a run of blanks from each of its characters).
_COMMENT = re.compile(r"(?:^|(?<=\s))#")
_HASH = re.compile(r"--hash[=\s]+(\S+)")  # starts only at "--hash": each run is scanned once
# `#egg=name`: searched from the first "#" on (the former `#.*?egg=` rescanned the rest of the
# URL from every "#").
_EGG = re.compile(r"egg=([A-Za-z0-9_.\-\[\]]+)")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*+=\s*+|\s++)(\S+)")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*+=\s*+|\s++)(\S+)")
_URL_START = re.compile(r"^(git|hg|svn|bzr)\+|^(https?|file|ftp)://", re.IGNORECASE)
_LOCAL_PATH = re.compile(r"^(\.{1,2}(/|$)|/)")
# pip-compile's annotations: `    # via flask-migrate`, `    # via` then `    #   flask`, or
# (--annotation-style=line) `alembic==1.13.1  # via flask-migrate, -r requirements.in`.
_VIA = re.compile(r"#\s*+via\b\s*+(.*)")
_VIA_ITEM = re.compile(r"#\s++(\S.*)")


def logical_lines(text: str, too_long: list[int] | None = None) -> list[tuple[int, str]]:
    """Join backslash continuations and strip comments, keeping the first physical line number.

    A logical line with a physical line longer than MAX_LINE_CHARS is left out (its first line
    number is added to ``too_long``)."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    skipped = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if not pending:
            start, skipped = number, False
        if len(line) > MAX_LINE_CHARS:
            skipped, line = True, "\\" if line.endswith("\\") else ""
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        _finish(result, start, pending, skipped, too_long)
        pending = []
    if pending:
        _finish(result, start, pending, skipped, too_long)
    return result


def _finish(
    result: list[tuple[int, str]], start: int, parts: list[str], skipped: bool, too_long: list[int] | None
) -> None:
    if skipped:
        if too_long is not None:
            too_long.append(start)
        return
    joined = strip_comment(" ".join(parts)).strip()
    if joined:
        result.append((start, joined))


def strip_comment(line: str) -> str:
    """``line`` without its comment: a "#" at its start or after a blank, to the end (pip's
    rule; setuptools drops a " #" comment from install_requires lines the same way). A "#"
    inside a word is kept: a URL's fragment, ``#egg=name``."""
    match = _COMMENT.search(line)
    return line if match is None else line[: match.start()]


def via_annotations(text: str) -> dict[int, tuple[str, ...]]:
    """{first line of a requirement: its `# via` entries}, from a compiled requirements file."""
    found: dict[int, list[str]] = {}
    current = 0  # the first line of the last requirement (0: none yet)
    listing = False  # inside a `# via` list of one entry per comment line
    continued = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > MAX_LINE_CHARS:
            listing = continued = False
            continue
        line = raw.strip()
        if not line:
            listing = False
            continue
        if line.startswith("#"):
            if current and (via := _VIA.match(line)):
                entries = [e.strip() for e in via.group(1).split(",") if e.strip()]
                found.setdefault(current, []).extend(entries)
                listing = not entries
            elif current and listing and (item := _VIA_ITEM.match(line)):
                found.setdefault(current, []).append(item.group(1).strip())
            else:
                listing = False
            continue
        if not continued:
            current = number if not line.startswith("-") or _EDITABLE.match(line) else 0
        listing = False
        continued = line.endswith("\\")
        comment = _COMMENT.search(line)
        if current and comment is not None and (via := _VIA.match(line, comment.start())):
            found.setdefault(current, []).extend(e.strip() for e in via.group(1).split(",") if e.strip())
    return {line: tuple(entries) for line, entries in found.items()}


def parse_requirements(path: str, text: str) -> Manifest:
    declared: list[Declared] = []
    includes: list[tuple[str, int, str]] = []
    problems: list[Problem] = []
    too_long: list[int] = []
    via = via_annotations(text) if "via" in text else {}
    for number, line in logical_lines(text, too_long):
        if m := _INCLUDE.match(line):
            option = "-c" if m.group(1) in ("-c", "--constraint") else "-r"
            includes.append((option, number, m.group(2)))
            continue
        editable = False
        if m := _EDITABLE.match(line):
            editable = True
            line = m.group(2)
        elif line.startswith("-"):
            continue  # index/find-links/--pre/--no-binary and other global options
        hashes = tuple(_HASH.findall(line))
        body = _HASH.sub("", line).strip()
        # pip allows `; marker` after a requirement; options after whitespace belong to pip.
        try:
            if _URL_START.match(body) or _LOCAL_PATH.match(body):
                declared.append(_bare_url(body, number, line, hashes, editable))
            else:
                req = requirement(body)
                declared.append(
                    Declared.from_requirement(
                        req, number, line, hashes=hashes, editable=editable, via=via.get(number, ())
                    )
                )
        except InvalidRequirement as exc:
            problems.append(Problem(number, f"not a valid requirement: {str(exc).splitlines()[0]}"))
    problems += [
        Problem(number, f"the line is longer than {MAX_LINE_CHARS} characters, so it is not read")
        for number in too_long
    ]
    problems.sort(key=lambda problem: problem.line)
    return Manifest(path=path, declared=tuple(declared), includes=tuple(includes), problems=tuple(problems))


def _bare_url(body: str, number: int, line: str, hashes: tuple[str, ...], editable: bool) -> Declared:
    url, _, marker = body.partition(";")
    url = url.strip()
    fragment = url.find("#")
    egg = _EGG.search(url, fragment + 1) if fragment >= 0 else None
    name = egg.group(1).split("[")[0] if egg else ""
    return Declared(
        name=name,
        line=number,
        text=line,
        url=url,
        hashes=hashes,
        editable=editable,
        marker=marker.strip() or None,
    )
