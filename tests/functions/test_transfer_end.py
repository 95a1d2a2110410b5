"""POST /twilio/transfer-end (a transfer's <Dial action>) through the real ASGI app: answered → hang up;
nobody answered → back to the agent on a new leg; no worker free → voicemail. Never a dead line. And the
owner gets one report of a transferred call: what was said before the transfer, and after it when the
caller came back, never the first stream's half on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from functions import call_complete, incoming_call, stream_end, transfer_end
from functions.edge_app import create_function_app
from shared.call_report import CallReport, ReportField, ToolCallEntry, TranscriptEntry
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_NUMBER
from shared.repositories import call_legs, calls, workers
from shared.repositories.notifications import list_for_call
from shared.settings import load_settings
from tests.functions.conftest import make_report, signed_headers
from tests.functions.test_incoming_call import CALLER, PUBLIC_BASE_URL, SID, call_form, post_call, signed, twiml_root
from tests.functions.test_stream_end import seeded, worker
from tests.health_server import HealthServer

__all__ = ["seeded", "worker"]


@pytest.fixture
async def client(seeded: None) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_function_app(
        incoming_call.router, stream_end.router, transfer_end.router, call_complete.router, settings=load_settings()
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
    # AND the agent is told who did not pick up, so it says so instead of greeting the caller again
    parameters = {p.attrib["name"]: p.attrib["value"] for p in connect.findall("./Stream/Parameter")}
    assert parameters["transfer_unanswered"] == "Sam"
    db = await client.app.state.edge.database()  # type: ignore[attr-defined]
    assert [leg.leg for leg in await call_legs.list_legs(db, SID)] == [1, 2]


async def test_an_unanswered_transfer_with_no_worker_free_takes_a_voicemail(client: httpx.AsyncClient) -> None:
    await post_call(client, call_form())
    await _no_worker_free(client)
    response = await dial_ended(client, "busy")
    verbs = [verb.tag for verb in twiml_root(response)]
    assert "Record" in verbs
    assert "nobody could take your call" in response.text


def stream_report(end_reason: str, lines: list[tuple[str, str]], *, name: ReportField, transfer: bool) -> CallReport:
    """One stream's report, as the worker sends it when the stream ends."""
    transcript = [
        TranscriptEntry(
            speaker="caller" if speaker == "caller" else "agent", text=text, start_ms=i * 2000, end_ms=i * 2000 + 1500
        )
        for i, (speaker, text) in enumerate(lines)
    ]
    tools = (
        [
            ToolCallEntry(
                name="transfer",
                arguments={"to": "Marco"},
                outcome="ok",
                detail={"transfer": "dialing", "to": "Marco Diaz"},
                duration_ms=3,
            )
        ]
        if transfer
        else []
    )
    return make_report(
        call_sid=SID,
        business_id=DEMO_BUSINESS_ID,
        from_number=CALLER,
        to_number=DEMO_NUMBER,
        end_reason=end_reason,
        transcript=transcript,
        tools=tools,
        fields=[name],
    )


FIRST_STREAM = [
    ("agent", "How can I help?"),
    ("caller", "Could you put me through to Marco?"),
    ("agent", "Please hold while I connect you to Marco Diaz."),
]


async def report(client: httpx.AsyncClient, stream: CallReport) -> str:
    body = stream.model_dump_json().encode()
    response = await client.post("/api/call-complete", content=body, headers=signed_headers(load_settings(), body))
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def owner_messages(client: httpx.AsyncClient) -> list[str]:
    db = await client.app.state.edge.database()  # type: ignore[attr-defined]
    call = await calls.get_call_by_sid(db, SID)
    assert call is not None
    return [n.body for n in await list_for_call(db, call.id) if n.purpose.startswith("owner_")]


