"""A tool's context for a call to a template business at a fixed time, and recorders for what it sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gpu_worker.tools.book_visit import CallerTexts
from gpu_worker.tools.take_message import MessageDelivery, TakenMessage
from gpu_worker.tools.tool import ToolContext
from shared.agents.definition import AgentDefinition
from shared.agents.templates import load_template


def context_for(template: str | AgentDefinition, now: datetime, *, caller: str = "+13125550142") -> ToolContext:
    definition = load_template(template) if isinstance(template, str) else template
    return ToolContext(
        definition=definition,
        call_sid="CA" + "0" * 32,
        business_id="biz-1",
        business_name="Front Desk Co",
        caller_number=caller,
        now=lambda: now,
    )


@dataclass
class SentMessages(MessageDelivery):
    sent: list[TakenMessage] = field(default_factory=list)

    async def deliver(self, message: TakenMessage) -> bool:
        self.sent.append(message)
        return True


@dataclass
class SentTexts(CallerTexts):
    texts: list[tuple[str, str | None]] = field(default_factory=list)

    async def booking_confirmed(self, *, starts_utc: str, timezone: str, language: str = "en") -> bool:
        self.texts.append(("confirmed", starts_utc))
        return True

    async def booking_link(self, *, url: str | None, language: str = "en") -> bool:
        self.texts.append(("link", url))
        return True
