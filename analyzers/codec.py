"""Serialisation of cached facts: orjson decodes the large per-revision indexes several times
faster than the standard library's json, and a warm review spends most of its time decoding."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
