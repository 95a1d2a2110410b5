"""The simulator end to end against an in-test worker (WebSocket) and functions app (uvicorn)."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np

from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.scenario import CallerLine, Scenario
from tests.buddyhelps.simulator.twilio_peers import AUTH_TOKEN, FakeWorker, FunctionsApp, ToneVoice, running_peers

ACCOUNT_SID = "AC" + "a" * 32


def _options(base_url: str, tmp_path: Path, *, auth_token: str = AUTH_TOKEN) -> CallOptions:
    return CallOptions(
        functions_url=base_url,
        public_base_url=base_url,
        auth_token=auth_token,
        account_sid=ACCOUNT_SID,
        artifacts_dir=tmp_path,
        reply_gap_s=0.3,
    )


async def test_a_call_plays_twilio_exactly_and_measures_the_turns(tmp_path: Path) -> None:
    # GIVEN a worker that greets, replies once the caller goes quiet, and hangs up after its reply
    worker, functions = FakeWorker(), FunctionsApp()
    scenario = Scenario(name="hello", lines=(CallerLine(text="Hello, my sink is leaking."),), linger_s=5)
    async with running_peers(worker, functions) as base_url:
        # WHEN the simulator places the call
        result = await run_call(scenario=scenario, options=_options(base_url, tmp_path), voice=ToneVoice())

    # THEN the worker saw well-formed Twilio frames only, with the TwiML parameters and a signed upgrade
    assert worker.problems == []
    assert worker.start is not None
    assert worker.start.call_sid == result.call_sid
    assert result.call_sid.startswith("CA")
    assert len(result.call_sid) == 34
    assert worker.start.stream_sid.startswith("MZ")
    assert len(worker.start.stream_sid) == 34
    assert worker.start.custom_parameters == {"call_sid": result.call_sid, "token": "tok-1"}
    assert worker.signature
    # AND the webhooks were signed and carried the call (the app refuses bad signatures)
    assert functions.incoming_forms[0]["CallStatus"] == "ringing"
    assert functions.incoming_forms[0]["From"] == "+15555550123"
    assert functions.status_forms[0]["CallStatus"] == "completed"
    assert functions.status_forms[0]["CallSid"] == result.call_sid
    # AND media flowed in real time: 20 ms apart on average, never stalling
    gaps = np.diff(worker.arrivals)
    assert 0.018 < gaps.mean() < 0.022
    assert gaps.max() < 0.2
    assert result.frames_sent >= len(worker.arrivals)
    # AND the call ended because the agent hung up, after both marks came back
    assert result.outcome == "agent_hung_up"
    assert worker.marks == ["greeting", "reply-1"]
    assert result.marks_echoed == 2
    # AND the turns read greeting, caller, reply with caller-side latencies
    assert [turn.speaker for turn in result.turns] == ["agent", "caller", "agent"]
    assert result.turns[1].text == "Hello, my sink is leaking."
    assert result.greeting_ms is not None
    assert result.greeting_ms < 500
    reply_latency = result.turns[2].latency_ms
    assert reply_latency is not None
    assert 250 < reply_latency < 1500
    greeting = result.turns[0]
    assert 400 < greeting.end_ms - greeting.start_ms < 700  # 0.5 s played at real time


async def test_the_recording_holds_both_sides_as_heard(tmp_path: Path) -> None:
    worker, functions = FakeWorker(), FunctionsApp()
    scenario = Scenario(name="hello", lines=(CallerLine(text="Hi."),), linger_s=5)
    async with running_peers(worker, functions) as base_url:
        result = await run_call(scenario=scenario, options=_options(base_url, tmp_path), voice=ToneVoice())
    # GIVEN the WAV written for the call
    assert result.wav_path == tmp_path / f"{result.call_sid}.wav"
    with wave.open(str(result.wav_path)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (2, 8000, 2)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    # THEN the right channel holds the greeting at the start, the left the caller's speech after it
    greeting = samples[: 8000 * 4 // 10, 1]
    assert np.abs(greeting).max() > 5000
    assert np.abs(samples[: 8000 * 4 // 10, 0]).max() == 0
    caller_start = result.turns[1].start_ms
    caller_audio = samples[int(caller_start * 8) : int(caller_start * 8) + 4000, 0]
    assert np.abs(caller_audio).max() > 5000


async def test_barge_in_gets_the_agent_cleared_and_its_marks_echoed(tmp_path: Path) -> None:
    # GIVEN a worker with a long reply that it clears when the caller talks over it
    worker = FakeWorker(reply_s=4.0, clear_on_barge_in=True, close_after_reply=True)
    functions = FunctionsApp()
    scenario = Scenario(
        name="interrupt",
        lines=(CallerLine(text="My heater is leaking."), CallerLine(text="Wait, sorry!", barge_in_after_s=0.5)),
        linger_s=3,
    )
    async with running_peers(worker, functions) as base_url:
        # WHEN the caller barges in half a second into the reply
        result = await run_call(scenario=scenario, options=_options(base_url, tmp_path), voice=ToneVoice())
    # THEN the worker's clear arrived within a few frames, and the reply's mark was echoed at once
    assert worker.problems == []
    assert result.barge_in_ms is not None
    assert result.barge_in_ms < 300
    assert worker.marks == ["greeting", "reply-1"]
    clear_at = next(at for at, event in worker.events if event == "clear")
    mark_at = next(at for at, event in worker.events if event == "mark reply-1")
    assert mark_at - clear_at < 0.2
    # AND the caller heard well under the 4 s reply: playback stopped at the clear
    reply = next(turn for turn in result.turns if turn.speaker == "agent" and turn.reply_to == 1)
    assert reply.end_ms - reply.start_ms < 1500
    # AND the interrupted caller line is in the turns, cut off where the agent hung up
    assert [turn.text for turn in result.turns if turn.speaker == "caller"] == [
        "My heater is leaking.",
        "Wait, sorry! [cut off]",
    ]


async def test_caller_hangs_up_mid_reply_and_twilio_sends_stop(tmp_path: Path) -> None:
    worker, functions = FakeWorker(reply_s=5.0, close_after_reply=False), FunctionsApp()
    scenario = Scenario(name="bye", lines=(CallerLine(text="Never mind.", hangup_after_s=0.4),))
    async with running_peers(worker, functions) as base_url:
        result = await run_call(scenario=scenario, options=_options(base_url, tmp_path), voice=ToneVoice())
    assert result.outcome == "caller_hung_up"
    assert worker.stopped
    assert worker.problems == []
    assert functions.status_forms[0]["CallStatus"] == "completed"


async def test_dtmf_digits_reach_the_worker(tmp_path: Path) -> None:
    worker, functions = FakeWorker(close_after_reply=False), FunctionsApp()
    scenario = Scenario(name="zero", lines=(CallerLine(dtmf="0#", hangup_after_s=0.0),), agent_reply_timeout_s=0.5)
    async with running_peers(worker, functions) as base_url:
        result = await run_call(scenario=scenario, options=_options(base_url, tmp_path), voice=ToneVoice())
    assert worker.digits == ["0", "#"]
    assert result.dtmf_sent == 2
    assert [turn.text for turn in result.turns if turn.speaker == "caller"] == ["[DTMF 0]", "[DTMF #]"]


async def test_voicemail_twiml_is_reported_without_a_stream(tmp_path: Path) -> None:
    worker, functions = FakeWorker(), FunctionsApp(voicemail=True)
    async with running_peers(worker, functions) as base_url:
        result = await run_call(scenario=Scenario(name="x"), options=_options(base_url, tmp_path), voice=ToneVoice())
    assert result.outcome == "voicemail"
    assert "nobody can take your call" in result.detail
    assert worker.start is None
    assert functions.status_forms  # Twilio still reports the call's end


async def test_a_wrongly_signed_webhook_is_refused(tmp_path: Path) -> None:
    # GIVEN a simulator holding the wrong auth token
    worker, functions = FakeWorker(), FunctionsApp()
    async with running_peers(worker, functions) as base_url:
        result = await run_call(
            scenario=Scenario(name="x"),
            options=_options(base_url, tmp_path, auth_token="wrong-token"),
            voice=ToneVoice(),
        )
    # THEN the functions app refused it, and the call is reported as failed
    assert result.outcome == "webhook_failed"
    assert result.failed
    assert "HTTP 403" in result.detail


async def test_unreachable_functions_fail_cleanly(tmp_path: Path) -> None:
    result = await run_call(
        scenario=Scenario(name="x"), options=_options("http://127.0.0.1:9", tmp_path), voice=ToneVoice()
    )
    assert result.outcome == "webhook_failed"
    assert "unreachable" in result.detail


async def test_concurrent_calls_stay_separate_and_real_time(tmp_path: Path) -> None:
    # GIVEN one worker and functions app, and four callers dialling at once (as `buddyhelps bench` does)
    worker, functions = FakeWorker(), FunctionsApp()
    scenario = Scenario(name="hello", lines=(CallerLine(text="Hello?"),), linger_s=5)
    async with running_peers(worker, functions) as base_url:
        results = await asyncio.gather(
            *(run_call(scenario=scenario, options=_options(base_url, tmp_path), voice=ToneVoice()) for _ in range(4))
        )
    # THEN every call completed on its own stream, with its own recording, and frames left on time
    assert worker.problems == []
    assert [result.outcome for result in results] == ["agent_hung_up"] * 4
    assert len({result.call_sid for result in results}) == 4
    assert len({result.wav_path for result in results}) == 4
    assert all(result.pacing is not None and result.pacing.p99_ms < 50 for result in results)
    assert all(result.marks_echoed == 2 for result in results)
