"""The scan's disk cache: immutable facts by key, one file each, under the user cache directory."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import platformdirs


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("undertow")) / "facts"


class DiskCache:
    """Keys embed immutable ids (blob and commit shas, analyzer version): entries never go stale."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir()

    def _file(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.directory / digest[:2] / digest[2:]

    def get(self, key: str) -> bytes | None:
        try:
            return self._file(key).read_bytes()
        except OSError:
            return None

    def set(self, key: str, value: bytes) -> None:
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent reader never sees half an entry.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(value)
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only or full cache directory only costs speed
