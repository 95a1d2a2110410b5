"""Call legs: the media streams one call was connected to, so a fail-over never repeats a failed worker.

The worker may mark its leg `agent_completed` (`mark_agent_completed`) before it closes the stream on
purpose; the stream's end (functions/stream_end.py) then answers `<Hangup/>` without asking anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.database import Database, Row, utc_now

Outcome = Literal["agent_completed", "failed", "voicemail"]


@dataclass(frozen=True)
class CallLeg:
    call_sid: str
    leg: int
    worker_id: str | None
    started_at: str
    ended_at: str | None
    outcome: str | None


def _from_row(row: Row) -> CallLeg:
    return CallLeg(**row)


async def start_leg(db: Database, *, call_sid: str, leg: int, worker_id: str | None) -> None:
    """Record that leg `leg` streams to `worker_id`; a repeated webhook changes nothing."""
    await db.execute(
        "INSERT INTO call_legs (call_sid, leg, worker_id, started_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (call_sid, leg) DO NOTHING",
        (call_sid, leg, worker_id, utc_now()),
    )


async def list_legs(db: Database, call_sid: str) -> list[CallLeg]:
    rows = await db.fetch_all("SELECT * FROM call_legs WHERE call_sid = ? ORDER BY leg", (call_sid,))
    return [_from_row(row) for row in rows]


async def end_leg(db: Database, *, call_sid: str, leg: int, outcome: Outcome) -> bool:
    """Close a running leg; False when it had already ended (a repeated action request)."""
    changed = await db.execute(
        "UPDATE call_legs SET outcome = ?, ended_at = ? WHERE call_sid = ? AND leg = ? AND outcome IS NULL",
        (outcome, utc_now(), call_sid, leg),
    )
    return changed > 0


async def mark_agent_completed(db: Database, call_sid: str) -> None:
    """The worker's marker, written before it closes a stream because the agent finished the call."""
    await db.execute(
        "UPDATE call_legs SET outcome = 'agent_completed', ended_at = ?"
        " WHERE call_sid = ? AND outcome IS NULL AND leg = (SELECT MAX(leg) FROM call_legs WHERE call_sid = ?)",
        (utc_now(), call_sid, call_sid),
    )
