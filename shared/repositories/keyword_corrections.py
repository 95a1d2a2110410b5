"""Keyword corrections: words speech-to-text tends to mishear, per business or global."""

from __future__ import annotations

from dataclasses import dataclass

from shared.database import Database, Row, utc_now


@dataclass(frozen=True)
class KeywordCorrection:
    id: int
    business_id: str | None  # None: applies to every business
    heard: str
    corrected: str
    created_at: str


class InvalidCorrection(ValueError):
    pass


def _from_row(row: Row) -> KeywordCorrection:
    return KeywordCorrection(**row)


def _check(heard: str, corrected: str) -> tuple[str, str]:
    heard, corrected = heard.strip(), corrected.strip()
    if not heard or not corrected:
        raise InvalidCorrection("both the misheard text and its correction are required")
    if heard.lower() == corrected.lower():
        raise InvalidCorrection("the correction is the same as the misheard text")
    if len(heard) > 100 or len(corrected) > 100:
        raise InvalidCorrection("corrections are limited to 100 characters")
    return heard, corrected


async def add_correction(
    db: Database, *, heard: str, corrected: str, business_id: str | None = None
) -> KeywordCorrection:
    heard, corrected = _check(heard, corrected)
    await db.execute(
        "INSERT INTO keyword_corrections (business_id, heard, corrected, created_at) VALUES (?, ?, ?, ?)",
        (business_id, heard, corrected, utc_now()),
    )
    row = await db.fetch_one(
        "SELECT * FROM keyword_corrections WHERE COALESCE(business_id, '') = ? AND lower(heard) = lower(?)",
        (business_id or "", heard),
    )
    assert row is not None
    return _from_row(row)


async def update_correction(db: Database, correction_id: int, *, heard: str, corrected: str) -> bool:
    heard, corrected = _check(heard, corrected)
    changed = await db.execute(
        "UPDATE keyword_corrections SET heard = ?, corrected = ? WHERE id = ?", (heard, corrected, correction_id)
    )
    return changed > 0


async def delete_correction(db: Database, correction_id: int) -> bool:
    return await db.execute("DELETE FROM keyword_corrections WHERE id = ?", (correction_id,)) > 0


async def corrections_for(db: Database, business_id: str | None) -> list[KeywordCorrection]:
    """The business's own corrections plus the global ones (business-specific listed first)."""
    rows = await db.fetch_all(
        "SELECT * FROM keyword_corrections WHERE business_id IS NULL OR business_id = ?"
        " ORDER BY business_id IS NULL, heard",
        (business_id,),
    )
    return [_from_row(row) for row in rows]


async def list_corrections(db: Database) -> list[KeywordCorrection]:
    rows = await db.fetch_all("SELECT * FROM keyword_corrections ORDER BY business_id IS NULL, business_id, heard")
    return [_from_row(row) for row in rows]
