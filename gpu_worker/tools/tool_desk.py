"""Runs the tools one call may use: arguments checked against the tool's model, its timeout kept, the hold
line said when it is slow, a failure turned into a plain sentence, and every call logged on the call.

A barge-in cancels the reply that runs the tool, and with it the tool (logged as cancelled)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping

from pydantic import ValidationError

from gpu_worker.tools.tool import Outcome, Tool, ToolCallLog, ToolContext, ToolResult
from gpu_worker.tools.tool_lines import tool_line

log = logging.getLogger(__name__)
HOLD_AFTER_S = 0.6  # a tool slower than this gets "One moment, let me check" (a pause longer feels dead)


class ToolDesk:
    def __init__(self, tools: Mapping[str, Tool], context: ToolContext, *, hold_after_s: float = HOLD_AFTER_S) -> None:
        allowed: set[str] = set(context.definition.tools)
        self._tools: dict[str, Tool] = {name: tool for name, tool in tools.items() if name in allowed}
        self._context = context
        self._hold_after_s = hold_after_s
        self.log: list[ToolCallLog] = []

    def has(self, name: str) -> bool:
        return name in self._tools

    def acts(self, name: str) -> bool:
        return self._tools[name].acts

    def schemas(self) -> dict[str, dict[str, object]]:
        """Each tool's argument schema, for the led planner's constrained output."""
        return {name: tool.arguments.model_json_schema() for name, tool in self._tools.items()}

    async def run(
        self, name: str, arguments: Mapping[str, object], *, language: str, hold: Callable[[str], None]
    ) -> ToolResult:
        """The tool's result; `hold` gets the hold line if the tool is still running after the threshold."""
        tool = self._tools.get(name)
        if tool is None:
            raise KeyError(f"tool {name!r} is not enabled for this agent")
        started = time.monotonic()
        outcome: Outcome = "ok"
        try:
            result = await self._run(tool, arguments, language=language, hold=hold)
        except ValidationError as error:
            outcome, result = "invalid", self._failed(language, f"invalid arguments: {error.error_count()} errors")
        except TimeoutError:
            outcome, result = "timed_out", self._failed(language, f"no answer within {tool.timeout_s:g} s")
        except asyncio.CancelledError:
            self._record(name, arguments, "cancelled", ToolResult(""), started)
            raise
        except Exception as error:  # a tool's own failure must not end the call: it is said plainly
            log.exception("tool failed", extra={"tool": name, "call_sid": self._context.call_sid})
            outcome, result = "failed", self._failed(language, f"{type(error).__name__}: {error}")
        self._record(name, arguments, outcome, result, started)
        return result

    async def _run(
        self, tool: Tool, arguments: Mapping[str, object], *, language: str, hold: Callable[[str], None]
    ) -> ToolResult:
        parsed = tool.arguments.model_validate(dict(arguments))
        task = asyncio.ensure_future(asyncio.wait_for(tool.run(parsed, language=language), tool.timeout_s))
        try:
            done, _pending = await asyncio.wait({task}, timeout=self._hold_after_s)
            if not done:
                hold(tool_line(self._context.definition, "one_moment", language))
            return await task
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def _failed(self, language: str, detail: str) -> ToolResult:
        return ToolResult(tool_line(self._context.definition, "tool_failed", language), {"error": detail[:300]})

    def _record(
        self, name: str, arguments: Mapping[str, object], outcome: Outcome, result: ToolResult, started: float
    ) -> None:
        duration_ms = int((time.monotonic() - started) * 1000)
        entry = ToolCallLog(name, dict(arguments), outcome, result.spoken, dict(result.detail), duration_ms)
        self.log.append(entry)
        log.info(
            "tool called",
            extra={"tool": name, "outcome": outcome, "duration_ms": duration_ms, "call_sid": self._context.call_sid},
        )
