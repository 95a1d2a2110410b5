"""Request-to-heard per tool: the clock stops at the clause that carries the tool's answer, not at whatever the
reply opened with ("One moment, let me check"), and an answer never heard is reported as such."""

from __future__ import annotations

import numpy as np

from buddyhelps.simulator.call_recording import CallRecording
from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.heard_clauses import HeardClause
from buddyhelps.tool_answer_timing import carries, tool_answer_timings
from functions.intent_log import IntentEntry
from gpu_worker.telephony.audio_codec import FRAME_SAMPLES, FloatAudio

HOLD, ANSWER = "One moment, let me check.", "On Saturday we're open 9 AM to 1 PM."
# What Whisper hears in each clause, keyed by its first tick (the fake transcriber reads it from the audio).
HEARD = {10: "Thanks for calling.", 60: "One moment, let me check.", 90: "On Saturday we're open 9 AM to 1 PM."}


def recording() -> CallRecording:
    rec = CallRecording()
    for tick in range(150):
        rec.add_tick(
            caller=b"\xff" * FRAME_SAMPLES, agent=bytes([tick % 256]) * FRAME_SAMPLES, agent_tag=0, sent_at=0.0
        )
    return rec


def transcribe(audio: FloatAudio) -> str:
    """The fake Whisper: each clause's audio starts with its tick number (see recording())."""
    first = recording().agent_audio(0, 149)
    tick = int(np.flatnonzero(np.isclose(first, audio[0]))[0] // FRAME_SAMPLES)
    return HEARD.get(tick, "")


def clause(first_tick: int, reply_to: int, heard_ms: float, request_end_ms: float | None) -> HeardClause:
    return HeardClause(
        reply_to=reply_to,
        heard_ms=heard_ms,
        request_end_ms=request_end_ms,
        first_tick=first_tick,
        last_tick=first_tick + 20,
    )


def call(*clauses: HeardClause) -> CallResult:
    return CallResult(call_sid="CA1", scenario="s", outcome="agent_hung_up", recording=recording(), clauses=clauses)


def hours_entry(result: str = ANSWER, outcome: str = "ok") -> IntentEntry:
    return IntentEntry(
        seq=0, name="hours", arguments={"day": "sat"}, outcome=outcome, result=result, detail={}, duration_ms=700
    )


async def test_the_answer_is_timed_from_the_request_to_its_own_clause_after_the_hold_line() -> None:
    # GIVEN a reply that opened with the hold line 800 ms after the request, then the answer at 1900 ms
    result = call(clause(10, 0, 0.0, None), clause(60, 1, 5800.0, 5000.0), clause(90, 1, 6900.0, 5000.0))
    # WHEN the hours tool's answer is timed
    [timing] = await tool_answer_timings(result, [hours_entry()], transcribe)
    # THEN the clock stops when the answer itself was heard, and the reply's first words are kept beside it
    assert timing.request_to_heard_ms == 1900.0
    assert timing.reply_started_ms == 800.0
    assert timing.heard_text == ANSWER


async def test_an_answer_never_heard_has_no_time_and_a_failed_tool_is_not_timed() -> None:
    result = call(clause(10, 0, 0.0, None), clause(60, 1, 5800.0, 5000.0))
    entries = [hours_entry(), hours_entry(result="Sorry, I couldn't check that.", outcome="failed")]
    [timing] = await tool_answer_timings(result, entries, transcribe)
    assert timing.request_to_heard_ms is None
    assert timing.answer == ANSWER


def test_a_clause_carries_the_answer_when_most_of_its_words_are_the_answers() -> None:
    assert carries("On Saturday were open 9 am to 1 pm", ANSWER)
    assert not carries("One moment, let me check.", ANSWER)
    assert not carries("Open.", ANSWER)  # one word proves nothing
    assert carries("your book for Monday.", "You're booked for Monday, November 30, 7 AM.")  # as Whisper hears it
    # a field question sharing words with a message tool's answer is not the answer
    assert not carries("What message would you like me to pass on?", "I'll pass your message on to Dana Whitfield.")
