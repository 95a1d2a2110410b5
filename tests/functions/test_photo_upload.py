"""GET|POST /photo/{token}: tokens, limits, types, sizes and location stripping, through the local app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from functions.photo_upload import current_time
from shared.database import Database
from shared.image_upload import gps_entry_count
from shared.repositories.photo_tokens import create_photo_token
from shared.repositories.photos import list_photos
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, OWNER_PHONE, make_report, post_report
from tests.image_samples import JPEG_BYTES, LATITUDE_RATIONALS, PNG_BYTES, WEBP_BYTES, jpeg_with_location

JSON = {"Accept": "application/json"}


async def reported_call(client: httpx.AsyncClient, settings: Settings, db: Database) -> tuple[str, str]:
    """(call id, photo token) of a freshly reported call.

    The token the caller's SMS carried is no longer stored once sent (only its hash), so the test
    takes a second one for the same call, as an operator's re-send would.
    """
    answer = (await post_report(client, settings, make_report())).json()
    issued = await create_photo_token(db, call_id=answer["call_id"], now=datetime.now(UTC))
    return answer["call_id"], issued.token


@pytest.fixture
async def call_and_token(client: httpx.AsyncClient, settings: Settings, db: Database) -> tuple[str, str]:
    return await reported_call(client, settings, db)


def _app(client: httpx.AsyncClient) -> FastAPI:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    app = transport.app
    assert isinstance(app, FastAPI)
    return app


@pytest.fixture
async def clock(client: httpx.AsyncClient) -> AsyncIterator[list[datetime]]:
    """The photo pages' clock, movable by the test."""
    now = [datetime.now(UTC)]
    _app(client).dependency_overrides[current_time] = lambda: now[0]
    yield now
    _app(client).dependency_overrides.clear()


async def test_upload_page_is_phone_friendly(client: httpx.AsyncClient, call_and_token: tuple[str, str]) -> None:
    # GIVEN a fresh link WHEN opened
    _, token = call_and_token
    response = await client.get(f"/photo/{token}")
    # THEN the page offers the camera, several photos, a progress bar, and is not indexed
    assert response.status_code == 200
    html = response.text
    assert 'accept="image/*"' in html
    assert 'capture="environment"' in html
    assert "multiple" in html
    assert "<progress" in html
    assert "Rapid Rooter Plumbing" in html
    assert "You can send 10 more" in html
    assert response.headers["x-robots-tag"].startswith("noindex")


async def test_jpeg_is_stored_without_its_location_under_our_own_key(
    client: httpx.AsyncClient, call_and_token: tuple[str, str], db: Database, settings: Settings
) -> None:
    # GIVEN a phone photo with GPS in its EXIF, named with a path
    call_id, token = call_and_token
    files = {"photos": ("../../etc/kitchen sink.jpg", jpeg_with_location(), "image/jpeg")}
    # WHEN uploaded by the page's script
    response = await client.post(f"/photo/{token}", files=files, headers=JSON)
    # THEN it is accepted, nine are left
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "stored": 1, "photos_left": 9}
    # AND it is stored under a key of our ids only, without location, the name kept for display
    [photo] = await list_photos(db, call_id)
    assert photo.blob_key.startswith("calls/photos/ph_")
    assert call_id not in photo.blob_key
    assert photo.blob_key.endswith(".jpg")
    assert ".." not in photo.blob_key
    assert "kitchen" not in photo.blob_key
    assert photo.original_name == "kitchen sink.jpg"
    stored = (settings.blob_dir / photo.blob_key).read_bytes()
    assert gps_entry_count(stored) == 0
    assert LATITUDE_RATIONALS not in stored
    assert photo.content_type == "image/jpeg"


async def test_png_and_webp_are_accepted_and_typed_by_their_bytes(
    client: httpx.AsyncClient, call_and_token: tuple[str, str], db: Database
) -> None:
    # GIVEN a PNG and a WebP sent with misleading names and types
    call_id, token = call_and_token
    files = [("photos", ("a.jpg", PNG_BYTES, "image/jpeg")), ("photos", ("b.gif", WEBP_BYTES, "text/plain"))]
    # WHEN uploaded in one request THEN both are stored with their real types
    response = await client.post(f"/photo/{token}", files=files, headers=JSON)
    assert response.json()["stored"] == 2
    assert sorted(p.content_type for p in await list_photos(db, call_id)) == ["image/png", "image/webp"]


async def test_a_non_image_renamed_jpg_is_refused_and_uses_no_slot(
    client: httpx.AsyncClient, call_and_token: tuple[str, str], db: Database
) -> None:
    # GIVEN a script renamed photo.jpg
    call_id, token = call_and_token
    files = {"photos": ("photo.jpg", b"#!/bin/sh\nrm -rf /\n" + b"x" * 100, "image/jpeg")}
    # WHEN uploaded THEN 415 with a plain reason, nothing stored, all ten photos still allowed
    response = await client.post(f"/photo/{token}", files=files, headers=JSON)
    assert response.status_code == 415
    assert "not a photo" in response.json()["message"]
    assert await list_photos(db, call_id) == []
    assert "You can send 10 more" in (await client.get(f"/photo/{token}")).text


