"""Calls: one row per call sid, from the first webhook to the final report."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from shared.database import Database, Row, utc_now

# Twilio's call statuses in the order a call moves through them; a late callback never moves back.
STATUS_ORDER = ("queued", "initiated", "ringing", "in-progress", "completed", "busy", "no-answer", "canceled", "failed")
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})


@dataclass(frozen=True)
class Call:
    id: str
    call_sid: str
    business_id: str | None
    from_number: str
    to_number: str
    direction: str
    status: str
    mode: str
    worker_id: str | None
    started_at: str
    ended_at: str | None
    duration_s: int | None
    transcript: list[dict[str, Any]]
    extraction: dict[str, Any] | None
    extraction_status: str | None
    urgency: str | None
    latency: list[dict[str, Any]]
    dtmf: str
    end_reason: str | None
    goal: str | None
    recording_url: str | None
    recording_sid: str | None
    recording_duration_s: int | None
    voicemail: bool
    reported_at: str | None
    fields: list[dict[str, Any]] = field(default_factory=list)  # the definition's fields (calls/report.py)
    language: str | None = None
    agent_version: int | None = None
    recording_key: str | None = None  # both sides of the call, a stereo WAV in blob storage (migration 0140)
    recording_ms: int | None = None


def new_call_id() -> str:
    """128 random bits, URL-safe: the call page link cannot be guessed."""
    return secrets.token_urlsafe(16)


def _from_row(row: Row) -> Call:
    return Call(
        **{
            **row,
            "transcript": json.loads(row["transcript"] or "[]"),
            "latency": json.loads(row["latency"] or "[]"),
            "extraction": json.loads(row["extraction"]) if row["extraction"] else None,
            "voicemail": bool(row["voicemail"]),
            "fields": json.loads(row["fields"]) if row.get("fields") else [],
        }
    )


async def create_call(
    db: Database,
    *,
    call_sid: str,
    from_number: str,
    to_number: str,
    business_id: str | None,
    status: str = "ringing",
    direction: str = "inbound",
    mode: str = "live",
    worker_id: str | None = None,
    goal: str | None = None,
) -> Call:
    """Create the call row, or return the existing one for a repeated webhook (Twilio retries)."""
    await db.execute(
        "INSERT INTO calls (id, call_sid, business_id, from_number, to_number, direction, status, mode,"
        " worker_id, started_at, goal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (call_sid) DO NOTHING",
        (
            new_call_id(),
            call_sid,
            business_id,
            from_number,
            to_number,
            direction,
            status,
            mode,
            worker_id,
            utc_now(),
            goal,
        ),
    )
    call = await get_call_by_sid(db, call_sid)
    assert call is not None
    return call


async def get_call_by_sid(db: Database, call_sid: str) -> Call | None:
    row = await db.fetch_one("SELECT * FROM calls WHERE call_sid = ?", (call_sid,))
    return _from_row(row) if row else None


async def get_call(db: Database, call_id: str) -> Call | None:
    row = await db.fetch_one("SELECT * FROM calls WHERE id = ?", (call_id,))
    return _from_row(row) if row else None


async def record_status(db: Database, *, call_sid: str, status: str, duration_s: int | None) -> bool:
    """Record a status callback once; returns False for a repeat. The call's status only moves forward."""
    inserted = await db.execute(
        "INSERT INTO call_status_events (call_sid, status, duration_s, received_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (call_sid, status) DO NOTHING",
        (call_sid, status, duration_s, utc_now()),
    )
    if not inserted:
        return False
    call = await get_call_by_sid(db, call_sid)
    if call is None:
        return True
    rank = STATUS_ORDER.index(status) if status in STATUS_ORDER else -1
    current = STATUS_ORDER.index(call.status) if call.status in STATUS_ORDER else -1
    if rank >= current:
        ended_at = utc_now() if status in FINAL_STATUSES and not call.ended_at else call.ended_at
        await db.execute(
            "UPDATE calls SET status = ?, duration_s = COALESCE(?, duration_s), ended_at = ? WHERE call_sid = ?",
            (status, duration_s, ended_at, call_sid),
        )
    elif duration_s is not None:
        await db.execute("UPDATE calls SET duration_s = ? WHERE call_sid = ?", (duration_s, call_sid))
    return True


async def status_history(db: Database, call_sid: str) -> list[Row]:
    return await db.fetch_all(
        "SELECT status, duration_s, received_at FROM call_status_events WHERE call_sid = ? ORDER BY id",
        (call_sid,),
    )


async def record_recording(
    db: Database,
    *,
    call_sid: str,
    recording_url: str,
    recording_sid: str,
    duration_s: int | None,
    voicemail: bool,
) -> bool:
    changed = await db.execute(
        "UPDATE calls SET recording_url = ?, recording_sid = ?, recording_duration_s = ?,"
        " voicemail = MAX(voicemail, ?) WHERE call_sid = ?",
        (recording_url, recording_sid, duration_s, int(voicemail), call_sid),
    )
    return changed > 0


async def mark_voicemail(db: Database, call_sid: str) -> None:
    await db.execute("UPDATE calls SET voicemail = 1 WHERE call_sid = ?", (call_sid,))


async def update_live_progress(
    db: Database, *, call_sid: str, transcript: list[dict[str, Any]], latency: list[dict[str, Any]], dtmf: str
) -> None:
    """The worker writes the transcript and per-turn latency as the call goes on."""
    await db.execute(
        "UPDATE calls SET transcript = ?, latency = ?, dtmf = ?,"
        " status = CASE WHEN status IN ('queued', 'initiated', 'ringing') THEN 'in-progress' ELSE status END"
        " WHERE call_sid = ?",
        (json.dumps(transcript), json.dumps(latency), dtmf, call_sid),
    )


async def list_recent_calls(db: Database, *, limit: int = 50, business_id: str | None = None) -> list[Call]:
    if business_id:
        rows = await db.fetch_all(
            "SELECT * FROM calls WHERE business_id = ? ORDER BY started_at DESC LIMIT ?", (business_id, limit)
        )
    else:
        rows = await db.fetch_all("SELECT * FROM calls ORDER BY started_at DESC LIMIT ?", (limit,))
    return [_from_row(row) for row in rows]
