"""POST /call-status: Twilio's call status callbacks, and the voicemail recording callback.

Idempotent: a repeated callback changes nothing. Answers empty TwiML, which also ends the call when
Twilio posts here as the <Record> action.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from functions.edge_app import DatabaseDep, FunctionHandler, SettingsDep
from functions.twilio_webhook import WebhookRejected, read_signed_form
from functions.twiml import empty_twiml
from shared.repositories import calls
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
router = APIRouter()


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@router.post("/call-status")
async def call_status(request: Request, settings: SettingsDep, db: DatabaseDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return Response(
            status_code=rejected.status_code, content=b"" if rejected.status_code == 403 else rejected.reason
        )
    call_sid = form.get("CallSid", "")
    if not call_sid.startswith("CA"):
        return Response(status_code=400, content="CallSid is required")
    call_sid_var.set(call_sid)
    if form.get("RecordingSid") and form.get("RecordingUrl"):
        stored = await calls.record_recording(
            db,
            call_sid=call_sid,
            recording_url=form["RecordingUrl"],
            recording_sid=form["RecordingSid"],
            duration_s=_int_or_none(form.get("RecordingDuration")),
            voicemail=request.query_params.get("voicemail") == "1",
        )
        log.info("recording stored" if stored else "recording for an unknown call", extra={"sid": form["RecordingSid"]})
    status = form.get("CallStatus", "")
    if status:
        fresh = await calls.record_status(
            db, call_sid=call_sid, status=status, duration_s=_int_or_none(form.get("CallDuration"))
        )
        log.info("call status", extra={"status": status, "repeat": not fresh})
    return Response(content=empty_twiml(), media_type="application/xml")


handler = FunctionHandler(router)
