"""POST /call-status: Twilio's call status callbacks, and the voicemail recording callback (a completed
recording is queued for transcription: functions/voicemail).

Idempotent: a repeated callback changes nothing. Answers empty TwiML, which also ends the call when
Twilio posts here as the <Record> action.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response

from functions.edge_app import DatabaseDep, FunctionHandler, SettingsDep
from functions.twilio_webhook import WebhookRejected, read_signed_form
from functions.twiml import empty_twiml
from functions.voicemail.transcription_job import VoicemailRecording
from functions.voicemail.voicemail_jobs import enqueue_voicemail
from shared.repositories import calls
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
router = APIRouter()


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _voicemail_recording(call_sid: str, form: dict[str, str]) -> VoicemailRecording:
    return VoicemailRecording(
        call_sid=call_sid,
        recording_sid=form["RecordingSid"],
        recording_url=form["RecordingUrl"],
        duration_s=_int_or_none(form.get("RecordingDuration")),
    )


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
    voicemail = request.query_params.get("voicemail") == "1"
    if form.get("RecordingSid") and form.get("RecordingUrl"):
        stored = await calls.record_recording(
            db,
            call_sid=call_sid,
            recording_url=form["RecordingUrl"],
            recording_sid=form["RecordingSid"],
            duration_s=_int_or_none(form.get("RecordingDuration")),
            voicemail=voicemail,
        )
        log.info("recording stored" if stored else "recording for an unknown call", extra={"sid": form["RecordingSid"]})
        if stored and voicemail and form.get("RecordingStatus") == "completed":  # the file is ready at Twilio
            await enqueue_voicemail(db, settings, _voicemail_recording(call_sid, form))
    status = form.get("CallStatus", "")
    if status:
        fresh = await calls.record_status(
            db, call_sid=call_sid, status=status, duration_s=_int_or_none(form.get("CallDuration"))
        )
        log.info("call status", extra={"status": status, "repeat": not fresh})
    return Response(content=empty_twiml(), media_type="application/xml")


handler = FunctionHandler(router)
