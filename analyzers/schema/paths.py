"""Where migrations live: the one predicate every reader of migration files uses."""

from __future__ import annotations


def is_migration_source(path: str) -> bool:
    """A file under a ``versions/`` or ``migrations/`` directory (at any depth): migration
    code, never read for ORM models (``env.py`` included). The Python side of
    ``schema.facts.is_migration_path``."""
    return "/versions/" in f"/{path}" or "/migrations/" in f"/{path}"


def is_alembic_candidate(path: str) -> bool:
    """Alembic revisions live in a versions/ directory, or in a plugin's own migrations/ one:
    a Python migration file (``is_migration_source``), or one in a directory whose name ends
    in ``versions`` (``migration_versions/``), but not the environment script ``env.py``."""
    return path.endswith(".py") and (is_migration_source(path) or "versions/" in path) and not path.endswith("env.py")
