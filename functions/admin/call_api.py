"""JSON API for calls: /admin/api/calls (filtered list with full-text search, detail, notification re-send)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import ValidationError

from functions.admin.auth import api_identity
from functions.admin.call_detail import load_call
from functions.admin.call_search import PAGE_SIZE, CallFilters, search_calls
from functions.admin.form_errors import error_messages
from functions.edge_app import DatabaseDep, SettingsDep
from functions.notifications import resend_notification
from shared.repositories.notifications import get_notification

router = APIRouter(prefix="/admin/api/calls", dependencies=[Depends(api_identity)])


@router.get("")
async def list_calls(request: Request, db: DatabaseDep) -> dict[str, Any]:
    try:
        filters = CallFilters.from_query(dict(request.query_params))
    except ValidationError as error:
        raise HTTPException(422, detail=error_messages(error)) from error
    found = await search_calls(db, filters)
    calls = [{**asdict(call), "snippet": str(call.snippet) if call.snippet else None} for call in found[:PAGE_SIZE]]
    return {"calls": calls, "page": filters.page, "has_more": len(found) > PAGE_SIZE}


@router.get("/{call_id}")
async def call_detail(call_id: str, db: DatabaseDep, settings: SettingsDep) -> dict[str, Any]:
    detail = await load_call(db, settings, call_id)
    if detail is None:
        raise HTTPException(404, detail="no such call")
    return detail.as_json()


@router.post("/{call_id}/notifications/{notification_id}/resend")
async def resend(call_id: str, notification_id: str, db: DatabaseDep, settings: SettingsDep) -> dict[str, Any]:
    notification = await get_notification(db, notification_id)
    if notification is None or notification.call_id != call_id:
        raise HTTPException(404, detail="no such notification for this call")
    sent = await resend_notification(db, settings, notification_id)
    assert sent is not None
    return {"id": sent.id, "status": sent.status, "attempts": sent.attempts, "last_error": sent.last_error}
