"""Knowledge documents and their chunks (plain SQL), written all at once or not at all.

A chunk's embedding is float32 bytes: a plain BLOB in the libSQL file, libSQL's vector type on a
sqld/Turso server, where `vector_top_k` searches one vector index per language (created here, on
first use, because the libSQL file has no vector functions and migrations are shared by both).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from shared.database import Database, Statement, utc_now
from shared.knowledge.documents import Chunk, ParsedDocument, check_language

# Scores are cosine similarity plus up to 0.15 for word overlap (shared/knowledge/lexical.py).
DEFAULT_MIN_SCORE = 0.90
MAX_MIN_SCORE = 1.15
VECTOR_CANDIDATES = 40  # vector_top_k is over every business of a language; filtered afterwards
_INSERT_CHUNK = "INSERT INTO knowledge_chunks (document_id, business_id, language, position, heading, text, embedding)"
INSERT_CHUNK_IN_FILE = _INSERT_CHUNK + " VALUES (?, ?, ?, ?, ?, ?, ?)"
INSERT_CHUNK_ON_SERVER = _INSERT_CHUNK + " VALUES (?, ?, ?, ?, ?, ?, vector32(?))"


@dataclass(frozen=True)
class KnowledgeDocument:
    id: str
    business_id: str
    language: str
    title: str
    file_name: str
    content_type: str
    byte_size: int
    char_count: int
    chunk_count: int
    embedding_model: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class ChunkRow:
    id: int
    document_id: str
    title: str
    heading: str
    text: str
    embedding: bytes


@dataclass(frozen=True)
class ChunkHit:
    id: int
    document_id: str
    title: str
    heading: str
    text: str
    score: float  # cosine similarity, 1 = same direction


@dataclass(frozen=True)
class NewDocument:
    business_id: str
    language: str
    title: str
    file_name: str
    parsed: ParsedDocument
    chunks: Sequence[Chunk]
    vectors: Sequence[bytes]
    embedding_model: str


def on_server(db: Database) -> bool:
    return not db.url.startswith("file:")


def vector_index_name(language: str) -> str:
    return f"knowledge_chunks_vec_{check_language(language)}"


async def ensure_vector_index(db: Database, language: str) -> None:
    """On a libSQL server: one vector index per language (a partial index over that language's rows)."""
    if not on_server(db):
        return
    language = check_language(language)
    await db.execute(
        f"CREATE INDEX IF NOT EXISTS {vector_index_name(language)} ON knowledge_chunks"
        f" (libsql_vector_idx(embedding, 'metric=cosine')) WHERE language = '{language}'"
    )


async def save_document(db: Database, new: NewDocument, *, replace_id: str | None = None) -> KnowledgeDocument:
    """Store a document and every chunk in one batch; `replace_id` swaps an existing one's content."""
    if len(new.chunks) != len(new.vectors) or not new.chunks:
        raise ValueError("every chunk needs exactly one vector, and a document at least one chunk")
    await ensure_vector_index(db, new.language)
    now = utc_now()
    document_id = replace_id or "doc_" + secrets.token_urlsafe(9)
    statements: list[Statement] = []
    counts = (new.parsed.content_type, new.parsed.byte_size, len(new.parsed.text), len(new.chunks))
    if replace_id:
        statements.append(("DELETE FROM knowledge_chunks WHERE document_id = ?", (replace_id,)))
        statements.append(
            (
                "UPDATE knowledge_documents SET language = ?, title = ?, file_name = ?, content_type = ?,"
                " byte_size = ?, char_count = ?, chunk_count = ?, embedding_model = ?, updated_at = ? WHERE id = ?",
                (new.language, new.title, new.file_name, *counts, new.embedding_model, now, replace_id),
            )
        )
    else:
        statements.append(
            (
                "INSERT INTO knowledge_documents (id, business_id, language, title, file_name, content_type,"
                " byte_size, char_count, chunk_count, embedding_model, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document_id,
                    new.business_id,
                    new.language,
                    new.title,
                    new.file_name,
                    *counts,
                    new.embedding_model,
                    now,
                    now,
                ),
            )
        )
    insert = INSERT_CHUNK_ON_SERVER if on_server(db) else INSERT_CHUNK_IN_FILE
    for chunk, vector in zip(new.chunks, new.vectors, strict=True):
        args = (document_id, new.business_id, new.language, chunk.position, chunk.heading, chunk.text, vector)
        statements.append((insert, args))
    await db.batch(statements)
    document = await get_document(db, document_id)
    assert document is not None
    return document


