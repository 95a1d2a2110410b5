"""Tools on the real call path (the session over a Twilio media stream, fake models): the caller asks,
the planner picks the tool, the session runs it, the caller hears its answer and the call logs it."""

from __future__ import annotations

from typing import Any

from shared.agents.business_definition import from_template
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_TIMEZONE
from shared.people.directory import Contact, save_contact
from shared.repositories import agent_definitions
from tests.gpu_worker.conversation.test_call_session import harness_factory, seeded

__all__ = ["harness_factory", "seeded"]


async def test_an_hours_question_is_answered_by_the_hours_tool_and_logged(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN the demo plumber on the plumbing template (tools: hours, take_message; its opening hours)
    plumbing = from_template("plumbing", timezone=DEMO_TIMEZONE)
    await agent_definitions.save_definition(seeded, DEMO_BUSINESS_ID, plumbing, "test", "the plumbing template")
    harness = harness_factory(caller_lines=["Are you open right now?"], replies=["We are open 24/7!"])
    await harness.start()
    await harness.wait_until_played()
    # WHEN they ask
    await harness.say(1000)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the hours tool answered from the definition (never the LLM's invention), and the call logs it
    [tool] = record.tools
    assert (tool.name, tool.outcome, tool.arguments["now"]) == ("hours", "ok", "true")
    assert tool.result.startswith(("We're open now, until", "We're closed"))
    said = " ".join(line["text"] for line in harness.agent_lines())
    assert tool.result in said
    assert "24/7" not in said


async def test_asking_for_a_person_takes_a_message_for_them(harness_factory: Any, seeded: Database) -> None:
    # GIVEN Sam in the plumber's people (the plumbing agent may not transfer, so it takes a message)
    await save_contact(seeded, DEMO_BUSINESS_ID, Contact(name="Sam Rivera", phone="+15550100111"))
    harness = harness_factory(caller_lines=["Can I speak to Sam please?"])
    await harness.start()
    await harness.wait_until_played()
    await harness.say(1000)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the caller hears it goes to Sam, and the call logs the message for Sam
    [tool] = record.tools
    assert (tool.name, tool.arguments["for_whom"], tool.detail["to"]) == ("take_message", "Sam", "Sam Rivera")
    said = " ".join(line["text"] for line in harness.agent_lines())
    assert "I'll pass your message on to Sam Rivera." in said
