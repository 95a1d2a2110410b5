"""The guided planner routes to tools from the caller's words, without the LLM: hours, a person, a
message, a booking and the pick among offered times; a tool the agent lacks is not asked for."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.planning.planner import ToolRequest
from gpu_worker.conversation.planning.tool_routing import ToolRouter
from shared.agents.templates import load_template
from tests.gpu_worker.conversation.planning.planned_call import PlannedCall, new_call
from tests.gpu_worker.fake_stages import FakeLlm

ALL_TOOLS = ("hours", "take_message", "transfer", "book_visit", "knowledge")


@pytest.mark.parametrize(
    ("said", "language", "expected"),
    [
        ("Are you open right now?", "en", ToolRequest("hours", {"question": "Are you open right now?", "now": "true"})),
        (
            "Are you open on Saturday?",
            "en",
            ToolRequest("hours", {"question": "Are you open on Saturday?", "day": "sat"}),
        ),
        ("Can I speak to Sam please?", "en", ToolRequest("transfer", {"to": "Sam"})),
        (
            "Could you put me through to the billing department",
            "en",
            ToolRequest("transfer", {"to": "billing department"}),
        ),
        (
            "I'd like to leave a message for Dana, the invoice is wrong",
            "en",
            ToolRequest("take_message", {"for_whom": "Dana", "message": "the invoice is wrong"}),
        ),
        (
            "Can I leave a message for Dana? Tell her the van is ready.",
            "en",
            ToolRequest("take_message", {"for_whom": "Dana", "message": "the van is ready"}),
        ),
        ("Could you take a message for accounts please", "en", ToolRequest("take_message", {"for_whom": "accounts"})),
        (
            "I'd like to leave a message for Dana seeing the signed contract is in the mail.",
            "en",
            ToolRequest("take_message", {"for_whom": "Dana", "message": "seeing the signed contract is in the mail"}),
        ),
        (
            "Quiero dejar un mensaje para Marta, que llegaré tarde",
            "es",
            ToolRequest("take_message", {"for_whom": "Marta", "message": "llegaré tarde"}),
        ),
        (
            "Can I book a visit for Tuesday morning?",
            "en",
            ToolRequest("book_visit", {"wish": "Can I book a visit for Tuesday morning?"}),
        ),
        ("Quiero hablar con Marta", "es", ToolRequest("transfer", {"to": "Marta"})),
        (
            "Quisiera agendar una visita el lunes",
            "es",
            ToolRequest("book_visit", {"wish": "Quisiera agendar una visita el lunes"}),
        ),
        ("My kitchen sink is leaking", "en", None),
    ],
)
def test_the_callers_words_choose_the_tool(said: str, language: str, expected: ToolRequest | None) -> None:
    assert ToolRouter(ALL_TOOLS).route(said, language) == expected


def test_after_an_offer_the_callers_pick_books_it() -> None:
    router = ToolRouter(ALL_TOOLS)
    assert router.route("I'd like to schedule an appointment tomorrow", "en") is not None
    assert router.route("The second one works", "en") == ToolRequest("book_visit", {"choice": "The second one works"})
    assert router.route("The second one works", "en") is None  # the offer was answered


def test_a_message_whose_words_come_in_the_next_turn_is_taken_from_that_turn() -> None:
    # GIVEN a caller who names the person and stops ("…for Dana" | "saying the lease is signed")
    router = ToolRouter(ALL_TOOLS)
    assert router.route("I'd like to leave a message for Dana", "en") == ToolRequest(
        "take_message", {"for_whom": "Dana"}
    )
    # WHEN their next turn says it, THEN that turn is the message, once
    assert router.route("Saying the lease is signed.", "en") == ToolRequest(
        "take_message", {"for_whom": "Dana", "message": "the lease is signed"}
    )
    assert router.route("My kitchen sink is leaking", "en") is None


def test_an_agent_without_transfer_takes_a_message_instead_and_one_without_either_gets_nothing() -> None:
    assert ToolRouter(("hours", "take_message")).route("Can I talk to Sam?", "en") == ToolRequest(
        "take_message", {"for_whom": "Sam", "message": "Please call back."}
    )
    assert ToolRouter(("hours",)).route("Can I talk to Sam?", "en") is None


async def test_the_guided_planner_plans_the_hours_tool_and_says_the_facts_where_no_tool_runs() -> None:
    # GIVEN the plumbing agent (tools: hours, take_message) and an LLM that would invent hours
    llm = FakeLlm(["We are open from 9 am to 9 pm every day."] * 5)
    call = new_call(load_template("plumbing"), llm=llm)
    call.open()
    # WHEN the caller asks whether they're open
    reply = await call.say("Are you open right now?")
    # THEN the plan asks for the hours tool, and text mode says the same facts the tool would
    assert call.last.tool == ToolRequest("hours", {"question": "Are you open right now?", "now": "true"})
    assert reply.startswith("We're open now, until 6 PM.")
    assert llm.requests == []


async def test_an_agent_without_a_message_form_asks_what_the_message_is_then_sends_it() -> None:
    # GIVEN the plumbing agent (take_message, no message form) and a caller who names only the person
    call = new_call(load_template("plumbing"))
    call.open()
    # WHEN they ask to leave a message for Mike
    reply = await call.say("Can I leave a message for Mike?")
    # THEN the agent asks what it is, and nothing is sent yet
    assert reply.startswith("Of course. What would you like me to tell them?")
    assert call.last.tool is None
    # AND their next words are the message sent to Mike
    await call.say("Tell him the boiler is making a banging noise.")
    assert call.last.tool == ToolRequest(
        "take_message", {"for_whom": "Mike", "message": "the boiler is making a banging noise"}
    )


async def test_a_front_desk_fills_its_message_form_and_takes_the_rest_of_a_cut_sentence_as_the_message() -> None:
    # GIVEN the front desk (a message form: recipient, name, callback, message, asked in that order)
    call = new_call(load_template("front_desk"))
    call.open()
    # WHEN the caller names the person and pauses before saying the message
    reply = await call.say("Hi, I'd like to leave a message for Dana")
    # THEN no tool runs mid-call: the form has Dana and the agent asks its next question
    assert call.last.tool is None
    assert reply == "Certainly. And who's calling, please?"
    # AND the rest of their sentence is the message, and the question is asked again
    await call.say("saying the signed contract is in the mail.")
    values = _values(call)
    assert (values["recipient"], values["name"], values["message"]) == (
        "Dana",
        "",
        "the signed contract is in the mail",
    )
    assert call.said[-1].endswith("And who's calling, please?")


async def test_a_front_desk_answer_to_its_question_is_never_taken_as_the_message() -> None:
    # GIVEN the front desk after "a message for Dr. Evans" (no message yet)
    # WHEN the caller answers the next question with their name
    call = await _front_desk_after("Message for Dr. Evans please.", "Frank Castle")
    # THEN it is their name, not the message
    values = _values(call)
    assert (values["recipient"], values["name"], values["message"]) == ("Dr Evans", "Frank Castle", "")


async def test_a_front_desk_takes_the_next_turn_that_answers_nothing_as_the_message() -> None:
    # GIVEN the front desk after "a message for Dana." (it asks who is calling)
    # WHEN the caller goes on with the message, misheard so that no word leads into it
    call = await _front_desk_after(
        "I'd like to leave a message for Dana.", "Seeing the signed contract is in the mail."
    )
    # THEN that is the message, and the agent asks again who is calling
    values = _values(call)
    assert (values["message"], values["name"]) == ("Seeing the signed contract is in the mail", "")
    assert call.said[-1].endswith("And who's calling, please?")


async def _front_desk_after(*said: str) -> PlannedCall:
    """The front desk's planner after the greeting and the caller's turns `said`."""
    call = new_call(load_template("front_desk"))
    call.open()
    for text in said:
        await call.say(text)
    return call


def _values(call: PlannedCall) -> dict[str, str]:
    return {entry.name: entry.value for entry in call.planner.snapshot().fields}


def test_the_hold_and_failure_lines_are_prepared_before_calls_for_an_agent_with_tools() -> None:
    lines = new_call(load_template("plumbing")).planner.fixed_lines("en")
    assert "One moment, let me check." in lines
    assert "Of course. What would you like me to tell them?" in lines
    assert "One moment, let me check." not in new_call(load_template("gym_information")).planner.fixed_lines("en")
