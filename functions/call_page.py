"""GET /c/{call_id}: the owner's page for one call (phone-first), its recording, and GET /blobs/{key} for local photos.

The call id is 128 random bits: the link is the credential, so the page is never indexed, cached by
shared caches, or leaked through the Referer header.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from functions.call_recording import not_found, recording_response
from functions.edge_app import DatabaseDep, FunctionHandler
from functions.owner_language import language_name, owner_words, relabel
from functions.page_templates import render
from functions.photo_storage import BlobStorageDep
from functions.security_headers import CSP_HEADER, new_nonce, page_policy
from shared.agents.call_definition import definition_for_call
from shared.blob_storage import BlobNotFound, InvalidBlobKey, LocalBlobStorage, validate_key
from shared.call_fields import display_rows, first_of, national_format, parse_fields
from shared.repositories.businesses import get_business
from shared.repositories.calls import get_call
from shared.repositories.photos import get_photo_by_key, list_photos

router = APIRouter()
PRIVATE_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
MAX_ID_LENGTH = 64


def page(html: str, *, status_code: int = 200, nonce: str | None = None) -> HTMLResponse:
    """A public page; `nonce` is the one its inline script carries (None: the page runs no script)."""
    policy = page_policy(nonce or new_nonce())
    return HTMLResponse(html, status_code=status_code, headers={**PRIVATE_HEADERS, CSP_HEADER: policy})


def not_found_page() -> HTMLResponse:
    html = render(
        "notice.html",
        heading="Call not found",
        message="This link is not valid. Check the link in your text.",
        business_name="",
        business_phone="",
    )
    return page(html, status_code=404)


@router.get("/c/{call_id}", response_class=HTMLResponse)
async def call_page(call_id: str, db: DatabaseDep, blobs: BlobStorageDep) -> HTMLResponse:
    call = await get_call(db, call_id) if len(call_id) <= MAX_ID_LENGTH else None
    if call is None:
        return not_found_page()
    business = await get_business(db, call.business_id) if call.business_id else None
    extraction = call.extraction if call.extraction_status == "ok" and call.extraction else {}
    language = business.language if business else "en"
    words = owner_words(language)
    fields = relabel(
        parse_fields(call.fields),
        await definition_for_call(db, business_id=call.business_id, call_sid=call.call_sid, version=call.agent_version),
        language,
    )
    callback = first_of(fields, "phone")
    callback = callback or extraction.get("callback_phone") or call.from_number
    photos = [
        {"url": await blobs.url_for(photo.blob_key), "name": photo.original_name}
        for photo in await list_photos(db, call.id)
    ]
    html = render(
        "call_page.html",
        call=call,
        business_name=business.name if business else "BuddyHelps",
        timezone=business.timezone if business else "UTC",
        urgency=call.urgency,
        name=first_of(fields, "person_name", spoken=True) or extraction.get("customer_name") or words["unknown_caller"],
        problem=first_of(fields, "free_text", spoken=True) or extraction.get("problem") or words["no_summary_yet"],
        location="" if fields else extraction.get("location", ""),
        callback=callback,
        callback_display=national_format(callback) if callback else "",
        rows=display_rows(fields) + _language_row(call.language, language),
        words=words,
        language=language,
        has_urgency=bool(call.urgency) or not fields,
        notes=extraction.get("notes", ""),
        photos=photos,
        recording_url=f"/c/{call.id}/recording" if call.recording_key else None,
    )
    return page(html)


@router.get("/c/{call_id}/recording")
async def call_recording(call_id: str, request: Request, db: DatabaseDep, blobs: BlobStorageDep) -> Response:
    """Both sides of the call, for the page's player; the call id is the credential, as for the page."""
    call = await get_call(db, call_id) if len(call_id) <= MAX_ID_LENGTH else None
    if call is None or not call.recording_key:
        return not_found()
    return await recording_response(request, blobs, call.recording_key)


def _language_row(call_language: str | None, owner_language: str) -> list[tuple[str, str]]:
    """A call held in another language than the owner's says so (its words stay as they were said)."""
    if not call_language or call_language == owner_language:
        return []
    words = owner_words(owner_language)
    return [(words["call_language"], language_name(call_language, in_language=owner_language))]


@router.get("/blobs/{key:path}")
async def local_blob(key: str, db: DatabaseDep, blobs: BlobStorageDep) -> Response:
    """Photo bytes in the embedded default; only keys of photos that exist, never any other file."""
    missing = Response("not found", status_code=404, media_type="text/plain")
    if not isinstance(blobs, LocalBlobStorage):
        return missing
    try:
        photo = await get_photo_by_key(db, validate_key(key))
        if photo is None:
            return missing
        data = await blobs.get(photo.blob_key)
    except (InvalidBlobKey, BlobNotFound):
        return missing
    headers = {**PRIVATE_HEADERS, "Cache-Control": "private, max-age=3600"}
    return Response(data, media_type=photo.content_type, headers=headers)


handler = FunctionHandler(router)
