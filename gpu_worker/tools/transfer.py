"""The transfer tool: the agent says it is connecting, and once that is heard the live call is redirected
through Twilio's REST API to a <Dial> with a ring timeout and an `action` that comes back to the functions
when nobody answers (they return the caller to the agent or to voicemail, never a dead line). Outside
opening hours, or to someone who takes no calls, the agent offers to take a message instead."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

import httpx
from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.tools.tool import ToolContext, ToolResult
from shared.agents.opening_hours import hours_now
from shared.people.directory import Directory
from shared.structured_logging import mask_phone

log = logging.getLogger(__name__)
RING_TIMEOUT_S = 20
TRANSFER_END_PATH = "/twilio/transfer-end"
LINES = {
    "en": {
        # One sentence without a comma: one clause, so no silence inside it where the caller may start talking
        # (that cancels the reply, and the redirect waits for all of it to be heard: seen with the real models).
        "connecting": "Please hold while I connect you to {name}.",
        "unknown": "I can't put you through to {name}, but I can take a message for them.",
        "failed": "Sorry, I couldn't put you through to {name} just now. I can take a message for them.",
        "closed": "{name} isn't available right now, as we're closed. I can take a message for them.",
        "no_answer": (
            "Sorry, {name} didn't pick up. I can take a message for them, or help you myself. What can I do for you?"
        ),
    },
    "es": {
        "connecting": "Espere un momento mientras le paso con {name}.",
        "unknown": "No puedo pasarle con {name}, pero puedo tomarle un mensaje.",
        "failed": "Lo siento, ahora no he podido pasarle con {name}. Puedo tomarle un mensaje.",
        "closed": "{name} no está disponible ahora, estamos cerrados. Puedo tomarle un mensaje.",
        "no_answer": (
            "Lo siento, {name} no contesta. Puedo tomarle un mensaje o ayudarle yo. ¿En qué le puedo ayudar?"
        ),
    },
}


def no_answer_line(name: str, language: str) -> str:
    """What the caller hears first when a transfer nobody answered brings them back to the agent."""
    return (LINES.get(language) or LINES["en"])["no_answer"].format(name=name or "they")


class TransferArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(..., min_length=1, max_length=120, description="the person or department asked for")


class CallRedirector(Protocol):
    async def redirect(self, call_sid: str, twiml: str) -> None:
        """Replace the live call's instructions (Twilio: POST Calls/{sid}.json with Twiml); raises on failure."""
        ...


def transfer_twiml(*, number: str, action_url: str, caller_id: str = "", ring_timeout_s: int = RING_TIMEOUT_S) -> str:
    caller = f" callerId={quoteattr(caller_id)}" if caller_id else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        f'<Dial timeout="{ring_timeout_s}" action={quoteattr(action_url)}{caller}>'
        f"<Number>{escape(number)}</Number></Dial></Response>"
    )


class TwilioRedirector:
    """Twilio's REST API (or the simulator's, at TWILIO_API_BASE_URL): `calls(sid).update(twiml=...)`."""

    def __init__(self, *, base_url: str, account_sid: str, auth_token: str, client: httpx.AsyncClient) -> None:
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Calls/{{sid}}.json"
        self._auth = (account_sid, auth_token)
        self._client = client

    async def redirect(self, call_sid: str, twiml: str) -> None:
        response = await self._client.post(self._url.format(sid=call_sid), data={"Twiml": twiml}, auth=self._auth)
        response.raise_for_status()


class TransferTool:
    name = "transfer"
    arguments = TransferArguments
    timeout_s = 3.0
    acts = False  # the redirect itself is the follow-up, run once every word of the reply was heard

    def __init__(
        self, context: ToolContext, directory: Directory, redirector: CallRedirector, *, functions_url: str
    ) -> None:
        self._context, self._directory, self._redirector = context, directory, redirector
        self._functions_url = functions_url.rstrip("/")

    async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
        args = TransferArguments.model_validate(arguments.model_dump())
        words = LINES.get(language) or LINES["en"]
        contact = self._directory.find(args.to)
        if contact is None or not contact.phone or not contact.transfers:
            return ToolResult(words["unknown"].format(name=args.to), {"transfer": "no_such_contact"})
        if not self._open(self._context.now()):
            return ToolResult(words["closed"].format(name=contact.name), {"transfer": "after_hours"})
        query = urlencode({"business_id": self._context.business_id or "", "to": contact.name})
        twiml = transfer_twiml(number=contact.phone, action_url=f"{self._functions_url}{TRANSFER_END_PATH}?{query}")
        call_sid = self._context.call_sid

        async def redirect() -> None:
            log.info("transferring", extra={"call_sid": call_sid, "to": mask_phone(contact.phone)})
            await self._redirector.redirect(call_sid, twiml)

        spoken = words["connecting"].format(name=contact.name)
        return ToolResult(
            spoken,
            {"transfer": "dialing", "to": contact.name},
            follow_up=redirect,
            hands_off=True,
            if_follow_up_fails=words["failed"].format(name=contact.name),
        )

    def _open(self, now: datetime) -> bool:
        hours = self._context.definition.facts.hours
        return hours is None or hours_now(hours, now).open_now
