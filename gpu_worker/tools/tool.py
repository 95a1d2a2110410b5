"""The tool interface: a name, a pydantic argument model (its JSON schema is what the led planner fills),
a timeout, and an async `run` whose result is a sentence the agent speaks, never raw JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from shared.agents.definition import AgentDefinition

Outcome = Literal["ok", "failed", "timed_out", "invalid", "cancelled"]


@dataclass(frozen=True)
class ToolContext:
    """What every tool of one call may read."""

    definition: AgentDefinition
    call_sid: str
    business_id: str | None
    business_name: str
    caller_number: str
    now: Callable[[], datetime]


@dataclass(frozen=True)
class ToolResult:
    """What the agent says (`spoken`, in the call's language), plus what the call log keeps (`detail`).
    `follow_up` runs once the caller has heard `spoken` (a transfer redirects the call only then);
    `hands_off`: once it succeeded, the call leaves this stream (the report says `transferred`);
    `if_follow_up_fails`: said when it raised (the caller must not be left on a silent line)."""

    spoken: str
    detail: Mapping[str, str] = field(default_factory=dict)
    follow_up: Callable[[], Awaitable[None]] | None = None
    hands_off: bool = False
    if_follow_up_fails: str = ""


@dataclass(frozen=True)
class ToolCallLog:
    """One tool call, as the call record, the report and the console's intent log show it."""

    name: str
    arguments: Mapping[str, Any]
    outcome: Outcome
    spoken: str
    detail: Mapping[str, str]
    duration_ms: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arguments": dict(self.arguments),
            "outcome": self.outcome,
            "result": self.spoken,
            "detail": dict(self.detail),
            "duration_ms": self.duration_ms,
        }


class Tool(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def arguments(self) -> type[BaseModel]: ...

    @property
    def timeout_s(self) -> float: ...

    @property
    def acts(self) -> bool:
        """It changes something outside the call (a message sent, a visit booked): it runs only once the
        caller's turn is confirmed over, never in a reply speculated during a pause."""
        ...

    async def run(self, arguments: BaseModel, *, language: str) -> ToolResult: ...
