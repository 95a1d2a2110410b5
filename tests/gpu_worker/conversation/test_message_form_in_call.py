"""A front desk's message form on the real call path (the session over a Twilio media stream, fake models):
the caller names the person, says the message, their name and number across several turns — sometimes in
pieces — and the message goes to that person once, when the call ends, with all of it."""

from __future__ import annotations

from typing import Any

from shared.database import Database
from tests.gpu_worker.conversation.test_call_session import harness_factory, seeded
from tests.gpu_worker.conversation.test_tools_in_call import front_desk_with_dana

__all__ = ["harness_factory", "seeded"]
CALLER = "+15555550123"  # the harness's caller ID


async def _call(harness: Any, turns: int) -> Any:
    """The call through to its end: the agent's hang-up, or the caller's after the last turn."""
    await harness.converse(turns)
    await harness.wait_closed()
    return await harness.end()


async def test_a_message_said_in_pieces_goes_to_its_person_once_with_the_callers_name_and_number(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN a front desk with Dana among its people, and a caller who pauses after naming her
    await front_desk_with_dana(seeded)
    harness = harness_factory(
        caller_lines=[
            "Hi, I'd like to leave a message for Dana",
            "saying the signed lease is on her desk.",
            "This is Priya Shah.",
            "Yes, that number is fine.",
            "Yes, that's right, thanks.",
        ]
    )
    # WHEN the call runs to its goodbye
    record = await _call(harness, turns=6)
    # THEN the agent took the second half as the message (never asking for it again) and said goodbye
    agent = [entry.text for entry in record.transcript if entry.speaker == "agent"]
    assert not any("What message would you like me to pass on?" in text for text in agent), agent
    assert "I'll pass your message to Dana" in agent[-1]
    # AND one message went to Dana, with the whole message, the caller's name and their number
    [message] = [tool for tool in record.tools if tool.name == "take_message"]
    assert message.arguments == {
        "for_whom": "Dana",
        "from_name": "Priya Shah",
        "callback": CALLER,
        "message": "the signed lease is on her desk",
    }
    assert message.detail["to"] == "Dana Whitfield"


async def test_a_caller_who_hangs_up_after_saying_the_message_still_has_it_sent(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN a front desk and a caller who says who it is for and the message in one breath
    await front_desk_with_dana(seeded)
    harness = harness_factory(caller_lines=["Can I leave a message for Dana? Tell her the van is fixed."])
    # WHEN they hang up before giving their name
    record = await _call(harness, turns=1)
    # THEN the message still goes to Dana, to be called back on the number they called from
    [message] = [tool for tool in record.tools if tool.name == "take_message"]
    assert message.arguments == {"for_whom": "Dana", "message": "the van is fixed"}
    assert "They'll call you back on 5 5 5, 5 5 5, 0 1 2 3." in message.result


async def test_a_call_that_never_said_a_message_sends_none(harness_factory: Any, seeded: Database) -> None:
    # GIVEN a front desk caller who names Dana and then hangs up
    await front_desk_with_dana(seeded)
    harness = harness_factory(caller_lines=["I'd like to leave a message for Dana."])
    record = await _call(harness, turns=1)
    # THEN no empty message is sent to her (the owner's report still shows the call)
    assert [tool for tool in record.tools if tool.name == "take_message"] == []


async def test_speech_to_text_is_given_the_names_of_the_business_and_its_people(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN a front desk with Dana among its people
    await front_desk_with_dana(seeded)
    harness = harness_factory(caller_lines=["I'd like to leave a message for Dana."])
    # WHEN the caller speaks
    await _call(harness, turns=1)
    # THEN every transcription of the call was prompted with the names it cannot guess, spelled
    prompts = harness.models.stt.prompts
    assert prompts
    assert all(prompt == "Demo Plumbing Co. Dana Whitfield." for prompt in prompts)
