"""The disk cache: one directory per analyzer version; versions unused for a week are removed."""

import os
import time

from undertow.app.cache import STALE_AFTER_S, DiskCache


def test_entries_round_trip_under_the_version_directory(tmp_path):
    cache = DiskCache(tmp_path, version="1.0+abc")
    assert cache.get("k") is None
    cache.set("k", b"v")
    assert cache.get("k") == b"v"
    assert [p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()] == ["1.0+abc"]
    assert DiskCache(tmp_path, version="2.0+def").get("k") is None


def test_versions_unused_for_a_week_are_pruned_and_recent_ones_kept(tmp_path):
    old, recent = DiskCache(tmp_path, version="old"), DiskCache(tmp_path, version="recent")
    old.set("k", b"v")
    recent.set("k", b"v")
    week_ago = time.time() - STALE_AFTER_S - 60
    os.utime(tmp_path / "old", (week_ago, week_ago))
    current = DiskCache(tmp_path, version="current")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recent"]
    current.set("k", b"v")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "recent"]


def test_an_unwritable_cache_only_costs_speed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = DiskCache(blocker, version="v")
    cache.set("k", b"v")
    assert cache.get("k") is None


def test_memory_fact_cache_drops_least_recently_used_entries_beyond_its_size():
    from undertow.app.cache import MemoryFactCache

    cache = MemoryFactCache(max_bytes=10)
    cache.set("a", b"1234")
    cache.set("b", b"1234")
    assert cache.get("a") == b"1234"  # now the most recently used
    cache.set("c", b"1234")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1234", None, b"1234")
    cache.set("a", b"12")
    assert cache.size == 6
    cache.set("huge", b"x" * 11)
    assert cache.get("huge") is None and cache.size == 6
