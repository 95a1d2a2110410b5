"""Live call events for the operator console: published by sessions, streamed as SSE by /events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)


class LiveEvents:
    def __init__(self, *, max_queue: int = 500) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._max_queue = max_queue
        self.active: dict[str, dict[str, Any]] = {}  # call sid → {business_id, started_at, transcript}

    def publish(self, event: dict[str, Any]) -> None:
        self._track(event)
        for queue in list(self._subscribers):
            if queue.full():
                log.warning("live event subscriber too slow; dropping an event")
                continue
            queue.put_nowait(event)

    def _track(self, event: dict[str, Any]) -> None:
        call_sid = str(event.get("call_sid", ""))
        if event["type"] == "call_started":
            self.active[call_sid] = {
                "call_sid": call_sid,
                "business_id": event.get("business_id"),
                "started_at": event.get("started_at"),
                "transcript": [],
            }
        elif event["type"] == "transcript" and call_sid in self.active:
            self.active[call_sid]["transcript"].append(event["entry"])
        elif event["type"] == "call_ended":
            self.active.pop(call_sid, None)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=self._max_queue)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
