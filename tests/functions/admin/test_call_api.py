"""Calls: filters, full-text search over transcripts, detail, and re-sending a failed notification."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.calls import update_live_progress
from tests.functions.admin.call_seed import seed_call, seed_failed_sms


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def test_filters_and_transcript_search(api: httpx.AsyncClient, db: Database):
    # GIVEN three calls of two businesses, on different days and urgencies
    north = await create_business(db, name="North Plumbing", owner_phone="+15125553000")
    south = await create_business(db, name="South Plumbing", owner_phone="+15125553001")
    heater = await seed_call(
        db,
        call_sid="CAsearch1",
        business_id=north.id,
        said=[("agent", "How can I help?"), ("caller", "My water heater is making a banging noise")],
        extraction={"customer_name": "Dana Ortiz", "problem": "noisy water heater", "urgency": "soon"},
        started_at=_days_ago(1),
    )
    flood = await seed_call(
        db,
        call_sid="CAsearch2",
        business_id=north.id,
        said=[("caller", "A pipe burst and the basement is flooding")],
        extraction={"customer_name": "Lee Park", "problem": "burst pipe", "urgency": "emergency"},
        started_at=_days_ago(3),
    )
    await seed_call(
        db,
        call_sid="CAsearch3",
        business_id=south.id,
        said=[("caller", "The kitchen sink drains slowly")],
        extraction={"customer_name": "Sam Roy", "problem": "slow drain", "urgency": "routine"},
        started_at=_days_ago(10),
        status="no-answer",
    )

    async def ids(**params: str) -> list[str]:
        response = await api.get("/admin/api/calls", params=params)
        assert response.status_code == 200, response.text
        return [call["id"] for call in response.json()["calls"]]

    # THEN words of the transcript, prefixes and extracted names find the right call
    assert await ids(q="banging") == [heater.id]
    assert await ids(q="flood") == [flood.id]
    assert await ids(q="dana") == [heater.id]
    assert await ids(q='heater" OR *') == [heater.id]  # FTS syntax is taken as words
    # AND filters narrow the list
    assert await ids(business_id=north.id) == [heater.id, flood.id]
    assert await ids(urgency="emergency", business_id=north.id) == [flood.id]
    assert await ids(business_id=north.id, date_from=_days_ago(2)[:10]) == [heater.id]
    assert await ids(business_id=north.id, date_to=_days_ago(2)[:10]) == [flood.id]
    assert len(await ids(status="no-answer", business_id=south.id)) == 1
    # AND the search result shows where the words matched
    hit = (await api.get("/admin/api/calls", params={"q": "banging"})).json()["calls"][0]
    assert "<mark>banging</mark>" in hit["snippet"]


async def test_search_follows_transcript_updates(api: httpx.AsyncClient, db: Database):
    # GIVEN a call whose transcript grows while it is live
    call = await seed_call(db, call_sid="CAlive1", business_id=None, said=[("caller", "hello")], status="in-progress")
    await update_live_progress(
        db,
        call_sid="CAlive1",
        transcript=[{"speaker": "caller", "text": "there is a gas smell in the garage", "start_ms": 0, "end_ms": 1}],
        latency=[],
        dtmf="",
    )
    # THEN the new words are searchable and the old ones are gone
    found = (await api.get("/admin/api/calls", params={"q": "garage"})).json()["calls"]
    assert [item["id"] for item in found] == [call.id]
    assert (await api.get("/admin/api/calls", params={"q": "hello"})).json()["calls"] == []


async def test_bad_filters_are_refused(api: httpx.AsyncClient):
    assert (await api.get("/admin/api/calls", params={"urgency": "whenever"})).status_code == 422
    assert (await api.get("/admin/api/calls", params={"date_from": "yesterday"})).status_code == 422
    assert (await api.get("/admin/api/calls", params={"page": "0"})).status_code == 422


async def test_detail_and_resend(api: httpx.AsyncClient, db: Database):
    # GIVEN a finished call with a failed owner SMS
    business = await create_business(db, name="Detail Plumbing", owner_phone="+15125553002")
    call = await seed_call(
        db,
        call_sid="CAdetail1",
        business_id=business.id,
        said=[("agent", "Hello"), ("caller", "My toilet overflowed")],
        extraction={
            "customer_name": "Ari",
            "problem": "toilet overflow",
            "urgency": "soon",
            "callback_phone": "+15125557777",
        },
        latency_ms=[820, 760],
        recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
    )
    notification_id = await seed_failed_sms(db, call.id)
    # WHEN the detail is read
    detail = (await api.get(f"/admin/api/calls/{call.id}")).json()
    # THEN it has the transcript, extraction, latency, audio and notification status (without message bodies)
    assert [entry["text"] for entry in detail["transcript"]] == ["Hello", "My toilet overflowed"]
    assert detail["extraction"]["problem"] == "toilet overflow"
    assert [turn["voice_to_voice_ms"] for turn in detail["latency"]] == [820, 760]
    assert detail["audio_url"].endswith("/Recordings/RE1.mp3")
    assert detail["business_name"] == "Detail Plumbing"
    assert detail["notifications"][0]["status"] == "failed"
    assert "body" not in detail["notifications"][0]
    # WHEN the failed SMS is re-sent (development: the outbox records it)
    resent = await api.post(f"/admin/api/calls/{call.id}/notifications/{notification_id}/resend")
    # THEN it is no longer failed
    assert resent.status_code == 200
    assert resent.json()["status"] in ("sent", "recorded")
    assert (await api.post(f"/admin/api/calls/{call.id}/notifications/nope/resend")).status_code == 404
    assert (await api.get("/admin/api/calls/no-such-call")).status_code == 404


async def test_console_call_pages(console: tuple[httpx.AsyncClient, str], db: Database):
    client, csrf = console
    call = await seed_call(
        db,
        call_sid="CApage1",
        business_id=None,
        said=[("caller", "Water is dripping <through> the ceiling")],
        extraction={"customer_name": "Robin", "problem": "ceiling leak", "urgency": "emergency"},
        latency_ms=[900],
    )
    notification_id = await seed_failed_sms(db, call.id)
    listing = await client.get("/admin/calls", params={"q": "dripping"})
    assert f"/admin/calls/{call.id}" in listing.text
    assert "<mark>dripping</mark>" in listing.text
    page = await client.get(f"/admin/calls/{call.id}")
    assert "Water is dripping &lt;through&gt; the ceiling" in page.text
    assert "ceiling leak" in page.text
    resend = await client.post(
        f"/admin/calls/{call.id}/notifications/{notification_id}/resend", data={"csrf_token": csrf}
    )
    assert resend.status_code == 303
    after = await client.get(resend.headers["location"])
    assert "Notification sent again." in after.text
    assert "badge failed" not in after.text
    bad = await client.get("/admin/calls", params={"urgency": "someday"})
    assert bad.status_code == 422
    assert "urgency" in bad.text


async def test_console_shows_the_definitions_fields_and_how_each_is_known(
    console: tuple[httpx.AsyncClient, str], db: Database
):
    # GIVEN a gym survey call whose report carried its definition's fields
    client, _csrf = console
    call = await seed_call(db, call_sid="CAfields1", business_id=None, said=[("caller", "A day pass is fifteen")])
    fields = [
        {"name": "day_pass_price", "label": "Day-pass price", "kind": "money", "value": "15.00 USD",
         "spoken": "15 dollars", "status": "given"},
        {"name": "classes", "label": "Classes", "kind": "free_text", "value": "", "spoken": "", "status": "unknown"},
    ]  # fmt: skip
    await db.execute(
        "UPDATE calls SET fields = ?, agent_version = 3, language = 'en' WHERE id = ?", (json.dumps(fields), call.id)
    )
    # WHEN the operator opens the call
    page = await client.get(f"/admin/calls/{call.id}")
    # THEN the fields are listed with their values, how each was known, and the agent version
    assert 'id="fields"' in page.text
    assert "Day-pass price" in page.text
    assert "15 dollars" in page.text
    assert "unknown" in page.text
    assert "Agent version 3" in page.text
