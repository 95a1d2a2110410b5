"""`make eval`'s tool set: the guided planner picks the right tool for every case, without the model."""

from __future__ import annotations

from buddyhelps.eval.tool_choice_eval import run_tool_choice, tool_cases
from tests.gpu_worker.fake_stages import FakeLlm


async def test_the_guided_planner_chooses_the_right_tool_for_every_case() -> None:
    llm = FakeLlm(["(the model must not be asked)"] * 50)
    result = await run_tool_choice(llm=llm, mode="guided")
    assert result["cases"] == len(tool_cases()) >= 10
    assert result["misses"] == []
    assert llm.requests == []
