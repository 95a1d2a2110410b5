"""The call's transcript in the database while the call goes on, written in order.

Every change only marks the record dirty; one writer at a time writes the record as it is *when the
write starts*, so a later write never carries an older transcript than an earlier one, and a burst of
lines becomes one or two writes. A crash mid-call leaves the last written transcript stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from gpu_worker.after_call.call_record import CallRecord
from shared.database import Database, DatabaseError
from shared.repositories.calls import update_live_progress

log = logging.getLogger(__name__)
FINAL_WRITE_TIMEOUT_S = 5.0


class LiveProgress:
    def __init__(self, *, record: CallRecord, database: Callable[[], Awaitable[Database]]) -> None:
        self._record = record
        self._database = database
        self._dirty = False
        self._writer: asyncio.Task[None] | None = None
        self.writes = 0

    def changed(self) -> None:
        """The record changed: write it soon (never blocks the caller's audio)."""
        self._dirty = True
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_while_dirty(), name="live-progress")

    async def _write_while_dirty(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self._write()
            except DatabaseError as error:  # the next change (or the end of the call) writes it again
                log.warning("could not store the call's progress", extra={"reason": str(error)})

    async def _write(self) -> None:
        db = await self._database()
        record = self._record
        await update_live_progress(
            db,
            call_sid=record.call_sid,
            transcript=record.transcript_json(),
            latency=record.latency_json(),
            dtmf=record.dtmf,
        )
        self.writes += 1

    async def aclose(self) -> None:
        """At the end of the call: let the last change reach the database (bounded), then stop."""
        writer = self._writer
        if writer is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(writer), timeout=FINAL_WRITE_TIMEOUT_S)
        except TimeoutError:
            log.warning("the call's last progress write did not finish in time")
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        except Exception:
            log.exception("storing the call's progress failed")