async def test_an_eleven_megabyte_photo_is_refused(client: httpx.AsyncClient, call_and_token: tuple[str, str]) -> None:
    # GIVEN an 11 MB "photo"
    _, token = call_and_token
    big = JPEG_BYTES[:-2] + b"\0" * (11 * 1024 * 1024) + b"\xff\xd9"
    # WHEN uploaded with a Content-Length THEN 413 before it is read
    declared = await client.post(f"/photo/{token}", files={"photos": ("big.jpg", big, "image/jpeg")}, headers=JSON)
    assert declared.status_code == 413
    assert "10 MB" in declared.json()["message"]


async def test_an_oversized_stream_without_length_is_cut_off(
    client: httpx.AsyncClient, call_and_token: tuple[str, str]
) -> None:
    # GIVEN an 11 MB multipart body streamed without Content-Length
    _, token = call_and_token
    boundary = "testboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()

    async def body() -> AsyncIterator[bytes]:
        yield head + JPEG_BYTES[:20]
        for _ in range(11):
            yield b"\0" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {**JSON, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    # WHEN sent THEN 413 while reading
    response = await client.post(f"/photo/{token}", content=body(), headers=headers)
    assert response.status_code == 413


async def test_the_eleventh_photo_gets_the_used_up_page(
    client: httpx.AsyncClient, call_and_token: tuple[str, str], db: Database
) -> None:
    # GIVEN ten photos already sent with the link
    call_id, token = call_and_token
    for _ in range(10):
        assert (await client.post(f"/photo/{token}", files={"photos": ("p.png", PNG_BYTES)}, headers=JSON)).is_success
    # WHEN an eleventh is sent (plain form, no script)
    response = await client.post(f"/photo/{token}", files={"photos": ("p.png", PNG_BYTES)})
    # THEN a friendly 410 page with the business's public number (not the owner's mobile), and still ten photos
    assert response.status_code == 410
    assert "all the photos this link allows" in response.text
    assert f'href="tel:{BUSINESS_NUMBER}"' in response.text
    assert OWNER_PHONE not in response.text
    assert len(await list_photos(db, call_id)) == 10
    assert (await client.get(f"/photo/{token}")).status_code == 410


async def test_an_expired_link_gets_a_friendly_page(
    client: httpx.AsyncClient, call_and_token: tuple[str, str], clock: list[datetime], db: Database
) -> None:
    # GIVEN a link used 61 minutes after it was sent
    call_id, token = call_and_token
    clock[0] = datetime.now(UTC) + timedelta(minutes=61)
    # WHEN opened or posted to
    page = await client.get(f"/photo/{token}")
    posted = await client.post(f"/photo/{token}", files={"photos": ("p.png", PNG_BYTES)})
    # THEN 410 pages saying it expired, with the business's public number to call, and nothing stored
    assert page.status_code == 410
    assert "expired" in page.text
    assert f'href="tel:{BUSINESS_NUMBER}"' in page.text
    assert OWNER_PHONE not in page.text
    assert posted.status_code == 410
    assert await list_photos(db, call_id) == []


async def test_a_link_just_before_expiry_still_works(
    client: httpx.AsyncClient, call_and_token: tuple[str, str], clock: list[datetime]
) -> None:
    # GIVEN 59 minutes later WHEN a photo is sent THEN it is accepted
    _, token = call_and_token
    clock[0] = datetime.now(UTC) + timedelta(minutes=59)
    response = await client.post(f"/photo/{token}", files={"photos": ("p.png", PNG_BYTES)}, headers=JSON)
    assert response.status_code == 200


async def test_plain_form_post_gets_a_thank_you_page(
    client: httpx.AsyncClient, call_and_token: tuple[str, str]
) -> None:
    # GIVEN a phone without JavaScript WHEN the form is posted
    _, token = call_and_token
    response = await client.post(f"/photo/{token}", files={"photos": ("leak.jpg", JPEG_BYTES, "image/jpeg")})
    # THEN a clear thank-you page
    assert response.status_code == 200
    assert "Thank you!" in response.text
    assert "1 photo sent to Rapid Rooter Plumbing" in response.text


async def test_unknown_token_is_a_404_page(client: httpx.AsyncClient, business: object) -> None:
    # GIVEN a made-up token WHEN opened THEN a friendly 404
    response = await client.get("/photo/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.text


async def test_empty_submission_asks_for_a_photo(client: httpx.AsyncClient, call_and_token: tuple[str, str]) -> None:
    # GIVEN the form sent with no file WHEN posted THEN 400 asking to choose one
    _, token = call_and_token
    response = await client.post(f"/photo/{token}", files={"photos": ("", b"", "application/octet-stream")})
    assert response.status_code == 400
    assert "Choose a photo" in response.text
