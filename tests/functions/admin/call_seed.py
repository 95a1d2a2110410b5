"""Calls as the worker would have reported them, written straight into the database for console tests."""

from __future__ import annotations

import json
from typing import Any

from shared.database import Database, utc_now
from shared.repositories.calls import Call, create_call, get_call
from shared.repositories.notifications import NewNotification, insert_statement


async def seed_call(
    db: Database,
    *,
    call_sid: str,
    business_id: str | None,
    said: list[tuple[str, str]],
    extraction: dict[str, Any] | None = None,
    started_at: str | None = None,
    duration_s: int | None = 95,
    status: str = "completed",
    latency_ms: list[int] | None = None,
    recording_url: str | None = None,
) -> Call:
    call = await create_call(
        db, call_sid=call_sid, from_number="+15125557777", to_number="+15125550100", business_id=business_id
    )
    transcript = [
        {"speaker": speaker, "text": text, "start_ms": index * 3000, "end_ms": index * 3000 + 2500}
        for index, (speaker, text) in enumerate(said)
    ]
    latency = [
        {
            "turn": turn + 1,
            "end_of_turn_wait_ms": 300,
            "stt_ms": 120,
            "llm_first_token_ms": 180,
            "tts_first_audio_ms": 90,
            "voice_to_voice_ms": value,
        }
        for turn, value in enumerate(latency_ms or [])
    ]
    await db.execute(
        "UPDATE calls SET transcript = ?, extraction = ?, extraction_status = ?, urgency = ?, latency = ?,"
        " started_at = ?, duration_s = ?, status = ?, recording_url = ? WHERE id = ?",
        (
            json.dumps(transcript),
            json.dumps(extraction) if extraction else None,
            "ok" if extraction else None,
            (extraction or {}).get("urgency"),
            json.dumps(latency),
            started_at or utc_now(),
            duration_s,
            status,
            recording_url,
            call.id,
        ),
    )
    found = await get_call(db, call.id)
    assert found is not None
    return found


async def seed_failed_sms(db: Database, call_id: str) -> str:
    message = NewNotification(purpose="owner_sms", channel="sms", recipient="+15125559999", body="New call: leak")
    notification_id, statement = insert_statement(message, call_id=call_id, now=utc_now())
    await db.batch([statement])
    await db.execute(
        "UPDATE notifications SET status = 'failed', attempts = 5, last_error = 'provider said no' WHERE id = ?",
        (notification_id,),
    )
    return notification_id
