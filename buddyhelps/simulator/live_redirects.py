"""Inbound calls in progress that the simulated REST API may redirect, as Twilio's `POST Calls/{sid}.json`
with `Twiml=` does (a transfer): the call leaves its media stream and runs the new TwiML instead. The
<Connect action> is not asked then: Twilio drops the rest of a redirected call's document."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class LiveRedirects:
    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[str]] = {}

    @contextmanager
    def watching(self, call_sid: str) -> Iterator[asyncio.Future[str]]:
        """While the caller is on a stream: the future gets the TwiML the call is redirected to."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting[call_sid] = future
        try:
            yield future
        finally:
            self._waiting.pop(call_sid, None)
            future.cancel()

    def redirect(self, call_sid: str, twiml: str) -> bool:
        """False: no such call in progress (Twilio answers 404 or 21220)."""
        future = self._waiting.get(call_sid)
        if future is None or future.done():
            return False
        future.set_result(twiml)
        return True
