"""A safety line the caller talked over is said again in full, but a caller who talks over it every time is
not held in a loop by it."""

from __future__ import annotations

from gpu_worker.conversation.planning.guided_planner import MAX_SAFETY_REPEATS
from gpu_worker.conversation.planning.planner_choice import build_planner
from shared.agents.templates import load_template
from tests.gpu_worker.fake_stages import FakeLlm

WATER = "If you can, turn off the main water shut-off valve."


async def test_a_cut_safety_line_is_repeated_a_bounded_number_of_times() -> None:
    # GIVEN a plumbing call where the caller reports a burst pipe
    planner = build_planner(
        load_template("plumbing"),
        mode="guided",
        business_name="Demo Plumbing Co",
        caller_id="+15125550134",
        llm=FakeLlm(),
    )
    plan = await planner.plan("A pipe burst and water is everywhere.", language="en")
    assert plan.lines[0] == WATER
    said_again = 0
    for _ in range(MAX_SAFETY_REPEATS + 2):
        # WHEN the caller talks over it after "If you can," every time
        planner.heard(plan, "If you can,", complete=False)
        plan = await planner.plan("Sorry, what?", language="en")
        said_again += plan.lines[:1] == (WATER,)
    # THEN it was said again in full, first, but only MAX_SAFETY_REPEATS times
    assert said_again == MAX_SAFETY_REPEATS
