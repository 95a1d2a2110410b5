"""The simulator follows <Connect action> as Twilio does: when the worker's side ends the stream, it
POSTs the action URL (signed, with the call's parameters) and runs the TwiML it gets back."""

from __future__ import annotations

from pathlib import Path

from buddyhelps.simulator.caller import run_call
from buddyhelps.simulator.scenario import CallerLine, Scenario
from tests.buddyhelps.simulator.test_caller import _options
from tests.buddyhelps.simulator.twilio_peers import FakeWorker, FunctionsApp, ToneVoice, running_peers

HELLO = Scenario(name="hello", lines=(CallerLine(text="Hello, my sink is leaking."),), linger_s=5)


async def test_a_refused_stream_is_followed_to_the_next_worker_the_action_names(tmp_path: Path) -> None:
    # GIVEN a worker that refuses the first stream before any audio, and functions that answer the action
    # URL with another stream
    worker, functions = FakeWorker(refuse_streams=1), FunctionsApp(stream_end_answers=["stream", "hangup"])
    async with running_peers(worker, functions) as base_url:
        # WHEN the simulator places the call
        result = await run_call(scenario=HELLO, options=_options(base_url, tmp_path), voice=ToneVoice())
    # THEN it asked the action URL with Twilio's signed parameters for that call, and connected again
    assert functions.stream_end_forms[0]["CallSid"] == result.call_sid
    assert functions.stream_end_forms[0]["CallStatus"] == "in-progress"
    assert worker.streams == 2
    # AND the second stream carried the conversation to the agent's goodbye, after which the call ended
    assert result.legs == ("agent_hung_up", "agent_hung_up")
    assert result.outcome == "agent_hung_up"
    assert [turn.speaker for turn in result.turns] == ["agent", "caller", "agent"]
    assert len(functions.stream_end_forms) == 2


async def test_an_action_answering_voicemail_ends_in_voicemail(tmp_path: Path) -> None:
    # GIVEN a worker that drops the stream, and functions that answer the action URL with a voicemail
    worker, functions = FakeWorker(refuse_streams=1), FunctionsApp(stream_end_answers=["voicemail"])
    async with running_peers(worker, functions) as base_url:
        result = await run_call(scenario=HELLO, options=_options(base_url, tmp_path), voice=ToneVoice())
    # THEN the caller reached the voicemail with its apology
    assert result.outcome == "voicemail"
    assert "dropped out" in result.detail
    assert result.legs == ("agent_hung_up", "voicemail")


async def test_a_caller_who_hangs_up_does_not_trigger_the_action(tmp_path: Path) -> None:
    # GIVEN a call the caller hangs up on (Twilio does not ask the action URL of a call that is over)
    worker, functions = FakeWorker(reply_s=5.0, close_after_reply=False), FunctionsApp(stream_end_answers=["stream"])
    scenario = Scenario(name="bye", lines=(CallerLine(text="Never mind.", hangup_after_s=0.4),))
    async with running_peers(worker, functions) as base_url:
        result = await run_call(scenario=scenario, options=_options(base_url, tmp_path), voice=ToneVoice())
    # THEN the call ends there
    assert result.outcome == "caller_hung_up"
    assert functions.stream_end_forms == []
    assert worker.streams == 1
