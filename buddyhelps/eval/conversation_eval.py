"""The conversation set of `make eval`: scripted callers through the real planner, extractors and LLM, in text.

Each case is played turn by turn against `build_planner` (the greeting first; the call stops when the
agent ends it). Scored per template: fields right (final value against the truth), safety lines when due
(the rule's line first in the reply to that turn), facts stated correctly when asked, and inventions
(a price, a clock time or a booking in the agent's words that neither the definition's facts nor the
caller gave). The LLM part of a reply is guarded exactly as on a call.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from buddyhelps.eval.eval_cases import CaseFile, EvalCase
from buddyhelps.eval.scoring import FieldResult, field_results, inventions
from gpu_worker.conversation.planning.facts_answer import FactsAnswer
from gpu_worker.conversation.planning.planner import Planner
from gpu_worker.conversation.planning.planner_choice import PlannerMode, build_planner
from gpu_worker.conversation.planning.text_reply import speak_as_text
from gpu_worker.models.stages import LanguageModel
from shared.agents.definition import AgentDefinition, text_for
from shared.agents.templates import load_template

# The eval's clock: a Monday, 15:00 in Chicago (cases' "tomorrow" and "open now" are relative to it).
EVAL_NOW = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


@dataclass
class CaseResult:
    name: str
    fields: list[FieldResult]
    safety_due: int = 0
    safety_said: int = 0
    facts_asked: int = 0
    facts_right: int = 0
    invented: list[str] = field(default_factory=list)
    llm_turns: int = 0
    english_after_switch: list[str] = field(default_factory=list)  # replies with a first-language line
    ended_by_agent: bool = False
    transcript: list[dict[str, str]] = field(default_factory=list)

    @property
    def fields_right(self) -> int:
        return sum(result.right for result in self.fields)


async def run_case(
    definition: AgentDefinition,
    case: EvalCase,
    *,
    business: str,
    llm: LanguageModel,
    mode: PlannerMode,
    language: str | None = None,
) -> CaseResult:
    planner = build_planner(
        definition, mode=mode, business_name=business, caller_id=case.caller_id, llm=llm, now=lambda: EVAL_NOW
    )
    facts = FactsAnswer(definition)
    result = CaseResult(name=case.name, fields=[])
    opening = planner.opening()
    planner.heard(opening, opening.scripted_text, complete=True)
    result.transcript.append({"agent": opening.scripted_text})
    replies: dict[int, str] = {}
    replies_said: list[str] = []
    language = language or definition.default_language
    switched = language != definition.default_language
    first_lines = _first_language_lines(planner, definition, business) if switched else []
    for index, said in enumerate(case.turns):
        plan = await planner.plan(said, language=language)
        reply = await speak_as_text(plan, planner, llm)
        planner.heard(plan, reply.text, complete=True)
        replies[index] = reply.text
        result.llm_turns += bool(plan.messages)
        replies_said.append(reply.text)
        if any(line in reply.text for line in first_lines):
            result.english_after_switch.append(reply.text)
        result.transcript += [{"caller": said}, {"agent": reply.text, "kind": plan.kind}]
        if plan.end_call:
            result.ended_by_agent = True
            break
    _score_lines(result, case, definition, replies, language)
    state = planner.snapshot()
    heard = [entry.value for entry in state.fields if entry.value]  # what the caller gave may be read back
    for said in replies_said:
        result.invented += inventions(said, " ".join([*case.turns, *heard]), facts)
    result.fields = field_results(case, definition, state.fields, language=language)
    return result


def _first_language_lines(planner: Planner, definition: AgentDefinition, business: str) -> list[str]:
    """The definition's word-for-word lines in its first language (filled with the business's name): one of
    them in a reply after the switch is a line the caller would hear in the wrong language."""
    lines = [line for line in planner.fixed_lines(definition.default_language) if len(line.split()) >= 3]
    return [line.replace("{business}", business) for line in lines]


def _score_lines(
    result: CaseResult, case: EvalCase, definition: AgentDefinition, replies: dict[int, str], language: str
) -> None:
    rules = {rule.name: rule for rule in definition.safety}
    for due in case.safety:
        result.safety_due += 1
        line = text_for(rules[due.rule].line, language, language)
        result.safety_said += replies.get(due.turn, "").startswith(line)
    for asked in case.facts:
        result.facts_asked += 1
        reply = replies.get(asked.turn, "").lower()
        result.facts_right += all(word.lower() in reply for word in asked.expect)


async def run_template(case_file: CaseFile, *, llm: LanguageModel, mode: PlannerMode) -> dict[str, Any]:
    definition = load_template(case_file.template)
    started = time.perf_counter()
    language = case_file.language
    results = [
        await run_case(definition, case, business=case_file.business, llm=llm, mode=mode, language=language)
        for case in case_file.cases
    ]
    summary = template_summary(case_file.template, results, seconds=time.perf_counter() - started)
    return {**summary, "language": language}


def template_summary(template: str, results: list[CaseResult], *, seconds: float) -> dict[str, Any]:
    fields_total = sum(len(result.fields) for result in results)
    fields_right = sum(result.fields_right for result in results)
    safety_due = sum(result.safety_due for result in results)
    facts_asked = sum(result.facts_asked for result in results)
    return {
        "template": template,
        "cases": len(results),
        "fields_right": fields_right,
        "fields_total": fields_total,
        "fields_right_pct": round(100 * fields_right / fields_total, 1) if fields_total else None,
        "safety_due": safety_due,
        "safety_said": sum(result.safety_said for result in results),
        "facts_asked": facts_asked,
        "facts_right": sum(result.facts_right for result in results),
        "invented": sum(len(result.invented) for result in results),
        "llm_turns": sum(result.llm_turns for result in results),
        "english_after_switch": sum(len(result.english_after_switch) for result in results),
        "seconds": round(seconds, 1),
        "misses": [
            {"case": r.name, "field": f.name, "expected": f.expected, "got": f.got, "status": f.status}
            for r in results
            for f in r.fields
            if not f.right
        ],
        "inventions": [{"case": r.name, "said": said} for r in results for said in r.invented],
        "case_details": [
            {"name": r.name, "fields": [asdict(f) for f in r.fields], "transcript": r.transcript} for r in results
        ],
    }
