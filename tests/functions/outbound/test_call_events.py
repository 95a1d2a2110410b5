"""Twilio's webhooks for outbound calls, through the real ASGI app: only Twilio's signed requests count,
a person's AMD result changes nothing, and an answered call with no worker free is retried later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from functions.edge_app import create_function_app
from functions.outbound import call_events
from shared.agents.business_definition import from_template
from shared.database import Database, open_database
from shared.outbound import call_jobs, campaigns
from shared.outbound.calling_rules import CallingHours
from shared.repositories import agent_definitions, businesses, calls
from shared.settings import Settings, load_settings
from shared.signatures import twilio_signature

PUBLIC = "https://calls.buddyhelps.example"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SID = "CA" + "e" * 32


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Database, Settings]]:
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=tmp_path / "data", PUBLIC_BASE_URL=PUBLIC, TWILIO_AUTH_TOKEN=AUTH_TOKEN
    )
    app = create_function_app(call_events.router, settings=settings)
    db = await open_database(settings.database_url)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as client:
        yield client, db, settings
    await app.state.edge.close()
    await db.close()


async def _post(client: httpx.AsyncClient, path: str, form: dict[str, str], *, sign: bool = True) -> httpx.Response:
    signature = twilio_signature(auth_token=AUTH_TOKEN, url=PUBLIC + path, params=form) if sign else "bad"
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


async def _dialling_job(db: Database) -> call_jobs.CallJob:
    business = await businesses.create_business(db, name="FitFinder", owner_phone="+12125550100")
    await agent_definitions.save_definition(db, business.id, from_template("gym_information"), "test", "gyms")
    campaign = await campaigns.create_campaign(
        db, business_id=business.id, name="gyms", from_number="+12125550100", hours=CallingHours(0, 1440)
    )
    await campaigns.add_numbers(db, campaign, [("+12125550101", "")])
    [(_, job)] = await call_jobs.claim_due(db, now=datetime.now(UTC), limit=1)
    await call_jobs.attach_call(db, job.id, SID)
    return job


async def test_unsigned_webhooks_are_refused(site: tuple[httpx.AsyncClient, Database, Settings]) -> None:
    client, _, _ = site
    for path in ("/outbound/answer?job=x", "/outbound/status", "/outbound/amd"):
        response = await _post(client, path, {"CallSid": SID, "CallStatus": "busy"}, sign=False)
        assert response.status_code == 403, path


async def test_an_answered_call_without_a_free_worker_hangs_up_and_is_retried(
    site: tuple[httpx.AsyncClient, Database, Settings],
) -> None:
    client, db, _ = site
    job = await _dialling_job(db)
    # GIVEN no worker is registered; WHEN the callee answers
    answer = await _post(client, f"/outbound/answer?job={job.id}", {"CallSid": SID, "CallStatus": "in-progress"})
    # THEN the call is hung up rather than left silent
    assert "<Hangup" in answer.text
    # AND a person's AMD result changes nothing
    human = await _post(client, "/outbound/amd", {"CallSid": SID, "AnsweredBy": "human"})
    assert human.status_code == 204
    stored = await calls.get_call_by_sid(db, SID)
    assert stored is not None
    assert not stored.voicemail
    # AND when the call completes, the attempt counts as failed and the number goes back in the queue
    await _post(client, "/outbound/status", {"CallSid": SID, "CallStatus": "completed", "CallDuration": "1"})
    [again] = await call_jobs.list_jobs(db, job.campaign_id)
    assert (again.status, again.last_outcome, again.attempts) == ("queued", "failed", 1)
