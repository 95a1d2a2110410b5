"""Reading a Twilio webhook: size and content-type checks, the form, and X-Twilio-Signature.

The signature is checked against PUBLIC_BASE_URL + path (+ query), never the Host header seen behind
API Gateway. Failures raise WebhookRejected with the status to answer (403 answers an empty body).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import Request

from shared.settings import Settings
from shared.signatures import verify_twilio_signature

log = logging.getLogger(__name__)
MAX_WEBHOOK_BYTES = 64 * 1024  # Twilio's forms are a few KB


class WebhookRejected(Exception):
    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise WebhookRejected(413, "request body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_WEBHOOK_BYTES:
            raise WebhookRejected(413, "request body too large")
    return bytes(body)


def public_url_of(request: Request, settings: Settings) -> str:
    url = settings.public_url(request.url.path)
    query = request.url.query
    return f"{url}?{query}" if query else url


async def read_signed_form(request: Request, settings: Settings) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise WebhookRejected(415, "expected application/x-www-form-urlencoded")
    body = await _read_body(request)
    try:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError as error:
        raise WebhookRejected(400, "form body is not UTF-8") from error
    signature = request.headers.get("x-twilio-signature", "")
    url = public_url_of(request, settings)
    if not verify_twilio_signature(auth_token=settings.twilio_auth_token, url=url, params=params, signature=signature):
        log.warning("rejected webhook with a missing or bad signature", extra={"path": request.url.path})
        raise WebhookRejected(403, "bad signature")
    return params
