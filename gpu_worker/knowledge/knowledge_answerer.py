"""The in-call answerer: retrieve the business's chunks for a question, answer above its threshold with
the source said after, or say the documents don't hold it.

One per worker process: the embedding model is loaded once (start-up) and shared, retrieval done
speculatively during the caller's pause (`prefetch`) is cached by normalised question text, and the
small model only phrases: which source is named comes from the chunk's metadata, never from it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from gpu_worker.knowledge import answer_phrasing
from gpu_worker.knowledge.knowledge_lines import lines_for, spoken_title
from gpu_worker.knowledge.questions import is_question as _is_question
from gpu_worker.models.stages import ChatMessage, LanguageModel
from shared.database import Database
from shared.knowledge.embedder import TextEmbedder
from shared.knowledge.search import KnowledgeSearch
from shared.repositories.documents import ChunkHit, min_score_for

log = logging.getLogger(__name__)

TOP_K = 3
PROMPT_CHUNKS = 3  # chunks above the threshold given to the model (the best always)
MAX_ANSWER_TOKENS = 70
# The 0.5B CPU model declines ("NOT IN NOTES") most covered questions (28 of 34 in the eval). When it
# refuses, fails, is too slow or says something unsafe, and retrieval is this far above the threshold,
# the documents' own sentence is said instead; nearer the threshold nothing is said from the documents
# (that is where unrelated questions land, e.g. "Do you repair roofs?" at 0.94 against 0.90).
SURE_MARGIN = 0.06
PHRASE_TIMEOUT_S = 4.0  # past this the documents' own sentence is said instead (the caller is waiting)
PREFETCH_CACHE_SIZE = 256
_PUNCTUATION = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class KnowledgeTimings:
    embed_ms: float
    search_ms: float
    phrase_ms: float
    total_ms: float  # what the caller waits for in answer(); retrieval done in prefetch is not in it
    prefetched: bool


@dataclass(frozen=True)
class KnowledgeAnswer:
    found: bool
    text: str  # spoken: the answer and the source sentence, or the not-found line
    source_title: str  # "" when not found
    chunks: tuple[ChunkHit, ...]  # retrieved, best first, with their scores
    timings: KnowledgeTimings
    business_id: str
    language: str
    question: str
    min_score: float
    phrasing: str  # model | extract | declined | below_threshold | no_documents

    @property
    def best_score(self) -> float | None:
        return self.chunks[0].score if self.chunks else None


@dataclass(frozen=True)
class _Retrieval:
    hits: tuple[ChunkHit, ...]
    min_score: float
    embed_ms: float
    search_ms: float


def normalise_question(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


class KnowledgeAnswerer:
    def __init__(
        self,
        *,
        embedder: TextEmbedder,
        llm: LanguageModel,
        database: Callable[[], Awaitable[Database]],
        not_found: Mapping[str, str] | None = None,
        phrase_timeout_s: float = PHRASE_TIMEOUT_S,
        use_model: bool = True,
    ) -> None:
        """`use_model`: False says the document's own best sentence (when retrieval is sure) without asking
        the model at all (the CPU default: see Settings.knowledge_phrasing)."""
        self._embedder = embedder
        self._llm = llm
        self._database = database
        self._search = KnowledgeSearch(dim=embedder.dim)
        self._phrase_timeout_s = phrase_timeout_s
        self._use_model = use_model
        self._not_found = dict(not_found or {})  # per-language override of the not-found line
        self._prefetched: OrderedDict[tuple[str, str, str], _Retrieval] = OrderedDict()
        self._stopping: set[asyncio.Task[str]] = set()  # phrasings past their timeout, ending in the background

    @staticmethod
    def is_question(text: str, language: str = "en") -> bool:
        return _is_question(text, language)

    async def prefetch(self, *, business_id: str, question: str, language: str) -> None:
        """Retrieve during the caller's pause; `answer` on the same words then skips the retrieval."""
        key = (business_id, language, normalise_question(question))
        if not key[2] or key in self._prefetched:
            return
        retrieval = await self._retrieve(business_id=business_id, question=question, language=language)
        self._prefetched[key] = retrieval
        while len(self._prefetched) > PREFETCH_CACHE_SIZE:
            self._prefetched.popitem(last=False)

    async def answer(self, *, business_id: str, question: str, language: str) -> KnowledgeAnswer:
        started = time.perf_counter()
        key = (business_id, language, normalise_question(question))
        cached = self._prefetched.pop(key, None)
        retrieval = cached or await self._retrieve(business_id=business_id, question=question, language=language)
        lines = lines_for(language)
        hits = retrieval.hits
        if not hits or hits[0].score < retrieval.min_score:
            how = "no_documents" if not hits else "below_threshold"
            return self._result(
                None, "", retrieval, started, 0.0, cached is not None, how, question, business_id, language
            )
        best = [hits[0], *[h for h in hits[1:PROMPT_CHUNKS] if h.score >= retrieval.min_score]]
        phrase_started = time.perf_counter()
        raw = await self._phrase(answer_phrasing.prompt(question, best, lines)) if self._use_model else ""
        text, how = answer_phrasing.check_answer(raw, question, best, lines, language)
        if how != "model":  # refused, failed, too slow, or its answer was unsafe to say
            sure = hits[0].score >= retrieval.min_score + SURE_MARGIN
            text, how = (answer_phrasing.extract(question, hits[0], language), "extract") if sure else ("", "declined")
        phrase_ms = (time.perf_counter() - phrase_started) * 1000
        if how == "declined":
            return self._result(
                None, "", retrieval, started, phrase_ms, cached is not None, how, question, business_id, language
            )
        return self._result(
            best[0], text, retrieval, started, phrase_ms, cached is not None, how, question, business_id, language
        )

    async def _retrieve(self, *, business_id: str, question: str, language: str) -> _Retrieval:
        started = time.perf_counter()
        vectors = await asyncio.to_thread(self._embedder.embed_queries, [question])
        embedded = time.perf_counter()
        db = await self._database()
        hits = await self._search.nearest(
            db,
            business_id=business_id,
            language=language,
            model=self._embedder.model_name,
            query=vectors[0],
            question=question,
            k=TOP_K,
        )
        min_score = await min_score_for(db, business_id)
        return _Retrieval(
            hits=tuple(hits),
            min_score=min_score,
            embed_ms=(embedded - started) * 1000,
            search_ms=(time.perf_counter() - embedded) * 1000,
        )

    async def _phrase(self, messages: list[ChatMessage]) -> str:
        """The model's answer; "" when it fails or is too slow (then the extract, or the fallback).

        The caller waits at most the phrase timeout: a stopped llama.cpp request only returns once its
        prompt is read (seconds on a busy CPU), so a late one finishes in the background, cancelled."""
        task = asyncio.create_task(self._collect(messages), name="knowledge-phrasing")
        try:
            done, _ = await asyncio.wait({task}, timeout=self._phrase_timeout_s)
        finally:
            if not task.done():
                task.cancel()
                self._stopping.add(task)
                task.add_done_callback(self._stopped)
        if not done:
            log.warning("knowledge phrasing too slow")
            return ""
        try:
            return task.result()
        except Exception:
            log.exception("knowledge phrasing failed")
            return ""

    async def _collect(self, messages: list[ChatMessage]) -> str:
        parts: list[str] = []
        stream = self._llm.stream_reply(messages, max_tokens=MAX_ANSWER_TOKENS, temperature=0.1)
        try:
            async for delta in stream:
                parts.append(delta)
        finally:
            await stream.aclose()  # type: ignore[attr-defined]  # closing stops generation
        return "".join(parts)

    def _stopped(self, task: asyncio.Task[str]) -> None:
        self._stopping.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("a stopped knowledge phrasing failed", exc_info=task.exception())

    async def aclose(self) -> None:
        """Shutdown: wait for phrasings stopped for being slow (each ends within one token of its prompt)."""
        pending = list(self._stopping)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _result(
        self,
        source: ChunkHit | None,
        answer: str,
        retrieval: _Retrieval,
        started: float,
        phrase_ms: float,
        prefetched: bool,
        how: str,
        question: str,
        business_id: str,
        language: str,
    ) -> KnowledgeAnswer:
        lines = lines_for(language)
        if source is None:
            text = self._not_found.get(language) or lines.not_found
        else:
            text = f"{answer} {lines.source.format(source=spoken_title(source.title, language))}"
        timings = KnowledgeTimings(
            embed_ms=0.0 if prefetched else round(retrieval.embed_ms, 1),
            search_ms=0.0 if prefetched else round(retrieval.search_ms, 1),
            phrase_ms=round(phrase_ms, 1),
            total_ms=round((time.perf_counter() - started) * 1000, 1),
            prefetched=prefetched,
        )
        log.info(
            "knowledge answer",
            extra={
                "business_id": business_id,
                "found": source is not None,
                "how": how,
                "best_score": round(retrieval.hits[0].score, 3) if retrieval.hits else None,
                "total_ms": timings.total_ms,
            },
        )
        return KnowledgeAnswer(
            found=source is not None,
            text=text,
            source_title=source.title if source else "",
            chunks=retrieval.hits,
            timings=timings,
            business_id=business_id,
            language=language,
            question=question,
            min_score=retrieval.min_score,
            phrasing=how,
        )
