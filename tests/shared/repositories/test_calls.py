"""Calls repository: idempotent creation, forward-only status, recordings; file and real sqld server."""

from __future__ import annotations

from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.calls import (
    create_call,
    get_call,
    get_call_by_sid,
    list_recent_calls,
    mark_voicemail,
    record_recording,
    record_status,
    status_history,
    update_live_progress,
)

SID = "CA" + "1" * 32


async def _call(db: Database, call_sid: str = SID, business_id: str | None = "biz_a") -> str:
    if business_id and not await db.fetch_one("SELECT 1 AS x FROM businesses WHERE id = ?", (business_id,)):
        await create_business(db, name="Acme", owner_phone="+15550109999", business_id=business_id)
    call = await create_call(
        db, call_sid=call_sid, from_number="+15557654321", to_number="+15550100001", business_id=business_id
    )
    return call.id


async def test_a_repeated_webhook_returns_the_same_call(any_db: Database) -> None:
    # GIVEN a call created by the first webhook
    first_id = await _call(any_db)
    # WHEN Twilio retries the webhook with the same call sid
    again = await create_call(
        any_db, call_sid=SID, from_number="+15557654321", to_number="+15550100001", business_id="biz_a"
    )
    # THEN it is the same call, still one row, found by id and by sid
    assert again.id == first_id
    assert await any_db.fetch_one("SELECT COUNT(*) AS n FROM calls") == {"n": 1}
    by_id = await get_call(any_db, first_id)
    assert by_id is not None
    assert by_id.call_sid == SID
    assert by_id.status == "ringing"
    assert (by_id.transcript, by_id.latency, by_id.extraction, by_id.voicemail) == ([], [], None, False)
    assert await get_call_by_sid(any_db, "CA" + "0" * 32) is None


async def test_call_page_ids_are_long_and_different_every_time(any_db: Database) -> None:
    # GIVEN two calls WHEN created THEN their page ids differ and are not short enough to guess
    one = await _call(any_db, "CA" + "1" * 32)
    two = await _call(any_db, "CA" + "2" * 32)
    assert one != two
    assert min(len(one), len(two)) >= 21


async def test_status_only_moves_forward_and_repeats_change_nothing(any_db: Database) -> None:
    # GIVEN a ringing call
    await _call(any_db)
    # WHEN it goes in-progress, then completed with a duration
    assert await record_status(any_db, call_sid=SID, status="in-progress", duration_s=None) is True
    assert await record_status(any_db, call_sid=SID, status="completed", duration_s=42) is True
    done = await get_call_by_sid(any_db, SID)
    assert done is not None
    assert (done.status, done.duration_s) == ("completed", 42)
    assert done.ended_at is not None
    # WHEN the completed callback is repeated THEN it reports a repeat and changes nothing
    assert await record_status(any_db, call_sid=SID, status="completed", duration_s=99) is False
    # WHEN a late "ringing" arrives THEN the status does not move back
    assert await record_status(any_db, call_sid=SID, status="ringing", duration_s=None) is True
    after = await get_call_by_sid(any_db, SID)
    assert after is not None
    assert (after.status, after.duration_s, after.ended_at) == ("completed", 42, done.ended_at)
    assert [e["status"] for e in await status_history(any_db, SID)] == ["in-progress", "completed", "ringing"]


async def test_a_late_callback_may_still_bring_the_duration(any_db: Database) -> None:
    # GIVEN a completed call without a duration yet
    await _call(any_db)
    await record_status(any_db, call_sid=SID, status="completed", duration_s=None)
    # WHEN an earlier status arrives late with the duration THEN the duration is kept, the status is not moved
    await record_status(any_db, call_sid=SID, status="in-progress", duration_s=17)
    call = await get_call_by_sid(any_db, SID)
    assert call is not None
    assert (call.status, call.duration_s) == ("completed", 17)


async def test_a_status_for_an_unknown_call_is_kept_in_the_history(any_db: Database) -> None:
    # GIVEN no call row WHEN a status arrives THEN it is recorded as an event without failing
    assert await record_status(any_db, call_sid=SID, status="completed", duration_s=3) is True
    assert [(e["status"], e["duration_s"]) for e in await status_history(any_db, SID)] == [("completed", 3)]


async def test_a_voicemail_recording_is_stored_on_the_call(any_db: Database) -> None:
    # GIVEN a call that went to voicemail
    await _call(any_db)
    await mark_voicemail(any_db, SID)
    # WHEN the recording arrives (without the voicemail flag this time)
    stored = await record_recording(
        any_db,
        call_sid=SID,
        recording_url="https://api.twilio.com/rec/RE1",
        recording_sid="RE1",
        duration_s=9,
        voicemail=False,
    )
    # THEN it is stored and the call stays a voicemail
    assert stored is True
    call = await get_call_by_sid(any_db, SID)
    assert call is not None
    assert (call.recording_sid, call.recording_url, call.recording_duration_s, call.voicemail) == (
        "RE1",
        "https://api.twilio.com/rec/RE1",
        9,
        True,
    )
    # AND a recording for an unknown call reports that nothing was stored
    assert not await record_recording(
        any_db, call_sid="CA" + "9" * 32, recording_url="u", recording_sid="RE2", duration_s=None, voicemail=True
    )


async def test_live_progress_stores_the_transcript_and_marks_the_call_in_progress(any_db: Database) -> None:
    # GIVEN a ringing call
    await _call(any_db)
    # WHEN the worker writes progress
    transcript = [{"role": "caller", "text": "my sink is clogged", "t": 1.2}]
    await update_live_progress(any_db, call_sid=SID, transcript=transcript, latency=[{"turn": 1, "ms": 640}], dtmf="0")
    # THEN it reads back and the call is in progress
    call = await get_call_by_sid(any_db, SID)
    assert call is not None
    assert (call.transcript, call.latency, call.dtmf, call.status) == (
        transcript,
        [{"turn": 1, "ms": 640}],
        "0",
        "in-progress",
    )


async def test_recent_calls_come_newest_first_per_business(any_db: Database) -> None:
    # GIVEN three calls, two for business A and one for B
    await _call(any_db, "CA" + "1" * 32, "biz_a")
    await _call(any_db, "CA" + "2" * 32, "biz_b")
    await _call(any_db, "CA" + "3" * 32, "biz_a")
    # WHEN listed THEN the newest come first, filtered and limited as asked
    assert [c.call_sid[2] for c in await list_recent_calls(any_db)] == ["3", "2", "1"]
    assert [c.call_sid[2] for c in await list_recent_calls(any_db, business_id="biz_a")] == ["3", "1"]
    assert len(await list_recent_calls(any_db, limit=1)) == 1
