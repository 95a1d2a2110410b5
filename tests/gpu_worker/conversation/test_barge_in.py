"""Speech over the agent: a listening noise never cuts it, even a long one; real words stop it.

GIVEN the agent in the middle of a long answer (fake stages on the virtual clock of `test_call_session`,
Whisper's look at the words so far answering ~200 ms late), WHEN the caller talks over it, THEN the
caller hears the agent go on through "mm-hmm, yeah" and stop for "actually, the address is wrong".
"""

from __future__ import annotations

from typing import Any

import pytest

from gpu_worker.conversation.barge_in import interrupts
from tests.gpu_worker.conversation.test_call_session import OFF_SCRIPT, harness_factory, seeded
from tests.gpu_worker.fake_stages import SILENCE, FakeLlm, FakeStt

__all__ = ["harness_factory", "seeded"]

LONG_ANSWER = "Sure. " + " ".join(["The plumber will call you back soon about this."] * 8)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Mm-hmm, yeah.", "en", False),
        ("Okay, sure.", "en", False),
        ("Ow. Ow. Ow.", "en", False),  # Whisper's hearing of a lone "uh-huh"
        ("Actually, the address is wrong.", "en", True),
        ("No, no, no.", "en", True),
        ("Wait!", "en", True),
        ("M-M-R-M-R", "en", False),  # and of "mm-hmm, yeah": letters are not words
        ("Ah, okay.", "en", False),
        ("Vale, vale.", "es", False),
        ("Espere.", "es", True),
    ],
)
def test_only_words_that_object_or_say_something_interrupt(text: str, language: str, expected: bool) -> None:
    assert interrupts(text, language) == expected


def test_words_whisper_was_unsure_of_do_not_interrupt() -> None:
    # GIVEN Whisper's spelling of a "mm-hmm" ("A man hung"), heard with little confidence, and real words
    # THEN only the confident words stop the agent
    assert not interrupts("A man hung", "en", confidence=-1.3)
    assert interrupts("Wait, that's not right.", "en", confidence=-0.6)


async def _agent_answering_at_length(harness_factory: Any, over_the_agent: str) -> Any:
    harness = harness_factory(
        caller_lines=["My toilet keeps running all night.", OFF_SCRIPT, over_the_agent], replies=[LONG_ANSWER]
    )
    await harness.start()
    await harness.wait_until_played()
    await harness.say(800)
    await harness.wait_until_played()
    await harness.say(800, then_silence_ms=400)
    await harness.line.frames(SILENCE, 80)  # well into the long answer
    return harness


async def test_a_backchannel_longer_than_the_length_rule_does_not_cut_the_agent(harness_factory: Any) -> None:
    # GIVEN the agent answering at length
    harness = await _agent_answering_at_length(harness_factory, "Mm-hmm, yeah.")
    llm = harness.models.llm
    assert isinstance(llm, FakeLlm)
    requests_before = len(llm.requests)
    # WHEN the caller says "mm-hmm, yeah" over it for a whole second (longer than a short "mm-hmm")
    await harness.say(1000, then_silence_ms=1000)
    await harness.wait_until_played()
    # THEN the words were looked at, the agent was never cut and its answer played to the end
    stt = harness.models.stt
    assert isinstance(stt, FakeStt)
    assert stt.peeks >= 1
    assert not harness.line.events("clear")
    assert len(llm.requests) == requests_before
    record = await harness.end()
    agent = [e for e in record.transcript if e.speaker == "agent"]
    assert not any(e.interrupted for e in agent)
    assert agent[-1].text.endswith("about this. Could I get your name, please?")


async def test_real_words_over_the_agent_stop_it_while_the_caller_is_still_talking(harness_factory: Any) -> None:
    # GIVEN the agent answering at length
    harness = await _agent_answering_at_length(harness_factory, "Actually, the address is wrong.")
    # WHEN the caller objects over it, still talking
    await harness.say(1200, then_silence_ms=0)
    # THEN the agent was stopped once their words were heard, before they paused
    assert len(harness.line.events("clear")) == 1
    await harness.line.frames(SILENCE, 50)
    await harness.wait_until_played()
    record = await harness.end()
    assert any(e.speaker == "agent" and e.interrupted for e in record.transcript)
    assert any(e.speaker == "caller" and e.text == "Actually, the address is wrong." for e in record.transcript)


async def test_speech_too_long_for_any_backchannel_stops_the_agent_whatever_the_words(harness_factory: Any) -> None:
    # GIVEN the agent answering at length, and speech over it that Whisper hears only as "mm-hmm"
    harness = await _agent_answering_at_length(harness_factory, "Mm-hmm.")
    # WHEN it goes on for two seconds
    await harness.say(2000, then_silence_ms=0)
    # THEN the agent stopped: nobody says "mm-hmm" for that long
    assert len(harness.line.events("clear")) == 1
    await harness.line.frames(SILENCE, 50)
    await harness.end()
