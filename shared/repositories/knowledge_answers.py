"""The citations log: every question answered (or not) from a business's documents during a call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.database import Database, utc_now

MAX_EXCERPT_CHARS = 300


@dataclass(frozen=True)
class CitedChunk:
    document_id: str
    title: str
    heading: str
    score: float
    text: str


@dataclass(frozen=True)
class LoggedAnswer:
    id: int
    call_sid: str | None
    business_id: str
    language: str
    question: str
    found: bool
    source_title: str
    said: str
    best_score: float | None
    min_score: float
    chunks: tuple[CitedChunk, ...]
    total_ms: float | None
    created_at: str


async def record_answer(
    db: Database,
    *,
    call_sid: str | None,
    business_id: str,
    language: str,
    question: str,
    found: bool,
    source_title: str,
    said: str,
    min_score: float,
    chunks: Sequence[CitedChunk],
    total_ms: float | None,
) -> None:
    cited = [
        {
            "document_id": chunk.document_id,
            "title": chunk.title,
            "heading": chunk.heading,
            "score": round(chunk.score, 4),
            "text": chunk.text[:MAX_EXCERPT_CHARS],
        }
        for chunk in chunks
    ]
    best = max((chunk.score for chunk in chunks), default=None)
    await db.execute(
        "INSERT INTO knowledge_answers (call_sid, business_id, language, question, found, source_title, said,"
        " best_score, min_score, chunks, total_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            call_sid,
            business_id,
            language,
            question,
            int(found),
            source_title,
            said,
            best,
            min_score,
            json.dumps(cited),
            total_ms,
            utc_now(),
        ),
    )


async def list_answers(
    db: Database, *, business_id: str | None = None, unanswered_only: bool = False, limit: int = 200
) -> list[LoggedAnswer]:
    rows = await db.fetch_all(
        "SELECT * FROM knowledge_answers WHERE (? IS NULL OR business_id = ?) AND (? = 0 OR found = 0)"
        " ORDER BY created_at DESC, id DESC LIMIT ?",
        (business_id, business_id, int(unanswered_only), limit),
    )
    return [_from_row(row) for row in rows]


async def answers_for_call(db: Database, call_sid: str) -> list[LoggedAnswer]:
    rows = await db.fetch_all("SELECT * FROM knowledge_answers WHERE call_sid = ? ORDER BY id", (call_sid,))
    return [_from_row(row) for row in rows]


def _from_row(row: dict[str, Any]) -> LoggedAnswer:
    chunks = tuple(CitedChunk(**chunk) for chunk in json.loads(row["chunks"]))
    return LoggedAnswer(**{**row, "found": bool(row["found"]), "chunks": chunks})
