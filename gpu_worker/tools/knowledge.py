"""The knowledge tool: the caller's question answered from the business's own documents, in the call's
language, with the source said after it (or the documents' "I don't have that" line), and every answer
logged on the call for the console's citations log.

The answerer is the worker's one `KnowledgeAnswerer` (its embedding model is loaded once per process);
with no documents at all for the business the tool has nothing to say and the reply falls back to the
facts-only answer, so a business that never uploaded anything keeps its old behaviour."""

from __future__ import annotations

import logging
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.knowledge.citation_log import record_citation
from gpu_worker.knowledge.knowledge_answerer import KnowledgeAnswer
from gpu_worker.tools.tool import ToolContext, ToolResult
from shared.database import Database

log = logging.getLogger(__name__)


class DocumentAnswerer(Protocol):
    async def answer(self, *, business_id: str, question: str, language: str) -> KnowledgeAnswer: ...


class KnowledgeArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., min_length=1, max_length=500, description="the caller's question, in their words")
    language: Annotated[str, Field(max_length=8, description="ignored: the call's language is used")] = ""


class KnowledgeTool:
    name = "knowledge"
    arguments = KnowledgeArguments
    # Retrieval (~50 ms) plus the phrasing, which the answerer itself caps (PHRASE_TIMEOUT_S) before it says
    # the documents' own sentence instead; past this the caller hears the tool-failed line.
    timeout_s = 8.0
    acts = False

    def __init__(self, context: ToolContext, answerer: DocumentAnswerer, db: Database) -> None:
        self._context = context
        self._answerer = answerer
        self._db = db

    async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
        args = KnowledgeArguments.model_validate(arguments.model_dump())
        business_id = self._context.business_id
        if business_id is None:
            raise LookupError("the call has no business, so no documents")
        answer = await self._answerer.answer(business_id=business_id, question=args.question, language=language)
        await self._log(answer)
        detail = {
            "found": "yes" if answer.found else "no",
            "how": answer.phrasing,
            "source": answer.source_title,
            "best_score": f"{answer.best_score:.3f}" if answer.best_score is not None else "",
            "ms": f"{answer.timings.total_ms:.0f}",
        }
        if answer.phrasing == "no_documents":
            return ToolResult("", detail)  # nothing uploaded: the facts-only answer speaks instead
        return ToolResult(answer.text, detail)

    async def _log(self, answer: KnowledgeAnswer) -> None:
        try:
            await record_citation(self._db, call_sid=self._context.call_sid, answer=answer)
        except Exception:  # the caller still hears the answer; the console misses one row
            log.exception("could not log the knowledge answer", extra={"call_sid": self._context.call_sid})
