"""POST /api/tool-action: what the worker's tools need from the functions during a call (signed like
call-complete). A message taken for a person is stored on the call (call_messages) and sent to their phone
and email; a booking's confirmation, or the booking link, is texted to the caller."""

from __future__ import annotations

import logging
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from functions.edge_app import DatabaseDep, FunctionHandler, SettingsDep
from functions.notification_messages import caller_booking_link_sms, caller_booking_sms
from functions.notifications import dispatch
from functions.signed_request import parse_json_model, read_signed_body
from shared.database import Database, Statement, utc_now
from shared.phone_format import is_e164
from shared.repositories.businesses import get_business
from shared.repositories.calls import create_call
from shared.repositories.notifications import NewNotification, insert_statement
from shared.settings import Settings
from shared.tool_actions import TOOL_ACTION_PATH, ToolAction

log = logging.getLogger(__name__)
router = APIRouter()


def message_notifications(action: ToolAction, business_name: str) -> list[NewNotification]:
    """The taken message, to the person's phone and email (either may be missing)."""
    who = action.from_name or "A caller"
    callback = f" Call back: {action.callback}." if action.callback else ""
    body = f"{business_name}: message for {action.contact_name or action.for_whom or 'the team'} from {who}.{callback}"
    body += f"\n{action.message}"
    sent = []
    if action.contact_phone and is_e164(action.contact_phone):
        sent.append(NewNotification("person_message_sms", "sms", action.contact_phone, body))
    if action.contact_email:
        subject = f"Message from {who} ({business_name})"
        sent.append(NewNotification("person_message_email", "email", action.contact_email, body, subject=subject))
    return sent


async def run_tool_action(db: Database, settings: Settings, action: ToolAction) -> dict[str, str]:
    business = await get_business(db, action.business_id) if action.business_id else None
    name = business.name if business else "us"
    call = await create_call(
        db,
        call_sid=action.call_sid,
        from_number=action.from_number,
        to_number=action.to_number,
        business_id=business.id if business else None,
        status="in-progress",
    )
    now = utc_now()
    statements: list[Statement] = []
    if action.kind == "message":
        statements.append(_message_row(call.id, action, now))
        messages = message_notifications(action, name)
    elif not is_e164(action.from_number):
        return {"status": "no_number", "detail": "the caller's number cannot receive SMS"}
    elif action.kind == "booking_confirmed":
        messages = [
            caller_booking_sms(
                business_name=name,
                starts_utc=action.starts_utc,
                timezone=action.timezone,
                to=action.from_number,
                language=action.language,
            )
        ]
    else:
        messages = [
            caller_booking_link_sms(
                business_name=name, booking_url=action.booking_url, to=action.from_number, language=action.language
            )
        ]
    ids = []
    for message in messages:
        notification_id, statement = insert_statement(message, call_id=call.id, now=now)
        ids.append(notification_id)
        statements.append(statement)
    await db.batch(statements)
    sent = await dispatch(db, settings, ids)
    log.info("tool action", extra={"kind": action.kind, "call_sid": action.call_sid, "notifications": len(ids)})
    return {"status": sent[0].status if sent else "queued", "call_id": call.id}


def _message_row(call_id: str, action: ToolAction, now: str) -> Statement:
    return (
        "INSERT INTO call_messages (id, call_id, for_whom, contact_name, from_name, callback, message, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            uuid.uuid4().hex,
            call_id,
            action.for_whom,
            action.contact_name,
            action.from_name,
            action.callback,
            action.message,
            now,
        ),
    )


@router.post(TOOL_ACTION_PATH)
async def tool_action(request: Request, settings: SettingsDep, db: DatabaseDep) -> JSONResponse:
    body = await read_signed_body(request, settings)
    return JSONResponse(await run_tool_action(db, settings, parse_json_model(body, ToolAction)))


handler = FunctionHandler(router)
