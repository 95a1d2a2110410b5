"""Outbound definitions with the guided planner: it speaks first, asks one field at a time, follows up once
on a vague answer, accepts "I don't know" and refusals, and ends politely."""

from __future__ import annotations

from shared.agents.templates import load_template
from tests.gpu_worker.conversation.planning.planned_call import new_call

GYM = load_template("gym_information")
PREOP = load_template("preop_reminder")


async def test_the_call_opens_with_the_disclosure_the_greeting_and_the_first_question() -> None:
    call = new_call(GYM)
    opening = call.open()
    assert opening == (
        "Hello, this is an automated call on behalf of Acme Plumbing. It's not a sales call. I only have four quick "
        "questions about visiting your gym, if you have a minute. First, what are your opening hours during the week "
        "and at the weekend?"
    )


async def test_a_vague_answer_gets_one_follow_up_then_the_next_question() -> None:
    call = new_call(GYM)
    call.open()
    assert await call.say("It depends.") == "Just to be sure I have it right, could you give me a rough figure?"
    assert (await call.say("Sometimes later.")).endswith("How much is a day pass for someone who isn't a member?")


async def test_unknown_and_refused_answers_settle_their_fields() -> None:
    call = new_call(GYM)
    call.open()
    await call.say("6 AM to 10 PM every day.")
    assert (await call.say("I'd rather not say.")).startswith("No problem at all, I'll skip that one.")
    await call.say("I'm not sure, check the website.")
    statuses = {entry.name: entry.status for entry in call.planner.snapshot().fields}
    assert statuses == {"hours": "given", "day_pass_price": "refused", "classes": "unknown", "drop_in": "missing"}


async def test_who_is_calling_gets_the_disclosure_again() -> None:
    call = new_call(GYM)
    call.open()
    reply = await call.say("Sorry, who is this?")
    assert reply.startswith("Hello, this is an automated call on behalf of Acme Plumbing.")
    assert reply.endswith("what are your opening hours during the week and at the weekend?")


async def test_someone_who_wants_to_stop_gets_a_polite_goodbye() -> None:
    call = new_call(GYM)
    call.open()
    assert await call.say("We're not interested, don't call again.") == "No problem. Thanks for your time. Goodbye."
    assert call.last.end_call


async def test_the_wrong_person_ends_the_call_with_its_line() -> None:
    call = new_call(PREOP)
    call.open()
    reply = await call.say("No, there's nobody here by that name.")
    assert call.last.end_call
    assert reply.startswith("I'm sorry to bother you.")


async def test_a_complete_survey_is_read_back_and_ends_with_the_goodbye() -> None:
    call = new_call(GYM)
    call.open()
    for answer in ("6 AM to 10 PM daily.", "15 dollars.", "Spin and yoga.", "Yes, they can drop in."):
        await call.say(answer)
    assert call.said[-1].startswith("Let me read that back: 6 AM to 10 PM daily, Day pass price: ")
    goodbye = await call.say("Yes, that's right.")
    assert call.last.end_call
    assert goodbye.startswith("That's everything.")
    assert call.planner.snapshot().complete
