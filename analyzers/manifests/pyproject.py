"""pyproject.toml: PEP 621 dependencies and extras, PEP 735 groups, and Poetry's tables."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import InvalidRequirement, Requirement

from analyzers.manifests.model import Declared, Manifest, Problem


class ManifestSyntaxError(ValueError):
    pass


def parse_pyproject(path: str, text: str) -> Manifest:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestSyntaxError(f"not valid TOML: {exc}") from None
    locator = _Locator(text)
    declared: list[Declared] = []
    problems: list[Problem] = []

    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    groups: list[tuple[str, object]] = [("", project.get("dependencies", []))]
    for extra, reqs in _dict(project.get("optional-dependencies")).items():
        groups.append((extra, reqs))
    for group, reqs in _dict(data.get("dependency-groups")).items():
        groups.append((group, reqs))
    for group, reqs in groups:
        for item in reqs if isinstance(reqs, list) else []:
            if not isinstance(item, str):
                continue  # PEP 735 {include-group = ...} tables
            line = locator.string(item)
            try:
                declared.append(Declared.from_requirement(Requirement(item), line, item, group=group))
            except InvalidRequirement as exc:
                problems.append(Problem(line, f"not a valid requirement: {str(exc).splitlines()[0]}"))

    poetry = _dict(_dict(data.get("tool")).get("poetry"))
    poetry_tables = [("", poetry.get("dependencies")), ("dev", poetry.get("dev-dependencies"))]
    for group, body in _dict(poetry.get("group")).items():
        poetry_tables.append((group, _dict(body).get("dependencies")))
    for group, table in poetry_tables:
        for name, spec in _dict(table).items():
            if name.lower() == "python":
                continue
            declared.append(_poetry(name, spec, locator.key(name), group))
    return Manifest(path=path, declared=tuple(declared), problems=tuple(problems))


def _poetry(name: str, spec: object, line: int, group: str) -> Declared:
    if isinstance(spec, list):  # multiple-constraint form: use the first table for source facts
        spec = spec[0] if spec else ""
    if isinstance(spec, str):
        return Declared(name=name, line=line, text=f"{name} = {spec!r}", group=group, specifier=spec)
    table = _dict(spec)
    url = table.get("git") or table.get("url")
    ref_kind = next((k for k in ("rev", "tag", "branch") if k in table), None)
    return Declared(
        name=name,
        line=line,
        text=f"{name} = {table}",
        group=group,
        url=(f"git+{url}" if "git" in table and not str(url).startswith("git+") else url),
        specifier=str(table.get("version", "")),
        vcs_ref=str(table[ref_kind]) if ref_kind else None,
        vcs_ref_kind=ref_kind,
    )


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


class _Locator:
    """Line numbers for values tomllib read (it keeps none): first unclaimed textual match."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.claimed: set[tuple[str, int]] = set()

    def string(self, value: str) -> int:
        for quote in ('"', "'"):
            needle = f"{quote}{value}{quote}"
            if found := self._find(lambda line: needle in line, needle):
                return found
        return 1

    def key(self, name: str) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
        return self._find(pattern.search, f"key:{name}") or 1

    def _find(self, predicate, tag: str) -> int | None:
        for number, line in enumerate(self.lines, start=1):
            if (tag, number) not in self.claimed and predicate(line):
                self.claimed.add((tag, number))
                return number
        return None
