"""Console pages for calls: the filtered, searchable list and one call's detail (with re-send)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.call_detail import LATENCY_COLUMNS, load_call
from functions.admin.call_search import PAGE_SIZE, CallFilters, search_calls
from functions.admin.form_errors import error_messages
from functions.admin.rendering import render, see_other
from functions.call_recording import not_found, recording_response
from functions.edge_app import DatabaseDep, SettingsDep
from functions.notifications import resend_notification
from functions.photo_storage import BlobStorageDep
from shared.repositories.businesses import list_businesses
from shared.repositories.calls import get_call
from shared.repositories.notifications import get_notification

router = APIRouter(prefix="/admin/calls", dependencies=[Depends(page_identity)])
STATUSES = ("ringing", "in-progress", "completed", "busy", "no-answer", "canceled", "failed")


@router.get("")
async def calls_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    params = dict(request.query_params)
    errors: list[str] = []
    try:
        filters = CallFilters.from_query(params)
    except ValidationError as error:
        errors = error_messages(error)
        filters = CallFilters.from_query({})
    found = await search_calls(db, filters)
    businesses = await list_businesses(db)
    return render(
        request,
        "calls.html",
        identity=identity,
        status_code=422 if errors else 200,
        errors=errors,
        calls=found[:PAGE_SIZE],
        has_more=len(found) > PAGE_SIZE,
        filters=filters,
        params=params,
        businesses=businesses,
        business_names={business.id: business.name for business in businesses},
        statuses=STATUSES,
    )


@router.get("/{call_id}")
async def call_page(
    request: Request, identity: PageIdentity, db: DatabaseDep, settings: SettingsDep, call_id: str
) -> Response:
    detail = await load_call(db, settings, call_id)
    if detail is None:
        raise HTTPException(404, detail="no such call")
    return render(
        request,
        "call_detail.html",
        identity=identity,
        detail=detail,
        call=detail.call,
        latency_columns=LATENCY_COLUMNS,
    )


@router.get("/{call_id}/recording")
async def call_recording(request: Request, db: DatabaseDep, blobs: BlobStorageDep, call_id: str) -> Response:
    """The call's recording for the page's player, streamed from blob storage (an operator's session)."""
    call = await get_call(db, call_id)
    if call is None or not call.recording_key:
        return not_found()
    return await recording_response(request, blobs, call.recording_key)


@router.post("/{call_id}/notifications/{notification_id}/resend")
async def resend(
    identity: PageIdentity, db: DatabaseDep, settings: SettingsDep, call_id: str, notification_id: str
) -> Response:
    notification = await get_notification(db, notification_id)
    if notification is None or notification.call_id != call_id:
        raise HTTPException(404, detail="no such notification for this call")
    await resend_notification(db, settings, notification_id)
    return see_other(f"/admin/calls/{call_id}", "resent")
