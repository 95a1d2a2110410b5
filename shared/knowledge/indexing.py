"""One document into the index: read, chunk, embed, then store everything in one batch.

Every check runs before anything is written, so a bad upload leaves no trace and a replaced document
keeps its old content until the new one is complete. Embedding is behind `PassageEmbedding`: in
process (CLI, seed-demo, the worker) or on a worker over HTTP (the console, whose Lambda zip must not
carry the model).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.database import Database
from shared.knowledge.chunking import chunk_text
from shared.knowledge.documents import DocumentRejected, check_language, check_title
from shared.knowledge.embedder import TextEmbedder, vector_bytes
from shared.knowledge.ingest import read_document
from shared.repositories.documents import KnowledgeDocument, NewDocument, get_document, save_document


@dataclass(frozen=True)
class EmbeddedPassages:
    model: str
    vectors: tuple[bytes, ...]


class PassageEmbedding(Protocol):
    async def embed_passages(self, texts: Sequence[str]) -> EmbeddedPassages: ...


class LocalPassageEmbedding:
    """The embedder in this process, off the event loop."""

    def __init__(self, embedder: TextEmbedder) -> None:
        self._embedder = embedder

    async def embed_passages(self, texts: Sequence[str]) -> EmbeddedPassages:
        vectors = await asyncio.to_thread(self._embedder.embed_passages, list(texts))
        return EmbeddedPassages(model=self._embedder.model_name, vectors=tuple(vector_bytes(v) for v in vectors))


@dataclass(frozen=True)
class Upload:
    business_id: str
    language: str
    title: str
    file_name: str
    data: bytes


async def index_document(
    db: Database, embedding: PassageEmbedding, upload: Upload, *, replace_id: str | None = None
) -> KnowledgeDocument:
    language = check_language(upload.language)
    title = check_title(upload.title)
    if replace_id is not None:
        existing = await get_document(db, replace_id)
        if existing is None or existing.business_id != upload.business_id:
            raise DocumentRejected("the document to replace no longer exists")
    parsed = await asyncio.to_thread(read_document, upload.data, file_name=upload.file_name)
    chunks = chunk_text(parsed.text)
    embedded = await embedding.embed_passages([chunk.embedding_text(title) for chunk in chunks])
    if len(embedded.vectors) != len(chunks):
        raise DocumentRejected(f"the embedder returned {len(embedded.vectors)} vectors for {len(chunks)} chunks")
    new = NewDocument(
        business_id=upload.business_id,
        language=language,
        title=title,
        file_name=upload.file_name,
        parsed=parsed,
        chunks=chunks,
        vectors=embedded.vectors,
        embedding_model=embedded.model,
    )
    return await save_document(db, new, replace_id=replace_id)
