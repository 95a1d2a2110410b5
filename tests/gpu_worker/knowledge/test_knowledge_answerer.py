"""The in-call answerer over the demo business's real documents and the real embedding model, with a
scripted language model: answers carry their source, uncovered questions get the fallback, and the
phrasing guard keeps invented prices out."""

from __future__ import annotations

import asyncio

import pytest

from gpu_worker.knowledge.citation_log import record_citation
from gpu_worker.knowledge.knowledge_answerer import KnowledgeAnswerer
from gpu_worker.knowledge.knowledge_lines import lines_for
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, seed_demo_business
from shared.knowledge.demo_library import load_demo_documents
from shared.knowledge.indexing import LocalPassageEmbedding
from shared.repositories.documents import set_min_score
from shared.repositories.knowledge_answers import answers_for_call, list_answers
from tests.gpu_worker.fake_stages import FakeLlm
from tests.shared.knowledge.memo_embedder import MemoEmbedder, shared_embedder

NOT_FOUND = lines_for("en").not_found


@pytest.fixture
def embedder() -> MemoEmbedder:
    return shared_embedder()


@pytest.fixture
async def demo_db(db: Database, embedder: MemoEmbedder) -> Database:
    await seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=1)
    await load_demo_documents(db, LocalPassageEmbedding(embedder), business_id=DEMO_BUSINESS_ID)
    return db


def _answerer(db: Database, embedder: MemoEmbedder, llm: FakeLlm) -> KnowledgeAnswerer:
    async def database() -> Database:
        return db

    return KnowledgeAnswerer(embedder=embedder, llm=llm, database=database)


async def test_a_covered_question_is_answered_with_the_source_said_after_it(demo_db, embedder) -> None:
    # GIVEN the demo documents and a model that phrases the answer
    llm = FakeLlm(["Yes, we install and repair tankless water heaters."])
    answerer = _answerer(demo_db, embedder, llm)
    # WHEN a caller asks about tankless heaters
    answer = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="Do you work on tankless water heaters?", language="en"
    )
    # THEN the answer is said with the service list named as its source
    assert answer.found
    assert answer.text == "Yes, we install and repair tankless water heaters. That's from our service list."
    assert answer.source_title == "Service list"
    assert answer.chunks[0].heading == "Services > Tankless water heaters"
    assert answer.chunks[0].score >= answer.min_score
    # AND the model was shown the chunk that holds the answer
    prompt = llm.requests[0][0].content
    assert "Rinnai, Navien" in prompt
    assert "NOT IN NOTES" in prompt


async def test_a_question_the_documents_do_not_cover_gets_the_fallback_without_the_model(demo_db, embedder) -> None:
    llm = FakeLlm(["The Springfield Isotopes won."])
    answerer = _answerer(demo_db, embedder, llm)
    answer = await answerer.answer(business_id=DEMO_BUSINESS_ID, question="Who won the game last night?", language="en")
    assert not answer.found
    assert answer.text == NOT_FOUND
    assert answer.source_title == ""
    assert llm.requests == []  # nothing to phrase, nothing invented


async def test_an_invented_price_is_replaced_by_the_documents_own_sentence(demo_db, embedder) -> None:
    # GIVEN a model that gets the call-out fee wrong
    answerer = _answerer(demo_db, embedder, FakeLlm(["The call-out fee is $59."]))
    answer = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="How much is the call-out fee?", language="en"
    )
    # THEN the price sheet's own sentence is said instead, with its source
    assert answer.phrasing == "extract"
    assert "$89 call-out fee" in answer.text
    assert "$59" not in answer.text
    assert answer.text.endswith("That's from our price sheet.")


async def test_when_the_model_says_the_notes_do_not_answer_nothing_is_made_up(demo_db, embedder) -> None:
    answerer = _answerer(demo_db, embedder, FakeLlm(["NOT IN NOTES"]))
    answer = await answerer.answer(business_id=DEMO_BUSINESS_ID, question="Do you take credit cards?", language="en")
    assert (answer.found, answer.text, answer.phrasing) == (False, NOT_FOUND, "declined")


