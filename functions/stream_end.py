"""POST /stream-end: Twilio's <Connect action> request, made whenever a call's media stream ends.

Served by the incoming_call Lambda (its `handler` mounts this router too).

Twilio asks this however the stream ended, so the answer is decided from what is stored about the
call, never from the request alone:

- the agent completed the call (its leg is marked `agent_completed`, or its report is already in), or
  the worker that had it is alive and had already spoken with the caller (it ended the stream on
  purpose: goodbye said, dead line): `<Hangup/>`;
- otherwise the leg failed (the worker refused the call before the greeting because it is full, or it
  crashed or restarted mid-call): another worker with room gets the call as the next leg, with a new
  stream token, never one that already failed this call and at most MAX_FAIL_OVERS times; else the
  apology and a voicemail, with whatever was said so far kept on the call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from fastapi import APIRouter, Request, Response

from functions import twiml, worker_pool
from functions.call_answers import stream_answer, voicemail_answer
from functions.edge_app import SettingsDep, edge_state
from functions.twilio_webhook import WebhookRejected, read_signed_form
from shared.database import Database, DatabaseError
from shared.repositories import call_legs, calls, workers
from shared.repositories.call_legs import CallLeg
from shared.repositories.calls import Call
from shared.repositories.workers import Worker
from shared.settings import Settings
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
router = APIRouter()
MAX_FAIL_OVERS = 2  # a third worker failing the same call means something wider is wrong: take a message


@dataclass(frozen=True)
class LegVerdict:
    completed: bool
    reason: str


def _hangup() -> Response:
    return Response(content=twiml.hangup_twiml(), media_type="application/xml")


def _leg_number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100 else None


@router.post("/stream-end")
async def stream_end(request: Request, settings: SettingsDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return Response(
            status_code=rejected.status_code, content=b"" if rejected.status_code == 403 else rejected.reason
        )
    call_sid, leg = form.get("CallSid", ""), _leg_number(request.query_params.get("leg"))
    if not call_sid.startswith("CA") or leg is None:
        return Response(status_code=400, content="CallSid and a leg number are required")
    call_sid_var.set(call_sid)
    try:
        db = await edge_state(request).database()
        return await _answer(db, settings, call_sid=call_sid, leg=leg)
    except DatabaseError:
        log.exception("database unavailable at the stream's end; taking a voicemail")
        return voicemail_answer(settings, twiml.APOLOGY_BUSY)


async def _answer(db: Database, settings: Settings, *, call_sid: str, leg: int) -> Response:
    call = await calls.get_call_by_sid(db, call_sid)
    if call is None:
        log.warning("stream ended for a call we have no record of; taking a voicemail")
        return voicemail_answer(settings, twiml.APOLOGY_BUSY)
    legs = await call_legs.list_legs(db, call_sid)
    current = next((entry for entry in legs if entry.leg == leg), None)
    if current is None or leg != max(entry.leg for entry in legs):
        # An action request for a leg that is not the live one (a replay): that leg's fate is settled.
        log.warning("stream end for a leg that is not the current one", extra={"leg": leg})
        if current is not None and current.outcome == "agent_completed":
            return _hangup()
        return await _voicemail(db, settings, call)
    verdict = await _judge(db, settings, call, current)
    if verdict.completed:
        await call_legs.end_leg(db, call_sid=call_sid, leg=leg, outcome="agent_completed")
        log.info("stream ended by the agent; hanging up", extra={"leg": leg, "reason": verdict.reason})
        return _hangup()
    await call_legs.end_leg(db, call_sid=call_sid, leg=leg, outcome="failed")
    log.warning("stream ended without the agent completing the call", extra={"leg": leg, "reason": verdict.reason})
    return await _fail_over(db, settings, call, legs)


async def _judge(db: Database, settings: Settings, call: Call, leg: CallLeg) -> LegVerdict:
    if leg.outcome == "agent_completed":
        return LegVerdict(True, "the worker marked the call completed")
    if leg.outcome is not None:
        return LegVerdict(False, f"leg already ended as {leg.outcome}")
    if call.reported_at is not None:
        return LegVerdict(True, "the worker's report is in")
    worker = await workers.get_worker(db, leg.worker_id) if leg.worker_id else None
    if worker is None:
        return LegVerdict(False, "the leg's worker is no longer registered")
    async with httpx.AsyncClient() as client:
        health = await worker_pool.fetch_health(client, worker)
    await _remember(db, worker, health)
    if not health.healthy:
        return LegVerdict(False, "the worker does not answer its health check")
    if not call.transcript:
        return LegVerdict(False, "the worker ended the stream before anything was said (full or refused)")
    return LegVerdict(True, "the worker is alive and had the conversation: it ended the stream on purpose")


async def _remember(db: Database, worker: Worker, health: worker_pool.WorkerHealth) -> None:
    """Keep the fresh answer, so the next calls within the health TTL see it too."""
    body = {**(health.body or {}), "capacity": health.capacity, "checked_at": datetime.now(UTC).isoformat()}
    await workers.record_health(db, worker.id, healthy=health.healthy, active_calls=health.active_calls, health=body)


async def _fail_over(db: Database, settings: Settings, call: Call, legs: list[CallLeg]) -> Response:
    failed = frozenset(entry.worker_id for entry in legs if entry.worker_id)
    if len(legs) > MAX_FAIL_OVERS:
        log.warning("fail-overs used up; taking a voicemail", extra={"legs": len(legs)})
        return await _voicemail(db, settings, call)
    worker = await _pick_other(db, settings, exclude=failed)
    if worker is None:
        log.warning("no other worker with room; taking a voicemail")
        return await _voicemail(db, settings, call)
    leg = max(entry.leg for entry in legs) + 1
    await call_legs.start_leg(db, call_sid=call.call_sid, leg=leg, worker_id=worker.id)
    await db.execute("UPDATE calls SET worker_id = ? WHERE call_sid = ?", (worker.id, call.call_sid))
    log.info("failing the call over to another worker", extra={"worker_id": worker.id, "leg": leg})
    return stream_answer(settings, call, worker, leg=leg)


async def _pick_other(db: Database, settings: Settings, *, exclude: frozenset[str]) -> Worker | None:
    candidates = [w for w in await workers.list_workers(db) if w.id not in exclude]
    if not candidates:
        return None
    async with httpx.AsyncClient() as client:
        await worker_pool.refresh_stale(db, candidates, ttl_s=settings.worker_health_ttl_s, client=client)
    fresh = [w for w in await workers.list_workers(db) if w.id not in exclude]
    chosen = worker_pool.choose_worker(fresh, preferred_id=None)
    if chosen is not None:
        await db.execute("UPDATE workers SET active_calls = active_calls + 1 WHERE id = ?", (chosen.id,))
    return chosen


async def _voicemail(db: Database, settings: Settings, call: Call) -> Response:
    # What the worker saved during the call (transcript, latency) stays on the call row.
    await calls.mark_voicemail(db, call.call_sid)
    await db.execute(
        "UPDATE calls SET end_reason = COALESCE(end_reason, 'worker_failed') WHERE call_sid = ?", (call.call_sid,)
    )
    return voicemail_answer(settings, twiml.APOLOGY_BUSY)
