"""Search a business's documents in one language for the chunks nearest a question.

Candidates come from the embeddings (cosine similarity), then are ranked by that plus the question's
word overlap with the chunk (lexical.py); `score` is that sum. In the libSQL file: an exact search,
one matrix product over the business's vectors, kept in memory per (business, language, model) and
reloaded when a document changes (a cheap version query each time). On a sqld/Turso server:
libSQL's own vector index through `vector_top_k`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import numpy as np

from shared.database import Database
from shared.knowledge.embedder import Vectors, vector_bytes, vector_from_bytes
from shared.knowledge.lexical import LEXICAL_WEIGHT, overlap, stems
from shared.repositories.documents import (
    ChunkHit,
    ChunkRow,
    chunks_in_scope,
    nearest_on_server,
    on_server,
    scope_version,
)

CANDIDATES = 8  # nearest by embedding, re-ranked with word overlap


@dataclass(frozen=True)
class _Matrix:
    version: str
    rows: tuple[ChunkRow, ...]
    vectors: Vectors


class KnowledgeSearch:
    """One per worker process (its cache is shared by every call)."""

    def __init__(self, *, dim: int) -> None:
        self._dim = dim
        self._cache: dict[tuple[str, str, str], _Matrix] = {}
        self._lock = asyncio.Lock()

    async def nearest(
        self, db: Database, *, business_id: str, language: str, model: str, query: Vectors, question: str, k: int = 3
    ) -> list[ChunkHit]:
        candidates = await self._by_embedding(
            db, business_id=business_id, language=language, model=model, query=query, k=max(k, CANDIDATES)
        )
        asked = stems(question, language)
        ranked = [
            _rescored(
                hit, hit.score + LEXICAL_WEIGHT * overlap(asked, f"{hit.title} {hit.heading} {hit.text}", language)
            )
            for hit in candidates
        ]
        ranked.sort(key=lambda hit: hit.score, reverse=True)
        return ranked[:k]

    async def _by_embedding(
        self, db: Database, *, business_id: str, language: str, model: str, query: Vectors, k: int
    ) -> list[ChunkHit]:
        if on_server(db):
            return await nearest_on_server(
                db, business_id=business_id, language=language, model=model, query=vector_bytes(query), k=k
            )
        matrix = await self._matrix(db, business_id=business_id, language=language, model=model)
        if not matrix.rows:
            return []
        scores = matrix.vectors @ np.asarray(query, dtype=np.float32)
        best = np.argsort(-scores)[:k]
        return [_hit(matrix.rows[i], float(scores[i])) for i in best]

    async def _matrix(self, db: Database, *, business_id: str, language: str, model: str) -> _Matrix:
        key = (business_id, language, model)
        version = await scope_version(db, business_id=business_id, language=language)
        async with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.version == version:
                return cached
            rows = tuple(await chunks_in_scope(db, business_id=business_id, language=language, model=model))
            vectors = np.zeros((len(rows), self._dim), dtype=np.float32)
            for index, row in enumerate(rows):
                vectors[index] = vector_from_bytes(row.embedding, self._dim)
            self._cache[key] = _Matrix(version=version, rows=rows, vectors=vectors)
            return self._cache[key]


def _hit(row: ChunkRow, score: float) -> ChunkHit:
    return ChunkHit(
        id=row.id, document_id=row.document_id, title=row.title, heading=row.heading, text=row.text, score=score
    )


def _rescored(hit: ChunkHit, score: float) -> ChunkHit:
    return ChunkHit(
        id=hit.id, document_id=hit.document_id, title=hit.title, heading=hit.heading, text=hit.text, score=score
    )
