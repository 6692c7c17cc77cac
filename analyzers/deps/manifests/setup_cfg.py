"""setup.cfg: `[options] install_requires` and `[options.extras_require]`."""

from __future__ import annotations

import configparser
import re

from packaging.requirements import InvalidRequirement

from undertow.analyzers.core.limits import MAX_LINE_CHARS
from undertow.analyzers.deps.manifests.model import Declared, Manifest, Problem, requirement
from undertow.analyzers.deps.manifests.requirements import strip_comment


class _Parser(configparser.ConfigParser):
    # configparser's own option pattern, `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$`, tries
    # the blanks after every character of the option: quadratic in a line of blanks. The same
    # split, linear: the option runs to the blanks before the first delimiter.
    OPTCRE = re.compile(r"(?P<option>(?:[^=:\s]|\s++(?![=:]))*+)\s*+(?P<vi>=|:)\s*+(?P<value>.*)$")


def parse_setup_cfg(path: str, text: str) -> Manifest:
    parser = _Parser(interpolation=None)
    lines = text.splitlines()
    long_lines = [n for n, line in enumerate(lines, start=1) if len(line) > MAX_LINE_CHARS]
    if long_lines:
        # Read as comment lines (a value around them goes on), each given a problem.
        text = "\n".join("#" if len(line) > MAX_LINE_CHARS else line for line in lines)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return Manifest(
            path=path, declared=(), problems=(Problem(1, f"not a valid setup.cfg: {str(exc).splitlines()[0]}"),)
        )
    declared: list[Declared] = []
    problems: list[Problem] = [
        Problem(n, f"the line is longer than {MAX_LINE_CHARS} characters, so it is not read") for n in long_lines
    ]
    first_line: dict[str, int] = {}
    # The line of a value given on its option's own line (`redis = redis>=5,<6`).
    first_value: dict[str, int] = {}
    for number, text_line in enumerate(lines, start=1):
        first_line.setdefault(text_line.strip(), number)
        if len(text_line) <= MAX_LINE_CHARS and (match := parser.OPTCRE.match(text_line.strip())):
            first_value.setdefault(match.group("value").strip(), number)
    sections = [("", parser.get("options", "install_requires", fallback=""))]
    if parser.has_section("options.extras_require"):
        sections += [(extra, value) for extra, value in parser.items("options.extras_require")]
    for group, value in sections:
        for raw in (v.strip() for v in value.splitlines()):
            # setuptools drops a comment after the requirement (`Flask-WTF<1.2  # 1.2.0 breaks
            # CSRF`), as pip does in a requirements file.
            item = strip_comment(raw).strip()
            if not item:
                continue
            line = first_line.get(raw) or first_value.get(raw, 1)
            try:
                declared.append(Declared.from_requirement(requirement(item), line, item, group=group))
            except InvalidRequirement as exc:
                problems.append(Problem(line, f"not a valid requirement: {str(exc).splitlines()[0]}"))
    return Manifest(path=path, declared=tuple(declared), problems=tuple(problems))
