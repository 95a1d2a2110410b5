"""The parts of a transferred call (migration 0160): a stream's report that handed the call to a person,
paired in order with the <Dial> outcome Twilio sent for it."""

from __future__ import annotations

from dataclasses import dataclass

from shared.database import Database

ANSWERED = frozenset({"completed", "answered"})


@dataclass(frozen=True)
class Handoff:
    call_sid: str
    part: int
    report: str | None  # the stream's report JSON (a CallReport), once it came
    dial_status: str | None  # Twilio's DialCallStatus, once it came

    @property
    def answered(self) -> bool:
        return self.dial_status in ANSWERED


async def list_handoffs(db: Database, call_sid: str) -> list[Handoff]:
    rows = await db.fetch_all("SELECT * FROM call_handoffs WHERE call_sid = ? ORDER BY part", (call_sid,))
    return [Handoff(**row) for row in rows]


async def add_report(db: Database, call_sid: str, report_json: str) -> Handoff:
    """The next handed-off report: into the first part that has none yet (its dial outcome came first)."""
    return await _fill(db, call_sid, "report", report_json)


async def add_dial_status(db: Database, call_sid: str, status: str) -> Handoff:
    """The next <Dial> outcome: into the first part that has none yet (its report came first)."""
    return await _fill(db, call_sid, "dial_status", status)


async def _fill(db: Database, call_sid: str, column: str, value: str) -> Handoff:
    assert column in ("report", "dial_status")
    open_part = await db.fetch_one(
        f"SELECT part FROM call_handoffs WHERE call_sid = ? AND {column} IS NULL ORDER BY part LIMIT 1",  # noqa: S608
        (call_sid,),
    )
    if open_part is not None:
        await db.execute(
            f"UPDATE call_handoffs SET {column} = ? WHERE call_sid = ? AND part = ?",  # noqa: S608
            (value, call_sid, open_part["part"]),
        )
        part = int(open_part["part"])
    else:
        await db.execute(
            f"INSERT INTO call_handoffs (call_sid, part, {column}) VALUES"  # noqa: S608
            " (?, (SELECT COALESCE(MAX(part), 0) + 1 FROM call_handoffs WHERE call_sid = ?), ?)",
            (call_sid, call_sid, value),
        )
        row = await db.fetch_one(
            f"SELECT MAX(part) AS part FROM call_handoffs WHERE call_sid = ? AND {column} = ?",  # noqa: S608
            (call_sid, value),
        )
        part = int(row["part"]) if row is not None else 1
    handoffs = await list_handoffs(db, call_sid)
    return next(handoff for handoff in handoffs if handoff.part == part)
