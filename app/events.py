"""What the webhook hands to the workers: the event, as GitHub sent it, and where it goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Delivery:
    event: str
    delivery_id: str
    data: dict[str, Any]


class EventQueue(Protocol):
    async def put(self, delivery: Delivery) -> None: ...

    def depth(self) -> int: ...
