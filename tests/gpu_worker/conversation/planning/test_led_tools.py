"""The led planner chooses tools with schema-constrained output: the schema offers only the agent's tools,
a choice the agent lacks is ignored, and the rules' sure routes are kept without asking the model."""

from __future__ import annotations

from gpu_worker.conversation.planning.led_planner import reply_schema
from gpu_worker.conversation.planning.planner import ToolRequest
from shared.agents.templates import load_template
from tests.gpu_worker.conversation.planning.planned_call import new_call
from tests.gpu_worker.conversation.planning.test_led_planner import JsonLlm, say


def test_the_schema_offers_exactly_the_agents_tools() -> None:
    schema = reply_schema(load_template("plumbing"))  # hours, take_message
    assert schema["properties"]["tool"]["properties"]["name"]["enum"] == ["hours", "take_message", "none"]
    assert "tool" not in reply_schema(load_template("gym_information"))["properties"]  # no tools at all


async def test_the_model_picks_a_transfer_the_rules_could_not_see() -> None:
    # GIVEN the front desk agent and a request the patterns do not know
    choice = {**say("Let me put you through."), "tool": {"name": "transfer", "arguments": {"to": "accounts"}}}
    llm = JsonLlm([choice])
    call = new_call(load_template("front_desk"), llm=llm, mode="led")
    call.open()
    # WHEN the caller asks in their own words
    reply = await call.say("I need whoever looks after my account")
    # THEN the plan is the transfer tool, and where no tool runs the model's words are said
    assert call.last.tool == ToolRequest("transfer", {"to": "accounts"})
    assert reply == "Let me put you through."


async def test_a_tool_the_agent_lacks_is_ignored_and_a_sure_route_skips_the_model() -> None:
    booking = {**say("Sure, what is your name?"), "tool": {"name": "book_visit", "arguments": {"wish": "Monday"}}}
    llm = JsonLlm([booking])
    call = new_call(load_template("plumbing"), llm=llm, mode="led")  # plumbing may not book
    call.open()
    await call.say("Could someone come round on Monday?")
    await call.say("Are you open right now?")  # the rules route this one themselves
    first, second = (plan.tool for plan in call.plans)
    assert first is None
    assert second == ToolRequest("hours", {"question": "Are you open right now?", "now": "true"})
    assert len(llm.json_requests) == 1
