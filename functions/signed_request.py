"""Reading a worker → functions request: size limit, HMAC signature, JSON, then the pydantic model.

Checks run cheapest-first and each refusal says exactly what was wrong:
413 (too large, by Content-Length or while reading), 401 (signature or timestamp), 400 (not JSON),
422 (JSON that does not fit the model, with the field errors).
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError

from shared.settings import Settings
from shared.signatures import SignatureError, verify_report

log = logging.getLogger(__name__)
MAX_SIGNED_BODY_BYTES = 1_000_000
TIMESTAMP_HEADER = "X-BuddyHelps-Timestamp"
SIGNATURE_HEADER = "X-BuddyHelps-Signature"

Model = TypeVar("Model", bound=BaseModel)


async def read_limited_body(request: Request, *, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail=f"body larger than {limit} bytes")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise HTTPException(status_code=413, detail=f"body larger than {limit} bytes")
    return bytes(received)


async def read_signed_body(request: Request, settings: Settings, *, limit: int = MAX_SIGNED_BODY_BYTES) -> bytes:
    body = await read_limited_body(request, limit=limit)
    try:
        verify_report(
            secret=settings.dashboard_webhook_secret,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            method=request.method,
            path=request.url.path,
            body=body,
        )
    except SignatureError as error:
        log.warning("signed request refused", extra={"path": request.url.path, "reason": str(error)})
        raise HTTPException(status_code=401, detail=f"signature check failed: {error}") from error
    return body


def parse_json_model(body: bytes, model: type[Model]) -> Model:
    try:
        data: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HTTPException(status_code=400, detail=f"body is not valid JSON: {error}") from error
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = [
            {"field": ".".join(str(part) for part in item["loc"]) or "(body)", "error": item["msg"]}
            for item in error.errors(include_url=False, include_input=False)
        ]
        raise HTTPException(status_code=422, detail=fields) from error
