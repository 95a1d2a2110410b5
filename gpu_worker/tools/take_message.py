"""The take_message tool: a message for a named person or department (who it is for, from whom, the
callback number, the message), kept on the call and sent to that person's phone or email."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.conversation.spoken_lines import speakable_phone
from gpu_worker.tools.tool import ToolContext, ToolResult
from shared.people.directory import Contact, Directory

LINES = {
    "en": {
        "taken": "I'll pass your message on to {name}.",
        "callback": "They'll call you back on {callback}.",
        "nobody": "I'll pass your message on to the team.",
    },
    "es": {
        "taken": "Le pasaré su mensaje a {name}.",
        "callback": "Le devolverán la llamada al {callback}.",
        "nobody": "Le pasaré su mensaje al equipo.",
    },
}


class MessageArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    for_whom: Annotated[str, Field(max_length=120, description="the person or department the message is for")] = ""
    from_name: Annotated[str, Field(max_length=120, description="the caller's name")] = ""
    callback: Annotated[str, Field(max_length=40, description="the number to call back; empty: the caller's own")] = ""
    message: str = Field(..., min_length=1, max_length=2000, description="the message, in the caller's words")


@dataclass(frozen=True)
class TakenMessage:
    call_sid: str
    business_id: str | None
    for_whom: str  # as the caller said it
    contact: Contact | None  # who it went to (None: nobody by that name; the owner gets it)
    from_name: str
    callback: str
    message: str


class MessageDelivery(Protocol):
    async def deliver(self, message: TakenMessage) -> bool:
        """Send it to the contact (or the owner); True when it was queued."""
        ...


class TakeMessageTool:
    name = "take_message"
    arguments = MessageArguments
    timeout_s = 8.0
    acts = True

    def __init__(self, context: ToolContext, directory: Directory, delivery: MessageDelivery) -> None:
        self._context, self._directory, self._delivery = context, directory, delivery
        self.taken: list[TakenMessage] = []  # kept on the call (the report carries them)

    async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
        args = MessageArguments.model_validate(arguments.model_dump())
        contact = self._directory.find(args.for_whom) if args.for_whom else None
        callback = args.callback or self._context.caller_number
        message = TakenMessage(
            call_sid=self._context.call_sid,
            business_id=self._context.business_id,
            for_whom=args.for_whom,
            contact=contact,
            from_name=args.from_name,
            callback=callback,
            message=args.message,
        )
        self.taken.append(message)  # kept even if sending fails: the call page shows it
        sent = await self._delivery.deliver(message)
        words = LINES.get(language) or LINES["en"]
        said = words["taken"].format(name=contact.name) if contact else words["nobody"]
        if callback:
            said += " " + words["callback"].format(callback=speakable_phone(callback))
        to = contact.name if contact else "owner"
        return ToolResult(said, {"to": to, "sent": "yes" if sent else "no"})
