"""pyproject.toml: PEP 621 dependencies and extras, PEP 735 groups, and Poetry's tables."""

from __future__ import annotations

import tomllib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from packaging.requirements import InvalidRequirement
from packaging.utils import canonicalize_name

from undertow.analyzers.core.limits import depth_message, too_deep
from undertow.analyzers.deps.manifests.model import Declared, Manifest, Problem, requirement


class ManifestSyntaxError(ValueError):
    pass


def parse_pyproject(path: str, text: str) -> Manifest:
    # tomllib reads arrays and inline tables by recursion: the nesting is measured first.
    if too_deep(text, "toml"):
        raise ManifestSyntaxError(f"not valid TOML: {depth_message()}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestSyntaxError(f"not valid TOML: {exc}") from None
    except RecursionError:  # the second line: the measure is an upper bound
        raise ManifestSyntaxError(f"not valid TOML: {depth_message()}") from None
    locator = _Locator(text)
    declared: list[Declared] = []
    problems: list[Problem] = []

    project = _dict(data.get("project"))
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
                declared.append(Declared.from_requirement(requirement(item), line, item, group=group))
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
    extras = table.get("extras")
    return Declared(
        name=name,
        line=line,
        text=f"{name} = {table}",
        group=group,
        extras=frozenset(e for e in extras if isinstance(e, str)) if isinstance(extras, list) else frozenset(),
        url=(f"git+{url}" if "git" in table and not str(url).startswith("git+") else url),
        specifier=str(table.get("version", "")),
        vcs_ref=str(table[ref_kind]) if ref_kind else None,
        vcs_ref_kind=ref_kind,
    )


def _dict(value: object) -> dict[str, Any]:
    """A TOML table (its keys are strings), or {} for any other value."""
    return value if isinstance(value, dict) else {}


class _Locator:
    """Line numbers for values tomllib read (it keeps none): first unclaimed textual match.

    Built in one pass over the lines: every quoted segment and every `key =` of a line, each
    with the lines it is on in order (a lookup pops the first), so that a pyproject with
    100,000 dependencies costs 100,000 lookups, not 100,000 scans of every line."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._strings: dict[str, deque[int]] | None = None
        self._keys: dict[str, deque[int]] | None = None

    def string(self, value: str) -> int:
        if self._strings is None:
            self._strings = _index(self.lines, _quoted_segments)
        for quote in ('"', "'"):
            # `"value"` is on a line exactly when two consecutive quotes of the line enclose it.
            if quote not in value and (found := _pop(self._strings, quote + value)):
                return found
        return 1

    def key(self, name: str) -> int:
        # As `^\s*["']?NAME["']?\s*=`: the text before a line's first "=", with or without
        # a quote on either side.
        if self._keys is None:
            self._keys = _index(self.lines, _key_candidates)
        return _pop(self._keys, name) or 1


def _index(lines: list[str], extract: Callable[[str], Iterable[str]]) -> dict[str, deque[int]]:
    index: dict[str, deque[int]] = {}
    for number, line in enumerate(lines, start=1):
        for item in set(extract(line)):
            index.setdefault(item, deque()).append(number)
    return index


def _pop(index: dict[str, deque[int]], item: str) -> int | None:
    numbers = index.get(item)
    return numbers.popleft() if numbers else None


def _quoted_segments(line: str) -> Iterator[str]:
    """`q + text` for every `q text q` between two consecutive quotes q of the line."""
    for quote in ('"', "'"):
        start = line.find(quote)
        while start >= 0:
            end = line.find(quote, start + 1)
            if end < 0:
                break
            yield quote + line[start + 1 : end]
            start = end


def _key_candidates(line: str) -> Iterator[str]:
    head, equals, _ = line.partition("=")
    if not equals:
        return
    key = head.strip()
    yield key
    quoted_start, quoted_end = key[:1] in ("'", '"'), key[-1:] in ("'", '"')
    if quoted_start:
        yield key[1:]
    if quoted_end:
        yield key[:-1]
    if quoted_start and quoted_end and len(key) >= 2:
        yield key[1:-1]


def build_requirements(path: str, text: str) -> dict[str, list[str]]:
    """What building the project installs and runs: ``requires``, the normalised names of
    ``[build-system] requires`` and of every hatch custom build hook's ``dependencies``;
    ``hooks``, the hooks' files (``path``, default ``hatch_build.py``), relative to the
    pyproject.toml. Empty for a document that cannot be read (the manifest index reports it)."""
    try:
        if too_deep(text, "toml"):
            return {"requires": [], "hooks": []}
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return {"requires": [], "hooks": []}
    requires = _dict(data.get("build-system")).get("requires")
    found = list(requires) if isinstance(requires, list) else []
    hooks: list[str] = []
    build = _dict(_dict(_dict(data.get("tool")).get("hatch")).get("build"))
    tables = [build] + [_dict(target) for target in _dict(build.get("targets")).values()]
    for table in tables:
        if "custom" not in _dict(table.get("hooks")):
            continue
        custom = _dict(_dict(table.get("hooks")).get("custom"))
        hook = custom.get("path", "hatch_build.py")
        if isinstance(hook, str) and hook not in hooks:
            hooks.append(hook)
        dependencies = custom.get("dependencies")
        found += dependencies if isinstance(dependencies, list) else []
    names: list[str] = []
    for item in found:
        if not isinstance(item, str):
            continue
        try:
            name = canonicalize_name(requirement(item).name)
        except InvalidRequirement:
            continue
        if name not in names:
            names.append(name)
    return {"requires": names, "hooks": hooks}
