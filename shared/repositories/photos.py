"""Photos customers uploaded for a call; the bytes live in blob storage under `blob_key`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from shared.database import Database, Row, utc_now


@dataclass(frozen=True)
class Photo:
    id: str
    call_id: str
    blob_key: str
    content_type: str
    size_bytes: int
    original_name: str  # sanitised client file name, for display only
    created_at: str


def new_photo_id() -> str:
    return "ph_" + secrets.token_urlsafe(16)


def photo_blob_key(*, photo_id: str, extension: str) -> str:
    """Storage keys never contain anything the client chose, nor the call id (the call page's credential).

    Still under `calls/`, where the bucket's expiry rule applies. Photos stored before under
    `calls/{call_id}/photos/` stay readable: every read goes through the key kept on the photo's row.
    """
    return f"calls/photos/{photo_id}.{extension}"


def _from_row(row: Row) -> Photo:
    return Photo(**row)


async def add_photo(
    db: Database,
    *,
    photo_id: str,
    call_id: str,
    blob_key: str,
    content_type: str,
    size_bytes: int,
    original_name: str,
) -> Photo:
    created_at = utc_now()
    await db.execute(
        "INSERT INTO photos (id, call_id, blob_key, content_type, size_bytes, original_name, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (photo_id, call_id, blob_key, content_type, size_bytes, original_name, created_at),
    )
    return Photo(photo_id, call_id, blob_key, content_type, size_bytes, original_name, created_at)


async def list_photos(db: Database, call_id: str) -> list[Photo]:
    rows = await db.fetch_all("SELECT * FROM photos WHERE call_id = ? ORDER BY created_at, id", (call_id,))
    return [_from_row(row) for row in rows]


async def get_photo_by_key(db: Database, blob_key: str) -> Photo | None:
    row = await db.fetch_one("SELECT * FROM photos WHERE blob_key = ?", (blob_key,))
    return _from_row(row) if row else None


async def delete_photo(db: Database, photo_id: str) -> bool:
    return await db.execute("DELETE FROM photos WHERE id = ?", (photo_id,)) > 0
