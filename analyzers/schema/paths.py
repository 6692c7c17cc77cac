"""Where migrations live: the one predicate every reader of migration files uses."""

from __future__ import annotations


def is_migration_source(path: str) -> bool:
    """A file under a ``versions/`` or ``migrations/`` directory (at any depth): migration
    code, never read for ORM models (``env.py`` included). The Python side of
    ``schema.facts.is_migration_path``."""
    return "/versions/" in f"/{path}" or "/migrations/" in f"/{path}"
