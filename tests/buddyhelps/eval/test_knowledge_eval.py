"""The knowledge set's scoring, over the real demo documents and embedding model with a stand-in model
that repeats the first note it is given (so what is scored is retrieval, threshold and citation)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from buddyhelps.eval.knowledge_eval import evaluate
from buddyhelps.eval.knowledge_questions import QUESTIONS, EvalQuestion
from gpu_worker.models.stages import ChatMessage
from shared.database import Database
from tests.shared.knowledge.memo_embedder import shared_embedder


class FirstNoteLlm:
    model_name = "first-note"

    async def stream_reply(
        self, messages: Sequence[ChatMessage], *, max_tokens: int = 96, temperature: float = 0.3
    ) -> AsyncIterator[str]:
        note = messages[0].content.split("\n- ", 1)[1]
        yield re.split(r"(?<=[.!?])\s", note.split(": ", 1)[-1])[0]

    async def complete_json(self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400):
        raise NotImplementedError


def test_the_set_has_thirty_answerable_questions_and_some_the_documents_do_not_answer() -> None:
    assert sum(1 for q in QUESTIONS if q.source) >= 30
    assert sum(1 for q in QUESTIONS if q.source is None) >= 5


async def test_scores_count_right_sources_and_invented_answers(db: Database) -> None:
    questions = [
        EvalQuestion("Do you work on tankless water heaters?", "Service list"),
        EvalQuestion("How much is the call-out fee?", "Price sheet"),
        EvalQuestion("Who won the game last night?", None),
    ]
    section = await evaluate(db, embedder=shared_embedder(), llm=FirstNoteLlm(), questions=questions)
    assert (section["questions"], section["answerable"], section["unanswerable"]) == (3, 2, 1)
    assert section["recall_at_3"] == 1.0
    assert section["answers_citing_right_source"] == 2
    assert section["invented_answers"] == 0
    assert section["rows"][0]["said"].endswith("That's from our service list.")
    assert set(section["added_wait_ms"]["after_prefetch"]) == {"median", "p95"}
