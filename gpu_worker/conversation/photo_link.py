"""Asking functions to text the caller a photo-upload link now, during the call (POST /api/photo-link).

The session calls `request_photo_link` when the caller describes something the agent definition's
`photos` words say a photo would show (a leak, a scorch mark; none for a front desk). It is signed like
the call report; on success the session sets `photo_link_sent` on the call record so the final report
does not ask for a second link (functions also refuses to send two).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.after_call.report_outbox import signed_headers
from gpu_worker.conversation.planning.spoken_composition import CallLines
from shared.agents.definition import AgentDefinition
from shared.settings import Settings
from shared.signatures import PHOTO_LINK_PATH
from shared.structured_logging import mask_phone

log = logging.getLogger(__name__)
PHOTO_LINK_TIMEOUT_S = 8.0


def shows_in_a_photo(definition: AgentDefinition, caller_text: str, language: str) -> bool:
    """The definition's photo words (in the call's language) are in what the caller said."""
    photos = definition.photos
    if photos is None:
        return False
    patterns = photos.patterns.get(language) or photos.patterns.get(definition.default_language) or []
    return any(re.search(pattern, caller_text, re.IGNORECASE) for pattern in patterns)


def photo_link_url(settings: Settings) -> str:
    return (settings.functions_base_url or settings.public_base_url).rstrip("/") + "/api/photo-link"


async def request_photo_link(
    *,
    url: str,
    secret: str,
    call_sid: str,
    from_number: str,
    to_number: str,
    business_id: str | None,
    send_to: str | None = None,
    language: str = "en",
    client: httpx.AsyncClient | None = None,
) -> bool:
    """True when the link was sent (or had already been sent for this call); never raises."""
    payload = {
        "call_sid": call_sid,
        "business_id": business_id,
        "from_number": from_number,
        "to_number": to_number,
        "send_to": send_to,
        "language": language,  # the SMS is written in the call's language
    }
    body = json.dumps(payload).encode()
    own_client = client is None
    http = client or httpx.AsyncClient(timeout=PHOTO_LINK_TIMEOUT_S)
    try:
        headers = signed_headers(secret=secret, body=body, path=PHOTO_LINK_PATH)
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        log.warning("photo link request failed", extra={"error": f"{type(error).__name__}: {error}"})
        return False
    finally:
        if own_client:
            await http.aclose()
    status = response.json().get("status") if response.is_success else None
    sent = status in {"sent", "recorded", "queued", "already_sent"}
    log.info(
        "photo link requested",
        extra={"http_status": response.status_code, "status": status, "to": mask_phone(send_to or from_number)},
    )
    return sent


class PhotoOffer:
    """Once per call: the caller described something the definition says a photo would show, so text them
    the upload link now and say so, in the call's language."""

    def __init__(
        self,
        *,
        settings: Settings,
        record: CallRecord,
        definition: AgentDefinition,
        language: Callable[[], str],
        spawn: Callable[[Coroutine[Any, Any, None], str], object],
    ) -> None:
        self._settings, self._record, self._spawn = settings, record, spawn
        self._definition, self._language = definition, language
        self._lines = CallLines(definition, business="", caller_id="")
        self._requested = False

    @property
    def line(self) -> str:
        return self._lines.raw("photo_link", self._language())

    def wanted(self, caller_text: str) -> bool:
        if self._record.photo_link_sent or self._requested:
            return False
        return shows_in_a_photo(self._definition, caller_text, self._language())

    def offer(self) -> str:
        """Send the link (in the background) and return the line that tells the caller; "" if already done."""
        if self._record.photo_link_sent or self._requested:
            return ""
        self._requested = True
        self._spawn(self._send(), "photo-link")
        return self.line

    async def _send(self) -> None:
        record = self._record
        record.photo_link_sent = await request_photo_link(
            url=photo_link_url(self._settings),
            secret=self._settings.dashboard_webhook_secret,
            call_sid=record.call_sid,
            from_number=record.from_number,
            to_number=record.to_number,
            business_id=record.business_id,
            language=self._language(),
        )
