"""The worker's durable outbox of call reports: written to disk first, then delivered until acknowledged.

`enqueue` writes the report atomically (temporary file, fsync, rename) into `pending/` before anything
is sent, then wakes the delivery task. The task POSTs each report to /api/call-complete, HMAC-signed,
retrying with capped exponential backoff and jitter until a 2xx. A 4xx other than 408/429 cannot be
fixed by retrying: the file moves to `failed/` and an error is logged (`requeue_failed` puts them back
once the cause is fixed). On start the folder is scanned again, so reports survive restarts. The
functions side is idempotent by call sid, so a report delivered twice is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shared.call_report import CallReport
from shared.signatures import CALL_COMPLETE_PATH, sign_report

log = logging.getLogger(__name__)
RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def signed_headers(*, secret: str, body: bytes, path: str, now: float | None = None) -> dict[str, str]:
    """Headers of a worker → functions POST to the route `path` (checked by functions.signed_request)."""
    timestamp = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json",
        "X-BuddyHelps-Timestamp": str(timestamp),
        "X-BuddyHelps-Signature": sign_report(secret=secret, timestamp=timestamp, method="POST", path=path, body=body),
    }


@dataclass(frozen=True)
class RetryPolicy:
    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 120.0
    request_timeout_s: float = 20.0

    def delay_s(self, attempts: int) -> float:
        """Wait after `attempts` failures: exponential, capped, with jitter over its upper half."""
        ceiling = min(self.cap_s, self.base_s * self.factor ** max(0, attempts - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass
class _Pending:
    path: Path
    enqueued_at: float  # wall clock (file mtime), so the age survives restarts
    due: float = 0.0  # monotonic
    attempts: int = 0


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself is durable
    finally:
        os.close(directory)


@dataclass
class _Counters:
    delivered: int = 0
    failed: int = 0
    last_error: str | None = None
    attempts: int = 0


class ReportOutbox:
    def __init__(
        self,
        *,
        directory: Path,
        url: str,
        secret: str,
        policy: RetryPolicy | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self._secret = secret
        self._policy = policy or RetryPolicy()
        self._pending_dir = directory / "pending"
        self._failed_dir = directory / "failed"
        self._client = client
        self._owns_client = client is None
        self._queue: dict[str, _Pending] = {}
        self._wake = asyncio.Event()
        self._changed = asyncio.Condition()
        self._counters = _Counters()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Create the folders, pick up reports left by an earlier run, and start delivering."""
        for folder in (self._pending_dir, self._failed_dir):
            folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(self._pending_dir.glob("*.json"), key=lambda p: p.stat().st_mtime):
            self._queue[path.name] = _Pending(path=path, enqueued_at=path.stat().st_mtime)
        if self._queue:
            log.info("undelivered call reports found at start", extra={"pending": len(self._queue)})
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._policy.request_timeout_s)
        self._task = asyncio.create_task(self.run(), name="report-outbox")

    async def enqueue(self, report: CallReport) -> Path:
        """Write the report to disk (durably), then wake delivery. Returns the file written."""
        name = _UNSAFE.sub("_", report.call_sid) + ".json"
        path = self._pending_dir / name
        self._pending_dir.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(_write_atomically, path, report.model_dump_json().encode())
        self._queue[name] = _Pending(path=path, enqueued_at=time.time())
        self._wake.set()
        await self._notify()
        return path

    async def run(self) -> None:
        """Deliver due reports; sleep until the next one is due or a new one arrives."""
        while True:
            item = min(self._queue.values(), key=lambda p: p.due, default=None)
            if item is None:
                await self._wake.wait()
                self._wake.clear()
                continue
            wait_s = item.due - time.monotonic()
            if wait_s > 0:
                # Woken early by a new report, or the backoff elapsed: either way look again. asyncio.timeout,
                # not wait_for: on 3.11 wait_for drops a cancel that lands as the event is set, and shutdown
                # then waited for this loop for ever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        await self._wake.wait()
                self._wake.clear()
                continue
            await self._deliver(item)
            await self._notify()

    async def _deliver(self, item: _Pending) -> None:
        try:
            body = await asyncio.to_thread(item.path.read_bytes)
        except FileNotFoundError:
            self._queue.pop(item.path.name, None)
            return
        assert self._client is not None, "start() first"
        self._counters.attempts += 1
        try:
            response = await self._client.post(
                self.url, content=body, headers=signed_headers(secret=self._secret, body=body, path=CALL_COMPLETE_PATH)
            )
        except httpx.HTTPError as error:
            self._retry_later(item, f"{type(error).__name__}: {error}")
            return
        if response.is_success:
            await asyncio.to_thread(item.path.unlink, missing_ok=True)
            self._queue.pop(item.path.name, None)
            self._counters.delivered += 1
            log.info("call report delivered", extra={"file": item.path.name, "attempts": item.attempts + 1})
        elif 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_CLIENT_ERRORS:
            await self._give_up(item, f"HTTP {response.status_code}: {response.text[:300]}")
        else:
            self._retry_later(item, f"HTTP {response.status_code}")

    def _retry_later(self, item: _Pending, error: str) -> None:
        item.attempts += 1
        delay = self._policy.delay_s(item.attempts)
        item.due = time.monotonic() + delay
        self._counters.last_error = error
        log.warning(
            "call report not delivered; will retry",
            extra={"file": item.path.name, "error": error, "attempts": item.attempts, "retry_in_s": round(delay, 2)},
        )

    async def _give_up(self, item: _Pending, error: str) -> None:
        target = self._failed_dir / item.path.name
        await asyncio.to_thread(item.path.replace, target)
        self._queue.pop(item.path.name, None)
        self._counters.failed += 1
        self._counters.last_error = error
        log.error(
            "CALL REPORT REFUSED by functions: moved to failed/, not retried (fix the cause, then requeue_failed)",
            extra={"file": str(target), "error": error},
        )

    async def requeue_failed(self) -> int:
        """Move every report in failed/ back to pending/ and deliver them again."""
        moved = 0
        for path in sorted(self._failed_dir.glob("*.json")):
            target = self._pending_dir / path.name
            await asyncio.to_thread(path.replace, target)
            self._queue[target.name] = _Pending(path=target, enqueued_at=target.stat().st_mtime)
            moved += 1
        self._wake.set()
        return moved

    def state(self) -> dict[str, Any]:
        """For the worker's /health: how many reports wait, and since when."""
        oldest = min((p.enqueued_at for p in self._queue.values()), default=None)
        return {
            "pending": len(self._queue),
            "delivered": self._counters.delivered,
            "failed": self._counters.failed,
            "attempts": self._counters.attempts,
            "last_error": self._counters.last_error,
            "oldest_pending_age_s": round(time.time() - oldest, 1) if oldest is not None else None,
        }

    async def wait_until(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Wait (without polling) until the state satisfies `predicate`; wrap in asyncio.timeout."""
        async with self._changed:
            await self._changed.wait_for(lambda: predicate(self.state()))
        return self.state()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def aclose(self) -> None:
        """Stop delivering (reports still pending stay on disk for the next start)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):  # the cancellation we asked for
                await task
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
