"""Businesses: who we answer for, and where their calls are reported."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from shared.database import Database, Row, utc_now

EDITABLE = (
    "name",
    "owner_phone",
    "owner_email",
    "timezone",
    "opening_hours",
    "voice",
    "enabled",
    "language",
    "recording_retention_days",
)


@dataclass(frozen=True)
class Business:
    id: str
    name: str
    owner_phone: str
    owner_email: str
    timezone: str
    opening_hours: str
    voice: str
    enabled: bool
    created_at: str
    updated_at: str
    language: str = "en"  # the owner's messages and call page are in it (migration 0110)
    recording_retention_days: int = 90  # call recordings older than this are deleted (migration 0140)


def _from_row(row: Row) -> Business:
    return Business(**{**row, "enabled": bool(row["enabled"])})


async def create_business(
    db: Database,
    *,
    name: str,
    owner_phone: str,
    owner_email: str = "",
    timezone: str = "America/New_York",
    opening_hours: str = "",
    voice: str = "af_heart",
    business_id: str | None = None,
    language: str = "en",
    recording_retention_days: int = 90,
) -> Business:
    now = utc_now()
    new_id = business_id or "biz_" + secrets.token_hex(8)
    await db.execute(
        "INSERT INTO businesses (id, name, owner_phone, owner_email, timezone, opening_hours, voice,"
        " enabled, created_at, updated_at, language, recording_retention_days)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
        (
            new_id,
            name,
            owner_phone,
            owner_email,
            timezone,
            opening_hours,
            voice,
            now,
            now,
            language,
            recording_retention_days,
        ),
    )
    found = await get_business(db, new_id)
    assert found is not None
    return found


async def get_business(db: Database, business_id: str) -> Business | None:
    row = await db.fetch_one("SELECT * FROM businesses WHERE id = ?", (business_id,))
    return _from_row(row) if row else None


async def list_businesses(db: Database) -> list[Business]:
    return [_from_row(row) for row in await db.fetch_all("SELECT * FROM businesses ORDER BY name")]


async def update_business(db: Database, business_id: str, **changes: Any) -> Business | None:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"cannot change business fields: {sorted(unknown)}")
    if changes:
        columns = ", ".join(f"{name} = ?" for name in changes)
        values = [int(v) if isinstance(v, bool) else v for v in changes.values()]
        await db.execute(
            f"UPDATE businesses SET {columns}, updated_at = ? WHERE id = ?",  # noqa: S608 - names from EDITABLE
            (*values, utc_now(), business_id),
        )
    return await get_business(db, business_id)
