"""Twilio's webhooks for an outbound call: answered (TwiML), status callbacks, and the async AMD result.

- `/outbound/answer?job=ID`: the callee picked up (or a machine did; detection runs beside the call):
  the call streams to a worker with room. No worker: hang up, and the attempt counts as failed (retried).
- `/outbound/status`: busy / no-answer / failed end the attempt and go back in the queue with backoff;
  completed ends the job (a voicemail when a machine answered).
- `/outbound/amd`: a machine after its beep gets the definition's voicemail message. We redirect the
  live call to TwiML that says it (REST `calls(sid).update`) rather than asking the worker to speak it:
  the functions already hold the definition and the Twilio client, the redirect ends the stream so the
  worker needs no new route or state, and the message lands after the beep however far the worker got.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from functions import twiml, worker_pool
from functions.call_answers import xml_response
from functions.edge_app import DatabaseDep, FunctionHandler, SettingsDep
from functions.outbound.call_placer import DialFailed, TwilioDialer
from functions.outbound.outbound_twiml import leave_voicemail, stream_to_worker, voicemail_message
from functions.twilio_webhook import WebhookRejected, read_signed_form
from shared.database import Database
from shared.outbound import call_jobs, campaign_agents, campaigns
from shared.repositories import agent_definitions, businesses, calls
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
router = APIRouter()
FINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
MACHINE_ENDS = frozenset({"machine_end_beep", "machine_end_silence", "machine_end_other"})
NO_WORKER = "no worker had room"


def _rejected(rejected: WebhookRejected) -> Response:
    return Response(status_code=rejected.status_code, content=b"" if rejected.status_code == 403 else rejected.reason)


@router.post("/outbound/answer")
async def answered(request: Request, settings: SettingsDep, db: DatabaseDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return _rejected(rejected)
    call_sid = form.get("CallSid", "")
    if not call_sid.startswith("CA"):
        return Response(status_code=400, content="CallSid is required")
    call_sid_var.set(call_sid)
    job = await call_jobs.get_job(db, request.query_params.get("job", ""))
    campaign = await campaigns.get_campaign(db, job.campaign_id) if job else None
    if job is None or campaign is None:
        log.warning("answered outbound call for an unknown job; hanging up")
        return xml_response(twiml.hangup_twiml())
    await call_jobs.attach_call(db, job.id, call_sid)
    worker = await worker_pool.pick_worker(db, preferred_id=None, ttl_s=settings.worker_health_ttl_s)
    call = await calls.create_call(
        db,
        call_sid=call_sid,
        from_number=campaign.from_number,
        to_number=job.to_number,
        business_id=campaign.business_id,
        status="in-progress",
        direction="outbound",
        worker_id=worker.id if worker else None,
    )
    if worker is None:
        log.warning("no worker with room for an answered outbound call; it will be retried")
        await db.execute("UPDATE calls SET end_reason = ? WHERE call_sid = ?", (NO_WORKER, call_sid))
        return xml_response(twiml.hangup_twiml())
    log.info("outbound call answered; streaming to worker", extra={"worker_id": worker.id, "campaign": campaign.id})
    return xml_response(stream_to_worker(settings, call, worker, campaign_id=campaign.id))


@router.post("/outbound/status")
async def status_callback(request: Request, settings: SettingsDep, db: DatabaseDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return _rejected(rejected)
    call_sid, status = form.get("CallSid", ""), form.get("CallStatus", "")
    if not call_sid.startswith("CA") or not status:
        return Response(status_code=400, content="CallSid and CallStatus are required")
    call_sid_var.set(call_sid)
    duration = form.get("CallDuration", "")
    await calls.record_status(
        db, call_sid=call_sid, status=status, duration_s=int(duration) if duration.isdigit() else None
    )
    if status in FINAL:
        await _end_attempt(db, call_sid, status)
    return xml_response(twiml.empty_twiml())


async def _end_attempt(db: Database, call_sid: str, status: str) -> None:
    job = await call_jobs.job_for_call(db, call_sid)
    campaign = await campaigns.get_campaign(db, job.campaign_id) if job else None
    if job is None or campaign is None:
        log.info("status for a call that is no campaign's", extra={"status": status})
        return
    outcome = status
    call = await calls.get_call_by_sid(db, call_sid)
    if status == "completed" and call is not None:
        outcome = "voicemail" if call.voicemail else ("failed" if call.end_reason == NO_WORKER else "completed")
    ended = await call_jobs.record_attempt_end(db, job=job, campaign=campaign, outcome=outcome, now=datetime.now(UTC))
    log.info("outbound attempt ended", extra={"outcome": outcome, "job_status": ended.status})


@router.post("/outbound/amd")
async def machine_detection(request: Request, settings: SettingsDep, db: DatabaseDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return _rejected(rejected)
    call_sid, answered_by = form.get("CallSid", ""), form.get("AnsweredBy", "")
    if not call_sid.startswith("CA") or not answered_by:
        return Response(status_code=400, content="CallSid and AnsweredBy are required")
    call_sid_var.set(call_sid)
    log.info("answering machine detection", extra={"answered_by": answered_by})
    if answered_by not in MACHINE_ENDS and answered_by != "fax":
        return Response(status_code=204)  # a person (or unsure): the agent is already talking to them
    message = await _voicemail_for(db, call_sid) if answered_by in MACHINE_ENDS else ""
    await calls.mark_voicemail(db, call_sid)
    try:
        await TwilioDialer(settings).redirect(call_sid, leave_voicemail(message))
    except DialFailed:
        log.exception("could not leave the voicemail; the call is still marked as a machine")
    return Response(status_code=204)


async def _voicemail_for(db: Database, call_sid: str) -> str:
    """The voicemail of the agent the call runs: its campaign's, never the business's inbound one."""
    campaign = await call_jobs.campaign_for_call(db, call_sid)
    if campaign is None:
        return ""
    business = await businesses.get_business(db, campaign.business_id)
    try:
        stored = await campaign_agents.definition_of(db, campaign.agent)
    except agent_definitions.StoredDefinitionInvalid:
        log.exception("the campaign's agent does not validate; no voicemail message")
        return ""
    if business is None or stored is None:
        return ""
    return voicemail_message(stored.definition, business_name=business.name)


handler = FunctionHandler(router)
