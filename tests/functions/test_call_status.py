"""POST /call-status through the real ASGI app: status callbacks and the voicemail recording callback."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from twilio.request_validator import RequestValidator

from functions import call_status
from functions.edge_app import create_function_app
from shared.database import Database
from shared.repositories import calls
from shared.settings import load_settings

PUBLIC_BASE_URL = "https://calls.buddyhelps.example"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SID = "CA" + "c" * 32


def twiml_root(response: httpx.Response) -> ET.Element:
    return ET.fromstring(response.text)  # noqa: S314 - the TwiML our own app just produced


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=tmp_path / "data", PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN
    )
    application = create_function_app(call_status.router, settings=settings)
    try:
        yield application
    finally:
        await application.state.edge.close()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def app_db(app: FastAPI) -> Database:
    database: Database = await app.state.edge.database()
    await calls.create_call(
        database, call_sid=SID, from_number="+15557654321", to_number="+15550100001", business_id=None
    )
    return database


async def post_status(
    client: httpx.AsyncClient, params: dict[str, str], *, path: str = "/call-status", signed_path: str | None = None
) -> httpx.Response:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + (signed_path or path), params)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    return await client.post(path, content=urlencode(params), headers=headers)


def status(call_status_value: str, **extra: str) -> dict[str, str]:
    return {"CallSid": SID, "AccountSid": "AC" + "0" * 32, "CallStatus": call_status_value, **extra}


async def current(db: Database) -> calls.Call:
    call = await calls.get_call_by_sid(db, SID)
    assert call is not None
    return call


async def test_the_final_status_and_duration_are_recorded(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a ringing call
    # WHEN Twilio reports it in progress, then completed after 42 s
    for params in (status("in-progress"), status("completed", CallDuration="42")):
        response = await post_status(client, params)
        # THEN each callback gets empty TwiML
        assert response.status_code == 200
        assert twiml_root(response).tag == "Response"
        assert len(twiml_root(response)) == 0
    # AND the call shows completed, 42 s, with an end time
    call = await current(app_db)
    assert (call.status, call.duration_s) == ("completed", 42)
    assert call.ended_at is not None


async def test_repeated_and_late_callbacks_never_move_the_status_back(
    client: httpx.AsyncClient, app_db: Database
) -> None:
    # GIVEN a completed call
    await post_status(client, status("completed", CallDuration="42"))
    ended_at = (await current(app_db)).ended_at
    # WHEN the same callback is repeated (with another duration) and a late "ringing" arrives
    assert (await post_status(client, status("completed", CallDuration="99"))).status_code == 200
    assert (await post_status(client, status("ringing"))).status_code == 200
    # THEN nothing moved back, the first duration stands, and the repeat was stored once
    call = await current(app_db)
    assert (call.status, call.duration_s, call.ended_at) == ("completed", 42, ended_at)
    assert [e["status"] for e in await calls.status_history(app_db, SID)] == ["completed", "ringing"]


async def test_a_garbled_duration_is_ignored_not_fatal(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a signed callback whose duration is not a number WHEN posted THEN it is accepted without a duration
    assert (await post_status(client, status("completed", CallDuration="4x2"))).status_code == 200
    call = await current(app_db)
    assert (call.status, call.duration_s) == ("completed", None)


async def test_the_voicemail_recording_is_stored_on_the_call(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a caller who left a voicemail: Twilio posts the <Record> action to /call-status?voicemail=1
    params = status(
        "completed",
        RecordingSid="RE" + "1" * 32,
        RecordingUrl="https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1",
        RecordingDuration="17",
    )
    # WHEN it arrives, signed for the URL with its query string
    response = await post_status(client, params, path="/call-status?voicemail=1")
    # THEN the recording and the voicemail flag are on the call
    assert response.status_code == 200
    call = await current(app_db)
    assert (call.recording_sid, call.recording_duration_s, call.voicemail) == ("RE" + "1" * 32, 17, True)
    assert call.recording_url == params["RecordingUrl"]
    # AND the recording status callback that repeats it changes nothing
    assert (await post_status(client, params, path="/call-status?voicemail=1")).status_code == 200
    assert (await current(app_db)).recording_sid == "RE" + "1" * 32


async def test_a_signature_without_the_query_string_is_refused(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a recording callback signed for /call-status, but posted to /call-status?voicemail=1
    params = status("completed", RecordingSid="RE1", RecordingUrl="https://api.twilio.com/r/RE1")
    response = await post_status(client, params, path="/call-status?voicemail=1", signed_path="/call-status")
    # THEN it is refused and the call is not marked as a voicemail
    assert response.status_code == 403
    assert (await current(app_db)).voicemail is False


async def test_unsigned_or_malformed_callbacks_are_refused(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN callbacks without a signature, without a CallSid, or as JSON
    unsigned = await client.post(
        "/call-status",
        content=urlencode(status("failed")),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    no_sid = await post_status(client, {"CallStatus": "completed"})
    as_json = await client.post("/call-status", json=status("failed"))
    # THEN each is refused with its own status, and the call is untouched
    assert (unsigned.status_code, no_sid.status_code, as_json.status_code) == (403, 400, 415)
    assert "CallSid is required" in no_sid.text
    assert (await current(app_db)).status == "ringing"
