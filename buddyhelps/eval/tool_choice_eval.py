"""`make eval`'s tool set: does the planner pick the right tool (and its key arguments) from a caller's
turn after the greeting? Cases: tool_cases.yaml. The guided planner routes without the model, so with it
this set runs in a moment and every case must be right."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.conversation.planning.planner_choice import PlannerMode, build_planner
from gpu_worker.models.stages import LanguageModel
from gpu_worker.tools.message_form import form_fields
from shared.agents.templates import load_template

MONDAY_AFTERNOON = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


class ToolCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    template: str
    said: str = Field(min_length=1)
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    expect: str  # a tool name, or "none"
    arguments: dict[str, str] = Field(default_factory=dict)


def tool_cases() -> list[ToolCase]:
    text = resources.files(__package__).joinpath("tool_cases.yaml").read_text(encoding="utf-8")
    return [ToolCase.model_validate(case) for case in yaml.safe_load(text)["cases"]]


async def judge(case: ToolCase, *, llm: LanguageModel, mode: PlannerMode) -> dict[str, Any]:
    definition = load_template(case.template)
    planner = build_planner(
        definition,
        mode=mode,
        business_name="Eval Co",
        caller_id="+15550100123",
        llm=llm,
        now=lambda: MONDAY_AFTERNOON,
    )
    opening = planner.opening()
    planner.heard(opening, opening.scripted_text, complete=True)
    plan = await planner.plan(case.said, language=case.language)
    chosen = plan.tool.name if plan.tool is not None and plan.tool.name != "knowledge" else "none"
    arguments = dict(plan.tool.arguments) if plan.tool is not None else {}
    form = form_fields(definition)
    values = {entry.name: entry.value for entry in planner.snapshot().fields}
    if chosen == "none" and form and values.get(form["for_whom"]):
        # a message form takes the message over the next turns (sent when the call ends): the turn chose it
        chosen, arguments = "take_message", {part: values[name] for part, name in form.items() if values[name]}
    right = chosen == case.expect and all(arguments.get(k) == v for k, v in case.arguments.items())
    return {
        "template": case.template,
        "said": case.said,
        "expect": case.expect,
        "chose": chosen,
        "arguments": arguments,
        "right": right,
    }


async def run_tool_choice(*, llm: LanguageModel, mode: PlannerMode) -> dict[str, Any]:
    results = [await judge(case, llm=llm, mode=mode) for case in tool_cases()]
    right = sum(1 for result in results if result["right"])
    return {"cases": len(results), "right": right, "misses": [r for r in results if not r["right"]]}
