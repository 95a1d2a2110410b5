"""The tools' deliveries through the functions (POST /api/tool-action, signed like the call report): a
message taken for a person, the caller's booking confirmation or booking link. Never raises: a delivery
that failed is False, and the tool says so plainly."""

from __future__ import annotations

import json
import logging

import httpx

from gpu_worker.after_call.report_outbox import signed_headers
from gpu_worker.tools.take_message import TakenMessage
from shared.tool_actions import TOOL_ACTION_PATH, ToolAction

log = logging.getLogger(__name__)


class FunctionsActions:
    """One per call: implements MessageDelivery (take_message) and CallerTexts (book_visit)."""

    def __init__(
        self,
        *,
        base_url: str,
        secret: str,
        call_sid: str,
        business_id: str | None,
        caller: str,
        called: str,
        client: httpx.AsyncClient,
    ) -> None:
        self._url = base_url.rstrip("/") + TOOL_ACTION_PATH
        self._secret, self._client = secret, client
        self._call = ToolAction(
            kind="message", call_sid=call_sid, business_id=business_id, from_number=caller, to_number=called
        )

    async def deliver(self, message: TakenMessage) -> bool:
        contact = message.contact
        return await self._post(
            kind="message",
            for_whom=message.for_whom,
            contact_name=contact.name if contact else "",
            contact_phone=contact.phone if contact else "",
            contact_email=contact.email if contact else "",
            from_name=message.from_name,
            callback=message.callback,
            message=message.message,
        )

    async def booking_confirmed(self, *, starts_utc: str, timezone: str, language: str) -> bool:
        return await self._post(kind="booking_confirmed", starts_utc=starts_utc, timezone=timezone, language=language)

    async def booking_link(self, *, url: str | None, language: str) -> bool:
        return await self._post(kind="booking_link", booking_url=url, language=language)

    async def _post(self, **fields: str | None) -> bool:
        action = ToolAction.model_validate({**self._call.model_dump(), **fields})
        body = json.dumps(action.model_dump()).encode()
        headers = signed_headers(secret=self._secret, body=body, path=TOOL_ACTION_PATH)
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as error:
            log.warning("tool action failed", extra={"kind": action.kind, "error": f"{type(error).__name__}: {error}"})
            return False
        if not response.is_success:
            log.warning("tool action refused", extra={"kind": action.kind, "http_status": response.status_code})
        return response.is_success and response.json().get("status") != "no_number"
