"""POST /stream-end (<Connect action>) through the real ASGI app: hang up, fail over, or voicemail.

Workers are real loopback HTTP servers answering /health; the database is the real libSQL file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from buddyhelps.cli import main as cli
from functions import incoming_call, stream_end
from functions.edge_app import create_function_app
from functions.twiml import APOLOGY_BUSY
from shared.database import Database
from shared.repositories import call_legs, calls, workers
from shared.settings import load_settings
from shared.signatures import verify_stream_token
from tests.functions.test_incoming_call import (
    AUTH_TOKEN,
    PUBLIC_BASE_URL,
    SID,
    WEBHOOK_SECRET,
    assert_voicemail,
    call_form,
    post_call,
    signed,
    stream_of,
    twiml_root,
)
from tests.health_server import HealthServer, health_server

SAID_SO_FAR = [{"speaker": "agent", "text": "Rapid Rooter, how can I help?", "start_ms": 0, "end_ms": 1800}]


@pytest.fixture
def worker() -> Iterator[HealthServer]:
    with health_server(200, {"ready": True, "active_calls": 0, "capacity": 4}) as server:
        yield server


@pytest.fixture
def seeded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, worker: HealthServer) -> None:
    """The demo business seeded by the real CLI, with the first loopback worker registered."""
    for name, value in {
        "BUDDYHELPS_DATA_DIR": str(tmp_path / "data"),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "DASHBOARD_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "BUDDYHELPS_ENV": "development",
        "WORKER_CAPACITY": "4",  # as the worker's health says; not this machine's measured default
    }.items():
        monkeypatch.setenv(name, value)
    assert cli(["seed-demo", "--worker-url", worker.base_url]) == 0


@pytest.fixture
def second_worker() -> Iterator[HealthServer]:
    with health_server(200, {"ready": True, "active_calls": 0, "capacity": 4}) as server:
        yield server


@pytest.fixture
async def app(seeded: None) -> AsyncIterator[FastAPI]:
    application = create_function_app(incoming_call.router, stream_end.router, settings=load_settings())
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


async def stream_ended(client: httpx.AsyncClient, leg: int) -> httpx.Response:
    """What Twilio does when the stream ends: POST the <Connect action> URL, signed, with the call's form."""
    path = f"/stream-end?leg={leg}"
    params = call_form(CallStatus="in-progress")
    return await client.post(path, content=urlencode(params), headers=signed(params, url=PUBLIC_BASE_URL + path))


async def connected_call(client: httpx.AsyncClient) -> str:
    """Place the call; returns the <Connect action> URL Twilio will ask when the stream ends."""
    response = await post_call(client, call_form())
    connect = twiml_root(response).find("./Connect")
    assert connect is not None, response.text
    return connect.attrib["action"]


async def say_something(db: Database) -> None:
    """The worker's live progress: the greeting was said (as the worker writes it during a call)."""
    await calls.update_live_progress(db, call_sid=SID, transcript=SAID_SO_FAR, latency=[], dtmf="")


def is_hangup(response: httpx.Response) -> bool:
    root = twiml_root(response)
    return [verb.tag for verb in root] == ["Hangup"]


async def test_the_stream_carries_an_action_url_for_its_end(client: httpx.AsyncClient) -> None:
    # GIVEN a call to the demo number WHEN it is connected THEN Twilio will come back to /stream-end for leg 1
    assert await connected_call(client) == PUBLIC_BASE_URL + "/stream-end?leg=1"


