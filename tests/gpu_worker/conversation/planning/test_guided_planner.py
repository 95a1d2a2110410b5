"""The guided planner over the plumbing template: whole calls as a caller would have them, in text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gpu_worker.conversation.planning.planner import ReplyPlan
from shared.agents.templates import load_template
from tests.gpu_worker.conversation.planning.planned_call import new_call
from tests.gpu_worker.fake_stages import FakeLlm

PLUMBING = load_template("plumbing")
WATER_LINE = "If you can, turn off the main water shut-off valve."
GAS_LINE = "If you smell gas, please leave the house now and call your gas company or 911 from outside."


async def test_whole_emergency_call_gathers_confirms_and_says_goodbye() -> None:
    # GIVEN a caller with a burst pipe, calling from +1 555 010 0123
    call = new_call(PLUMBING)
    assert call.open().startswith("Thanks for calling Acme Plumbing.")
    # WHEN they describe it, THEN the safety line comes first, then sympathy and the name question
    assert await call.say("Hi, my kitchen pipe burst and there's water everywhere!") == (
        f"{WATER_LINE} I'm sorry to hear that. Could I get your name, please?"
    )
    assert await call.say("Bob Smith") == "Thanks, Bob. What's the address where you need the work done?"
    # THEN the callback is offered from the caller ID
    reply = await call.say("12 Oak Street, Springfield")
    assert reply == "Got it. Is the number you're calling from, ending in 0 1 2 3, the best one to reach you?"
    # THEN the read-back is exact and the goodbye follows a yes
    readback = await call.say("yes, that's the one")
    assert readback == (
        "Let me read that back: Bob Smith at 12 Oak Street, Springfield, your kitchen pipe burst and there's water "
        "everywhere, and we'll call you at 5 5 5, 0 1 0, 0 1 2 3. Did I get those details right?"
    )
    goodbye = await call.say("Yes, that's right.")
    assert call.last.end_call
    assert goodbye.endswith("Goodbye.")
    state = call.planner.snapshot()
    assert state.complete
    assert state.value("urgency") == "emergency"
    assert state.value("callback") == "+15550100123"
    assert {entry.name: entry.status for entry in state.fields}["name"] == "confirmed"


async def test_a_safety_line_talked_over_is_said_again_in_full_first() -> None:
    # GIVEN a gas caller who talked over the safety line after three words
    call = new_call(PLUMBING)
    call.open()
    plan = await call.planner.plan("I smell gas in my basement", language="en")
    assert plan.lines[0] == GAS_LINE
    call.planner.heard(plan, "If you smell", complete=False)
    # WHEN they answer the next question
    again = await call.planner.plan("It's Maria Lopez", language="en")
    # THEN the gas line comes first again, in full, once
    assert again.lines[0] == GAS_LINE
    assert list(again.lines).count(GAS_LINE) == 1
    call.planner.heard(again, again.scripted_text, complete=True)
    later = await call.planner.plan("14 Pine Road", language="en")
    assert GAS_LINE not in later.lines


async def test_the_same_hazard_gets_its_line_once() -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("There's water everywhere, a pipe burst")
    assert WATER_LINE not in await call.say("Like I said the pipe burst. I'm Ann Lee.")


async def test_hours_are_answered_from_the_definition_not_the_llm() -> None:
    # GIVEN an LLM that would invent opening times
    llm = FakeLlm(["We are open from 9 am to 9 pm every day."] * 5)
    call = new_call(PLUMBING, llm=llm)
    call.open()
    # WHEN the caller asks about hours
    reply = await call.say("What are your opening hours?")
    # THEN the definition's hours are said, and the first question follows
    assert reply.startswith("We're open Monday to Friday, 7 AM to 6 PM.")
    assert reply.endswith("What can we help you with today?")
    assert llm.requests == []


async def test_open_now_uses_the_business_time_zone() -> None:
    # 23:30 UTC on a Monday is 17:30 in Chicago (open); 01:00 UTC Tuesday is 19:00 Monday (closed)
    open_call = new_call(PLUMBING, now=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    open_call.open()
    assert (await open_call.say("Are you open right now?")).startswith("We're open now, until 6 PM.")
    closed_call = new_call(PLUMBING, now=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    closed_call.open()
    assert (await closed_call.say("Are you open right now?")).startswith(
        "We're closed right now. We open again tomorrow at 7 AM."
    )


async def test_a_listed_price_is_quoted_and_a_visit_time_is_promised_by_callback() -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("My toilet is clogged.")
    assert (await call.say("How much is your call-out fee?")).startswith("The call-out fee is $89 per visit.")
    reply = await call.say("Can someone come out tomorrow?")
    assert reply.startswith("We'll call you back to arrange the time and the price.")


async def test_an_off_script_turn_goes_to_the_llm_and_an_invented_price_is_dropped() -> None:
    llm = FakeLlm(["Sure thing. It will cost $250 to fix."])
    call = new_call(PLUMBING, llm=llm)
    call.open()
    await call.say("My sink is leaking.")
    reply = await call.say("Do you guys like what you do?")
    # a question goes to the documents first; with no knowledge base (text mode) its messages are the model's
    assert call.last.kind == "knowledge"
    assert "$250" not in reply
    assert reply == "Sure thing. Could I get your name, please?"
    assert "call-out fee is $89" in llm.requests[0][0].content  # the facts are in the prompt


async def test_a_garbled_number_is_asked_again_not_guessed() -> None:
    call = new_call(PLUMBING, caller_id="")
    call.open()
    await call.say("My water heater is leaking.")
    await call.say("Ann Lee")
    await call.say("9 Birch Lane")
    assert (await call.say("it's 55 501 23")).startswith("Sorry, I didn't catch the whole number.")
    await call.say("555 010 0199")
    assert call.planner.snapshot().value("callback") == "+15550100199"


async def test_a_declined_caller_id_asks_for_the_number() -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("Hi, I'm Joe Bloggs, my drain is blocked at 3 Elm Street.")
    assert "ending in 0 1 2 3" in call.said[-1]
    assert (await call.say("No, use my cell instead")).endswith("What's the best number to reach you on?")


async def test_a_read_back_correction_is_read_back_again() -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("Hi, this is Jane Doe, my toilet is clogged, I'm at 45 Elm Avenue.")
    await call.say("yes")
    assert call.last.asked == "readback"
    reply = await call.say("Not quite, it's 47 Elm Avenue")
    assert "47 Elm Avenue" in reply
    assert reply.startswith("Let me read that back:")
    await call.say("yes")
    assert call.last.end_call
    assert call.planner.snapshot().value("address") == "47 Elm Avenue"


async def test_a_bare_no_to_the_read_back_asks_what_to_correct() -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("Hi, this is Jane Doe, my toilet is clogged, I'm at 45 Elm Avenue.")
    await call.say("yes")
    assert await call.say("No.") == "Sorry about that. What should I correct?"
    assert "Jane Dough" in await call.say("My name is Jane Dough")


@pytest.mark.parametrize("goodbye", ["Okay bye.", "I have to go, sorry", "That's all, thanks"])
async def test_an_early_goodbye_ends_with_a_callback_promise(goodbye: str) -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("My pipe is leaking.")
    reply = await call.say(goodbye)
    assert call.last.end_call
    assert reply == "No problem. Acme Plumbing will call you back at this number as soon as possible. Goodbye."


async def test_silence_asks_again_then_says_goodbye() -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("My pipe is leaking.")
    first = call.planner.silence(1)
    assert first.scripted_text == "Are you still there? Could I get your name, please?"
    second = call.planner.silence(2)
    assert second.end_call
    assert second.scripted_text.startswith("I can't hear you")


async def test_a_field_that_never_comes_is_asked_twice_then_skipped() -> None:
    call = new_call(PLUMBING, llm=FakeLlm(["Okay."] * 10))
    call.open()
    await call.say("My pipe is leaking.")
    await call.say("why do you need that?")
    await call.say("hmm?")
    assert call.last.asked != "name"
    assert "address" in call.said[-1]


async def test_keypad_zero_promises_a_person_and_repeats_the_question() -> None:
    call = new_call(PLUMBING)
    call.open()
    await call.say("My pipe is leaking.")
    plan = call.planner.keypad("0")
    assert plan.scripted_text.startswith("Of course. I can't put you through right now")
    assert plan.scripted_text.endswith("Could I get your name, please?")


async def test_a_fork_plans_without_changing_the_call() -> None:
    call = new_call(PLUMBING)
    call.open()
    twin = call.planner.fork()
    await twin.plan("I'm Bob Smith and my pipe burst", language="en")
    assert twin.snapshot().value("name") == "Bob Smith"
    assert call.planner.snapshot().value("name") == ""


def test_fixed_lines_hold_every_question_and_safety_line() -> None:
    lines = new_call(PLUMBING).planner.fixed_lines("en")
    assert GAS_LINE in lines
    assert "Could I get your name, please?" in lines
    assert all("{" not in line for line in lines)


def test_plans_are_frozen() -> None:
    plan = ReplyPlan("scripted", lines=("Hello.",))
    with pytest.raises(AttributeError):
        plan.lines = ()  # type: ignore[misc]


async def test_a_question_from_the_llm_is_dropped_since_the_definitions_question_follows() -> None:
    llm = FakeLlm(["Sure. Do you offer financing?"])
    call = new_call(PLUMBING, llm=llm)
    call.open()
    await call.say("My sink is leaking.")
    assert await call.say("Nice weather we are having, huh.") == "Sure. Could I get your name, please?"


async def test_with_a_knowledge_base_an_open_question_asks_it_and_carries_the_facts_answer_as_fallback() -> None:
    # GIVEN a business whose agent may answer from its documents
    with_knowledge = PLUMBING.model_copy(update={"tools": [*PLUMBING.tools, "knowledge"]})
    call = new_call(with_knowledge, llm=FakeLlm(["We service all the usual brands."]))
    call.open()
    await call.say("My water heater is leaking.")
    # WHEN the caller asks something the facts do not cover
    reply = await call.say("Do you work on tankless water heaters?")
    # THEN the plan asks the knowledge base, and without one the facts-only answer is spoken
    assert call.last.kind == "knowledge"
    assert call.last.tool is not None
    assert call.last.tool.arguments["question"] == "Do you work on tankless water heaters?"
    assert reply == "We service all the usual brands. Could I get your name, please?"


@pytest.mark.parametrize("mode", ["guided", "led"])
@pytest.mark.parametrize(("language", "words"), [("en", "ending in 0 1 2 3"), ("es", "termina en 0 1 2 3")])
def test_the_caller_id_question_is_known_when_the_call_starts(mode: str, language: str, words: str) -> None:
    # GIVEN a plumbing call from a number ending 0123 WHEN the call starts
    lines = new_call(PLUMBING, mode=mode).planner.call_lines(language)  # type: ignore[arg-type]
    # THEN the one line only this caller hears is ready to be synthesized while the greeting plays
    assert len(lines) == 1
    assert words in lines[0]
    # AND a caller with no caller ID has none
    assert new_call(PLUMBING, caller_id="").planner.call_lines(language) == []


@pytest.mark.parametrize(
    ("language", "asks", "introduces"),
    [
        ("en", "Hello, can I speak to David Cohen please?", "It's Laura Castillo."),
        ("es", "Buenas, ¿puedo hablar con David Cohen?", "Soy Laura Castillo."),
        ("es", "Hola, quisiera dejar un recado para David Cohen.", "Habla Laura Castillo."),
    ],
)
async def test_a_front_desk_caller_who_asks_for_someone_names_the_recipient(
    language: str, asks: str, introduces: str
) -> None:
    # GIVEN a front desk whose greeting asks who the caller wants to reach
    call = new_call(load_template("front_desk"))
    call.open()
    # WHEN the caller asks for a person, then gives their own name
    for text in (asks, introduces):
        plan = await call.planner.plan(text, language=language)
        call.planner.heard(plan, plan.scripted_text, complete=True)
    # THEN the message is for that person and the caller's own name is not taken for it
    state = call.planner.snapshot()
    assert state.value("recipient").startswith("David Cohen")
    assert state.value("name") == "Laura Castillo"


async def test_a_few_words_that_answer_nothing_get_the_question_again_not_the_models_answer() -> None:
    # GIVEN the front desk has asked who is calling, and an LLM that would answer anything
    llm = FakeLlm(["Prayer shah is a traditional prayer."] * 5)
    call = new_call(load_template("front_desk"), llm=llm)
    call.open()
    await call.say("I'd like to leave a message for Dana, the lease is signed.")
    # WHEN Whisper mishears "This is Priya Shah" as a few words that are no name
    reply = await call.say("is prayer shah.")
    # THEN the question is asked again, and the model's non-sequitur is never planned
    assert reply == "Certainly. And who's calling, please?"
    assert llm.requests == []
    # AND said again, the name is taken
    await call.say("This is Priya Shah.")
    assert {entry.name: entry.value for entry in call.planner.snapshot().fields}["name"] == "Priya Shah"
