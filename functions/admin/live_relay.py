"""Relay every worker's GET /events (Server-Sent Events) to one console stream.

One task per worker reads its stream with httpx and puts each event on a shared queue; the console's
stream yields from that queue. When the browser goes away the generator is closed and every task is
cancelled and awaited. Besides the workers' own events, `worker_connected` and `worker_lost` say
when a worker's stream opens and when it drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx

from functions.admin.worker_client import bearer_headers

log = logging.getLogger(__name__)
EVENT_TYPES = frozenset({"call_started", "transcript", "call_ended"})
KEEPALIVE_S = 15.0


def parse_event(data: str, worker_url: str) -> dict[str, Any] | None:
    try:
        event = json.loads(data)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("type") not in EVENT_TYPES or not event.get("call_sid"):
        return None
    return {**event, "worker": worker_url}


def sse_frame(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event)}\n\n".encode()


async def _follow(client: httpx.AsyncClient, worker_url: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
    try:
        async with client.stream("GET", worker_url.rstrip("/") + "/events") as response:
            response.raise_for_status()
            await queue.put({"type": "worker_connected", "worker": worker_url})
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    event = parse_event(line.removeprefix("data:").strip(), worker_url)
                    if event is not None:
                        await queue.put(event)
    except httpx.HTTPError as error:
        log.warning("worker event stream failed", extra={"worker_url": worker_url, "reason": type(error).__name__})
    await queue.put({"type": "worker_lost", "worker": worker_url})


async def relay(worker_urls: list[str], *, token: str) -> AsyncIterator[bytes]:
    """`token`: the workers' bearer token (their /events stream carries callers' words)."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    timeout = httpx.Timeout(10.0, read=None)
    async with httpx.AsyncClient(timeout=timeout, headers=bearer_headers(token)) as client:
        tasks = [asyncio.create_task(_follow(client, url, queue)) for url in worker_urls]
        try:
            yield b": relaying " + str(len(tasks)).encode() + b" worker(s)\n\n"
            while True:
                try:
                    async with asyncio.timeout(KEEPALIVE_S):  # not wait_for: it can drop a cancel on 3.11
                        event = await queue.get()
                except TimeoutError:
                    yield b": keepalive\n\n"  # keeps proxies from closing an idle stream
                    continue
                yield sse_frame(event)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
