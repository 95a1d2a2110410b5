"""`make eval`: the conversation set (every template's cases) and, when present, the knowledge set.

`python -m buddyhelps.eval.run_eval --output artifacts/eval.json [--planner guided|led] [--limit N]`
prints a table per template and writes everything (misses, inventions, transcripts) as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from buddyhelps.eval.conversation_eval import run_template
from buddyhelps.eval.eval_cases import case_files, load_case_file
from buddyhelps.eval.tool_choice_eval import run_tool_choice
from gpu_worker.conversation.planning.planner_choice import PlannerMode
from gpu_worker.models.language_model import LlamaCppLanguageModel
from gpu_worker.models.stages import LanguageModel
from shared.settings import Settings, load_settings

TARGET_FIELDS_PCT = 90.0


async def run_conversations(
    llm: LanguageModel, *, mode: PlannerMode, limit: int | None = None, templates: Sequence[str] = ()
) -> list[dict[str, Any]]:
    summaries = []
    for path in case_files():
        case_file = load_case_file(path)
        if templates and case_file.template not in templates:
            continue
        if limit is not None:
            case_file = case_file.model_copy(update={"cases": case_file.cases[:limit]})
        summaries.append(await run_template(case_file, llm=llm, mode=mode))
    return summaries


def table(summaries: list[dict[str, Any]]) -> str:
    rows = [
        "| template | cases | fields right | safety line when due | facts right | invented |",
        "|---|---|---|---|---|---|",
    ]
    for s in summaries:
        rows.append(
            f"| {s['template']} | {s['cases']} | {s['fields_right']}/{s['fields_total']} ({s['fields_right_pct']} %) "
            f"| {s['safety_said']}/{s['safety_due']} | {s['facts_right']}/{s['facts_asked']} | {s['invented']} |"
        )
    return "\n".join(rows)


def verdict(summaries: list[dict[str, Any]]) -> dict[str, bool]:
    return {
        "fields_right_ge_90_pct": all((s["fields_right_pct"] or 0) >= TARGET_FIELDS_PCT for s in summaries),
        "no_inventions": all(s["invented"] == 0 for s in summaries),
        "safety_when_due_100_pct": all(s["safety_said"] == s["safety_due"] for s in summaries),
    }


def _knowledge(settings: Settings) -> dict[str, Any] | None:
    """The knowledge set, when its module exists (another part of the eval, run as it is)."""
    try:
        module = importlib.import_module("buddyhelps.eval.knowledge_eval")
    except ImportError:
        return None
    result: dict[str, Any] = module.run(settings)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m buddyhelps.eval.run_eval", description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("artifacts/eval.json"))
    parser.add_argument("--planner", choices=["guided", "led"], default=None, help="default: the PLANNER setting")
    parser.add_argument("--limit", type=int, default=None, help="cases per template (default: all)")
    parser.add_argument("--template", action="append", default=[], help="only these templates")
    parser.add_argument("--no-knowledge", action="store_true", help="skip the knowledge set")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = load_settings()
    mode: PlannerMode = args.planner or settings.planner
    llm = LlamaCppLanguageModel.from_settings(settings)
    started = time.perf_counter()
    try:
        summaries = asyncio.run(run_conversations(llm, mode=mode, limit=args.limit, templates=args.template))
        tools = asyncio.run(run_tool_choice(llm=llm, mode=mode))
    finally:
        llm.close()
    report: dict[str, Any] = {
        "planner": mode,
        "llm": llm.model_name,
        "seconds": round(time.perf_counter() - started, 1),
        "targets": verdict(summaries),
        "templates": summaries,
        "tools": tools,  # which tool the planner chose from the caller's words (tool_cases.yaml)
    }
    if not args.no_knowledge:
        report["knowledge"] = _knowledge(settings)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(table(summaries))
    print(f"tool chosen right: {tools['right']}/{tools['cases']}")
    print(json.dumps(report["targets"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
