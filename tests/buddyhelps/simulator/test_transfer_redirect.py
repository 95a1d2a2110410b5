"""A transfer as Twilio plays it: the worker redirects the live call through the REST API to a <Dial>; the
caller leaves the stream, the number rings, and the <Dial action> decides what follows — the call ends with
the person who answered, or comes back to the agent on a new stream where the caller's lines go on."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import httpx

from buddyhelps.simulator.caller import run_call
from buddyhelps.simulator.live_redirects import LiveRedirects
from buddyhelps.simulator.scenario import CallerLine, Scenario
from buddyhelps.simulator.twilio_api import SimulatedTwilio, create_twilio_api
from buddyhelps.simulator.twilio_webhooks import WebhookTarget
from tests.buddyhelps.simulator.test_caller import ACCOUNT_SID, _options
from tests.buddyhelps.simulator.twilio_peers import AUTH_TOKEN, FakeWorker, FunctionsApp, ToneVoice, running_peers

ASKS = Scenario(
    name="asks-for-sam",
    lines=(CallerLine(text="Can I speak to Sam?"), CallerLine(text="Fine, I'll leave my details.")),
    linger_s=1.0,
)


def dial_twiml(action_url: str) -> str:
    return f'<Response><Dial timeout="20" action="{action_url}"><Number>+15550107701</Number></Dial></Response>'


async def transfer_once_replied(worker: FakeWorker, functions: FunctionsApp, redirects: LiveRedirects) -> None:
    """The worker's side of a transfer: once its reply was heard, redirect the call to the <Dial>."""
    while "reply-1" not in worker.marks:  # noqa: ASYNC110 - the fake worker's marks are the signal
        await asyncio.sleep(0.02)
    call_sid = functions.incoming_forms[0]["CallSid"]
    assert redirects.redirect(call_sid, dial_twiml(functions.public_base_url + "/stream-end"))


async def call_with_transfer(tmp_path: Path, *, dial_answer: str, after_dial: list[str]) -> tuple[object, ...]:
    worker = FakeWorker(close_after_reply=False)
    functions = FunctionsApp(stream_end_answers=after_dial)
    redirects = LiveRedirects()
    async with running_peers(worker, functions) as base_url:
        options = replace(_options(base_url, tmp_path), edge_time_scale=0.01, dial_answer=dial_answer)
        transfer = asyncio.create_task(transfer_once_replied(worker, functions, redirects))
        result = await run_call(scenario=ASKS, options=options, voice=ToneVoice(), redirects=redirects)
        await transfer
    return result, worker, functions


async def test_an_answered_transfer_ends_the_call_with_the_person(tmp_path: Path) -> None:
    # GIVEN a call the worker transfers after its reply, and a person who picks up
    result, worker, functions = await call_with_transfer(tmp_path, dial_answer="completed", after_dial=["hangup"])
    # THEN the caller left the stream (Twilio stops it), the number rang and answered, and the call ended there
    assert isinstance(worker, FakeWorker)
    assert worker.stopped
    assert result.outcome == "transferred"  # type: ignore[attr-defined]
    assert result.legs == ("redirected", "transferred")  # type: ignore[attr-defined]
    assert [e.detail for e in result.edge if e.verb == "dial"] == ["+15550107701 completed"]  # type: ignore[attr-defined]
    # AND the <Dial action> heard how the dial ended
    assert isinstance(functions, FunctionsApp)
    assert functions.stream_end_forms[-1]["DialCallStatus"] == "completed"


async def test_an_unanswered_transfer_brings_the_caller_back_with_their_next_line(tmp_path: Path) -> None:
    # GIVEN nobody picks up, and the <Dial action> connects the caller to the agent again
    result, worker, _ = await call_with_transfer(tmp_path, dial_answer="no-answer", after_dial=["stream", "hangup"])
    # THEN the caller heard the agent on a second stream and said the line that was still to come there
    assert isinstance(worker, FakeWorker)
    assert worker.streams == 2
    assert result.legs[0] == "redirected"  # type: ignore[attr-defined]
    first, second = result.all_legs  # type: ignore[attr-defined]
    assert [t.text for t in first.turns if t.speaker == "caller"] == ["Can I speak to Sam?"]
    assert [t.text for t in second.turns if t.speaker == "caller"] == ["Fine, I'll leave my details."]
    assert [e.detail for e in result.edge if e.verb == "dial"] == ["+15550107701 no-answer"]  # type: ignore[attr-defined]


async def test_the_rest_api_redirects_a_live_inbound_call_and_refuses_an_unknown_one() -> None:
    # GIVEN the simulated REST API and one inbound call on a stream
    target = WebhookTarget(functions_url="http://x", public_base_url="http://x", auth_token=AUTH_TOKEN)
    async with SimulatedTwilio(target=target, account_sid=ACCOUNT_SID, callees={}, voice=ToneVoice()) as twilio:
        transport = httpx.ASGITransport(app=create_twilio_api(twilio))
        async with httpx.AsyncClient(transport=transport, base_url="http://api", auth=(ACCOUNT_SID, AUTH_TOKEN)) as api:
            with twilio.inbound.watching("CA" + "1" * 32) as redirected:
                # WHEN the worker posts the transfer's TwiML for it, and for a call that is not there
                url = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{{}}.json"
                live = await api.post(url.format("CA" + "1" * 32), data={"Twiml": "<Response><Dial/></Response>"})
                unknown = await api.post(url.format("CA" + "2" * 32), data={"Twiml": "<Response/>"})
                # THEN the live call runs the new TwiML; the unknown one is Twilio's 404
                assert live.status_code == 200
                assert redirected.result() == "<Response><Dial/></Response>"
                assert unknown.status_code == 404