async def test_a_call_the_agent_completed_is_hung_up(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a call whose worker marked it completed before closing the stream
    await connected_call(client)
    await say_something(app_db)
    await call_legs.mark_agent_completed(app_db, SID)
    # WHEN Twilio asks the action URL THEN the call simply ends
    assert is_hangup(await stream_ended(client, leg=1))


async def test_a_live_worker_that_talked_with_the_caller_ended_the_call_on_purpose(
    client: httpx.AsyncClient, app_db: Database, worker: HealthServer
) -> None:
    # GIVEN a call the healthy worker had a conversation on (no marker: an older worker)
    await connected_call(client)
    await say_something(app_db)
    # WHEN the stream ends THEN the call ends too, and nothing is routed again
    assert is_hangup(await stream_ended(client, leg=1))
    assert [leg.outcome for leg in await call_legs.list_legs(app_db, SID)] == ["agent_completed"]


async def test_a_full_worker_that_refused_the_call_fails_over_to_one_with_room(
    client: httpx.AsyncClient, app_db: Database, worker: HealthServer, second_worker: HealthServer
) -> None:
    # GIVEN a call streamed to the first worker, which is now full and closed the stream before the greeting
    await connected_call(client)
    worker.answer(200, {"ready": True, "active_calls": 4, "capacity": 4})
    await workers.register_worker(app_db, base_url=second_worker.base_url, capacity=4)
    # WHEN Twilio asks the action URL
    response = await stream_ended(client, leg=1)
    # THEN the caller is streamed to the other worker with a fresh token for this call, as leg 2
    url, parameters = stream_of(response)
    assert url == second_worker.base_url.replace("http://", "ws://") + "/ws/twilio"
    verify_stream_token(secret=WEBHOOK_SECRET, token=parameters["token"], call_sid=SID)
    connect = twiml_root(response).find("./Connect")
    assert connect is not None
    assert connect.attrib["action"] == PUBLIC_BASE_URL + "/stream-end?leg=2"
    assert [leg.outcome for leg in await call_legs.list_legs(app_db, SID)] == ["failed", None]


async def test_a_crashed_worker_sends_the_caller_to_voicemail_keeping_what_was_said(
    client: httpx.AsyncClient, app_db: Database, worker: HealthServer
) -> None:
    # GIVEN a call mid-conversation whose only worker then stops answering
    await connected_call(client)
    await say_something(app_db)
    worker.answer(502, {"ready": False})
    # WHEN the stream drops and Twilio asks the action URL
    response = await stream_ended(client, leg=1)
    # THEN the caller hears the apology and can leave a message
    assert_voicemail(response, APOLOGY_BUSY)
    # AND the call keeps its partial transcript, marked as a voicemail after a worker failure
    call = await calls.get_call_by_sid(app_db, SID)
    assert call is not None
    assert (call.voicemail, call.transcript, call.end_reason) == (True, SAID_SO_FAR, "worker_failed")


async def test_a_call_never_goes_back_to_a_worker_that_failed_it_and_fail_overs_are_capped(
    client: httpx.AsyncClient, app_db: Database, worker: HealthServer, second_worker: HealthServer
) -> None:
    # GIVEN two workers that each drop the call before anything is said (both report room)
    await connected_call(client)
    await workers.register_worker(app_db, base_url=second_worker.base_url, capacity=4)
    # WHEN the first leg fails THEN the second worker gets it
    first = await stream_ended(client, leg=1)
    assert stream_of(first)[0].startswith(second_worker.base_url.replace("http://", "ws://"))
    # WHEN that leg fails too THEN voicemail: the first worker, though it says it has room, is not tried again
    assert_voicemail(await stream_ended(client, leg=2), APOLOGY_BUSY)
    legs = await call_legs.list_legs(app_db, SID)
    assert [leg.outcome for leg in legs] == ["failed", "failed"]
    assert len({leg.worker_id for leg in legs}) == 2
    # AND a replayed action request for the old leg does not route the call again
    assert_voicemail(await stream_ended(client, leg=1), APOLOGY_BUSY)
    assert len(await call_legs.list_legs(app_db, SID)) == 2


async def test_fail_overs_stop_at_the_cap(client: httpx.AsyncClient, app_db: Database) -> None:
    # GIVEN a call that already failed over MAX_FAIL_OVERS times (more workers keep appearing)
    await connected_call(client)
    with health_server(200, {"ready": True, "active_calls": 0, "capacity": 4}) as spare:
        await workers.register_worker(app_db, base_url=spare.base_url, capacity=4)
        for leg in range(2, stream_end.MAX_FAIL_OVERS + 2):
            await call_legs.end_leg(app_db, call_sid=SID, leg=leg - 1, outcome="failed")
            await call_legs.start_leg(app_db, call_sid=SID, leg=leg, worker_id=f"wkr_gone_{leg}")
        # WHEN the last leg fails THEN voicemail, although a worker has room
        assert_voicemail(await stream_ended(client, leg=stream_end.MAX_FAIL_OVERS + 1), APOLOGY_BUSY)


async def test_an_unsigned_stream_end_is_refused(client: httpx.AsyncClient) -> None:
    # GIVEN a request that is not Twilio's WHEN posted THEN 403 with an empty body
    response = await client.post(
        "/stream-end?leg=1",
        content=urlencode(call_form()),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.content) == (403, b"")


async def test_a_stream_end_without_a_leg_is_a_bad_request(client: httpx.AsyncClient) -> None:
    # GIVEN a signed request without the leg number WHEN posted THEN 400 saying what is missing
    params = call_form()
    response = await client.post(
        "/stream-end", content=urlencode(params), headers=signed(params, url=PUBLIC_BASE_URL + "/stream-end")
    )
    assert response.status_code == 400
    assert "leg number" in response.text
