"""The knowledge tool as a call's tool desk runs it: the real embedding model over the demo business's real
documents, a language model that takes realistic time per word, the call's citations log in the database."""

from __future__ import annotations

from gpu_worker.knowledge.knowledge_answerer import KnowledgeAnswerer
from gpu_worker.knowledge.knowledge_lines import lines_for
from gpu_worker.tools.call_tools import CallParties, open_call_tools
from gpu_worker.tools.tool_lines import tool_line
from shared.agents.templates import load_template
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID
from shared.repositories.businesses import create_business
from shared.repositories.knowledge_answers import answers_for_call
from shared.settings import Settings
from tests.gpu_worker.fake_stages import FakeLlm
from tests.gpu_worker.knowledge.test_knowledge_answerer import _answerer, demo_db, embedder
from tests.shared.knowledge.memo_embedder import MemoEmbedder

__all__ = ["demo_db", "embedder"]  # fixtures shared with the answerer's tests

CALL_SID = "CA" + "5" * 32
WORD_S = 0.15  # a CPU model's pace: the answer takes longer than the hold threshold


def _parties(business_id: str) -> CallParties:
    return CallParties(CALL_SID, business_id, "Demo Plumbing", "+13125550142", "+13125550100")


async def _ask(settings: Settings, db: Database, answerer: KnowledgeAnswerer, business_id: str, question: str):
    held: list[str] = []
    definition = load_template("plumbing")
    async with open_call_tools(settings, db, definition, _parties(business_id), answerer) as desk:
        assert desk.has("knowledge")
        result = await desk.run("knowledge", {"question": question}, language="en", hold=held.append)
    return result, held, desk.log


async def test_a_callers_question_is_answered_from_the_documents_with_the_source_said(
    settings: Settings, demo_db: Database, embedder: MemoEmbedder
) -> None:
    # GIVEN the demo plumber with its documents and a model that phrases an answer at a CPU's pace
    llm = FakeLlm(["Yes, we install and repair tankless water heaters."], delay_s=WORD_S)
    answerer = _answerer(demo_db, embedder, llm)
    # WHEN a caller asks, in their own words, during a call
    result, held, calls = await _ask(
        settings, demo_db, answerer, DEMO_BUSINESS_ID, "Can you guys fix a tankless heater?"
    )
    # THEN the caller first hears the hold line (the answer takes a moment), then the answer and its source
    assert held == [tool_line(load_template("plumbing"), "one_moment", "en")]
    assert result.spoken.endswith("That's from our service list.")
    assert "tankless" in result.spoken.lower()
    # AND the answer is in the call's citations log, with the chunk it came from
    [logged] = await answers_for_call(demo_db, CALL_SID)
    assert logged.found
    assert logged.source_title == "Service list"
    assert logged.question == "Can you guys fix a tankless heater?"
    assert calls[-1].outcome == "ok"
    assert calls[-1].detail["found"] == "yes"


async def test_a_question_the_documents_do_not_answer_gets_the_fallback_and_is_logged_as_uncovered(
    settings: Settings, demo_db: Database, embedder: MemoEmbedder
) -> None:
    # GIVEN the demo plumber with its documents
    llm = FakeLlm(["We do roofs too, forty dollars."], delay_s=WORD_S)
    answerer = _answerer(demo_db, embedder, llm)
    # WHEN a caller asks something no document covers
    result, _, _ = await _ask(settings, demo_db, answerer, DEMO_BUSINESS_ID, "Who won the football game last night?")
    # THEN nothing is made up: the documents' "I don't have that" line, and the log shows the gap
    assert result.spoken == lines_for("en").not_found
    [logged] = await answers_for_call(demo_db, CALL_SID)
    assert not logged.found


async def test_a_business_without_documents_leaves_the_answer_to_the_facts(
    settings: Settings, db: Database, embedder: MemoEmbedder
) -> None:
    # GIVEN a business that never uploaded a document
    business = await create_business(
        db, name="Bare Plumbing", owner_phone="+13125550199", owner_email="o@example.com", business_id="biz_bare"
    )
    answerer = _answerer(db, embedder, FakeLlm(delay_s=WORD_S))
    # WHEN a caller asks a question
    result, _, _ = await _ask(settings, db, answerer, business.id, "Do you work on tankless water heaters?")
    # THEN the tool has nothing to say (the reply speaks the facts-only answer instead), never "no information"
    assert result.spoken == ""


async def test_without_an_answerer_the_call_has_no_knowledge_tool(settings: Settings, demo_db: Database) -> None:
    # GIVEN a worker where no embedding model runs (text mode, tests)
    definition = load_template("plumbing")
    async with open_call_tools(settings, demo_db, definition, _parties(DEMO_BUSINESS_ID)) as desk:
        # THEN its calls fall back to the facts-only answer
        assert not desk.has("knowledge")