async def test_the_business_threshold_decides_what_is_confident_enough(demo_db, embedder) -> None:
    await set_min_score(demo_db, DEMO_BUSINESS_ID, 1.14)
    llm = FakeLlm(["Yes."])
    answer = await _answerer(demo_db, embedder, llm).answer(
        business_id=DEMO_BUSINESS_ID, question="Do you work on tankless water heaters?", language="en"
    )
    assert (answer.found, answer.min_score) == (False, 1.14)
    assert llm.requests == []


async def test_retrieval_done_during_the_pause_is_reused_for_the_same_words(demo_db, embedder) -> None:
    answerer = _answerer(demo_db, embedder, FakeLlm(["We accept cash, checks and cards."]))
    await answerer.prefetch(business_id=DEMO_BUSINESS_ID, question="Do you take credit cards?", language="en")
    answer = await answerer.answer(business_id=DEMO_BUSINESS_ID, question="do you take credit cards", language="en")
    assert (answer.timings.prefetched, answer.timings.embed_ms) == (True, 0.0)
    assert answer.text.endswith("That's from our policies.")


async def test_spanish_questions_are_answered_from_the_spanish_documents(demo_db, embedder) -> None:
    answerer = _answerer(demo_db, embedder, FakeLlm(["Sí, instalamos y reparamos calentadores sin tanque."]))
    answer = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="¿Trabajan con calentadores de agua sin tanque?", language="es"
    )
    assert (answer.found, answer.source_title) == (True, "Preguntas frecuentes")
    assert answer.text.endswith("Eso viene de: Preguntas frecuentes.")


async def test_each_answer_is_logged_on_the_call_with_its_chunks_and_scores(demo_db, embedder) -> None:
    answerer = _answerer(demo_db, embedder, FakeLlm(["Yes, we work on tankless water heaters."]))
    covered = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="Do you work on tankless water heaters?", language="en"
    )
    uncovered = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="Who won the game last night?", language="en"
    )
    # WHEN the session logs both
    for answer in (covered, uncovered):
        await record_citation(demo_db, call_sid="CA123", answer=answer)
    # THEN the call's log shows what was asked, retrieved and said, and the gap is listed on its own
    logged = await answers_for_call(demo_db, "CA123")
    assert [(row.question, row.found, row.said) for row in logged] == [
        ("Do you work on tankless water heaters?", True, covered.text),
        ("Who won the game last night?", False, NOT_FOUND),
    ]
    assert logged[0].chunks[0].title == "Service list"
    assert logged[0].best_score == pytest.approx(covered.best_score)
    gaps = await list_answers(demo_db, business_id=DEMO_BUSINESS_ID, unanswered_only=True)
    assert [row.question for row in gaps] == ["Who won the game last night?"]


async def test_a_failing_or_slow_model_still_gets_the_documents_own_sentence(demo_db, embedder) -> None:
    # GIVEN a model that fails, and one slower than the answerer will wait for
    failing = _answerer(demo_db, embedder, FakeLlm(fail=True))
    slow_llm = FakeLlm(["Yes, we do."] * 2, delay_s=0.5)
    slow = KnowledgeAnswerer(
        embedder=embedder, llm=slow_llm, database=_answerer(demo_db, embedder, slow_llm)._database, phrase_timeout_s=0.2
    )
    for answerer in (failing, slow):
        # WHEN a question the service list answers squarely is asked
        sure = await answerer.answer(
            business_id=DEMO_BUSINESS_ID, question="Do you work on tankless water heaters?", language="en"
        )
        # THEN its own sentence is said, with its source
        assert (sure.phrasing, sure.text) == (
            "extract",
            "Yes, we work on tankless water heaters. That's from our service list.",
        )
        # AND a question retrieval is less sure of gets the fallback rather than an unchecked sentence
        unsure = await answerer.answer(
            business_id=DEMO_BUSINESS_ID, question="Do you take credit cards?", language="en"
        )
        assert (unsure.found, unsure.text) == (False, NOT_FOUND)
    await slow.aclose()
    assert slow_llm.closed_early == 2  # the slow stream was stopped each time


