"""POST /twilio/transfer-end: the `action` of a transfer's <Dial> (gpu_worker/tools/transfer.py), which
Twilio requests when the dialled person's leg ends. Answered: the call is over, hang up. Not answered
(busy, no answer, failed): the caller goes back to the agent on a new stream (a new leg on a worker with
room), or, with no worker free, to voicemail — never a dead line."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from functions import twiml
from functions.call_answers import stream_answer, voicemail_answer
from functions.call_complete import store_handed_off
from functions.edge_app import FunctionHandler, SettingsDep, edge_state
from functions.notifications import dispatch
from functions.stream_end import _pick_other
from functions.twilio_webhook import WebhookRejected, read_signed_form
from shared.database import Database, DatabaseError
from shared.repositories import call_handoffs, call_legs, calls
from shared.settings import Settings
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
router = APIRouter()
TRANSFER_END_PATH = "/twilio/transfer-end"
ANSWERED = call_handoffs.ANSWERED
NOBODY_ANSWERED = (
    "Sorry, nobody could take your call just now. Please leave your name, number and a short message after "
    "the tone, and we will call you back."
)


@router.post(TRANSFER_END_PATH)
async def transfer_end(request: Request, settings: SettingsDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return Response(
            status_code=rejected.status_code, content=b"" if rejected.status_code == 403 else rejected.reason
        )
    call_sid, status = form.get("CallSid", ""), form.get("DialCallStatus", "")
    if not call_sid.startswith("CA"):
        return Response(status_code=400, content="CallSid is required")
    call_sid_var.set(call_sid)
    log.info("transfer ended", extra={"dial_status": status, "to": request.query_params.get("to", "")})
    try:
        db = await edge_state(request).database()
        handoff = await call_handoffs.add_dial_status(db, call_sid, status or "failed")
        if handoff.answered:
            await _report_parts(db, settings, handoff)
            return Response(content=twiml.hangup_twiml(), media_type="application/xml")
        return await _back_to_the_agent(db, settings, handoff, to=request.query_params.get("to", ""))
    except DatabaseError:
        if status in ANSWERED:
            log.exception("database unavailable after an answered transfer; the call report waits for the worker's")
            return Response(content=twiml.hangup_twiml(), media_type="application/xml")
        log.exception("database unavailable after an unanswered transfer; taking a voicemail")
        return voicemail_answer(settings, NOBODY_ANSWERED)


async def _report_parts(db: Database, settings: Settings, handoff: call_handoffs.Handoff) -> None:
    """No stream will come back (the person answered and the call is over, or the caller went to
    voicemail): the report is the parts so far, once the stream that handed the call off has reported (if
    it has not yet, its report does this when it comes)."""
    if handoff.report is None:
        return
    stored = await store_handed_off(db, settings, handoff.call_sid)
    if not stored.duplicate:
        await dispatch(db, settings, stored.notification_ids)


async def _back_to_the_agent(db: Database, settings: Settings, handoff: call_handoffs.Handoff, *, to: str) -> Response:
    call_sid = handoff.call_sid
    call = await calls.get_call_by_sid(db, call_sid)
    worker = await _pick_other(db, settings, exclude=frozenset()) if call is not None else None
    if call is None or worker is None:
        if call is not None:
            await calls.mark_voicemail(db, call_sid)
            await _report_parts(db, settings, handoff)  # what was said before the transfer, on its own
        return voicemail_answer(settings, NOBODY_ANSWERED)
    legs = await call_legs.list_legs(db, call_sid)
    leg = max((entry.leg for entry in legs), default=0) + 1
    await call_legs.start_leg(db, call_sid=call_sid, leg=leg, worker_id=worker.id)
    await db.execute("UPDATE calls SET worker_id = ? WHERE call_sid = ?", (worker.id, call_sid))
    log.info("unanswered transfer: the call goes back to the agent", extra={"worker_id": worker.id, "leg": leg})
    return stream_answer(settings, call, worker, leg=leg, transfer_unanswered=to[:120])


handler = FunctionHandler(router)
