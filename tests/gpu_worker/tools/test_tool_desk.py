"""Running a tool on a call: the hold line only when it is slow, a failure said plainly, a barge-in
cancelling it, and every call logged with its arguments, outcome and duration."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from unittest.mock import ANY

import pytest
from pydantic import BaseModel, ConfigDict

from gpu_worker.tools.hours import HoursTool
from gpu_worker.tools.tool import Tool, ToolResult
from gpu_worker.tools.tool_desk import ToolDesk
from tests.gpu_worker.tools.tool_call import context_for

MONDAY_AFTERNOON = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)  # 16:00 in New York
FAILED = "Sorry, I couldn't do that just now. I can take a message and have someone call you back."


class LookupArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class SlowLookup:
    """A tool that answers after `delay_s` (a calendar or CRM across the internet), or raises."""

    name = "take_message"  # a name the template allows
    arguments = LookupArguments
    timeout_s = 1.0
    acts = True

    def __init__(self, delay_s: float, error: Exception | None = None) -> None:
        self.delay_s, self.error = delay_s, error

    async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
        await asyncio.sleep(self.delay_s)
        if self.error is not None:
            raise self.error
        return ToolResult(f"Found {arguments.model_dump()['name']}.")


def _desk(tool: Tool, *, hold_after_s: float = 0.05) -> ToolDesk:
    return ToolDesk({tool.name: tool}, context_for("front_desk", MONDAY_AFTERNOON), hold_after_s=hold_after_s)


async def test_a_quick_tool_answers_without_the_hold_line() -> None:
    desk, held = _desk(SlowLookup(0.0), hold_after_s=0.5), list[str]()
    result = await desk.run("take_message", {"name": "Sam"}, language="en", hold=held.append)
    assert (result.spoken, held) == ("Found Sam.", [])
    assert desk.log[0].outcome == "ok"
    assert desk.log[0].arguments == {"name": "Sam"}


async def test_a_slow_tool_says_one_moment_once_then_answers() -> None:
    desk, held = _desk(SlowLookup(0.2)), list[str]()
    result = await desk.run("take_message", {"name": "Sam"}, language="en", hold=held.append)
    assert held == ["One moment, let me check."]
    assert result.spoken == "Found Sam."
    assert desk.log[0].duration_ms >= 200


@pytest.mark.parametrize(
    ("tool", "arguments", "outcome"),
    [
        (SlowLookup(0.0, ConnectionError("CRM refused")), {"name": "Sam"}, "failed"),
        (SlowLookup(5.0), {"name": "Sam"}, "timed_out"),
        (SlowLookup(0.0), {"nom": "Sam"}, "invalid"),
    ],
)
async def test_a_failing_tool_is_said_plainly_and_the_call_goes_on(
    tool: SlowLookup, arguments: dict[str, str], outcome: str
) -> None:
    desk = _desk(tool)
    result = await desk.run("take_message", arguments, language="en", hold=lambda _line: None)
    assert result.spoken == FAILED
    assert "{" not in result.spoken  # never raw JSON
    assert desk.log[0].outcome == outcome


async def test_a_barge_in_cancels_the_running_tool_and_logs_it() -> None:
    desk = _desk(SlowLookup(5.0))
    running = asyncio.ensure_future(desk.run("take_message", {"name": "Sam"}, language="en", hold=lambda _l: None))
    await asyncio.sleep(0.1)
    running.cancel()  # the reply task running the tool is cancelled by the barge-in
    with pytest.raises(asyncio.CancelledError):
        await running
    assert [entry.outcome for entry in desk.log] == ["cancelled"]


async def test_a_tool_the_definition_does_not_list_is_not_run() -> None:
    context = context_for("plumbing", MONDAY_AFTERNOON)  # plumbing: hours and take_message only
    desk = ToolDesk({"hours": HoursTool(context)}, context)
    assert desk.has("hours")
    assert not desk.has("transfer")
    with pytest.raises(KeyError, match="transfer"):
        await desk.run("transfer", {"to": "Sam"}, language="en", hold=lambda _l: None)


def test_the_led_planner_gets_each_tools_json_schema() -> None:
    context = context_for("front_desk", MONDAY_AFTERNOON)
    schema = ToolDesk({"hours": HoursTool(context)}, context).schemas()["hours"]
    assert schema["properties"] == {"question": ANY, "day": ANY, "now": ANY}