class PromptReadingLlm(FakeLlm):
    """llama.cpp on a busy CPU: nothing comes out until the prompt is read, and a stop asked for meanwhile
    only takes effect after it (closing the stream waits for that)."""

    def __init__(self, read_prompt_s: float) -> None:
        super().__init__()
        self.read_prompt_s = read_prompt_s
        self.finished_reading = asyncio.Event()

    async def stream_reply(self, messages, *, max_tokens=96, temperature=0.3):
        self.requests.append(list(messages))
        try:
            await asyncio.sleep(self.read_prompt_s)
        finally:
            await asyncio.shield(asyncio.sleep(self.read_prompt_s))  # the stop waits for the prompt too
            self.finished_reading.set()
        yield "Yes, we do."


async def test_a_model_still_reading_its_prompt_does_not_hold_the_caller_past_the_timeout(demo_db, embedder) -> None:
    # GIVEN a model that needs seconds to read the prompt, and an answerer that waits 0.2 s for phrasing
    llm = PromptReadingLlm(read_prompt_s=2.0)
    answerer = KnowledgeAnswerer(
        embedder=embedder, llm=llm, database=_answerer(demo_db, embedder, llm)._database, phrase_timeout_s=0.2
    )
    # WHEN a caller asks a question the service list answers
    answer = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="Do you work on tankless water heaters?", language="en"
    )
    # THEN the documents' own sentence is said while the model is still busy with the prompt
    assert answer.phrasing == "extract"
    assert not llm.finished_reading.is_set()
    # AND the stopped request still ends (shutdown waits for it)
    await answerer.aclose()
    assert llm.finished_reading.is_set()


async def test_a_refusal_far_above_the_threshold_gives_way_to_the_documents_sentence(demo_db, embedder) -> None:
    # GIVEN a small model that refuses even when the service list answers the question squarely
    answerer = _answerer(demo_db, embedder, FakeLlm(["NOT IN NOTES"]))
    answer = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="Do you work on tankless water heaters?", language="en"
    )
    # THEN the service list's own sentence is said, with its source
    assert (answer.found, answer.phrasing) == (True, "extract")
    assert answer.text == "Yes, we work on tankless water heaters. That's from our service list."


async def test_without_the_model_a_sure_answer_is_the_documents_sentence_and_nothing_else_is_said(
    demo_db, embedder
) -> None:
    # GIVEN the CPU default: knowledge answers are not worded by the model
    llm = FakeLlm(["Yes, and we also fix roofs for $20."])
    answerer = KnowledgeAnswerer(
        embedder=embedder, llm=llm, database=_answerer(demo_db, embedder, llm)._database, use_model=False
    )
    # WHEN a question the service list answers squarely, then one it does not, are asked
    sure = await answerer.answer(
        business_id=DEMO_BUSINESS_ID, question="Do you work on tankless water heaters?", language="en"
    )
    unsure = await answerer.answer(business_id=DEMO_BUSINESS_ID, question="Do you take credit cards?", language="en")
    # THEN the first is the document's own sentence with its source, the second the fallback, and the
    # model was never asked (no CPU spent on a prompt the caller would wait for)
    assert (sure.phrasing, sure.text) == (
        "extract",
        "Yes, we work on tankless water heaters. That's from our service list.",
    )
    assert (unsure.found, unsure.text) == (False, NOT_FOUND)
    assert llm.requests == []


@pytest.mark.parametrize(
    ("backend", "phrasing", "uses_model"),
    [("llamacpp", "auto", False), ("vllm", "auto", True), ("llamacpp", "model", True), ("vllm", "extract", False)],
)
def test_the_model_words_answers_where_it_is_fast_enough(backend: str, phrasing: str, uses_model: bool) -> None:
    from shared.settings import load_settings

    settings = load_settings(LLM_BACKEND=backend, KNOWLEDGE_PHRASING=phrasing)
    assert settings.knowledge_uses_model is uses_model
