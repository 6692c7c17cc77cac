"""The one base of the errors that are the user's to fix (a bad revision, config file or
setting): the CLI prints them in one line and exits 2. In a module of its own, importing nothing,
so the CLI can catch them without importing what raises them."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user fixes: its message is the whole report (no traceback)."""
