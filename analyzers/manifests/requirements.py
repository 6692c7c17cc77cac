"""pip requirement files: logical lines, options, includes, URLs, hashes; packaging parses the rest."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement

from analyzers.manifests.model import Declared, Manifest, Problem

_COMMENT = re.compile(r"(^|\s+)#.*$")
_HASH = re.compile(r"--hash[=\s]+(\S+)")
_EGG = re.compile(r"#.*?egg=([A-Za-z0-9_.\-\[\]]+)")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_URL_START = re.compile(r"^(git|hg|svn|bzr)\+|^(https?|file|ftp)://", re.IGNORECASE)
_LOCAL_PATH = re.compile(r"^(\.{1,2}(/|$)|/)")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations and strip comments, keeping the first physical line number."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = _COMMENT.sub("", " ".join(pending)).strip()
        pending = []
        if joined:
            result.append((start, joined))
    if pending:
        joined = _COMMENT.sub("", " ".join(pending)).strip()
        if joined:
            result.append((start, joined))
    return result


def parse_requirements(path: str, text: str) -> Manifest:
    declared: list[Declared] = []
    includes: list[tuple[str, int, str]] = []
    problems: list[Problem] = []
    for number, line in logical_lines(text):
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
                req = Requirement(body)
                declared.append(
                    Declared.from_requirement(req, number, line, hashes=hashes, editable=editable)
                )
        except InvalidRequirement as exc:
            problems.append(Problem(number, f"not a valid requirement: {str(exc).splitlines()[0]}"))
    return Manifest(path=path, declared=tuple(declared), includes=tuple(includes), problems=tuple(problems))


def _bare_url(body: str, number: int, line: str, hashes: tuple[str, ...], editable: bool) -> Declared:
    url, _, marker = body.partition(";")
    url = url.strip()
    egg = _EGG.search(url)
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
