"""A plan spoken as text (no audio): `POST /agent/try` and `make eval` hear exactly what a call would say.

The LLM part is streamed, cut into clauses and guarded like the call's reply (a clause the planner does
not allow is dropped); nothing left of it means the plan's fallback text; then the words said after.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from gpu_worker.conversation.clause_splitter import ClauseSplitter
from gpu_worker.conversation.planning.planner import Planner, ReplyPlan
from gpu_worker.models.stages import LanguageModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextReply:
    text: str
    llm_clauses: tuple[str, ...]  # what the LLM said that passed the guard
    dropped: tuple[str, ...]  # what the guard dropped


async def speak_as_text(plan: ReplyPlan, planner: Planner, llm: LanguageModel | None) -> TextReply:
    said: list[str] = list(plan.lines)
    kept: list[str] = []
    dropped: list[str] = []
    if plan.messages and llm is not None:
        try:
            await _stream(plan, planner, llm, kept, dropped)
        except Exception:
            log.exception("language model failed during a text reply; using the fallback text")
    said += kept or ([plan.fallback_text] if plan.fallback_text else [])
    said += plan.after
    return TextReply(" ".join(part for part in said if part), tuple(kept), tuple(dropped))


async def _stream(plan: ReplyPlan, planner: Planner, llm: LanguageModel, kept: list[str], dropped: list[str]) -> None:
    splitter = ClauseSplitter()
    stream = llm.stream_reply(plan.messages, max_tokens=plan.max_tokens)
    async with contextlib.aclosing(stream):  # type: ignore[type-var]
        async for delta in stream:
            for clause in splitter.push(delta):
                (kept if planner.allows(clause) else dropped).append(clause)
    rest = splitter.flush()
    if rest:
        (kept if planner.allows(rest) else dropped).append(rest)
