"""Tools on the real call path (the session over a Twilio media stream, fake models): the caller asks,
the planner picks the tool, the session runs it, the caller hears its answer and the call logs it."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from gpu_worker.knowledge.knowledge_lines import lines_for
from shared.agents.business_definition import from_template
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_TIMEZONE
from shared.people.directory import Contact, save_contact
from shared.repositories import agent_definitions
from shared.repositories.knowledge_answers import answers_for_call
from shared.settings import Settings
from tests.gpu_worker.conversation.test_call_session import Harness, harness_factory, seeded
from tests.gpu_worker.fake_stages import SILENCE, fake_models
from tests.provider_fake import running_provider_fake

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


async def _hear_reply(harness: Any, max_s: float = 15.0) -> None:
    """Silence at Twilio's real pace (the documents are searched in a thread, on the clock) until the agent
    has answered and the answer has played."""
    before = len(harness.line.events("media"))
    deadline = asyncio.get_running_loop().time() + max_s
    while len(harness.line.events("media")) == before and asyncio.get_running_loop().time() < deadline:
        await harness.line.frames(SILENCE, 1)
        await asyncio.sleep(0.02)
    await harness.wait_until_played()


async def _with_documents(harness: Any, db: Database, *, uploaded: bool = True) -> None:
    """The worker's knowledge room: the real embedding model over the demo documents, phrasing with the
    call's own language model."""
    from gpu_worker.knowledge.knowledge_answerer import KnowledgeAnswerer
    from shared.knowledge.demo_library import load_demo_documents
    from shared.knowledge.indexing import LocalPassageEmbedding
    from tests.shared.knowledge.memo_embedder import shared_embedder

    embedder = shared_embedder()
    if uploaded:
        await load_demo_documents(db, LocalPassageEmbedding(embedder), business_id=DEMO_BUSINESS_ID)
    answerer = KnowledgeAnswerer(embedder=embedder, llm=harness.models.llm, database=harness.services.database)
    harness.services = dataclasses.replace(harness.services, knowledge=answerer)


async def _ask_the_plumber(
    harness_factory: Any, db: Database, question: str, reply: str, *, uploaded: bool = True
) -> tuple[Any, Any, str]:
    """The demo plumber on its template (knowledge among its tools), its documents uploaded or not; one
    caller question heard through to the answer. Returns the harness, the call record and what was said."""
    plumbing = from_template("plumbing", timezone=DEMO_TIMEZONE)
    await agent_definitions.save_definition(db, DEMO_BUSINESS_ID, plumbing, "test", "the plumbing template")
    harness = harness_factory(caller_lines=[question], replies=[reply])
    await _with_documents(harness, db, uploaded=uploaded)
    await harness.start()
    await harness.wait_until_played()
    await harness.say(1000)
    await _hear_reply(harness)
    record = await harness.end()
    return harness, record, " ".join(line["text"] for line in harness.agent_lines())


