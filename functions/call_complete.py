"""POST /api/call-complete: the worker's signed report of a finished call.

Idempotent by call sid. The report is stored, the photo token issued and the three notifications
queued in one atomic batch guarded by `reported_at IS NULL`, so a replay (or a retry racing the
first delivery) stores and sends nothing again and answers `{"status": "duplicate"}`. The queued
notifications are then sent in the request (each provider call is capped at a few seconds), and
anything else due for a retry goes with them.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from functions import tool_actions
from functions.edge_app import DatabaseDep, FunctionHandler, SettingsDep
from functions.intent_log import intent_log_statements
from functions.notification_messages import owner_email, owner_sms, summarize
from functions.notifications import dispatch, dispatch_pending
from functions.photo_link import photo_link_statements
from functions.signed_request import parse_json_model, read_signed_body
from shared.agents.call_definition import definition_for_call
from shared.agents.definition import AgentDefinition
from shared.call_fields import first_value, report_urgency
from shared.call_report import TRANSFERRED, CallReport
from shared.call_report_parts import join_parts
from shared.database import Database, Statement, utc_now
from shared.phone_format import is_e164
from shared.repositories import call_handoffs
from shared.repositories.businesses import Business, get_business
from shared.repositories.calls import Call, create_call, get_call_by_sid
from shared.repositories.notifications import NewNotification, insert_statement
from shared.repositories.phone_numbers import get_number
from shared.settings import Settings
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
router = APIRouter()


@dataclass(frozen=True)
class StoredReport:
    call_id: str
    duplicate: bool
    notification_ids: tuple[str, ...]
    queued_after_hangup_ms: float | None
    held: bool = False  # one part of a transferred call: stored, reported with the rest of the call


def _ms_since(iso_utc: str) -> float | None:
    try:
        ended = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return None
    if ended.tzinfo is None:
        ended = ended.replace(tzinfo=UTC)
    return round((datetime.now(UTC) - ended).total_seconds() * 1000, 1)


async def _find_business(db: Database, report: CallReport) -> Business | None:
    if report.business_id:
        return await get_business(db, report.business_id)
    number = await get_number(db, report.to_number if report.direction == "inbound" else report.from_number)
    return await get_business(db, number.business_id) if number else None


def _update_call(report: CallReport, *, business_id: str | None, marker: str) -> Statement:
    return (
        "UPDATE calls SET transcript = ?, extraction = ?, extraction_status = ?, urgency = ?, latency = ?, dtmf = ?,"
        " end_reason = ?, ended_at = COALESCE(ended_at, ?), business_id = COALESCE(business_id, ?),"
        " goal = COALESCE(goal, ?), recording_key = COALESCE(recording_key, ?),"
        " recording_ms = COALESCE(recording_ms, ?), fields = ?, language = ?, agent_version = ?, reported_at = ?"
        " WHERE call_sid = ? AND reported_at IS NULL",
        (
            json.dumps([entry.model_dump() for entry in report.transcript]),
            json.dumps(report.extraction.model_dump()) if report.extraction else None,
            report.extraction_status,
            report_urgency(report),
            json.dumps([turn.model_dump() for turn in report.latency]),
            report.dtmf,
            report.end_reason,
            report.ended_at,
            business_id,
            report.goal,
            report.recording_key,
            report.recording_ms if report.recording_key else None,
            json.dumps([entry.model_dump() for entry in report.fields]) if report.fields else None,
            report.language,
            report.agent_version,
            marker,
            report.call_sid,
        ),
    )


def _owner_messages(
    report: CallReport, business: Business | None, call_url: str, definition: AgentDefinition | None = None
) -> list[NewNotification]:
    if business is None:
        return []
    summary = summarize(
        report,
        business_name=business.name,
        timezone=business.timezone,
        call_url=call_url,
        language=business.language,
        definition=definition,
    )
    messages = []
    if is_e164(business.owner_phone):
        messages.append(owner_sms(summary, to=business.owner_phone))
    if business.owner_email:
        messages.append(owner_email(summary, to=business.owner_email))
    return messages


def _caller_number(report: CallReport) -> str | None:
    """Where the photo link goes: the callback number the caller gave, else their caller ID."""
    if report.direction != "inbound":
        return None
    given = first_value(report, "phone") or (report.extraction.callback_phone if report.extraction else "")
    for candidate in (given, report.from_number):
        if candidate and is_e164(candidate):
            return candidate
    return None


async def _call_definition(db: Database, report: CallReport, business: Business | None) -> AgentDefinition | None:
    """The agent definition the call ran (its labels in the owner's language), if it can still be read."""
    if business is None or not report.fields:
        return None
    return await definition_for_call(
        db, business_id=business.id, call_sid=report.call_sid, version=report.agent_version
    )


async def store_report(db: Database, settings: Settings, report: CallReport) -> StoredReport:
    """Store the call's report and queue its notifications, once. A stream that handed the call to a person
    is one part of it: held until the transfer's outcome says the call is over (answered) or a later stream's
    report joins it (nobody answered, the caller came back to an agent)."""
    if report.end_reason == TRANSFERRED:
        handoff = await call_handoffs.add_report(db, report.call_sid, report.model_dump_json())
        if not (handoff.answered or await _went_to_voicemail(db, handoff)):
            return StoredReport(await _call_id(db, report), False, (), None, held=True)
        return await store_handed_off(db, settings, report.call_sid)
    if await call_handoffs.list_handoffs(db, report.call_sid):
        report = await handed_off_report(db, report.call_sid, last=report)
    return await _store(db, settings, report)


async def store_handed_off(db: Database, settings: Settings, call_sid: str) -> StoredReport:
    """No stream will come back to join the call's parts (the person answered and the call ended with them,
    or nobody did and the caller went to voicemail): its parts so far are its report."""
    return await _store(db, settings, await handed_off_report(db, call_sid, last=None))


async def _went_to_voicemail(db: Database, handoff: call_handoffs.Handoff) -> bool:
    """Nobody answered and no worker was free to take the caller back: the voicemail is reported on its own."""
    if handoff.dial_status is None:
        return False
    call = await get_call_by_sid(db, handoff.call_sid)
    return call is not None and call.voicemail


async def handed_off_report(db: Database, call_sid: str, *, last: CallReport | None) -> CallReport:
    """The call's parts so far (and `last`, the stream the caller came back to) as one report."""
    parts = [
        (CallReport.model_validate_json(handoff.report), handoff.dial_status)
        for handoff in await call_handoffs.list_handoffs(db, call_sid)
        if handoff.report is not None
    ]
    if parts:
        return join_parts(parts, last)
    if last is None:
        raise LookupError(f"no report of call {call_sid} to join")
    return last


async def _call_id(db: Database, report: CallReport) -> str:
    _, call = await _the_call(db, report, status="in-progress")
    return call.id


async def _the_call(db: Database, report: CallReport, *, status: str) -> tuple[Business | None, Call]:
    """The report's business and call row (created with `status` when the webhooks never made it)."""
    business = await _find_business(db, report)
    call = await create_call(
        db,
        call_sid=report.call_sid,
        from_number=report.from_number,
        to_number=report.to_number,
        business_id=business.id if business else None,
        status=status,
        direction=report.direction,
        goal=report.goal,
    )
    return business, call


async def _store(db: Database, settings: Settings, report: CallReport) -> StoredReport:
    business, call = await _the_call(db, report, status="completed")
    if call.reported_at is not None:
        return StoredReport(call.id, True, (), None)
    marker = utc_now()
    reported_now: Statement = ("EXISTS (SELECT 1 FROM calls WHERE id = ? AND reported_at = ?)", (call.id, marker))
    statements: list[Statement] = [_update_call(report, business_id=business.id if business else None, marker=marker)]
    positions: dict[str, int] = {}  # notification id → index of its INSERT in the batch
    definition = await _call_definition(db, report, business)
    for message in _owner_messages(report, business, settings.public_url(f"/c/{call.id}"), definition):
        notification_id, statement = insert_statement(message, call_id=call.id, now=marker, only_if=reported_now)
        positions[notification_id] = len(statements)
        statements.append(statement)
    caller = _caller_number(report)
    if caller and not report.photo_link_sent and (definition is None or definition.photos is not None):
        planned = photo_link_statements(
            settings=settings,
            call_id=call.id,
            business_name=business.name if business else "us",
            to=caller,
            now=datetime.now(UTC),
            only_if=reported_now,
            language=report.language or "en",
        )
        statements.append(planned.token_statement)
        positions[planned.notification_id] = len(statements)
        statements.append(planned.notification_statement)
    statements += intent_log_statements(report, only_if=reported_now)  # after every indexed statement
    changed = await db.batch(statements)
    if changed[0] == 0:
        return StoredReport(call.id, True, (), None)
    queued = tuple(notification_id for notification_id, index in positions.items() if changed[index])
    return StoredReport(call.id, False, queued, _ms_since(report.ended_at))


@router.post("/api/call-complete")
async def call_complete(request: Request, settings: SettingsDep, db: DatabaseDep) -> JSONResponse:
    started = time.perf_counter()
    body = await read_signed_body(request, settings)
    report = parse_json_model(body, CallReport)
    token = call_sid_var.set(report.call_sid)
    try:
        stored = await store_report(db, settings, report)
        if stored.duplicate:
            log.info("call report replayed: nothing stored or sent again", extra={"call_id": stored.call_id})
            return JSONResponse({"status": "duplicate", "call_id": stored.call_id})
        if stored.held:
            log.info("a transfer's part of the call stored; reported with the rest", extra={"call_id": stored.call_id})
            return JSONResponse({"status": "held", "call_id": stored.call_id})
        log.info(
            "call report stored, notifications queued",
            extra={"call_id": stored.call_id, "queued_after_hangup_ms": stored.queued_after_hangup_ms},
        )
        sent = await dispatch(db, settings, stored.notification_ids)
        retried = await dispatch_pending(db, settings)
        return JSONResponse(
            {
                "status": "stored",
                "call_id": stored.call_id,
                "notifications": {n.purpose: n.status for n in sent},
                "retried": retried,
                "queued_after_hangup_ms": stored.queued_after_hangup_ms,
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
    finally:
        call_sid_var.reset(token)


handler = FunctionHandler(router, tool_actions.router)  # the tools' deliveries during a call, signed alike
