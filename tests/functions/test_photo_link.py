"""POST /api/photo-link: the caller gets the photo link during the call, once."""

from __future__ import annotations

import httpx

from shared.database import Database
from shared.repositories.calls import get_call_by_sid
from shared.repositories.notifications import list_for_call
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER, make_report, post_report, post_signed_json

CALL_SID = "CA" + "5" * 32
LINK_REQUEST = {"call_sid": CALL_SID, "business_id": "biz_rapid", "from_number": CALLER, "to_number": BUSINESS_NUMBER}


async def test_link_is_texted_once_and_not_again_after_the_call(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a call in progress WHEN the worker asks for a photo link
    first = await post_signed_json(client, settings, "/api/photo-link", LINK_REQUEST)
    # THEN the caller's SMS goes out at once with a /photo/ link
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "recorded"
    call = await get_call_by_sid(db, CALL_SID)
    assert call is not None
    [sms] = await list_for_call(db, call.id)
    assert sms.recipient == CALLER
    assert "Rapid Rooter Plumbing" in sms.body
    assert settings.public_url("/photo/") in sms.body
    # WHEN it asks again, and then the report arrives without the photo_link_sent flag
    again = await post_signed_json(client, settings, "/api/photo-link", LINK_REQUEST)
    await post_report(client, settings, make_report(call_sid=CALL_SID, photo_link_sent=False))
    # THEN no second link and no second token: one caller SMS, plus the owner's two
    assert again.json()["status"] == "already_sent"
    purposes = sorted(n.purpose for n in await list_for_call(db, call.id))
    assert purposes == ["caller_photo_link", "owner_email", "owner_sms"]
    assert len(await db.fetch_all("SELECT 1 FROM photo_tokens")) == 1


async def test_link_request_must_be_signed(client: httpx.AsyncClient, db: Database) -> None:
    # GIVEN an unsigned request WHEN posted THEN 401 and nothing sent
    response = await client.post("/api/photo-link", json=LINK_REQUEST)
    assert response.status_code == 401
    assert await db.fetch_all("SELECT 1 FROM notifications") == []


async def test_withheld_caller_id_gets_no_link(client: httpx.AsyncClient, settings: Settings, db: Database) -> None:
    # GIVEN a caller with a withheld number WHEN a link is asked for THEN nothing is sent, and it says why
    response = await post_signed_json(client, settings, "/api/photo-link", {**LINK_REQUEST, "from_number": "anonymous"})
    assert response.json()["status"] == "no_number"
    assert await db.fetch_all("SELECT 1 FROM notifications") == []
