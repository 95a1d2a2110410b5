"""Drives a planner the way a call does, in text: plan → speak (the LLM part through the guard) → heard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from gpu_worker.conversation.planning.planner import Planner, ReplyPlan
from gpu_worker.conversation.planning.planner_choice import PlannerMode, build_planner
from gpu_worker.conversation.planning.text_reply import speak_as_text
from gpu_worker.models.stages import LanguageModel
from shared.agents.definition import AgentDefinition
from tests.gpu_worker.fake_stages import FakeLlm

CALLER_ID = "+15550100123"
# A Monday afternoon in Springfield (15:00 America/Chicago).
MONDAY_AFTERNOON = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


@dataclass
class PlannedCall:
    planner: Planner
    llm: LanguageModel
    said: list[str] = field(default_factory=list)
    plans: list[ReplyPlan] = field(default_factory=list)

    def open(self) -> str:
        plan = self.planner.opening()
        self.planner.heard(plan, plan.scripted_text, complete=True)
        self.said.append(plan.scripted_text)
        return plan.scripted_text

    async def say(self, caller_text: str) -> str:
        plan = await self.planner.plan(caller_text, language="en")
        reply = await speak_as_text(plan, self.planner, self.llm)
        self.planner.heard(plan, reply.text, complete=True)
        self.plans.append(plan)
        self.said.append(reply.text)
        return reply.text

    @property
    def last(self) -> ReplyPlan:
        return self.plans[-1]


def new_call(
    definition: AgentDefinition,
    *,
    caller_id: str = CALLER_ID,
    llm: LanguageModel | None = None,
    mode: PlannerMode = "guided",
    now: datetime = MONDAY_AFTERNOON,
) -> PlannedCall:
    model = llm or FakeLlm(["Happy to help with that."] * 20)
    planner = build_planner(
        definition, mode=mode, business_name="Acme Plumbing", caller_id=caller_id, llm=model, now=lambda: now
    )
    return PlannedCall(planner=planner, llm=model)
