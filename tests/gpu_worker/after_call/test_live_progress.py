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
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_NUMBER, seed_demo_business
from shared.repositories import calls
from shared.settings import Settings
from tests.gpu_worker.fake_stages import fake_models
from tests.gpu_worker.worker_on_loopback import call_parameters, twilio_stream, worker_on_loopback

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


async def test_a_live_call_has_its_transcript_stored_before_it_ends(settings: Settings, db: Database) -> None:
    # GIVEN the call row /incoming-call creates, and the real worker on loopback
    await seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=2)
    await calls.create_call(
        db, call_sid=CALL_SID, from_number="+15555550123", to_number=DEMO_NUMBER, business_id=DEMO_BUSINESS_ID
    )
    with worker_on_loopback(settings, fake_models(caller_lines=[])) as url:
        params = call_parameters(settings, CALL_SID, business_id=DEMO_BUSINESS_ID)
        # WHEN the call is answered and still going on
        async with twilio_stream(url, call_sid=CALL_SID, parameters=params) as call:
            await asyncio.wait_for(call.heard_audio.wait(), timeout=10)
            stored = await _stored_transcript(db)
            # THEN the greeting is already in the database: a worker crash now would not lose it
            assert call.close_code is None
    assert stored[0]["speaker"] == "agent"
    assert stored[0]["text"]


async def _stored_transcript(db: Database) -> list[dict[str, Any]]:
    for _ in range(100):
        call = await calls.get_call_by_sid(db, CALL_SID)
        if call is not None and call.transcript:
            return call.transcript
        await asyncio.sleep(0.05)  # written by the worker's ordered writer, on its own connection
    raise AssertionError("the live transcript was never stored")
