"""Recordings are kept for their business's retention days, then deleted by the scheduled sweep.

GIVEN recorded calls in the libSQL file and their files in the blob folder, WHEN the sweep runs, THEN a
recording older than its business's retention is gone (file and fields) and a newer one is kept; a
business that keeps recordings longer keeps an old one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.recording_retention import delete_expired
from shared.blob_storage import BlobNotFound, LocalBlobStorage
from shared.database import Database
from shared.repositories.businesses import create_business, update_business
from shared.repositories.calls import create_call, get_call
from shared.settings import Settings

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def _recorded_call(db: Database, blobs: LocalBlobStorage, *, business_id: str, sid: str, age_days: int) -> str:
    call = await create_call(
        db, call_sid=sid, from_number="+15555550123", to_number="+15550100001", business_id=business_id
    )
    started = (NOW - timedelta(days=age_days)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    key = f"calls/recordings/{sid}.wav"
    await blobs.put(key, b"RIFF....WAVE", content_type="audio/wav")
    await db.execute(
        "UPDATE calls SET started_at = ?, recording_key = ?, recording_ms = 4000 WHERE id = ?", (started, key, call.id)
    )
    return call.id


async def test_the_sweep_deletes_what_is_past_each_business_retention_and_keeps_the_rest(
    db: Database, settings: Settings
) -> None:
    blobs = LocalBlobStorage(root=settings.blob_dir)
    plumber = await create_business(db, name="Plumber", owner_phone="+15550109999")  # 90 days by default
    clinic = await create_business(db, name="Clinic", owner_phone="+15550108888")
    await update_business(db, clinic.id, recording_retention_days=7)
    old = await _recorded_call(db, blobs, business_id=plumber.id, sid="CA" + "1" * 32, age_days=91)
    recent = await _recorded_call(db, blobs, business_id=plumber.id, sid="CA" + "2" * 32, age_days=30)
    clinic_old = await _recorded_call(db, blobs, business_id=clinic.id, sid="CA" + "3" * 32, age_days=8)
    clinic_new = await _recorded_call(db, blobs, business_id=clinic.id, sid="CA" + "4" * 32, age_days=6)
    # WHEN the sweep runs
    outcome = await delete_expired(db, blobs, now=NOW)
    # THEN the two past their business's retention are gone, file and fields
    assert outcome == {"deleted": 2, "failed": 0}
    for call_id in (old, clinic_old):
        call = await get_call(db, call_id)
        assert call is not None
        assert (call.recording_key, call.recording_ms) == (None, None)
    for sid in ("1", "3"):
        with pytest.raises(BlobNotFound):
            await blobs.get(f"calls/recordings/CA{sid * 32}.wav")
    # ... and the newer ones stay, playable
    for call_id, sid in ((recent, "2"), (clinic_new, "4")):
        call = await get_call(db, call_id)
        assert call is not None
        assert call.recording_key == f"calls/recordings/CA{sid * 32}.wav"
        assert await blobs.get(call.recording_key) == b"RIFF....WAVE"
    # a second pass has nothing left to do
    assert await delete_expired(db, blobs, now=NOW) == {"deleted": 0, "failed": 0}
