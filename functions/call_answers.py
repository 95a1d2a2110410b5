"""The TwiML answers that connect a call: a media stream to a worker, or the apology and a voicemail."""

from __future__ import annotations

import logging

from fastapi import Response

from functions import twiml
from shared.repositories import calls
from shared.repositories.workers import Worker
from shared.settings import Settings
from shared.signatures import issue_stream_token

log = logging.getLogger(__name__)
TWIML = "application/xml"


def xml_response(document: str) -> Response:
    return Response(content=document, media_type=TWIML)


def voicemail_answer(settings: Settings, apology: str) -> Response:
    callback = settings.public_url("/call-status?voicemail=1")
    return xml_response(twiml.voicemail_twiml(apology=apology, recording_callback_url=callback))


def stream_answer(
    settings: Settings, call: calls.Call, worker: Worker, *, leg: int, transfer_unanswered: str = ""
) -> Response:
    """<Connect><Stream> to `worker` with a fresh stream token; the stream's end comes back to us.
    `transfer_unanswered`: the person who did not pick up, so the agent says so instead of greeting again."""
    token = issue_stream_token(secret=settings.dashboard_webhook_secret, call_sid=call.call_sid)
    log.info("streaming call to worker", extra={"worker_id": worker.id, "business_id": call.business_id, "leg": leg})
    # No call id: it is the call page's credential, and Twilio keeps these parameters in its logs.
    parameters = {
        "token": token,
        "call_sid": call.call_sid,
        "business_id": call.business_id or "",
        "from": call.from_number,
        "to": call.to_number,
        "mode": call.mode,
    }
    if transfer_unanswered:
        parameters["transfer_unanswered"] = transfer_unanswered
    action_url = settings.public_url(f"/stream-end?leg={leg}")
    return xml_response(
        twiml.stream_twiml(websocket_url=worker.websocket_url, parameters=parameters, action_url=action_url)
    )
