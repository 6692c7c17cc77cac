"""The scan's disk cache: immutable facts by key, one file each, under the user cache directory."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import platformdirs

from undertow.analyzers import cache_salt

# Another analyzer version's entries can never be read again; a version not used for this long
# is removed when the cache is opened (not at once: two checkouts may share the directory).
STALE_AFTER_S = 7 * 24 * 3600


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("undertow")) / "facts"


class DiskCache:
    """Keys embed immutable ids (blob and commit shas, analyzer version): entries never go stale.

    Each analyzer version has its own directory, so that upgrading does not leave the previous
    version's entries behind for ever."""

    def __init__(self, root: Path | None = None, version: str | None = None) -> None:
        self.root = root or default_cache_dir()
        self.directory = self.root / (version or cache_salt())
        self._prune()

    def _prune(self) -> None:
        try:
            os.utime(self.directory) if self.directory.exists() else None
            now = time.time()
            for other in self.root.iterdir():
                if other != self.directory and other.is_dir() and now - other.stat().st_mtime > STALE_AFTER_S:
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass  # a missing or read-only cache directory only costs speed

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


class MemoryFactCache:
    """Facts in memory for `undertow serve` without Redis: least recently used entries are
    dropped beyond ``max_bytes``, so a long-running service does not grow without bound."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._data: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def set(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return
        old = self._data.pop(key, None)
        self.size += len(value) - (len(old) if old is not None else 0)
        self._data[key] = value
        while self.size > self.max_bytes:
            _, dropped = self._data.popitem(last=False)
            self.size -= len(dropped)
