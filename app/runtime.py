"""Process-wide tuning shared by `undertow scan`, `serve` and `worker`."""

from __future__ import annotations

import gc

# A review decodes hundreds of thousands of small, long-lived containers (cached facts). With
# CPython's default thresholds (700, 10, 10) the cyclic collector walks them again and again
# while they are being built: about a fifth of a warm scan of a large repository. Reviews
# create few reference cycles, so collecting less often costs little memory.
GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Move what is already loaded (modules, settings) out of the collector's sight, and
    collect young objects less often."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
