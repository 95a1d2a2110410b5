"""The console's embedding of an upload, done by a worker (`POST /knowledge/embed`, bearer token).

The Lambda zip stays small (no model in it), and the vectors come from the very model the worker
embeds callers' questions with. Workers are tried in the console's usual order (healthy first, then
the default); if none answers, the upload is refused as a whole with a message saying so.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence

import httpx

from functions.admin.worker_client import bearer_headers, worker_urls
from shared.database import Database
from shared.knowledge.documents import DocumentRejected
from shared.knowledge.indexing import EmbeddedPassages
from shared.settings import Settings

log = logging.getLogger(__name__)
EMBED_PATH = "/knowledge/embed"
EMBED_TIMEOUT_S = 120.0  # a 400-chunk document takes ~15 s on one CPU thread


class WorkerPassageEmbedding:
    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings

    async def embed_passages(self, texts: Sequence[str]) -> EmbeddedPassages:
        body = json.dumps({"texts": list(texts)}).encode()
        reasons: list[str] = []
        for base_url in await worker_urls(self._db, self._settings):
            try:
                return await self._ask(base_url, body, len(texts))
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                log.warning("worker could not embed", extra={"worker_url": base_url, "reason": type(error).__name__})
                reasons.append(f"{base_url}: {type(error).__name__}")
        raise DocumentRejected(
            "no worker could index the document right now, so nothing was saved; try again when a worker is up"
            f" ({'; '.join(reasons)})"
        )

    async def _ask(self, base_url: str, body: bytes, count: int) -> EmbeddedPassages:
        headers = {"Content-Type": "application/json", **bearer_headers(self._settings.worker_api_token)}
        async with httpx.AsyncClient(timeout=EMBED_TIMEOUT_S) as client:
            response = await client.post(base_url.rstrip("/") + EMBED_PATH, content=body, headers=headers)
            response.raise_for_status()
            answer = response.json()
        vectors = tuple(base64.b64decode(vector) for vector in answer["vectors"])
        dim = int(answer["dim"])
        if len(vectors) != count or any(len(vector) != dim * 4 for vector in vectors):
            raise ValueError("the worker returned vectors that do not match the chunks")
        return EmbeddedPassages(model=str(answer["model"]), vectors=vectors)
