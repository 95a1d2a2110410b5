"""POST /api/photo-link: text the caller a photo-upload link now, while they are still on the call.

The worker calls it (HMAC-signed like call-complete) when the caller describes something visible.
The `caller_photo_link` notification row is the mark: at most one per call, so neither a repeated
request nor the final call-complete report sends a second link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from functions.edge_app import DatabaseDep, FunctionHandler, SettingsDep
from functions.notification_messages import caller_photo_sms
from functions.notifications import dispatch
from functions.signed_request import parse_json_model, read_signed_body
from shared.database import Database, Statement, utc_now
from shared.phone_format import is_e164
from shared.repositories.businesses import get_business
from shared.repositories.calls import create_call
from shared.repositories.notifications import insert_statement
from shared.repositories.photo_tokens import issue_photo_token
from shared.settings import Settings
from shared.structured_logging import mask_phone

log = logging.getLogger(__name__)
router = APIRouter()
NO_LINK_SENT_YET = "NOT EXISTS (SELECT 1 FROM notifications WHERE call_id = ? AND purpose = 'caller_photo_link')"


class PhotoLinkRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    call_sid: str = Field(min_length=2, max_length=64)
    business_id: str | None = Field(default=None, max_length=64)
    from_number: str = Field(max_length=32)  # the caller
    to_number: str = Field(max_length=32)  # the business number they called
    send_to: str | None = Field(default=None, max_length=32)  # another number the caller gave
    language: Literal["en", "es"] = "en"  # the call's language: the SMS is written in it


@dataclass(frozen=True)
class PhotoLinkStatements:
    """The statements that issue a token and queue the caller's SMS; run them in one batch."""

    token_statement: Statement
    notification_id: str
    notification_statement: Statement


def photo_link_statements(
    *,
    settings: Settings,
    call_id: str,
    business_name: str,
    to: str,
    now: datetime,
    only_if: Statement | None = None,
    language: str = "en",
) -> PhotoLinkStatements:
    """Issue a photo token and queue the caller SMS, unless a link was already sent for this call."""
    condition, args = only_if or ("1 = 1", ())
    guard: Statement = (f"{condition} AND {NO_LINK_SENT_YET}", (*args, call_id))
    issued = issue_photo_token(call_id=call_id, now=now, only_if=guard)
    message = caller_photo_sms(
        business_name=business_name,
        photo_url=settings.public_url(f"/photo/{issued.token}"),
        to=to,
        language=language,
    )
    notification_id, statement = insert_statement(message, call_id=call_id, now=utc_now(), only_if=only_if)
    return PhotoLinkStatements(issued.statement, notification_id, statement)


async def send_photo_link(db: Database, settings: Settings, request: PhotoLinkRequest) -> dict[str, str]:
    recipient = request.send_to if request.send_to and is_e164(request.send_to) else request.from_number
    if not is_e164(recipient):
        return {"status": "no_number", "detail": "the caller's number cannot receive SMS"}
    business = await get_business(db, request.business_id) if request.business_id else None
    call = await create_call(
        db,
        call_sid=request.call_sid,
        from_number=request.from_number,
        to_number=request.to_number,
        business_id=business.id if business else None,
        status="in-progress",
    )
    planned = photo_link_statements(
        settings=settings,
        call_id=call.id,
        business_name=business.name if business else "us",
        to=recipient,
        now=datetime.now(UTC),
        language=request.language,
    )
    inserted = await db.batch([planned.token_statement, planned.notification_statement])
    if inserted[1] == 0:
        return {"status": "already_sent", "call_id": call.id}
    sent = await dispatch(db, settings, [planned.notification_id])
    status = sent[0].status if sent else "queued"
    log.info("photo link sent during the call", extra={"to": mask_phone(recipient), "status": status})
    return {"status": status, "call_id": call.id}


@router.post("/api/photo-link")
async def photo_link(request: Request, settings: SettingsDep, db: DatabaseDep) -> JSONResponse:
    body = await read_signed_body(request, settings)
    link_request = parse_json_model(body, PhotoLinkRequest)
    return JSONResponse(await send_photo_link(db, settings, link_request))


handler = FunctionHandler(router)
