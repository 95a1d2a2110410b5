"""Which media streams become calls: a bounded wait for `start`, one stream per call, and capacity.

A socket counts against the worker's capacity only once its `start` carried a valid stream token, so
anonymous sockets never make the worker look full on /health (where the functions route calls). The
sockets still waiting for `start` are bounded: past the bound, the one that has waited longest is timed
out at once. Twilio sends `start` within milliseconds of opening the socket, so a flood of idle sockets
neither piles up nor keeps real calls out.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from shared.signatures import STREAM_TOKEN_TTL_S

log = logging.getLogger(__name__)
MAX_WAITING_SOCKETS = 32


class Admission(StrEnum):
    ADMITTED = "admitted"
    FULL = "full"  # the worker has no room: the stream closes before any audio, Twilio follows <Connect action>
    REUSED = "reused"  # the token was used already, or the call already has a stream


class CallAdmission:
    """One per worker process. Not thread-safe: it lives on the server's event loop."""

    def __init__(
        self, *, capacity: int, max_waiting: int = MAX_WAITING_SOCKETS, token_ttl_s: float = STREAM_TOKEN_TTL_S
    ) -> None:
        self.capacity = capacity
        self.max_waiting = max_waiting
        self._token_ttl_s = token_ttl_s
        self._waiting: dict[asyncio.Timeout, None] = {}  # an ordered set, oldest first
        self._active: set[str] = set()  # call sids with a stream on this worker
        self._used: dict[bytes, float] = {}  # token digest → when it can be forgotten (monotonic), oldest first
        self.evicted = 0
        self.refused_full = 0
        self._idle = asyncio.Event()  # no call on this worker: background work may use the models
        self._idle.set()

    @property
    def active(self) -> int:
        return len(self._active)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @contextmanager
    def waiting_for_start(self, deadline: asyncio.Timeout) -> Iterator[None]:
        """Count a socket as waiting for `start` while inside; `deadline` bounds its wait."""
        self._waiting[deadline] = None
        try:
            self._evict_beyond_bound()
            yield
        finally:
            self._waiting.pop(deadline, None)

    def _evict_beyond_bound(self) -> None:
        now = asyncio.get_running_loop().time()
        while len(self._waiting) > self.max_waiting:
            oldest = next(iter(self._waiting))
            del self._waiting[oldest]
            if not oldest.expired():
                oldest.reschedule(now)  # its wait for `start` ends now
                self.evicted += 1
        if self.evicted and self.evicted % 100 == 1:
            log.warning("sockets waiting for start beyond the bound were closed", extra={"count": self.evicted})

    def admit(self, *, call_sid: str, token: str) -> Admission:
        """Decide for a stream whose token is valid. An admitted call must be `release`d when it ends."""
        now = time.monotonic()
        self._forget_expired(now)
        digest = hashlib.sha256(token.encode()).digest()
        if digest in self._used or call_sid in self._active:
            return Admission.REUSED
        self._used[digest] = now + self._token_ttl_s
        if len(self._active) >= self.capacity:
            self.refused_full += 1
            return Admission.FULL
        self._active.add(call_sid)
        self._idle.clear()
        return Admission.ADMITTED

    def release(self, call_sid: str) -> None:
        self._active.discard(call_sid)
        if not self._active:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Until no call is on this worker (background synthesis must not queue ahead of a caller)."""
        await self._idle.wait()

    def _forget_expired(self, now: float) -> None:
        """Tokens past their lifetime fail verification anyway: no need to remember them."""
        while self._used:
            digest, forget_at = next(iter(self._used.items()))
            if forget_at > now:
                return
            del self._used[digest]
