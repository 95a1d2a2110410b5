"""POST /api/call-complete through the local functions app and a real libSQL file (and sqld)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from functions.call_complete import store_report
from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.calls import create_call, get_call, get_call_by_sid
from shared.repositories.notifications import list_for_call
from shared.repositories.phone_numbers import add_number
from shared.settings import Settings
from shared.signatures import hash_token
from tests.functions.conftest import (
    BUSINESS_NUMBER,
    CALLER,
    OWNER_EMAIL,
    OWNER_PHONE,
    make_report,
    post_report,
    signed_headers,
)
from tests.provider_fake import ProviderFake


async def test_report_is_stored_and_owner_and_caller_are_notified(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a finished emergency call reported by the worker
    report = make_report()
    # WHEN it is posted, signed
    response = await post_report(client, settings, report)
    # THEN it is acknowledged and stored with everything the call page needs
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "stored"
    call = await get_call(db, answer["call_id"])
    assert call is not None
    assert call.call_sid == report.call_sid
    assert call.urgency == "emergency"
    assert call.extraction_status == "ok"
    assert call.extraction is not None
    assert call.extraction["customer_name"] == "Maria Lopez"
    assert [entry["speaker"] for entry in call.transcript] == ["agent", "caller"]
    assert call.end_reason == "agent_completed"
    assert call.reported_at is not None
    # AND three notifications went out (recorded: no provider keys in the embedded default)
    sent = {n.purpose: n for n in await list_for_call(db, call.id)}
    assert set(sent) == {"owner_sms", "owner_email", "caller_photo_link"}
    assert {n.status for n in sent.values()} == {"recorded"}
    owner_sms = sent["owner_sms"]
    assert owner_sms.recipient == OWNER_PHONE
    for expected in ("EMERGENCY", "Maria Lopez", "Burst pipe", CALLER, settings.public_url(f"/c/{call.id}")):
        assert expected in owner_sms.body
    email = sent["owner_email"]
    assert email.recipient == OWNER_EMAIL
    assert email.subject is not None
    assert email.subject.startswith("[EMERGENCY] Maria Lopez")
    assert "a pipe burst under my kitchen sink" in email.body  # the transcript is in the email
    assert email.html_body is not None
    assert f"/c/{call.id}" in email.html_body
    caller_sms = sent["caller_photo_link"]
    assert caller_sms.recipient == CALLER
    # AND once sent, the caller's link is kept without its token; only the token's hash is stored, for one hour
    assert caller_sms.body.endswith(settings.public_url("/photo/[redacted]"))
    row = await db.fetch_one("SELECT * FROM photo_tokens WHERE call_id = ?", (call.id,))
    assert row is not None
    assert row["max_photos"] == 10
    lifetime = datetime.fromisoformat(row["expires_at"].replace("Z", "+00:00")) - datetime.now(UTC)
    assert 3500 < lifetime.total_seconds() <= 3600
    # AND hang-up → notifications queued was measured
    assert 0 <= answer["queued_after_hangup_ms"] < 5000


async def test_replayed_report_stores_and_sends_nothing_again(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a report already accepted
    report = make_report()
    first = (await post_report(client, settings, report)).json()
    # WHEN the worker delivers it again (a retry after a lost acknowledgement)
    again = await post_report(client, settings, report)
    # THEN the answer is 200 duplicate, and still exactly three notifications exist
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "call_id": first["call_id"]}
    assert len(await list_for_call(db, first["call_id"])) == 3
    assert len(await db.fetch_all("SELECT 1 FROM photo_tokens")) == 1


async def test_concurrent_deliveries_of_one_report_notify_once(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN the same report arriving twice at the same moment
    report = make_report()
    # WHEN both are handled concurrently
    answers = await asyncio.gather(post_report(client, settings, report), post_report(client, settings, report))
    # THEN one stored it, the other is a duplicate, and the owner is notified once
    assert sorted(a.json()["status"] for a in answers) == ["duplicate", "stored"]
    rows = await db.fetch_all("SELECT purpose FROM notifications")
    assert sorted(r["purpose"] for r in rows) == ["caller_photo_link", "owner_email", "owner_sms"]


async def test_call_known_from_incoming_call_is_completed_not_duplicated(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN /incoming-call created the call row
    existing = await create_call(
        db, call_sid="CA" + "2" * 32, from_number=CALLER, to_number=BUSINESS_NUMBER, business_id="biz_rapid"
    )
    # WHEN its report arrives
    answer = (await post_report(client, settings, make_report(call_sid=existing.call_sid))).json()
    # THEN the same call (same page link) now holds the report
    assert answer["call_id"] == existing.id
    call = await get_call(db, existing.id)
    assert call is not None
    assert call.urgency == "emergency"


async def test_report_without_business_id_finds_the_business_by_number(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a report with no business id (outbound or lost webhook), to the business's number
    report = make_report(call_sid="CA" + "3" * 32, business_id=None)
    # WHEN posted THEN the call belongs to the business and its owner is told
    answer = (await post_report(client, settings, report)).json()
    call = await get_call(db, answer["call_id"])
    assert call is not None
    assert call.business_id == "biz_rapid"
    assert answer["notifications"]["owner_sms"] == "recorded"


async def test_photo_link_sent_during_the_call_is_not_sent_again(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN the agent already texted a photo link during the call
    report = make_report(photo_link_sent=True)
    # WHEN the report arrives THEN only the owner is notified and no second token exists
    answer = (await post_report(client, settings, report)).json()
    purposes = {n.purpose for n in await list_for_call(db, answer["call_id"])}
    assert purposes == {"owner_sms", "owner_email"}
    assert await db.fetch_all("SELECT 1 FROM photo_tokens") == []


async def test_failed_extraction_still_notifies_with_the_transcript(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN the worker could not extract details
    report = make_report(extraction=None, extraction_status="failed", extraction_error="model timed out")
    # WHEN reported THEN the owner still hears of the call, told to read the transcript
    answer = (await post_report(client, settings, report)).json()
    sent = {n.purpose: n for n in await list_for_call(db, answer["call_id"])}
    assert "No summary: see the transcript" in sent["owner_sms"].body
    assert CALLER in sent["owner_sms"].body
    call = await get_call(db, answer["call_id"])
    assert call is not None
    assert call.extraction_status == "failed"
    assert call.urgency is None


@pytest.mark.parametrize(
    ("headers_for", "reason"),
    [
        (lambda s, body: {**signed_headers(s, body), "X-BuddyHelps-Signature": "0" * 64}, "signature does not match"),
        (lambda s, body: signed_headers(s, body, timestamp=int(time.time()) - 301), "outside the 5-minute window"),
        (lambda s, body: {"Content-Type": "application/json"}, "missing signature or timestamp"),
    ],
    ids=["bad-signature", "stale-timestamp", "unsigned"],
)
async def test_unsigned_or_stale_reports_are_refused_with_the_reason(
    client: httpx.AsyncClient, settings: Settings, db: Database, headers_for, reason: str
) -> None:
    # GIVEN a report with a bad signature, an old timestamp, or no signature
    body = make_report().model_dump_json().encode()
    # WHEN posted THEN 401 naming the problem, and nothing stored
    response = await client.post("/api/call-complete", content=body, headers=headers_for(settings, body))
    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert await db.fetch_all("SELECT 1 FROM calls") == []


async def test_signature_made_with_another_secret_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    # GIVEN a report signed with the wrong secret WHEN posted THEN 401
    body = make_report().model_dump_json().encode()
    other = settings.model_copy(update={"dashboard_webhook_secret": "someone-elses-secret"})
    response = await client.post("/api/call-complete", content=body, headers=signed_headers(other, body))
    assert response.status_code == 401


async def test_malformed_json_is_a_400(client: httpx.AsyncClient, settings: Settings) -> None:
    # GIVEN a signed body that is not JSON WHEN posted THEN 400 saying so
    body = b'{"call_sid": "CA1", '
    response = await client.post("/api/call-complete", content=body, headers=signed_headers(settings, body))
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


async def test_missing_fields_are_a_422_naming_them(client: httpx.AsyncClient, settings: Settings) -> None:
    # GIVEN a signed JSON report without call_sid and ended_at
    payload = json.loads(make_report().model_dump_json())
    del payload["call_sid"], payload["ended_at"]
    payload["extraction"]["urgency"] = "whenever"
    body = json.dumps(payload).encode()
    # WHEN posted THEN 422 listing each bad field
    response = await client.post("/api/call-complete", content=body, headers=signed_headers(settings, body))
    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["detail"]}
    assert fields == {"call_sid", "ended_at", "extraction.urgency"}


async def test_two_megabyte_body_is_refused_before_reading_it(client: httpx.AsyncClient, settings: Settings) -> None:
    # GIVEN a 2 MB body (declared, and streamed without a length)
    body = b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    # WHEN posted either way THEN 413
    declared = await client.post("/api/call-complete", content=body, headers=signed_headers(settings, body))
    streamed = await client.post("/api/call-complete", content=chunks(), headers=signed_headers(settings, body))
    assert declared.status_code == 413
    assert streamed.status_code == 413


async def test_real_sdks_deliver_to_owner_and_caller(
    live_client: httpx.AsyncClient, live_settings: Settings, provider: ProviderFake, db: Database
) -> None:
    # GIVEN Twilio and Resend keys set (SDKs pointed at the provider fake)
    # WHEN a report arrives
    answer = (await post_report(live_client, live_settings, make_report())).json()
    # THEN two SMS went through Twilio's Messages API and one email through Resend, with the right content
    assert answer["notifications"] == {"owner_sms": "sent", "owner_email": "sent", "caller_photo_link": "sent"}
    sms = {r.form["To"]: r for r in provider.sms()}
    assert set(sms) == {OWNER_PHONE, CALLER}
    assert sms[OWNER_PHONE].form["From"] == live_settings.twilio_sms_from
    assert sms[OWNER_PHONE].path == f"/2010-04-01/Accounts/{live_settings.twilio_account_sid}/Messages.json"
    assert sms[OWNER_PHONE].basic_auth_user == live_settings.twilio_account_sid
    assert f"/c/{answer['call_id']}" in sms[OWNER_PHONE].form["Body"]
    # AND the caller's link carries a token (≥ 128 bits) of which only the hash is kept
    token = sms[CALLER].form["Body"].rsplit("/photo/", 1)[1]
    assert len(token) >= 22
    assert await db.fetch_one("SELECT 1 AS ok FROM photo_tokens WHERE token_hash = ?", (hash_token(token),))
    assert not [n for n in await list_for_call(db, answer["call_id"]) if token in n.body]
    [email] = provider.emails()
    assert email.json["to"] == [OWNER_EMAIL]
    assert email.json["subject"].startswith("[EMERGENCY] Maria Lopez")
    assert f"/c/{answer['call_id']}" in email.json["html"]
    assert email.headers["authorization"] == "Bearer re_test_key"
    # AND each notification records the provider's id
    stored = await list_for_call(db, answer["call_id"])
    assert all(n.provider_id for n in stored)


async def test_store_report_is_atomic_on_a_real_libsql_server(any_db: Database, settings: Settings) -> None:
    # GIVEN a business on each database backend (file, sqld over HTTP, sqld over WebSocket)
    await create_business(any_db, name="Rapid Rooter Plumbing", owner_phone=OWNER_PHONE, business_id="biz_rapid")
    await add_number(any_db, e164=BUSINESS_NUMBER, business_id="biz_rapid")
    report = make_report()
    # WHEN the report is stored twice
    first = await store_report(any_db, settings, report)
    second = await store_report(any_db, settings, report)
    # THEN the first queued the owner SMS and the caller link, the second nothing
    assert not first.duplicate
    assert len(first.notification_ids) == 2
    assert second.duplicate
    assert second.notification_ids == ()
    call = await get_call_by_sid(any_db, report.call_sid)
    assert call is not None
    assert call.urgency == "emergency"
    assert len(await list_for_call(any_db, first.call_id)) == 2