async def test_an_unanswered_transfer_gives_the_owner_one_report_of_both_streams(
    client: httpx.AsyncClient, worker: HealthServer
) -> None:
    # GIVEN a call transferred to Marco: the first stream reports (its extraction guessed the name wrong)
    await post_call(client, call_form())
    guessed = ReportField(name="name", label="Name", kind="person_name", value="Marco Diaz", status="extracted")
    assert await report(client, stream_report("transferred", FIRST_STREAM, name=guessed, transfer=True)) == "held"
    # THEN nothing is sent to the owner yet: the call is not over
    assert await owner_messages(client) == []
    # WHEN Marco does not pick up, the caller comes back to the agent and gives their details
    await dial_ended(client, "no-answer")
    given = ReportField(name="name", label="Name", kind="person_name", value="Helen Carter", status="confirmed")
    back = [("caller", "He didn't pick up. My furnace keeps banging."), ("caller", "I'm Helen Carter.")]
    assert await report(client, stream_report("agent_completed", back, name=given, transfer=False)) == "stored"
    # THEN the owner gets one SMS and one email, with the caller's name and both streams in order
    messages = await owner_messages(client)
    assert len(messages) == 2
    assert all("Helen Carter" in body and "Marco Diaz" not in body.split("Transcript")[0] for body in messages)
    email = next(body for body in messages if "Transcript" in body)
    order = ["put me through to Marco", "Transferred to Marco Diaz: not answered (no-answer)", "furnace keeps banging"]
    positions = [email.index(text) for text in order]
    assert positions == sorted(positions)


async def test_an_answered_transfer_reports_what_was_said_before_it(client: httpx.AsyncClient) -> None:
    # GIVEN a call transferred to Marco, whose stream has reported
    await post_call(client, call_form())
    name = ReportField(name="name", label="Name", kind="person_name", value="Helen Carter", status="given")
    assert await report(client, stream_report("transferred", FIRST_STREAM, name=name, transfer=True)) == "held"
    # WHEN Marco answers and, later, hangs up
    response = await dial_ended(client, "completed")
    # THEN the call ends and the owner is told, once, with the transfer in the transcript
    assert [verb.tag for verb in twiml_root(response)] == ["Hangup"]
    messages = await owner_messages(client)
    assert len(messages) == 2
    assert any("Transferred to Marco Diaz: answered" in body for body in messages)


async def test_a_transfer_answered_before_its_stream_reported_is_reported_when_the_report_comes(
    client: httpx.AsyncClient,
) -> None:
    # GIVEN a short call with Marco that ended before the first stream's report (its extraction is slow)
    await post_call(client, call_form())
    await dial_ended(client, "completed")
    assert await owner_messages(client) == []
    # WHEN the report comes
    name = ReportField(name="name", label="Name", kind="person_name", value="Helen Carter", status="given")
    assert await report(client, stream_report("transferred", FIRST_STREAM, name=name, transfer=True)) == "stored"
    # THEN the owner is told
    assert len(await owner_messages(client)) == 2


async def _no_worker_free(client: httpx.AsyncClient) -> None:
    db = await client.app.state.edge.database()  # type: ignore[attr-defined]
    for each in await workers.list_workers(db):
        await db.execute("DELETE FROM workers WHERE id = ?", (each.id,))


async def test_a_transfer_nobody_answered_that_ends_in_voicemail_still_reports_what_was_said(
    client: httpx.AsyncClient,
) -> None:
    # GIVEN a call transferred to Marco whose stream has reported (held: the call is not over)
    await post_call(client, call_form())
    name = ReportField(name="name", label="Name", kind="person_name", value="Helen Carter", status="given")
    assert await report(client, stream_report("transferred", FIRST_STREAM, name=name, transfer=True)) == "held"
    # WHEN Marco does not pick up and no worker is free to take the caller back
    await _no_worker_free(client)
    response = await dial_ended(client, "no-answer")
    # THEN the caller is asked for a voicemail, and the owner is told what was said before the transfer
    assert "Record" in [verb.tag for verb in twiml_root(response)]
    messages = await owner_messages(client)
    assert len(messages) == 2
    assert any("Transferred to Marco Diaz: not answered (no-answer)" in body for body in messages)


async def test_a_transfer_that_went_to_voicemail_before_its_stream_reported_is_reported_when_it_comes(
    client: httpx.AsyncClient,
) -> None:
    # GIVEN a transfer nobody answered, no worker free, and the first stream's report still on its way
    await post_call(client, call_form())
    await _no_worker_free(client)
    await dial_ended(client, "busy")
    assert await owner_messages(client) == []
    # WHEN the report comes
    name = ReportField(name="name", label="Name", kind="person_name", value="Helen Carter", status="given")
    assert await report(client, stream_report("transferred", FIRST_STREAM, name=name, transfer=True)) == "stored"
    # THEN it is not held for a stream that will never come
    assert len(await owner_messages(client)) == 2