async def test_a_question_the_documents_answer_is_answered_in_the_call_with_its_source(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN the demo plumber with its documents WHEN the caller asks something the service list answers
    _, record, said = await _ask_the_plumber(
        harness_factory,
        seeded,
        "Hi, do you folks do tankless water heaters?",
        "Yes, we install and service tankless water heaters.",
    )
    # THEN they hear the answer with the document it came from, and the call logs the citation
    assert "tankless water heaters" in said
    assert "That's from our service list." in said
    [tool] = record.tools
    assert (tool.name, tool.outcome, tool.detail["found"], tool.detail["source"]) == (
        "knowledge",
        "ok",
        "yes",
        "Service list",
    )
    [logged] = await answers_for_call(seeded, record.call_sid)
    assert logged.found


async def test_a_question_the_documents_do_not_answer_gets_the_fallback_in_the_call(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN the same plumber and documents WHEN the caller asks something no document covers
    _, _, said = await _ask_the_plumber(
        harness_factory, seeded, "Do you also sell car insurance?", "Yes, car insurance is twenty dollars."
    )
    # THEN nothing is invented: the "I don't have that" line, and the plumber goes on with its questions
    assert lines_for("en").not_found in said
    assert "twenty dollars" not in said


async def test_a_business_with_no_documents_answers_questions_from_its_facts_as_before(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN the plumber with knowledge among its tools but no document uploaded yet WHEN the caller asks
    _, _, said = await _ask_the_plumber(
        harness_factory,
        seeded,
        "Do you folks do tankless water heaters?",
        "We handle most water heater work.",
        uploaded=False,
    )
    # THEN the model's facts-only answer is said, not "I don't have that information"
    assert "We handle most water heater work." in said
    assert lines_for("en").not_found not in said


async def front_desk_with_dana(db: Database) -> None:
    """A front desk (always open) that may put callers through to Dana."""
    desk = from_template("front_desk", timezone=DEMO_TIMEZONE)
    desk = desk.model_copy(update={"facts": desk.facts.model_copy(update={"hours": None})})
    await agent_definitions.save_definition(db, DEMO_BUSINESS_ID, desk, "test", "the front desk template")
    await save_contact(db, DEMO_BUSINESS_ID, Contact(name="Dana Whitfield", phone="+15550100122"))


def _asking_for_dana(settings: Settings, db: Database, twilio_url: str) -> Harness:
    """A caller who asks for Dana, on a worker whose Twilio REST API is `twilio_url`."""
    live = settings.model_copy(update={"twilio_api_base_url": twilio_url, "twilio_account_sid": "AC" + "0" * 32})
    return Harness(live, db, fake_models(caller_lines=["Could you put me through to Dana, please?"]))


async def test_a_transfer_ends_the_stream_as_transferred_once_the_call_is_redirected(
    settings: Settings, seeded: Database
) -> None:
    # GIVEN a front desk (always open) that may put callers through to Dana, and Twilio's REST API
    await front_desk_with_dana(seeded)
    with running_provider_fake() as twilio:
        harness = _asking_for_dana(settings, seeded, twilio.base_url)
        await harness.start()
        await harness.wait_until_played()
        # WHEN the caller asks for Dana and hears that they are being connected
        await harness.say(1200)
        await harness.wait_until_played()
        await asyncio.to_thread(twilio.wait_call_update, 5.0)  # a real HTTP request, answered in a thread
        # AND Twilio ends the stream, as it does when the call is redirected
        record = await harness.end()
    # THEN the call was redirected to a <Dial> for Dana, and this stream reports a transfer, not a hang-up
    [update] = twilio.call_updates()
    assert "<Number>+15550100122</Number>" in update.form["Twiml"]
    assert record.end_reason == "transferred"


async def test_a_caller_back_from_an_unanswered_transfer_is_told_so_not_greeted_again(harness_factory: Any) -> None:
    # GIVEN a caller whose transfer to Dana nobody answered, streamed back to the agent
    harness = harness_factory(caller_lines=["Okay, can I leave her a message then?"])
    await harness.start(parameters={"transfer_unanswered": "Dana Whitfield"})
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the first thing they hear says Dana did not pick up and what the agent can do, not the greeting
    first = record.transcript[0].text
    assert first.startswith("Sorry, Dana Whitfield didn't pick up.")
    assert "take a message" in first
    assert "Thanks for calling" not in first


async def test_a_transfer_twilio_refuses_is_said_plainly_and_the_call_goes_on(
    settings: Settings, seeded: Database
) -> None:
    # GIVEN a front desk that may put callers through to Dana, and Twilio's REST API refusing the redirect
    await front_desk_with_dana(seeded)
    with running_provider_fake() as twilio:
        twilio.fail_next(1, status=500)
        harness = _asking_for_dana(settings, seeded, twilio.base_url)
        await harness.start()
        await harness.wait_until_played()
        # WHEN the caller asks for Dana and the redirect fails after "Please hold…"
        await harness.say(1200)
        await harness.wait_until_played()
        await asyncio.to_thread(twilio.wait_call_update, 5.0)
        await _hear_reply(harness)
        record = await harness.end()
    # THEN the caller is told plainly and offered a message, and the stream is no transfer
    said = [line["text"] for line in harness.agent_lines()]
    assert said[1:3] == [
        "Please hold while I connect you to Dana Whitfield.",
        "Sorry, I couldn't put you through to Dana Whitfield just now. I can take a message for them.",
    ]
    assert record.end_reason == "caller_hung_up"
