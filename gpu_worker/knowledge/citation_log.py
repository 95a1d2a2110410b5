"""What the session calls to log a knowledge answer on the call (the console's citations log)."""

from __future__ import annotations

from gpu_worker.knowledge.knowledge_answerer import KnowledgeAnswer
from shared.database import Database
from shared.repositories.knowledge_answers import CitedChunk, record_answer


async def record_citation(db: Database, *, call_sid: str | None, answer: KnowledgeAnswer) -> None:
    """One row per question asked: what was retrieved, how well it scored, and what was said."""
    await record_answer(
        db,
        call_sid=call_sid,
        business_id=answer.business_id,
        language=answer.language,
        question=answer.question,
        found=answer.found,
        source_title=answer.source_title,
        said=answer.text,
        min_score=answer.min_score,
        chunks=[
            CitedChunk(
                document_id=hit.document_id, title=hit.title, heading=hit.heading, score=hit.score, text=hit.text
            )
            for hit in answer.chunks
        ],
        total_ms=answer.timings.total_ms,
    )
