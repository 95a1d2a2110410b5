"""`build_planner`: the planner for one call, guided or led by the `PLANNER` setting (guided by default)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from gpu_worker.conversation.planning.guided_planner import GuidedPlanner
from gpu_worker.conversation.planning.led_planner import LedPlanner
from gpu_worker.conversation.planning.planner import Planner
from gpu_worker.models.stages import LanguageModel
from shared.agents.definition import AgentDefinition

PlannerMode = Literal["guided", "led"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_planner(
    definition: AgentDefinition,
    *,
    mode: PlannerMode,
    business_name: str,
    caller_id: str,
    llm: LanguageModel,
    now: Callable[[], datetime] = utc_now,
    led_timeout_s: float = 8.0,
) -> Planner:
    """One per call. `mode` is `settings.planner`; `caller_id` may be "" (withheld)."""
    guided = GuidedPlanner(definition, business=business_name, caller_id=caller_id, now=now)
    if mode == "led":
        return LedPlanner(guided, definition=definition, llm=llm, timeout_s=led_timeout_s)
    return guided
