"""A demo call is checked against its scenario's `[expect]`: each unmet expectation says what was expected and
what happened (the tools used, the outbox, the dial, the words heard), so a run without its tool fails loudly."""

from __future__ import annotations

import json

from buddyhelps.scenario_expectations import unmet_expectations
from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.edge_verbs import EdgeEvent
from buddyhelps.simulator.scenario_business import ScenarioExpect
from buddyhelps.simulator.turns import Turn
from shared.database import Database, utc_now
from shared.repositories import calls, notifications
from shared.repositories.notifications import NewNotification, Purpose

SID = "CA" + "7" * 32
PURPOSES: tuple[Purpose, ...] = ("caller_booking_link", "owner_sms")
LINK = ScenarioExpect(tool="book_visit", outbox_contains="book.summit-electric.example")


async def record(db: Database, *, tools: list[tuple[str, str]], texts: list[str]) -> None:
    call = await calls.create_call(
        db, call_sid=SID, from_number="+15555550123", to_number="+15550200001", business_id=None
    )
    for seq, (name, outcome) in enumerate(tools):
        await db.execute(
            "INSERT INTO call_tool_calls (call_sid, seq, name, arguments, outcome, result, detail, duration_ms)"
            " VALUES (?, ?, ?, '{}', ?, 'said', ?, 5)",
            (SID, seq, name, outcome, json.dumps({})),
        )
    for purpose, body in zip(PURPOSES, texts, strict=False):
        message = NewNotification(purpose=purpose, channel="sms", recipient="+15555550123", body=body)
        _, statement = notifications.insert_statement(message, call_id=call.id, now=utc_now())
        await db.execute(*statement)


def heard(*agent_lines: str, dial: str = "", outcome: str = "agent_hung_up") -> CallResult:
    turns = tuple(Turn(speaker="agent", text=text, start_ms=0.0, end_ms=1.0) for text in agent_lines)
    edge = (EdgeEvent(verb="dial", detail=f"+15550107701 {dial}"),) if dial else ()
    return CallResult(call_sid=SID, scenario="s", outcome=outcome, turns=turns, edge=edge)


async def test_a_booking_link_texted_by_the_tool_meets_the_expectation(db: Database) -> None:
    await record(
        db, tools=[("book_visit", "ok")], texts=["Pick a time here: https://book.summit-electric.example/visit"]
    )
    assert await unmet_expectations(db, LINK, heard("I've texted you a link.")) == []


async def test_a_call_without_the_tool_or_the_text_fails_saying_what_happened(db: Database) -> None:
    # GIVEN a call where the agent only took details (no booking tool, no link texted)
    await record(db, tools=[("hours", "ok"), ("book_visit", "failed")], texts=["New call from Tom."])
    unmet = await unmet_expectations(db, LINK, heard("What's your name?"))
    # THEN both are reported, with the tools used and what the outbox holds
    assert unmet == [
        "expected the book_visit tool to answer; tools used: hours (ok), book_visit (failed)",
        "expected a text or email saying 'book.summit-electric.example';"
        " the outbox has: caller_booking_link to +15555550123",
    ]


async def test_words_expected_in_a_persons_text_are_not_met_by_the_owners_copy_of_the_call(db: Database) -> None:
    # GIVEN a call whose only text quoting the message went to the owner, not to Dana
    await record(db, tools=[], texts=["", "New call: 'tell Dana the lease is signed'"])
    expect = ScenarioExpect(outbox_contains="the lease is signed", outbox_to="+15550107701")
    unmet = await unmet_expectations(db, expect, heard("Goodbye."))
    # THEN the expectation is unmet, naming who was to get it and who did
    assert unmet == [
        "expected a text or email to +15550107701 saying 'the lease is signed';"
        " the outbox has: caller_booking_link to +15555550123; owner_sms to +15555550123"
    ]


async def test_a_transfer_is_checked_by_its_dial_the_words_heard_and_how_the_call_ended(db: Database) -> None:
    expect = ScenarioExpect(heard_contains="connecting you", dial="completed", outcome="transferred")
    assert (
        await unmet_expectations(
            db, expect, heard("I'm connecting you to Dana now.", dial="completed", outcome="transferred")
        )
        == []
    )
    unmet = await unmet_expectations(db, expect, heard("Dana isn't available.", dial="no-answer"))
    assert unmet == [
        "expected the call to end transferred; it ended agent_hung_up",
        "expected a transfer's dial to end completed; dials: no-answer",
        "expected to hear 'connecting you'; the agent said: Dana isn't available.",
    ]