async def get_document(db: Database, document_id: str) -> KnowledgeDocument | None:
    row = await db.fetch_one("SELECT * FROM knowledge_documents WHERE id = ?", (document_id,))
    return KnowledgeDocument(**row) if row else None


async def list_documents(
    db: Database, *, business_id: str | None = None, language: str | None = None
) -> list[KnowledgeDocument]:
    rows = await db.fetch_all(
        "SELECT * FROM knowledge_documents WHERE (? IS NULL OR business_id = ?) AND (? IS NULL OR language = ?)"
        " ORDER BY business_id, language, title",
        (business_id, business_id, language, language),
    )
    return [KnowledgeDocument(**row) for row in rows]


async def delete_document(db: Database, document_id: str) -> bool:
    changed = await db.batch(
        [
            ("DELETE FROM knowledge_chunks WHERE document_id = ?", (document_id,)),
            ("DELETE FROM knowledge_documents WHERE id = ?", (document_id,)),
        ]
    )
    return changed[1] > 0


async def scope_version(db: Database, *, business_id: str, language: str) -> str:
    """Changes whenever a document of this business and language is added, replaced or removed."""
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n, COALESCE(MAX(updated_at), '') AS latest, COALESCE(SUM(chunk_count), 0) AS chunks"
        " FROM knowledge_documents WHERE business_id = ? AND language = ?",
        (business_id, language),
    )
    assert row is not None
    return f"{row['n']}:{row['latest']}:{row['chunks']}"


async def chunks_in_scope(db: Database, *, business_id: str, language: str, model: str) -> list[ChunkRow]:
    rows = await db.fetch_all(
        "SELECT c.id, c.document_id, d.title, c.heading, c.text, c.embedding FROM knowledge_chunks c"
        " JOIN knowledge_documents d ON d.id = c.document_id"
        " WHERE c.business_id = ? AND c.language = ? AND d.embedding_model = ? ORDER BY c.id",
        (business_id, language, model),
    )
    return [ChunkRow(**{**row, "embedding": bytes(row["embedding"])}) for row in rows]


async def nearest_on_server(
    db: Database, *, business_id: str, language: str, model: str, query: bytes, k: int
) -> list[ChunkHit]:
    """libSQL's vector index (approximate, every business of the language), then this business's rows;
    when the candidates hold fewer than k of them, an exact scan of this business's rows instead."""
    select = (
        "SELECT c.id, c.document_id, d.title, c.heading, c.text,"
        " 1 - vector_distance_cos(c.embedding, vector32(?)) AS score"
    )
    rows = await db.fetch_all(
        f"{select} FROM vector_top_k('{vector_index_name(language)}', vector32(?), ?) AS top"
        " JOIN knowledge_chunks c ON c.rowid = top.id JOIN knowledge_documents d ON d.id = c.document_id"
        " WHERE c.business_id = ? AND c.language = ? AND d.embedding_model = ? ORDER BY score DESC LIMIT ?",
        (query, query, VECTOR_CANDIDATES, business_id, language, model, k),
    )
    if len(rows) < k:
        rows = await db.fetch_all(
            f"{select} FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id"
            " WHERE c.business_id = ? AND c.language = ? AND d.embedding_model = ? ORDER BY score DESC LIMIT ?",
            (query, business_id, language, model, k),
        )
    return [ChunkHit(**{**row, "score": float(row["score"])}) for row in rows]


async def min_score_for(db: Database, business_id: str) -> float:
    row = await db.fetch_one("SELECT min_score FROM knowledge_settings WHERE business_id = ?", (business_id,))
    return float(row["min_score"]) if row else DEFAULT_MIN_SCORE


async def set_min_score(db: Database, business_id: str, min_score: float) -> None:
    if not 0.0 < min_score <= MAX_MIN_SCORE:
        raise ValueError(f"the confidence threshold must be above 0 and at most {MAX_MIN_SCORE}")
    await db.execute(
        "INSERT INTO knowledge_settings (business_id, min_score, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (business_id) DO UPDATE SET min_score = excluded.min_score, updated_at = excluded.updated_at",
        (business_id, min_score, utc_now()),
    )
