"""What an uploaded photo keeps and where it lives: no location in any kind of photo, no call id in its key."""

from __future__ import annotations

import httpx
import pytest

from shared.database import Database
from shared.repositories.photos import add_photo, list_photos, new_photo_id
from shared.settings import Settings
from tests.functions.test_photo_upload import JSON, reported_call
from tests.image_samples import JPEG_BYTES, PHOTO_KINDS, gps_read_back, photo_with_gps


@pytest.mark.parametrize("kind", PHOTO_KINDS)
async def test_a_photo_of_each_kind_is_stored_without_its_location(
    client: httpx.AsyncClient, settings: Settings, db: Database, kind: str
) -> None:
    # GIVEN a real photo of this kind (made by Pillow) whose EXIF holds a location
    call_id, token = await reported_call(client, settings, db)
    original = photo_with_gps(kind)
    assert any(gps_read_back(original))
    # WHEN the caller uploads it
    response = await client.post(f"/photo/{token}", files={"photos": (f"photo.{kind}", original)}, headers=JSON)
    assert response.status_code == 200, response.text
    # THEN what the owner is served has no location in any of its pictures (read back with Pillow)
    [photo] = await list_photos(db, call_id)
    served = await client.get(f"/blobs/{photo.blob_key}")
    assert served.status_code == 200
    assert gps_read_back(served.content) == [{}]


async def test_a_photo_key_does_not_carry_the_call_id(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a reported call WHEN a photo is uploaded for it
    call_id, token = await reported_call(client, settings, db)
    await client.post(f"/photo/{token}", files={"photos": ("a.jpg", JPEG_BYTES)}, headers=JSON)
    # THEN its key (and so its URL on the call page) does not reveal the call page's credential
    [photo] = await list_photos(db, call_id)
    assert call_id not in photo.blob_key
    assert call_id not in (await client.get(f"/c/{call_id}")).text.split("<img", 1)[1]


async def test_a_photo_stored_under_the_old_key_is_still_shown(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a photo stored before keys changed, under calls/{call_id}/photos/
    call_id, _ = await reported_call(client, settings, db)
    photo_id = new_photo_id()
    old_key = f"calls/{call_id}/photos/{photo_id}.jpg"
    (settings.blob_dir / old_key).parent.mkdir(parents=True, exist_ok=True)
    (settings.blob_dir / old_key).write_bytes(JPEG_BYTES)
    await add_photo(
        db,
        photo_id=photo_id,
        call_id=call_id,
        blob_key=old_key,
        content_type="image/jpeg",
        size_bytes=len(JPEG_BYTES),
        original_name="old.jpg",
    )
    # WHEN the owner opens the call page and the photo
    html = (await client.get(f"/c/{call_id}")).text
    served = await client.get(f"/blobs/{old_key}")
    # THEN it is still there
    assert f'<img src="/blobs/{old_key}"' in html
    assert served.status_code == 200
    assert served.content == JPEG_BYTES
