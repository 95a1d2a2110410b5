"""Phone numbers: which business a dialled number belongs to, demo or live, and its worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.database import Database, Row, utc_now

Mode = Literal["demo", "live"]


@dataclass(frozen=True)
class PhoneNumber:
    e164: str
    business_id: str
    mode: Mode
    worker_id: str | None
    twilio_sid: str | None
    created_at: str


def _from_row(row: Row) -> PhoneNumber:
    return PhoneNumber(**row)


async def add_number(
    db: Database,
    *,
    e164: str,
    business_id: str,
    mode: Mode = "live",
    worker_id: str | None = None,
    twilio_sid: str | None = None,
) -> PhoneNumber:
    await db.execute(
        "INSERT INTO phone_numbers (e164, business_id, mode, worker_id, twilio_sid, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (e164, business_id, mode, worker_id, twilio_sid, utc_now()),
    )
    found = await get_number(db, e164)
    assert found is not None
    return found


async def get_number(db: Database, e164: str) -> PhoneNumber | None:
    row = await db.fetch_one("SELECT * FROM phone_numbers WHERE e164 = ?", (e164,))
    return _from_row(row) if row else None


async def list_numbers(db: Database, *, business_id: str | None = None) -> list[PhoneNumber]:
    if business_id:
        rows = await db.fetch_all("SELECT * FROM phone_numbers WHERE business_id = ? ORDER BY e164", (business_id,))
    else:
        rows = await db.fetch_all("SELECT * FROM phone_numbers ORDER BY e164")
    return [_from_row(row) for row in rows]


async def assign_number(
    db: Database,
    e164: str,
    *,
    business_id: str | None = None,
    mode: Mode | None = None,
    worker_id: str | None = None,
    clear_worker: bool = False,
) -> PhoneNumber | None:
    current = await get_number(db, e164)
    if current is None:
        return None
    await db.execute(
        "UPDATE phone_numbers SET business_id = ?, mode = ?, worker_id = ? WHERE e164 = ?",
        (
            business_id or current.business_id,
            mode or current.mode,
            None if clear_worker else (worker_id or current.worker_id),
            e164,
        ),
    )
    return await get_number(db, e164)


async def remove_number(db: Database, e164: str) -> bool:
    return await db.execute("DELETE FROM phone_numbers WHERE e164 = ?", (e164,)) > 0
