"""setup.cfg: `[options] install_requires` and `[options.extras_require]`."""

from __future__ import annotations

import configparser

from packaging.requirements import InvalidRequirement, Requirement

from analyzers.manifests.model import Declared, Manifest, Problem


def parse_setup_cfg(path: str, text: str) -> Manifest:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return Manifest(path=path, declared=(), problems=(Problem(1, f"not a valid setup.cfg: {str(exc).splitlines()[0]}"),))
    lines = text.splitlines()
    declared: list[Declared] = []
    problems: list[Problem] = []
    sections = [("", parser.get("options", "install_requires", fallback=""))]
    if parser.has_section("options.extras_require"):
        sections += [(extra, value) for extra, value in parser.items("options.extras_require")]
    for group, value in sections:
        for item in (v.strip() for v in value.splitlines()):
            if not item or item.startswith("#"):
                continue
            line = next((n for n, text_line in enumerate(lines, start=1) if text_line.strip() == item), 1)
            try:
                declared.append(Declared.from_requirement(Requirement(item), line, item, group=group))
            except InvalidRequirement as exc:
                problems.append(Problem(line, f"not a valid requirement: {str(exc).splitlines()[0]}"))
    return Manifest(path=path, declared=tuple(declared), problems=tuple(problems))
