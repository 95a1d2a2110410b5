"""POST /twilio/transfer-end (a transfer's <Dial action>) through the real ASGI app: answered → hang up;
nobody answered → back to the agent on a new leg; no worker free → voicemail. Never a dead line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from functions import incoming_call, stream_end, transfer_end
from functions.edge_app import create_function_app
from shared.repositories import call_legs, workers
from shared.settings import load_settings
from tests.functions.test_incoming_call import PUBLIC_BASE_URL, SID, call_form, post_call, signed, twiml_root
from tests.functions.test_stream_end import seeded, worker
from tests.health_server import HealthServer

__all__ = ["seeded", "worker"]


@pytest.fixture
async def client(seeded: None) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_function_app(
        incoming_call.router, stream_end.router, transfer_end.router, settings=load_settings()
    )
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http
    finally:
        await app.state.edge.close()


async def dial_ended(client: httpx.AsyncClient, status: str) -> httpx.Response:
    """What Twilio does when the dialled leg ends: POST the <Dial action>, signed, with DialCallStatus."""
    path = "/twilio/transfer-end?business_id=demo&to=Sam"
    params = call_form(CallStatus="in-progress", DialCallStatus=status)
    return await client.post(path, content=urlencode(params), headers=signed(params, url=PUBLIC_BASE_URL + path))


async def test_an_answered_transfer_hangs_up_when_the_person_does(client: httpx.AsyncClient) -> None:
    await post_call(client, call_form())
    response = await dial_ended(client, "completed")
    assert [verb.tag for verb in twiml_root(response)] == ["Hangup"]


async def test_an_unanswered_transfer_returns_the_caller_to_the_agent_on_a_new_leg(
    client: httpx.AsyncClient, worker: HealthServer
) -> None:
    # GIVEN a call connected to the worker (leg 1), transferred, and nobody picks up
    await post_call(client, call_form())
    response = await dial_ended(client, "no-answer")
    # THEN Twilio is told to stream the caller to the agent again, as leg 2
    connect = twiml_root(response).find("./Connect")
    assert connect is not None, response.text
    assert connect.attrib["action"] == PUBLIC_BASE_URL + "/stream-end?leg=2"
    db = await client.app.state.edge.database()  # type: ignore[attr-defined]
    assert [leg.leg for leg in await call_legs.list_legs(db, SID)] == [1, 2]


async def test_an_unanswered_transfer_with_no_worker_free_takes_a_voicemail(client: httpx.AsyncClient) -> None:
    await post_call(client, call_form())
    db = await client.app.state.edge.database()  # type: ignore[attr-defined]
    for each in await workers.list_workers(db):
        await db.execute("DELETE FROM workers WHERE id = ?", (each.id,))
    response = await dial_ended(client, "busy")
    verbs = [verb.tag for verb in twiml_root(response)]
    assert "Record" in verbs
    assert "nobody could take your call" in response.text
