"""Serialisation of cached facts: orjson decodes the large per-revision indexes several times
faster than the standard library's json, and a warm review spends most of its time decoding."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import orjson

V = TypeVar("V")


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        # A path that is not UTF-8 (git names are bytes; decoded with surrogateescape): the
        # standard library escapes the surrogates, and reads them back the same.
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


class DecodedMapping(Mapping[str, V], Generic[V]):
    """A read-only mapping over decoded JSON whose values are built into objects when first
    looked up: a review reads a few entries of mappings that hold thousands. Subclasses say how
    one raw value becomes an object (``_build``)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self._decoded: dict[str, V] = {}

    def _build(self, key: str, raw: Any) -> V:
        raise NotImplementedError

    def __getitem__(self, key: str) -> V:
        value = self._decoded.get(key)
        if value is None:
            value = self._decoded[key] = self._build(key, self.raw[key])
        return value

    def __contains__(self, key: object) -> bool:
        return key in self.raw

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)
