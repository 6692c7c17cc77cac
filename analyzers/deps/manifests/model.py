"""One declared dependency, wherever it was declared, with the line that declares it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict, Unpack

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# Dependency groups (PEP 735, Poetry groups, extras) that only development installs: never what
# the application runs with.
DEV_GROUPS = frozenset({"dev", "test", "tests", "testing", "lint", "typing", "docs"})


class _RequirementExtra(TypedDict, total=False):
    """What a reader knows of a requirement besides the requirement itself (pip's options)."""

    hashes: tuple[str, ...]
    editable: bool
    via: tuple[str, ...]


@dataclass(frozen=True)
class Declared:
    name: str  # as written
    line: int
    text: str  # the requirement as written (one logical line)
    group: str = ""  # "" for main dependencies, else the extra/group name
    url: str | None = None
    specifier: str = ""
    hashes: tuple[str, ...] = ()
    editable: bool = False
    # Poetry-style VCS tables: {"git": url, "rev"/"branch"/"tag": ...}
    vcs_ref: str | None = None
    vcs_ref_kind: str | None = None
    extras: frozenset[str] = field(default_factory=frozenset)
    marker: str | None = None
    # A compiled requirements file's `# via` annotation (pip-compile, uv pip compile): why it is
    # there, "-r requirements.in" / "app (pyproject.toml)" or the distributions that depend on it.
    via: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return canonicalize_name(self.name) if self.name else self.text

    @classmethod
    def from_requirement(
        cls, req: Requirement, line: int, text: str, group: str = "", **extra: Unpack[_RequirementExtra]
    ) -> Declared:
        return cls(
            name=req.name,
            line=line,
            text=text,
            group=group,
            url=req.url,
            specifier=str(req.specifier),
            extras=frozenset(req.extras),
            marker=str(req.marker) if req.marker else None,
            **extra,
        )


@dataclass(frozen=True)
class Problem:
    """A line a reader could not understand: reported as a notice, the rest still read."""

    line: int
    message: str


@dataclass(frozen=True)
class Manifest:
    path: str
    declared: tuple[Declared, ...]
    includes: tuple[tuple[str, int, str], ...] = ()  # (option, line, target) for -r/-c
    problems: tuple[Problem, ...] = ()
    # What it declares could not be read (a setup.py that computes install_requires): unknown,
    # so it may declare anything.
    opaque: bool = False


def requirement(text: str) -> Requirement:
    """A PEP 508 requirement; one nested too deeply for packaging's recursive marker parser is
    invalid like any other (packaging limits the nesting itself: this is the second line)."""
    try:
        return Requirement(text)
    except RecursionError:
        raise InvalidRequirement("nested too deeply") from None
