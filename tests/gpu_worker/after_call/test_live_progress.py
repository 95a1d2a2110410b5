"""The call's transcript in the database while the call goes on: written in order, never rolled back by a
slow earlier write, and the last state stored when the call ends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.after_call.live_progress import LiveProgress
from shared.database import Database
from shared.repositories import calls

CALL_SID = "CA" + "7" * 32


class UnevenDatabase(Database):
    """The real libSQL file, with the round trips of a remote database: the first write is slow."""

    def __init__(self, real: Database) -> None:
        super().__init__(client=real._client, url=real.url)
        self.written: list[int] = []  # transcript lines per write, in the order writes landed

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        slow = not self.written and sql.startswith("UPDATE calls SET transcript")
        await asyncio.sleep(0.2 if slow else 0.005)
        changed = await super().execute(sql, args)
        if sql.startswith("UPDATE calls SET transcript"):
            self.written.append(len(json.loads(args[0])))
        return changed


async def test_lines_added_during_a_slow_write_are_stored_after_it_never_before(db: Database) -> None:
    # GIVEN a call in progress and a database whose first write is slow
    await calls.create_call(
        db, call_sid=CALL_SID, from_number="+15555550123", to_number="+15550100001", business_id=None
    )
    uneven = UnevenDatabase(db)

    async def database() -> Database:
        return uneven

    record = CallRecord(call_sid=CALL_SID, business_id=None, from_number="+15555550123", to_number="+15550100001")
    progress = LiveProgress(record=record, database=database)
    # WHEN the greeting, the caller's answer and the agent's reply are added one after another
    for speaker, text in (("agent", "Thanks for calling."), ("caller", "My pipe burst."), ("agent", "Where?")):
        record.add(speaker, text, start_ms=0, end_ms=10)  # type: ignore[arg-type]
        progress.changed()
        await asyncio.sleep(0.01)  # the lines come faster than the slow write
    progress.changed()
    await progress.aclose()
    # THEN every write carried at least as many lines as the one before, and all three are stored
    assert uneven.written == sorted(uneven.written)
    assert uneven.written[-1] == 3
    stored = await calls.get_call_by_sid(db, CALL_SID)
    assert stored is not None
    assert [entry["text"] for entry in stored.transcript] == ["Thanks for calling.", "My pipe burst.", "Where?"]
