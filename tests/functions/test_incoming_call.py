"""POST /incoming-call through the real ASGI app, signed by the twilio SDK, routed to a real loopback worker."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from twilio.request_validator import RequestValidator

from buddyhelps.cli import main as cli
from functions import call_status, incoming_call
from functions.edge_app import create_function_app
from functions.twiml import APOLOGY_BUSY, APOLOGY_UNKNOWN
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_NUMBER
from shared.repositories import businesses, calls
from shared.settings import load_settings
from shared.signatures import SignatureError, verify_stream_token
from shared.structured_logging import JsonFormatter
from tests.health_server import HealthServer, health_server

PUBLIC_BASE_URL = "https://calls.buddyhelps.example"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef"
CALLER = "+15557654321"
SID = "CA" + "a" * 32


def twiml_root(response: httpx.Response) -> ET.Element:
    return ET.fromstring(response.text)  # noqa: S314 - the TwiML our own app just produced


@pytest.fixture
def worker() -> Iterator[HealthServer]:
    with health_server(200, {"ready": True, "active_calls": 0, "capacity": 4}) as server:
        yield server


@pytest.fixture
def seeded(monkeypatch: pytest.MonkeyPatch, tmp_path, worker: HealthServer) -> None:
    """The demo business seeded by the real CLI, with the loopback worker registered."""
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC_BASE_URL)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("DASHBOARD_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("BUDDYHELPS_ENV", "development")
    monkeypatch.setenv("WORKER_CAPACITY", "4")  # as the worker's health says; not this machine's measured default
    assert cli(["seed-demo", "--worker-url", worker.base_url]) == 0


@pytest.fixture
async def app(seeded: None) -> AsyncIterator[FastAPI]:
    application = create_function_app(incoming_call.router, call_status.router, settings=load_settings())
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
    return database


def call_form(**overrides: str) -> dict[str, str]:
    form = {
        "CallSid": SID,
        "AccountSid": "AC" + "0" * 32,
        "From": CALLER,
        "To": DEMO_NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v != "<absent>"}


def signed(params: dict[str, str], path: str = "/incoming-call", url: str | None = None) -> dict[str, str]:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url or PUBLIC_BASE_URL + path, params)
    return {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}


async def post_call(client: httpx.AsyncClient, params: dict[str, str]) -> httpx.Response:
    return await client.post("/incoming-call", content=urlencode(params), headers=signed(params))


def stream_of(response: httpx.Response) -> tuple[str, dict[str, str]]:
    root = twiml_root(response)
    stream = root.find("./Connect/Stream")
    assert stream is not None, response.text
    return stream.attrib["url"], {p.attrib["name"]: p.attrib["value"] for p in stream.findall("Parameter")}


def assert_voicemail(response: httpx.Response, apology: str) -> None:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = twiml_root(response)
    assert root.find("./Connect") is None
    say, record = root.find("./Say"), root.find("./Record")
    assert say is not None
    assert say.text == apology
    assert record is not None
    assert record.attrib["action"] == PUBLIC_BASE_URL + "/call-status?voicemail=1"


async def test_a_call_to_the_demo_number_streams_to_the_healthy_worker(
    client: httpx.AsyncClient, worker: HealthServer, app_db: Database
) -> None:
    # GIVEN the seeded demo number and a healthy worker on loopback
    # WHEN Twilio posts the signed voice webhook
    response = await post_call(client, call_form())
    # THEN the answer is TwiML connecting a media stream to that worker
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    url, parameters = stream_of(response)
    assert url == worker.base_url.replace("http://", "ws://") + "/ws/twilio"
    assert worker.requests == 1
    # AND the per-call data travels as <Parameter>s
    assert parameters["call_sid"] == SID
    assert parameters["business_id"] == DEMO_BUSINESS_ID
    assert (parameters["from"], parameters["to"], parameters["mode"]) == (CALLER, DEMO_NUMBER, "demo")
    # AND the stream token is ours, for this call only
    verify_stream_token(secret=WEBHOOK_SECRET, token=parameters["token"], call_sid=SID)
    with pytest.raises(SignatureError):
        verify_stream_token(secret=WEBHOOK_SECRET, token=parameters["token"], call_sid="CA" + "b" * 32)
    # AND the call is on record, ringing, assigned to the worker
    call = await calls.get_call_by_sid(app_db, SID)
    assert call is not None
    assert (call.business_id, call.status, call.voicemail) == (DEMO_BUSINESS_ID, "ringing", False)
    assert call.worker_id is not None
    # AND its page id (the call page's credential) is nowhere in what Twilio gets
    assert "call_id" not in parameters
    assert call.id not in response.text


async def test_a_retried_webhook_answers_for_the_same_call(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a call Twilio already posted
    first = await post_call(client, call_form())
    # WHEN Twilio retries it THEN the caller is still connected, and it is one call
    second = await post_call(client, call_form())
    assert stream_of(first)[1]["call_sid"] == stream_of(second)[1]["call_sid"] == SID
    assert await app_db.fetch_one("SELECT COUNT(*) AS n FROM calls") == {"n": 1}


async def test_with_no_healthy_worker_the_caller_can_leave_a_voicemail(
    client: httpx.AsyncClient, worker: HealthServer, app_db: Database
) -> None:
    # GIVEN the only worker is failing
    worker.answer(500, {"ready": False})
    # WHEN a call arrives
    response = await post_call(client, call_form())
    # THEN the caller hears an apology and can record a message, and the call is marked as voicemail
    assert_voicemail(response, APOLOGY_BUSY)
    call = await calls.get_call_by_sid(app_db, SID)
    assert call is not None
    assert (call.voicemail, call.business_id, call.worker_id) == (True, DEMO_BUSINESS_ID, None)


async def test_a_call_to_an_unknown_number_gets_a_voicemail(
    client: httpx.AsyncClient, app_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a number nobody registered WHEN it is called THEN the caller can still leave a message
    caplog.set_level(logging.INFO, logger="functions")
    response = await post_call(client, call_form(To="+15550100999"))
    assert_voicemail(response, APOLOGY_UNKNOWN)
    call = await calls.get_call_by_sid(app_db, SID)
    assert call is not None
    assert (call.business_id, call.voicemail, call.to_number) == (None, True, "+15550100999")
    # AND the JSON log line says so with the call sid, without the full number
    lines = [JsonFormatter().format(record) for record in caplog.records if record.name.startswith("functions")]
    assert any("no enabled business" in line and SID in line for line in lines)
    assert not any("5550100999" in line for line in lines)


async def test_a_call_to_a_disabled_business_gets_a_voicemail(
    client: httpx.AsyncClient, worker: HealthServer, app_db: Database
) -> None:
    # GIVEN the demo business is disabled
    await businesses.update_business(app_db, DEMO_BUSINESS_ID, enabled=False)
    # WHEN its number is called THEN voicemail, and no worker was even asked
    assert_voicemail(await post_call(client, call_form()), APOLOGY_UNKNOWN)
    assert worker.requests == 0


async def test_hostile_caller_id_text_stays_inside_the_twiml_attribute(client: httpx.AsyncClient) -> None:
    # GIVEN a caller id carrying markup (a SIP or spoofed caller)
    hostile = '"/><Hangup/><Say>pwned</Say><Parameter name="x'
    # WHEN the call arrives
    response = await post_call(client, call_form(From=hostile))
    # THEN the TwiML is still one stream, and the text arrives unchanged as data
    root = twiml_root(response)
    assert root.find("./Hangup") is None
    assert stream_of(response)[1]["from"] == hostile


async def test_an_anonymous_caller_is_still_answered(client: httpx.AsyncClient) -> None:
    # GIVEN a withheld caller id WHEN the call arrives THEN it is streamed like any other
    assert stream_of(await post_call(client, call_form(From="anonymous")))[1]["from"] == "anonymous"


async def test_an_unsigned_request_is_refused(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a request without X-Twilio-Signature WHEN posted THEN 403 with an empty body, and nothing stored
    response = await client.post(
        "/incoming-call", content=urlencode(call_form()), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (response.status_code, response.content) == (403, b"")
    assert await app_db.fetch_one("SELECT COUNT(*) AS n FROM calls") == {"n": 0}


async def test_a_tampered_parameter_is_refused(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    # GIVEN a genuine signature over one form WHEN the From is changed in transit THEN 403
    headers = signed(call_form())
    response = await client.post("/incoming-call", content=urlencode(call_form(From="+15559999999")), headers=headers)
    assert response.status_code == 403
    # AND the warning logged for it does not carry the signature
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any("bad signature" in line for line in lines)
    assert not any(headers["X-Twilio-Signature"] in line for line in lines)


@pytest.mark.parametrize(
    "signed_url",
    [
        "http://testserver/incoming-call",
        PUBLIC_BASE_URL + "/call-status",
        "https://evil.example/incoming-call",
        PUBLIC_BASE_URL + "/incoming-call?x=1",
    ],
    ids=["host-header-url", "other-path", "other-host", "extra-query"],
)
async def test_a_request_signed_for_another_url_is_refused(client: httpx.AsyncClient, signed_url: str) -> None:
    # GIVEN a form signed for a URL that is not the public URL of this webhook WHEN posted THEN 403
    params = call_form()
    response = await client.post("/incoming-call", content=urlencode(params), headers=signed(params, url=signed_url))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "overrides",
    [{"CallSid": "<absent>"}, {"To": "<absent>"}, {"CallSid": "not-a-call-sid"}, {"CallSid": ""}],
    ids=["no-callsid", "no-to", "bad-callsid", "empty-callsid"],
)
async def test_a_signed_form_missing_call_fields_is_a_bad_request(
    client: httpx.AsyncClient, overrides: dict[str, str]
) -> None:
    # GIVEN a correctly signed form without a usable CallSid or To WHEN posted THEN 400 saying what is missing
    response = await post_call(client, call_form(**overrides))
    assert response.status_code == 400
    assert "CallSid and To are required" in response.text


async def test_a_malformed_dialled_number_is_served_as_an_unknown_number(client: httpx.AsyncClient) -> None:
    # GIVEN a signed call whose To is not a phone number WHEN posted THEN the caller still gets the voicemail
    assert_voicemail(await post_call(client, call_form(To="sip:someone@example.com")), APOLOGY_UNKNOWN)


async def test_a_json_body_is_refused_as_unsupported(client: httpx.AsyncClient) -> None:
    # GIVEN a JSON body (Twilio posts forms) WHEN posted THEN 415 names the expected type
    response = await client.post("/incoming-call", json=call_form(), headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in response.text


async def test_a_one_megabyte_body_is_refused(client: httpx.AsyncClient) -> None:
    # GIVEN a 1 MB form, announced by its Content-Length
    params = call_form(Padding="x" * (1 << 20))
    # WHEN posted THEN 413, before any signature work
    response = await client.post("/incoming-call", content=urlencode(params), headers=signed(params))
    assert response.status_code == 413


async def test_a_one_megabyte_body_streamed_without_a_length_is_refused(client: httpx.AsyncClient) -> None:
    # GIVEN a 1 MB body sent in chunks with no Content-Length
    async def chunks() -> AsyncIterator[bytes]:
        yield urlencode(call_form()).encode() + b"&Padding="
        for _ in range(16):
            yield b"x" * (1 << 16)

    # WHEN posted THEN it is cut off with 413
    response = await client.post(
        "/incoming-call", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


async def test_an_unreachable_database_still_gives_the_caller_a_voicemail(seeded: None) -> None:
    # GIVEN the functions configured with a libSQL server that is not there
    settings = load_settings(TURSO_DATABASE_URL="http://127.0.0.1:9")
    application = create_function_app(incoming_call.router, settings=settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://t") as http:
            # WHEN Twilio calls the webhook
            response = await post_call(http, call_form())
    finally:
        await application.state.edge.close()
    # THEN the caller hears an apology and can leave a message, never Twilio's error line
    assert_voicemail(response, APOLOGY_BUSY)
