"""The caller's turns through the session: a pause whose words trail off does not end the turn.

Speech-to-text answers late here (about ten frames, as Whisper on two cores), so the hold only works
when the pause's words arrive before the usual 800 ms of silence would have ended the turn.
"""

from __future__ import annotations

from typing import Any

from gpu_worker.conversation.turn_taking import TurnTakingConfig
from tests.gpu_worker.conversation.test_call_session import harness_factory, seeded

__all__ = ["harness_factory", "seeded"]


async def _caller_turns(harness: Any, stretches: list[tuple[int, int]]) -> list[str]:
    await harness.start()
    await harness.wait_until_played()
    for speech_ms, silence_ms in stretches:
        await harness.say(speech_ms, then_silence_ms=silence_ms)
    await harness.wait_until_played()
    record = await harness.end()
    return [entry.text for entry in record.transcript if entry.speaker == "caller"]


async def test_a_number_read_in_groups_with_a_breath_between_is_one_turn(harness_factory: Any) -> None:
    # GIVEN a caller who reads their number in two groups with a one-second breath between them
    harness = harness_factory(caller_lines=["You can reach me at 555 301", "You can reach me at 555 301 4477."])
    # WHEN they speak, breathe for a second, and finish
    turns = await _caller_turns(harness, [(1400, 1000), (700, 1000)])
    # THEN the agent heard the whole number as one turn, not its first half as an answer of its own
    assert turns == ["You can reach me at 555 301 4477."]


async def test_a_number_is_one_turn_even_when_its_words_come_later_than_the_usual_silence(
    harness_factory: Any,
) -> None:
    # GIVEN speech-to-text slowed by a busy machine: the pause's words come ~900 ms after it began
    harness = harness_factory(caller_lines=["You can reach me at 555 301", "You can reach me at 555 301 4477."])
    harness.models.stt.answer_rounds = 1300
    # WHEN the caller reads their number in two groups with a one-second breath
    turns = await _caller_turns(harness, [(1400, 1000), (700, 1500)])
    # THEN it is still one turn: the pause was not ended for want of its words
    assert turns == ["You can reach me at 555 301 4477."]


async def test_a_sentence_trailing_off_on_and_waits_for_the_rest(harness_factory: Any) -> None:
    harness = harness_factory(
        caller_lines=["The heater is banging and", "The heater is banging and there's water on the floor."]
    )
    turns = await _caller_turns(harness, [(1400, 1200), (1200, 1000)])
    assert turns == ["The heater is banging and there's water on the floor."]


async def test_a_finished_sentence_ends_the_turn_at_the_usual_silence(harness_factory: Any) -> None:
    # GIVEN a caller whose words at the pause are a whole sentence, and a turn model unsure they are done
    harness = harness_factory(caller_lines=["My kitchen sink is leaking."])
    harness.models.turn.probability = 0.1  # so the silence limit alone ends the turn
    await harness.start()
    await harness.wait_until_played()
    # WHEN they stop talking
    await harness.say(1400, then_silence_ms=3000)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the agent answers after the usual silence, not the longer one kept for words that trail off
    caller = next(entry for entry in record.transcript if entry.speaker == "caller")
    answer = next(entry for entry in record.transcript if entry.speaker == "agent" and entry.start_ms > caller.end_ms)
    assert answer.start_ms - caller.end_ms < TurnTakingConfig().unfinished_silence_ms


async def _hang_up_after(harness: Any, speech_ms: int, silence_ms: int) -> tuple[list[str], str]:
    await harness.start()
    await harness.wait_until_played()
    await harness.say(speech_ms, then_silence_ms=silence_ms)
    harness.line.stop()
    record = await harness.end()
    return [e.text for e in record.transcript if e.speaker == "caller"], record.end_reason


async def test_words_said_just_before_hanging_up_are_kept_in_the_transcript(harness_factory: Any) -> None:
    # GIVEN a caller who gives their address and hangs up before the agent could take it in
    harness = harness_factory(caller_lines=["It's 12 Oak Street."])
    turns, end_reason = await _hang_up_after(harness, 1200, 200)
    # THEN what they said is in the transcript the owner's report is made from
    assert turns == ["It's 12 Oak Street."]
    assert end_reason == "caller_hung_up"


async def test_a_caller_cut_off_mid_sentence_keeps_what_they_said(harness_factory: Any) -> None:
    # GIVEN a caller still talking when the line goes dead
    harness = harness_factory(caller_lines=["The water is coming through the ceiling"])
    turns, _ = await _hang_up_after(harness, 1500, 0)
    # THEN their words so far are kept
    assert turns == ["The water is coming through the ceiling"]


async def test_a_turn_joined_to_the_one_it_continued_is_heard_again_whole(harness_factory: Any) -> None:
    # GIVEN a caller whose turn ended at a pause, and whose second part, heard alone, came out garbled
    harness = harness_factory(
        caller_lines=[
            "My name is Sam Reed.",
            "You can reach me",
            "555 555 55 55 55 55 55",  # Whisper looping on digits heard without their start
            "You can reach me at 555 555 0177.",  # the same audio, heard whole
        ]
    )
    await harness.start()
    await harness.wait_until_played()
    await harness.say(900)
    await harness.wait_until_played()
    await harness.say(700, then_silence_ms=600)
    # WHEN they carry on over the start of the agent's answer
    await harness.say(700)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the two parts are one turn, with the words of the whole, not the parts' words side by side
    callers = [e.text for e in record.transcript if e.speaker == "caller"]
    assert callers[-1] == "You can reach me at 555 555 0177."


async def test_a_caller_who_goes_on_while_the_agent_is_still_thinking_is_joined_again(harness_factory: Any) -> None:
    # GIVEN a caller whose sentence came in three parts: the first ended the turn, the second was joined to it
    whole = "I'd like to leave a message for Dana saying the signed contract is in the mail."
    harness = harness_factory(
        caller_lines=[
            "My name is Sam Reed.",
            "I'd like to leave a message for Dana.",
            "saying the signed contract.",
            "I'd like to leave a message for Dana saying the signed contract.",  # the joined turn, heard again
            "is in the mail.",
            whole,
        ],
        tts_word_s=0.3,  # the agent's answers take as long to say as a person's
    )
    harness.models.stt.answer_rounds = 900  # a busy machine: words ~600 ms after they were asked for
    await harness.start()
    await harness.wait_until_played()
    await harness.say(900)
    await harness.wait_until_played()
    await harness.say(700, then_silence_ms=1100)
    await harness.say(700, then_silence_ms=900)
    # WHEN the third part starts while the agent is still hearing the joined turn again
    await harness.say(700, then_silence_ms=2500)  # (and the whole is heard again before the answer)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the whole sentence is one turn, heard whole
    callers = [e.text for e in record.transcript if e.speaker == "caller"]
    assert callers[-1] == whole
