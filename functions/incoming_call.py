"""POST /incoming-call: Twilio's voice webhook. Answers TwiML that streams the call to a GPU worker.

Whatever goes wrong on our side (unknown number, disabled business, no worker), the caller is served:
an apology and a voicemail. Only requests that are not Twilio's (bad signature) get an HTTP error.
The stream's <Connect action> brings the call back to /stream-end (functions/stream_end.py) when the
stream ends, so a worker that is full or dies mid-call never leaves the caller on a dead line.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from functions import keypad_menu, stream_end, transfer_end, twiml, worker_pool
from functions.call_answers import stream_answer, voicemail_answer
from functions.edge_app import FunctionHandler, SettingsDep, edge_state
from functions.twilio_webhook import WebhookRejected, read_signed_form
from shared.database import Database, DatabaseError
from shared.repositories import businesses, call_legs, calls, phone_numbers
from shared.settings import Settings
from shared.structured_logging import call_sid_var, mask_phone

log = logging.getLogger(__name__)
router = APIRouter()


@router.post("/incoming-call")
async def incoming_call(request: Request, settings: SettingsDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return Response(
            status_code=rejected.status_code, content=b"" if rejected.status_code == 403 else rejected.reason
        )
    call_sid, caller, dialled = form.get("CallSid", ""), form.get("From", ""), form.get("To", "")
    if not call_sid.startswith("CA") or not dialled:
        return Response(status_code=400, content="CallSid and To are required")
    call_sid_var.set(call_sid)
    try:
        db = await edge_state(request).database()
        return await _answer(db, settings, call_sid=call_sid, caller=caller, dialled=dialled)
    except DatabaseError:
        # The caller must never hear Twilio's error message: take a voicemail even without a database.
        log.exception("database unavailable while answering; taking a voicemail")
        return voicemail_answer(settings, twiml.APOLOGY_BUSY)


async def _answer(db: Database, settings: Settings, *, call_sid: str, caller: str, dialled: str) -> Response:
    number = await phone_numbers.get_number(db, dialled)
    business = await businesses.get_business(db, number.business_id) if number else None
    if number is None or business is None or not business.enabled:
        log.info("no enabled business for the dialled number", extra={"to": mask_phone(dialled)})
        await calls.create_call(db, call_sid=call_sid, from_number=caller, to_number=dialled, business_id=None)
        await calls.mark_voicemail(db, call_sid)
        return voicemail_answer(settings, twiml.APOLOGY_UNKNOWN)
    menu = await keypad_menu.menu_answer(
        db, settings, business, call_sid=call_sid, caller=caller, dialled=dialled, mode=number.mode
    )
    if menu is not None:  # the menu before the agent: no worker is chosen unless the caller goes to the agent
        return menu
    worker = await worker_pool.pick_worker(db, preferred_id=number.worker_id, ttl_s=settings.worker_health_ttl_s)
    call = await calls.create_call(
        db,
        call_sid=call_sid,
        from_number=caller,
        to_number=dialled,
        business_id=business.id,
        mode=number.mode,
        worker_id=worker.id if worker else None,
    )
    if worker is None:
        log.warning("no healthy worker with free capacity; taking a voicemail")
        await calls.mark_voicemail(db, call_sid)
        return voicemail_answer(settings, twiml.APOLOGY_BUSY)
    await call_legs.start_leg(db, call_sid=call_sid, leg=1, worker_id=worker.id)
    return stream_answer(settings, call, worker, leg=1)


# One Lambda answers the call's webhooks: /incoming-call, its keypad menu, <Connect action> and <Dial action>.
handler = FunctionHandler(router, stream_end.router, transfer_end.router, keypad_menu.router)
