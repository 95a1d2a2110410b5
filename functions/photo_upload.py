"""GET|POST /photo/{token}: the caller's phone-friendly photo upload page.

Checks, in order: the token (by hash), its expiry and allowance; the request size (Content-Length,
then while reading); each file's real type by magic bytes and its size; then the picture is
re-encoded without any metadata (shared/image_upload.py), stored under a key built only from the
photo's id, and a slot of the token used. The
page's script sends one photo per request with a progress bar (JSON answers); without JavaScript the
form posts normally and gets HTML pages. An expired or used-up link gets a friendly 410 page with
the business's public number (the line the caller rang, not the owner's mobile).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from functions.call_page import page
from functions.edge_app import DatabaseDep, FunctionHandler
from functions.page_templates import render
from functions.photo_storage import BlobStorageDep
from functions.security_headers import new_nonce
from shared.blob_storage import BlobStorage
from shared.database import Database
from shared.image_upload import MAX_IMAGE_BYTES, ImageError, detect_image_type, display_name, remove_metadata
from shared.repositories.businesses import Business, get_business
from shared.repositories.calls import Call, get_call
from shared.repositories.phone_numbers import get_number, list_numbers
from shared.repositories.photo_tokens import PhotoToken, find_photo_token, release_photo_slot, reserve_photo_slot
from shared.repositories.photos import add_photo, new_photo_id, photo_blob_key

log = logging.getLogger(__name__)
router = APIRouter()
MAX_REQUEST_BYTES = MAX_IMAGE_BYTES + 64 * 1024  # one photo plus the multipart envelope
MAX_FILES_PER_REQUEST = 10


def current_time() -> datetime:
    """The clock of the photo pages (tests override this dependency)."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(current_time)]


class UploadRefused(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(frozen=True)
class TokenContext:
    token: PhotoToken
    business: Business | None
    public_number: str  # the business's own line, never the owner's mobile; "" when it has none


async def _public_number(db: Database, call: Call, business: Business) -> str:
    """The number the caller dialled (or was called from), else any number of the business."""
    for candidate in (call.to_number, call.from_number):
        number = await get_number(db, candidate) if candidate else None
        if number is not None and number.business_id == business.id:
            return number.e164
    numbers = await list_numbers(db, business_id=business.id)
    return numbers[0].e164 if numbers else ""


async def _context(db: Database, token: str) -> TokenContext | None:
    found = await find_photo_token(db, token) if len(token) <= 128 else None
    if found is None:
        return None
    call = await get_call(db, found.call_id)
    business = await get_business(db, call.business_id) if call and call.business_id else None
    public_number = await _public_number(db, call, business) if call and business else ""
    return TokenContext(found, business, public_number)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _refusal(request: Request, context: TokenContext | None, refused: UploadRefused) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "message": refused.message}, status_code=refused.status_code)
    business = context.business if context else None
    html = render(
        "notice.html",
        heading="Photos can't be sent with this link" if refused.status_code == 410 else "That didn't work",
        message=refused.message,
        business_name=business.name if business else "",
        business_phone=context.public_number if context and refused.status_code == 410 else "",
    )
    return page(html, status_code=refused.status_code)


def _check_usable(context: TokenContext | None, now: datetime) -> TokenContext:
    if context is None:
        raise UploadRefused(404, "This photo link is not valid. Please check the link in your text message.")
    if context.token.is_expired(now):
        raise UploadRefused(410, "This photo link has expired. Please call us and we'll send a new one.")
    if context.token.photos_left == 0:
        raise UploadRefused(410, "We already have all the photos this link allows. Thank you!")
    return context


@router.get("/photo/{token}", response_class=HTMLResponse)
async def photo_page(token: str, request: Request, db: DatabaseDep, now: NowDep) -> Response:
    context = await _context(db, token)
    try:
        usable = _check_usable(context, now)
    except UploadRefused as refused:
        return _refusal(request, context, refused)
    nonce = new_nonce()
    html = render(
        "photo_upload.html",
        business_name=usable.business.name if usable.business else "us",
        photos_left=usable.token.photos_left,
        max_mb=MAX_IMAGE_BYTES // (1024 * 1024),
        action=str(request.url.path),
        csp_nonce=nonce,
    )
    return page(html, nonce=nonce)


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise UploadRefused(413, "That is too large: send photos of up to 10 MB, one at a time.")
        yield chunk


async def _read_files(request: Request) -> list[UploadFile]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        raise UploadRefused(413, "That is too large: send photos of up to 10 MB, one at a time.")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UploadRefused(400, "Please send the photos with the form on this page.")
    parser = MultiPartParser(
        request.headers, _limited(request, MAX_REQUEST_BYTES), max_files=MAX_FILES_PER_REQUEST, max_fields=5
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise UploadRefused(400, f"The upload could not be read: {error.message}") from error
    files = [value for value in form.getlist("photos") if isinstance(value, UploadFile)]
    files = [upload for upload in files if upload.filename or upload.size]
    if not files:
        raise UploadRefused(400, "Choose a photo first.")
    return files


async def _store_one(db: Database, blobs: BlobStorage, token: PhotoToken, upload: UploadFile, now: datetime) -> None:
    data = await upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadRefused(413, "That photo is larger than 10 MB.")
    image_type = detect_image_type(data[:32])
    if image_type is None:
        raise UploadRefused(415, "That file is not a photo we can use (JPEG, PNG, WebP or HEIC).")
    try:
        # Decoding and encoding a 12-megapixel photo takes a CPU for a while: not on the event loop.
        cleaned = await asyncio.to_thread(remove_metadata, data, image_type)
    except ImageError as error:
        raise UploadRefused(422, f"That photo seems damaged: {error}.") from error
    if not await reserve_photo_slot(db, token_hash=token.token_hash, now=now):
        raise UploadRefused(410, "This photo link has expired or has all the photos it allows.")
    photo_id = new_photo_id()
    stored_type = cleaned.image_type
    key = photo_blob_key(photo_id=photo_id, extension=stored_type.extension)
    try:
        await blobs.put(key, cleaned.data, content_type=stored_type.content_type)
        await add_photo(
            db,
            photo_id=photo_id,
            call_id=token.call_id,
            blob_key=key,
            content_type=stored_type.content_type,
            size_bytes=len(cleaned.data),
            original_name=display_name(upload.filename),
        )
    except Exception:
        await release_photo_slot(db, token_hash=token.token_hash)
        log.exception("photo could not be stored", extra={"photo_id": photo_id})
        raise UploadRefused(503, "We couldn't save that photo. Please try again.") from None
    log.info("photo stored", extra={"photo_id": photo_id, "bytes": len(cleaned.data), "type": stored_type.name})


@router.post("/photo/{token}", response_model=None)
async def upload_photos(token: str, request: Request, db: DatabaseDep, blobs: BlobStorageDep, now: NowDep) -> Response:
    context = await _context(db, token)
    stored = 0
    try:
        usable = _check_usable(context, now)
        files = await _read_files(request)
        for upload in files:
            await _store_one(db, blobs, usable.token, upload, now)
            stored += 1
    except UploadRefused as refused:
        if stored:
            refused = UploadRefused(refused.status_code, f"{stored} sent. {refused.message}")
        return _refusal(request, context, refused)
    left = max(0, usable.token.photos_left - stored)
    if _wants_json(request):
        return JSONResponse({"ok": True, "stored": stored, "photos_left": left})
    business_name = usable.business.name if usable.business else "us"
    html = render(
        "photo_thanks.html", business_name=business_name, stored=stored, photos_left=left, action=request.url.path
    )
    return page(html)


handler = FunctionHandler(router)
