"""Asking functions to text the caller a photo-upload link now, during the call (POST /api/photo-link).

The session calls `request_photo_link` when the caller describes something visible. It is signed like
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
from shared.settings import Settings
from shared.signatures import PHOTO_LINK_PATH
from shared.structured_logging import mask_phone

log = logging.getLogger(__name__)
PHOTO_LINK_TIMEOUT_S = 8.0
PHOTO_LINK_LINE = "I've also texted you a link where you can send us photos of it."
_VISIBLE = re.compile(
    r"\b(leak\w*|drip\w*|flood\w*|burst|water (?:everywhere|on the floor|damage)|stain\w*|crack\w*|mou?ld|"
    r"rust\w*|overflow\w*|puddle\w*|damag\w*|sewage|back(?:ed|ing)? up)\b",
    re.IGNORECASE,
)


def shows_in_a_photo(caller_text: str) -> bool:
    return bool(_VISIBLE.search(caller_text))


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
    client: httpx.AsyncClient | None = None,
) -> bool:
    """True when the link was sent (or had already been sent for this call); never raises."""
    payload = {
        "call_sid": call_sid,
        "business_id": business_id,
        "from_number": from_number,
        "to_number": to_number,
        "send_to": send_to,
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
    """Once per call: the caller described something visible, so text them the upload link now."""

    def __init__(
        self, *, settings: Settings, record: CallRecord, spawn: Callable[[Coroutine[Any, Any, None], str], object]
    ) -> None:
        self._settings, self._record, self._spawn = settings, record, spawn
        self._requested = False
        self.line = PHOTO_LINK_LINE

    def wanted(self, caller_text: str) -> bool:
        return not (self._record.photo_link_sent or self._requested) and shows_in_a_photo(caller_text)

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
        )
