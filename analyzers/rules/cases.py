"""Trigger and quiet cases beside each rule (Fixit's ``VALID``/``INVALID``).

Every rule module lists ``INVALID`` cases (the rule must report exactly ``expect``) and ``VALID``
cases (it must report nothing), each a tiny in-memory repository: the base revision, what the
change writes over it, and which lines the change touches. ``tests/analyzers/rules/test_cases.py``
runs each case through the whole engine (``core/engine.review``) with that rule alone; no git."""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from undertow.analyzers.core.changes import ChangedFile, ChangeSet, Status
from undertow.analyzers.core.config import CONFIG_PATH, Config, parse_config
from undertow.analyzers.core.snapshot import MemorySnapshot

if TYPE_CHECKING:
    from undertow.analyzers.rules.base import Rule


@dataclass(frozen=True)
class Case:
    """One small review.

    - ``head``: what the change writes over ``base`` (path -> text; ``None`` deletes the file), so
      the head revision is ``base`` updated with ``head``;
    - ``base``: the repository before the change (path -> text);
    - ``expect``: the ``(rule, path, line)`` of every finding an ``INVALID`` case must give (in
      any order); empty for a ``VALID`` case;
    - ``changed``: the paths the change touches and, for each, its changed head lines (``None``:
      every line). Default: every path of ``head`` whose text differs from ``base``, all lines.

    A ``.github/undertow.yml`` in ``base`` is the review's configuration, as in a scan (which
    reads it at the base revision).
    """

    head: Mapping[str, str | None]
    base: Mapping[str, str] = field(default_factory=dict)
    expect: Sequence[tuple[str, str, int]] = ()
    changed: Mapping[str, Collection[int] | None] | None = None

    def head_files(self) -> dict[str, str]:
        files = dict(self.base)
        for path, text in self.head.items():
            if text is None:
                files.pop(path, None)
            else:
                files[path] = text
        return files

    def snapshots(self) -> tuple[MemorySnapshot, MemorySnapshot]:
        base: dict[str, bytes | str] = dict(self.base)
        head: dict[str, bytes | str] = dict(self.head_files())
        return MemorySnapshot(base), MemorySnapshot(head)

    def change_set(self) -> ChangeSet:
        head = self.head_files()
        if self.changed is None:
            touched: Mapping[str, Collection[int] | None] = {
                path: None for path, text in self.head.items() if self.base.get(path) != text
            }
        else:
            touched = self.changed
        files = []
        for path, lines in touched.items():
            if path not in head:
                files.append(ChangedFile(path, Status.REMOVED))
                continue
            status = Status.MODIFIED if path in self.base else Status.ADDED
            every = range(1, len(head[path].splitlines()) + 1)
            files.append(ChangedFile(path, status, lines=frozenset(every if lines is None else lines)))
        return ChangeSet(files)

    def config(self) -> Config:
        text = self.base.get(CONFIG_PATH)
        return Config() if text is None else parse_config(text)


def cases_of(rule: type[Rule]) -> tuple[list[Case], list[Case]]:
    """(VALID, INVALID) of a rule: class attributes if it has them, else its module's."""
    module = sys.modules[rule.__module__]
    valid = getattr(rule, "VALID", None)
    invalid = getattr(rule, "INVALID", None)
    return (
        list(valid if valid is not None else getattr(module, "VALID", [])),
        list(invalid if invalid is not None else getattr(module, "INVALID", [])),
    )
