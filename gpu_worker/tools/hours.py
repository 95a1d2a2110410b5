"""The hours tool: open now, on a given day, or the week's hours, from the definition's opening hours,
time zone and holidays (the facts answer does the reading; this makes it a tool the planners call)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.conversation.planning.facts_answer import FactsAnswer
from gpu_worker.tools.tool import ToolContext, ToolResult

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HoursArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Annotated[str, Field(max_length=500, description="the caller's question, in their words")] = ""
    day: Annotated[Weekday | None, Field(description="the weekday asked about, if any")] = None
    now: Annotated[bool, Field(description="the caller asks whether the business is open right now")] = False


class HoursTool:
    name = "hours"
    arguments = HoursArguments
    timeout_s = 1.0
    acts = False

    def __init__(self, context: ToolContext) -> None:
        self._context = context
        self._facts = FactsAnswer(context.definition)

    async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
        args = HoursArguments.model_validate(arguments.model_dump())
        hours = self._context.definition.facts.hours
        if hours is None:
            raise LookupError("the definition has no opening hours")
        now = self._context.now()
        if args.day is not None:
            spoken = self._facts.day_answer(hours, language, now, _WEEKDAYS.index(args.day))
        elif args.now:
            spoken = self._facts.hours_answer(hours, language, now, about_now=True)
        else:
            spoken = self._facts.answer(args.question, language=language, now=now) or self._facts.hours_answer(
                hours, language, now, about_now=False
            )
        return ToolResult(spoken, {"asked": args.day or ("now" if args.now else "hours")})
